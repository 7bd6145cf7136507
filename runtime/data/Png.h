// PNG images for input pipelines: decoding to u8 [height, width, channels]
// tensors in Keras' color modes, and 8-bit encoding (libpng).
#pragma once

#include "runtime/HostTensor.h"
#include "runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weir {

/// The channels a decoded image has, as Keras' `color_mode`: "grayscale"
/// (1), "rgb" (3) or "rgba" (4).
enum class ColorMode { Grayscale, RGB, RGBA };

/// 1, 3 or 4.
int colorModeChannels(ColorMode mode);
/// Keras' name: "grayscale", "rgb" or "rgba".
const char *colorModeName(ColorMode mode);
/// The mode Keras calls `name`, or nullopt.
std::optional<ColorMode> parseColorMode(std::string_view name);

/// Images with more pixels than this are refused before anything is
/// allocated for them (2^28: a 16384x16384 image).
constexpr uint64_t kPngMaxPixels = uint64_t(1) << 28;
/// And wider ones: libpng allocates and clears two rows of up to 8 bytes a
/// pixel, so a row of 2^28 pixels would cost 4 GiB before any data is read.
constexpr uint64_t kPngMaxWidth = uint64_t(1) << 24;

/// Decodes a whole PNG to a u8 tensor of shape [height, width, channels],
/// channels from `mode`. Every PNG kind is accepted: 1/2/4-bit gray is
/// expanded to 0..255, palettes are expanded, 16-bit samples keep their high
/// byte (png_set_strip_16, as tf.image.decode_png with dtype uint8), tRNS
/// becomes alpha, Adam7 is de-interlaced; gAMA, iCCP and the like are
/// ignored, as TensorFlow does, and palette indices past the palette are
/// black, as libpng makes them. Modes are converted as TensorFlow does:
/// RGB to grayscale is round(0.2989 R + 0.5870 G + 0.1140 B), grayscale to
/// RGB replicates, alpha is dropped for Grayscale and RGB and is 255 where
/// the image has none. Errors start with `what` (a file path, say):
/// "<what>: not a PNG file (bad signature)", "<what>: truncated PNG data",
/// "<what>: corrupt PNG: <libpng's message>", "<what>: image is WxH, larger
/// than the 268435456-pixel limit" (or "wider than the 16777216-pixel
/// limit").
Result<HostTensor> decodePng(const uint8_t *data, size_t size, ColorMode mode,
                             const std::string &what);

/// Reads the file at `path` and decodes it; errors start with the path.
Result<HostTensor> readPngFile(const std::string &path, ColorMode mode);

/// Encodes a u8 [height, width, channels] tensor, channels 1 (grayscale),
/// 3 (RGB) or 4 (RGBA), as an 8-bit, non-interlaced PNG with libpng's
/// default compression and filters.
Result<std::vector<uint8_t>> encodePng(const HostTensor &image);

/// encodePng written to `path` atomically (FileIO's writeFileAtomically);
/// errors start with the path.
Status writePngFile(const std::string &path, const HostTensor &image);

} // namespace weir
