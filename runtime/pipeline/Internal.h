// The pieces of the pipeline engine, each testable alone: the listing, the
// per-epoch order, the decoder that writes into a batch slot, resizing and
// the cache file.
#pragma once

#include "runtime/Random.h"
#include "runtime/pipeline/Pipeline.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace weir::pipeline {

//===- Listing.cpp ---------------------------------------------------------===//

struct ImageFile {
  std::string path;
  int32_t label = 0; // class index; 0 with labels: none
  uint64_t size = 0;
  int64_t mtimeNs = 0;
};

struct Listing {
  std::vector<std::string> classNames;
  /// After the subset and the interleave: the order of examples in a pass
  /// before shuffling.
  std::vector<ImageFile> files;
};

/// Keras' index_directory: class folders sorted by name, in each the files
/// with an image extension (.png .jpg .jpeg .bmp .gif, any case) of every
/// subfolder, sorted by folder and then by name; then the validation split
/// (a seeded shuffle of the whole list, the last `split` fraction is
/// validation) and the interleave.
Result<Listing> listImages(const ImageSourceSpec &source,
                           const InterleaveSpec &interleave);

/// tf.data's interleave over per-class runs of `labels` (classes in their
/// first-appearance order, files in their order): `cycle` runs are open at
/// once, `block` files are taken from each in turn, and an exhausted run is
/// replaced by the next class. Returns a permutation of [0, labels.size()).
std::vector<int64_t> interleaveOrder(const std::vector<int32_t> &labels,
                                     int64_t cycle, int64_t block);

/// Keras' validation split over `n` files: a seeded shuffle, then the first
/// n - floor(split * n) are training and the rest validation. The indices of
/// `subset`, in shuffled order (All: 0..n-1).
std::vector<int64_t> subsetIndices(int64_t n, double split, Subset subset,
                                   uint64_t seed);

//===- Order.cpp -----------------------------------------------------------===//



/// tf.data's buffered shuffle of 0..n-1: the buffer holds the next
/// `bufferSize` examples, each output is a uniformly random one of them and
/// its place is taken by the next input. bufferSize <= 1: the identity;
/// bufferSize >= n: a uniform permutation.
std::vector<int64_t> bufferedShuffle(int64_t n, int64_t bufferSize,
                                     uint64_t seed, uint64_t stream);

/// The examples of one epoch in order: `repeat` passes over 0..n-1, each
/// shuffled (pass p of epoch e is stream e * repeat + p, or p when the
/// shuffle is not reshuffled each epoch).
std::vector<int64_t> epochOrder(int64_t n, const ShuffleSpec &shuffle,
                                int64_t repeat, int64_t epoch);

//===- Decode.cpp ----------------------------------------------------------===//

struct ImageShape {
  int64_t height = 0, width = 0, channels = 1;
  size_t bytes() const { return size_t(height * width * channels); }
};

/// One worker's decoder: reuses its read buffer, its libpng memory and its
/// scratch images, so decoding a batch allocates nothing in the steady state.
class SlotDecoder {
public:
  SlotDecoder(ColorMode color, ImageShape shape, Resize resize);
  ~SlotDecoder();
  SlotDecoder(const SlotDecoder &) = delete;
  SlotDecoder &operator=(const SlotDecoder &) = delete;

  /// Reads `path` and writes its image, of the pipeline's shape, to `out`.
  /// `sizeHint` (the listing's size; 0: unknown) saves a stat. Errors start
  /// with the path.
  Status decodeFile(const std::string &path, uint8_t *out,
                    uint64_t sizeHint = 0);
  /// The same from bytes in memory.
  Status decode(const uint8_t *data, size_t size, const std::string &what,
                uint8_t *out);

  struct Arena;

private:
  Status fallback(const uint8_t *data, size_t size, const std::string &what,
                  uint8_t *out);

  ColorMode color_;
  ImageShape shape_;
  Resize resize_;
  std::vector<uint8_t> file_;
  std::vector<uint8_t *> rows_;
  Arena *arena_;
};

/// tf.image.resize (half-pixel centers, no antialiasing) of a u8
/// [inH, inW, c] image to [outH, outW, c], rounded half to even and clamped
/// back to u8.
void resizeImage(const uint8_t *in, int64_t inH, int64_t inW, int64_t c,
                 uint8_t *out, int64_t outH, int64_t outW, Resize method);

//===- Cache.cpp -----------------------------------------------------------===//

/// What a cache file must match: the file list with sizes and mtimes, the
/// color mode, the size and the resize method.
uint64_t cacheFingerprint(const PipelineSpec &spec,
                          const std::vector<ImageFile> &files);

/// Decoded images of every example (bad ones zero, their reasons kept).
struct CacheContents {
  std::vector<uint8_t> images; // n * imageBytes
  std::vector<uint8_t> bad;    // n flags
  std::vector<std::string> reasons; // n; empty where good
};

/// Writes `contents` to `path` atomically.
Status writeCacheFile(const std::string &path, uint64_t fingerprint,
                      size_t imageBytes, const CacheContents &contents);
/// Reads `path` when its header matches; false (no error) when it is
/// missing or stale.
Result<bool> readCacheFile(const std::string &path, uint64_t fingerprint,
                           size_t numImages, size_t imageBytes,
                           CacheContents &contents);

//===- Engine.cpp ----------------------------------------------------------===//

/// The engine over a checked spec and its listing.
std::unique_ptr<ImagePipeline> createEngine(const PipelineSpec &spec,
                                            Listing listing);

} // namespace weir::pipeline
