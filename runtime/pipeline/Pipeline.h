// The input-pipeline engine: runs the host stages of a `data` pipeline
// (list the files of images(dir), read, decode PNG, resize, shuffle, batch,
// prefetch) on worker threads, with bounded memory, while the caller runs
// the compiled step. What runs here and what is compiled into the step is
// decided by the compiler (weir-place-pipeline); this engine only sees the
// host part, as a PipelineSpec.
//
// Determinism: the order of examples of (epoch, step) is a pure function of
// the spec and the epoch, computed up front over example indices, and each
// decoded image is written into a fixed slot of its batch; so the batches
// are the same whatever the thread count, and a run resumed at (epoch, step)
// sees exactly the batches an uninterrupted run would.
#pragma once

#include "runtime/HostTensor.h"
#include "runtime/Status.h"
#include "runtime/data/Png.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace weir::pipeline {

enum class Resize { None, Bilinear, Nearest };
enum class Subset { All, Training, Validation };
enum class OnBadImage { Fail, Skip };
enum class CacheKind { None, Memory, File };

/// `images(dir, ...)`: as Keras' image_dataset_from_directory.
struct ImageSourceSpec {
  std::string directory;
  ColorMode color = ColorMode::Grayscale;
  /// The size every image has (Resize::None: another size is an error naming
  /// the file) or is resized to.
  int64_t height = 0, width = 0;
  Resize resize = Resize::None;
  /// Labels are class indices in sorted class-folder order; false: no labels
  /// (`labels: none`), the files of `directory` itself and of its subfolders.
  bool inferLabels = true;
  /// validation_split in [0, 1): the file list is shuffled with `seed`
  /// (Keras does so too) and the last `split` fraction is the validation
  /// subset; Subset::All keeps every file in listing order.
  double validationSplit = 0;
  Subset subset = Subset::All;
  uint64_t seed = 0;
};

/// `interleave(cycle_length, block_length)`: the listing order takes
/// `blockLength` files from each of `cycleLength` classes in turn (tf.data's
/// interleave over per-class datasets). cycleLength 0: off.
struct InterleaveSpec {
  int64_t cycleLength = 0;
  int64_t blockLength = 1;
};

/// `shuffle(buffer, seed, reshuffle_each_epoch)`: tf.data's buffered
/// shuffle over example indices. bufferSize 0: no shuffling.
struct ShuffleSpec {
  int64_t bufferSize = 0;
  uint64_t seed = 0;
  bool reshuffleEachEpoch = true;
};

struct PipelineSpec {
  ImageSourceSpec source;
  InterleaveSpec interleave;
  /// `cache()` keeps decoded images in memory after the first epoch;
  /// `cache(file)` writes them to `cacheFile` (atomically, once complete)
  /// and reads them back in later epochs and runs.
  CacheKind cache = CacheKind::None;
  std::string cacheFile;
  ShuffleSpec shuffle;
  int64_t batchSize = 32;
  bool dropRemainder = false;
  /// `repeat(n)`: one epoch is n passes over the data (each reshuffled).
  int64_t repeat = 1;
  /// Decode threads; 0 = auto (tuned at run time).
  int parallelism = 0;
  /// Batches ready ahead of the step; 0 = auto (tuned at run time), within
  /// maxMemoryBytes.
  int prefetch = 0;
  OnBadImage onBadImage = OnBadImage::Fail;
  /// RAM budget for the engine's buffers (batches in flight, the memory
  /// cache excluded).
  size_t maxMemoryBytes = size_t(1) << 30;
  /// Where the tuner logs its decisions; null: silent.
  std::function<void(const std::string &)> log;
};

/// One batch: u8 images [rows, height, width, channels] and i32 labels
/// [rows] (empty tensor with labels: none). Owned by the pipeline; valid
/// until release().
struct Batch {
  HostTensor images;
  HostTensor labels;
  int64_t epoch = 0, step = 0;
};

struct EpochStats {
  /// Seconds the consumer spent blocked in next().
  double waitSeconds = 0;
  int64_t imagesDecoded = 0;
  /// With OnBadImage::Skip: "path: reason" for each skipped file.
  std::vector<std::string> skipped;
};

class ImagePipeline {
public:
  /// Lists the files (errors: a missing directory, an empty class folder, no
  /// images at all, each naming the path) and allocates nothing large yet.
  static Result<std::unique_ptr<ImagePipeline>> open(const PipelineSpec &spec);
  virtual ~ImagePipeline() = default;

  /// Sorted class-folder names (empty with labels: none).
  virtual const std::vector<std::string> &classNames() const = 0;
  /// Examples in one pass, after the subset.
  virtual int64_t numExamples() const = 0;
  /// Batches in one epoch (repeat and drop_remainder included).
  virtual int64_t stepsPerEpoch() const = 0;

  /// Starts producing the batches of `epoch` from `firstStep` on, cancelling
  /// whatever is in flight. Returns at once; workers run ahead.
  virtual Status startEpoch(int64_t epoch, int64_t firstStep = 0) = 0;
  /// Blocks until the next batch is ready; nullptr after the last batch of
  /// the epoch. With OnBadImage::Fail a bad file is an error naming it;
  /// with Skip the batch holding it is shorter.
  virtual Result<const Batch *> next() = 0;
  /// Returns a batch's buffers to the pipeline for reuse.
  virtual void release(const Batch *batch) = 0;
  /// Statistics of the current (or last) epoch.
  virtual EpochStats epochStats() const = 0;
};

} // namespace weir::pipeline
