// PNG decoding and encoding on libpng, its longjmp errors kept inside small
// C-style steps and turned into Status values outside them.
#include "runtime/data/Png.h"

#include "runtime/FileIO.h"

#include <png.h>

#include <algorithm>
#include <csetjmp>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace weir {

int colorModeChannels(ColorMode mode) {
  switch (mode) {
  case ColorMode::Grayscale:
    return 1;
  case ColorMode::RGB:
    return 3;
  case ColorMode::RGBA:
    return 4;
  }
  return 3;
}

const char *colorModeName(ColorMode mode) {
  switch (mode) {
  case ColorMode::Grayscale:
    return "grayscale";
  case ColorMode::RGB:
    return "rgb";
  case ColorMode::RGBA:
    return "rgba";
  }
  return "rgb";
}

std::optional<ColorMode> parseColorMode(std::string_view name) {
  for (ColorMode mode : {ColorMode::Grayscale, ColorMode::RGB, ColorMode::RGBA})
    if (name == colorModeName(mode))
      return mode;
  return std::nullopt;
}

namespace {

// libpng reports an error by calling our error callback, which must not
// return: it longjmps to the last setjmp on png_jmpbuf. Every function that
// calls setjmp below is a "step": it has only trivially destructible locals
// (so the longjmp skips no destructor), does no work after setjmp returns
// nonzero but `return false`, and leaves the message in a plain char buffer.
// The C++ code around the steps owns the memory and builds the Status.

constexpr size_t kMessageSize = 256;
constexpr uint8_t kSignature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
// Rows are read in batches of about this many bytes between setjmps.
constexpr size_t kBatchBytes = size_t(1) << 16;
// readPngFile refuses larger files: more than any image under the pixel
// limit needs, even uncompressed at 16 bits per RGBA sample.
constexpr size_t kMaxPngFileBytes = size_t(1) << 32;

void copyMessage(char *buffer, const char *message) {
  if (!message)
    message = "unknown libpng error";
  size_t n = ::strnlen(message, kMessageSize - 1);
  std::memcpy(buffer, message, n);
  buffer[n] = '\0';
}

// The error pointer of both the read and the write struct is the message
// buffer of their state.
void onError(png_structp png, png_const_charp message) {
  if (char *buffer = static_cast<char *>(png_get_error_ptr(png)))
    copyMessage(buffer, message);
  png_longjmp(png, 1);
}

// Warnings (a bad ancillary-chunk CRC, extra compressed data) are not errors
// for libpng, nor for us; libpng would print them to stderr.
void onWarning(png_structp, png_const_charp) {}

//===----------------------------------------------------------------------===//
// Decoding
//===----------------------------------------------------------------------===//

struct ReadState {
  char message[kMessageSize]; // libpng's last error
  const uint8_t *data;
  size_t size;
  size_t offset;
  png_structp png;
  png_infop info;
  bool truncated;    // the data ran out: the error is that, not libpng's text
  bool cannotCreate; // libpng's structs could not be allocated
};

void onRead(png_structp png, png_bytep out, size_t length) {
  ReadState *s = static_cast<ReadState *>(png_get_io_ptr(png));
  if (length > s->size - s->offset) {
    s->truncated = true;
    png_error(png, "unexpected end of data");
  }
  std::memcpy(out, s->data + s->offset, length);
  s->offset += length;
}

// Step: libpng's structs, then every chunk before the first IDAT.
bool readInfoStep(ReadState *s) {
  s->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, s->message, onError,
                                  onWarning);
  if (s->png)
    s->info = png_create_info_struct(s->png);
  if (!s->png || !s->info) {
    s->cannotCreate = true;
    return false;
  }
  if (setjmp(png_jmpbuf(s->png)))
    return false;
  png_set_read_fn(s->png, s, onRead);
  // decodePng applies its own limits (kPngMaxPixels, kPngMaxWidth), with
  // messages that say so.
  png_set_user_limits(s->png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
  // Skip the ancillary chunks: no gamma, color-management, text or
  // background handling is wanted, as in TensorFlow. IHDR, PLTE, tRNS, IDAT
  // and IEND are still read.
  png_set_keep_unknown_chunks(s->png, PNG_HANDLE_CHUNK_NEVER, nullptr, -1);
  png_read_info(s->png, s->info);
  return true;
}

// Step: transforms to 8-bit gray, gray+alpha, RGB or RGBA (whichever is
// closest to the file), then libpng's row buffers.
bool startImageStep(ReadState *s, int *passes) {
  if (setjmp(png_jmpbuf(s->png)))
    return false;
  // Palette to RGB, 1/2/4-bit gray to 8 bits, tRNS to an alpha channel.
  png_set_expand(s->png);
  png_set_strip_16(s->png);
  *passes = png_set_interlace_handling(s->png);
  png_read_update_info(s->png, s->info);
  return true;
}

// Outside the step so that the step has no locals changing after setjmp.
void readRows(png_structp png, uint8_t *first, size_t stride, size_t count) {
  for (size_t i = 0; i < count; ++i)
    png_read_row(png, first + i * stride, nullptr);
}

// Step: the next `count` rows of the current pass. For an interlaced image
// the rows hold the previous passes' pixels, which libpng keeps.
bool readRowsStep(ReadState *s, uint8_t *first, size_t stride, size_t count) {
  if (setjmp(png_jmpbuf(s->png)))
    return false;
  readRows(s->png, first, stride, count);
  return true;
}

// Step: the rest of the file, through IEND, so that truncation after the
// last row, or a bad CRC there, is an error.
bool readEndStep(ReadState *s) {
  if (setjmp(png_jmpbuf(s->png)))
    return false;
  png_read_end(s->png, nullptr);
  return true;
}

// Frees libpng's read structs however the decode ends.
class ReadStateOwner {
public:
  explicit ReadStateOwner(ReadState &state) : state_(state) {}
  ReadStateOwner(const ReadStateOwner &) = delete;
  ReadStateOwner &operator=(const ReadStateOwner &) = delete;
  ~ReadStateOwner() {
    if (state_.png)
      png_destroy_read_struct(&state_.png, &state_.info, nullptr);
  }

private:
  ReadState &state_;
};

Status readError(const ReadState &s, const std::string &what) {
  if (s.truncated)
    return Status::error(what + ": truncated PNG data");
  if (s.cannotCreate)
    return Status::error(what + ": cannot create the libpng decoder: " +
                         (s.message[0] ? s.message : "out of memory"));
  return Status::error(what + ": corrupt PNG: " + s.message);
}

// tf.image.rgb_to_grayscale's weights, rounded to nearest (ties up), in
// exact integer arithmetic.
inline uint8_t luminance(uint32_t r, uint32_t g, uint32_t b) {
  return static_cast<uint8_t>((2989 * r + 5870 * g + 1140 * b + 5000) / 10000);
}

// Converts `pixels` contiguous pixels from `from` channels (1 gray, 2 gray +
// alpha, 3 RGB, 4 RGBA) to `to` channels (1, 3 or 4).
void convertPixels(const uint8_t *src, int from, uint8_t *dst, int to,
                   size_t pixels) {
  for (size_t i = 0; i < pixels; ++i, src += from, dst += to) {
    if (from <= 2) { // gray, gray + alpha
      uint8_t v = src[0];
      if (to == 1) {
        dst[0] = v;
        continue;
      }
      dst[0] = dst[1] = dst[2] = v;
      if (to == 4)
        dst[3] = from == 2 ? src[1] : 255;
      continue;
    }
    // RGB, RGBA
    if (to == 1) {
      dst[0] = luminance(src[0], src[1], src[2]);
      continue;
    }
    dst[0] = src[0];
    dst[1] = src[1];
    dst[2] = src[2];
    if (to == 4)
      dst[3] = from == 4 ? src[3] : 255;
  }
}

// Reads rows [0, height) of every pass into `rows` (stride bytes apart), in
// batches of about kBatchBytes, calling `done(first, count)` after each batch
// of the last pass.
template <typename Done>
bool readAllRows(ReadState &s, int passes, uint8_t *rows, size_t stride,
                 size_t height, Done done) {
  size_t batch = std::max<size_t>(1, kBatchBytes / std::max<size_t>(1, stride));
  for (int pass = 0; pass < passes; ++pass) {
    for (size_t y = 0; y < height; y += batch) {
      size_t count = std::min(batch, height - y);
      if (!readRowsStep(&s, rows + y * stride, stride, count))
        return false;
      if (pass == passes - 1)
        done(y, count);
    }
  }
  return true;
}

} // namespace

Result<HostTensor> decodePng(const uint8_t *data, size_t size, ColorMode mode,
                             const std::string &what) {
  size_t head = std::min(size, sizeof(kSignature));
  if (head > 0 && std::memcmp(data, kSignature, head) != 0)
    return Status::error(what + ": not a PNG file (bad signature)");
  if (size < sizeof(kSignature))
    return Status::error(what + ": truncated PNG data");

  ReadState state;
  std::memset(&state, 0, sizeof(state));
  state.data = data;
  state.size = size;
  ReadStateOwner owner(state);

  if (!readInfoStep(&state))
    return readError(state, what);
  png_uint_32 width = png_get_image_width(state.png, state.info);
  png_uint_32 height = png_get_image_height(state.png, state.info);
  // Before libpng allocates its row buffers and we the image: a 50-byte
  // file can declare 2^62 pixels.
  bool tooWide = width > kPngMaxWidth;
  if (tooWide || uint64_t(width) * height > kPngMaxPixels)
    return Status::error(
        what + ": image is " + std::to_string(width) + "x" +
        std::to_string(height) +
        (tooWide ? ", wider than the " : ", larger than the ") +
        std::to_string(tooWide ? kPngMaxWidth : kPngMaxPixels) +
        "-pixel limit");

  int passes = 1;
  if (!startImageStep(&state, &passes))
    return readError(state, what);
  int native = png_get_channels(state.png, state.info);
  if (png_get_bit_depth(state.png, state.info) != 8 || native < 1 ||
      native > 4 ||
      png_get_rowbytes(state.png, state.info) != size_t(width) * native)
    return Status::error(
        what + ": internal error: libpng gives rows of " +
        std::to_string(png_get_rowbytes(state.png, state.info)) +
        " bytes for " + std::to_string(width) + " pixels");

  int channels = colorModeChannels(mode);
  Result<HostTensor> image = HostTensor::createUninitialized(
      DType::U8, {int64_t(height), int64_t(width), int64_t(channels)});
  if (!image)
    return image.status().withPrefix(what);
  uint8_t *out = image->bytes();
  size_t outStride = size_t(width) * channels;
  size_t nativeStride = size_t(width) * native;

  bool ok;
  if (native == channels) {
    ok = readAllRows(state, passes, out, outStride, height,
                     [](size_t, size_t) {});
  } else {
    // Rows as libpng gives them, then converted: one batch at a time, or the
    // whole image when it is interlaced (every pass touches every row).
    size_t rows = passes == 1 ? std::max<size_t>(1, kBatchBytes / nativeStride)
                              : size_t(height);
    rows = std::min(rows, size_t(height));
    std::unique_ptr<uint8_t[]> buffer(new (std::nothrow)
                                          uint8_t[rows * nativeStride]);
    if (!buffer)
      return Status::error(what + ": out of memory for " +
                           std::to_string(rows * nativeStride) +
                           " bytes of decoded rows");
    uint8_t *base = buffer.get();
    if (passes == 1) {
      ok = true;
      for (size_t y = 0; ok && y < height; y += rows) {
        size_t count = std::min(rows, size_t(height) - y);
        ok = readRowsStep(&state, base, nativeStride, count);
        if (ok)
          convertPixels(base, native, out + y * outStride, channels,
                        count * width);
      }
    } else {
      ok = readAllRows(state, passes, base, nativeStride, height,
                       [&](size_t y, size_t count) {
                         convertPixels(base + y * nativeStride, native,
                                       out + y * outStride, channels,
                                       count * width);
                       });
    }
  }
  if (!ok || !readEndStep(&state))
    return readError(state, what);
  return image;
}

Result<HostTensor> readPngFile(const std::string &path, ColorMode mode) {
  Result<std::string> bytes = readFileToString(path, kMaxPngFileBytes);
  if (!bytes)
    return bytes.status();
  if (bytes->empty())
    return Status::error(path + ": empty file");
  return decodePng(reinterpret_cast<const uint8_t *>(bytes->data()),
                   bytes->size(), mode, path);
}

//===----------------------------------------------------------------------===//
// Encoding
//===----------------------------------------------------------------------===//

namespace {

struct WriteState {
  char message[kMessageSize]; // libpng's last error
  png_structp png;
  png_infop info;
  uint8_t *out; // malloc'ed; the caller frees it
  size_t size;
  size_t capacity;
};

void onWrite(png_structp png, png_bytep data, size_t length) {
  WriteState *s = static_cast<WriteState *>(png_get_io_ptr(png));
  if (length > s->capacity - s->size) {
    if (length > SIZE_MAX / 2 - s->size)
      png_error(png, "encoded image too large");
    size_t capacity =
        std::max({s->size + length, 2 * s->capacity, size_t(4096)});
    void *grown = std::realloc(s->out, capacity);
    if (!grown)
      png_error(png, "out of memory");
    s->out = static_cast<uint8_t *>(grown);
    s->capacity = capacity;
  }
  std::memcpy(s->out + s->size, data, length);
  s->size += length;
}

void onFlush(png_structp) {}

void writeRows(png_structp png, const uint8_t *first, size_t stride,
               size_t count) {
  for (size_t i = 0; i < count; ++i)
    png_write_row(png, first + i * stride);
}

// Step: the whole encode, into s->out.
bool writeStep(WriteState *s, const uint8_t *pixels, png_uint_32 width,
               png_uint_32 height, int colorType, size_t stride) {
  s->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, s->message, onError,
                                   onWarning);
  if (s->png)
    s->info = png_create_info_struct(s->png);
  if (!s->png || !s->info) {
    if (!s->message[0])
      copyMessage(s->message, "out of memory");
    return false;
  }
  if (setjmp(png_jmpbuf(s->png)))
    return false;
  png_set_write_fn(s->png, s, onWrite, onFlush);
  png_set_user_limits(s->png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
  png_set_IHDR(s->png, s->info, width, height, 8, colorType, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(s->png, s->info);
  writeRows(s->png, pixels, stride, height);
  png_write_end(s->png, nullptr);
  return true;
}

// Frees libpng's write structs and the output however the encode ends.
class WriteStateOwner {
public:
  explicit WriteStateOwner(WriteState &state) : state_(state) {}
  WriteStateOwner(const WriteStateOwner &) = delete;
  WriteStateOwner &operator=(const WriteStateOwner &) = delete;
  ~WriteStateOwner() {
    if (state_.png)
      png_destroy_write_struct(&state_.png, &state_.info);
    std::free(state_.out);
  }

private:
  WriteState &state_;
};

// Encodes into `state.out`; errors start with what cannot be written.
Status encodeInto(const HostTensor &image, WriteState &state) {
  std::string what = "cannot write " + image.describe() + " as PNG";
  if (image.dtype() != DType::U8)
    return Status::error(what + ": needs u8 elements");
  if (image.rank() != 3)
    return Status::error(what + ": needs shape [height, width, channels]");
  const std::vector<int64_t> &shape = image.shape();
  int64_t channels = shape[2];
  int colorType;
  switch (channels) {
  case 1:
    colorType = PNG_COLOR_TYPE_GRAY;
    break;
  case 3:
    colorType = PNG_COLOR_TYPE_RGB;
    break;
  case 4:
    colorType = PNG_COLOR_TYPE_RGB_ALPHA;
    break;
  default:
    return Status::error(what +
                         ": needs 1, 3 or 4 channels (grayscale, RGB, "
                         "RGBA), got " +
                         std::to_string(channels));
  }
  for (int i = 0; i < 2; ++i)
    if (shape[i] < 1 || shape[i] > int64_t(PNG_UINT_31_MAX))
      return Status::error(what + ": height and width must be 1 to " +
                           std::to_string(PNG_UINT_31_MAX));
  size_t stride = size_t(shape[1]) * size_t(channels);
  if (!writeStep(&state, image.bytes(), png_uint_32(shape[1]),
                 png_uint_32(shape[0]), colorType, stride))
    return Status::error(what + ": libpng: " + state.message);
  return Status::success();
}

} // namespace

Result<std::vector<uint8_t>> encodePng(const HostTensor &image) {
  WriteState state;
  std::memset(&state, 0, sizeof(state));
  WriteStateOwner owner(state);
  WEIR_RETURN_IF_ERROR(encodeInto(image, state));
  return std::vector<uint8_t>(state.out, state.out + state.size);
}

Status writePngFile(const std::string &path, const HostTensor &image) {
  WriteState state;
  std::memset(&state, 0, sizeof(state));
  WriteStateOwner owner(state);
  WEIR_RETURN_IF_ERROR(encodeInto(image, state).withPrefix(path));
  return writeFileAtomically(path, {{state.out, state.size}});
}

} // namespace weir
