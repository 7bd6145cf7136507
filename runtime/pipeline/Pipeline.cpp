// ImagePipeline::open: checks the spec, lists the files, builds the engine.
#include "runtime/pipeline/Internal.h"

namespace weir::pipeline {

static Status checkSpec(const PipelineSpec &spec) {
  const ImageSourceSpec &src = spec.source;
  auto bad = [](const std::string &what) {
    return Status::error("pipeline: " + what);
  };
  if (src.directory.empty())
    return bad("images() needs a directory");
  if (src.height <= 0 || src.width <= 0)
    return bad("image size must be positive, got " +
               std::to_string(src.height) + "x" + std::to_string(src.width));
  if (!(src.validationSplit >= 0 && src.validationSplit < 1))
    return bad("validation_split must be in [0, 1), got " +
               std::to_string(src.validationSplit));
  if (src.subset != Subset::All && src.validationSplit == 0)
    return bad("a training or validation subset needs a validation_split");
  if (spec.batchSize <= 0)
    return bad("batch size must be positive, got " +
               std::to_string(spec.batchSize));
  if (spec.repeat <= 0)
    return bad("repeat count must be positive, got " +
               std::to_string(spec.repeat));
  if (spec.shuffle.bufferSize < 0)
    return bad("shuffle buffer must not be negative");
  if (spec.interleave.cycleLength < 0 || spec.interleave.blockLength <= 0)
    return bad("interleave needs cycle_length >= 0 and block_length >= 1");
  if (spec.parallelism < 0 || spec.prefetch < 0)
    return bad("parallelism and prefetch must not be negative");
  if (spec.cache == CacheKind::File && spec.cacheFile.empty())
    return bad("cache(file) needs a file name");
  return Status::success();
}

Result<std::unique_ptr<ImagePipeline>>
ImagePipeline::open(const PipelineSpec &spec) {
  WEIR_RETURN_IF_ERROR(checkSpec(spec));
  Result<Listing> listing = listImages(spec.source, spec.interleave);
  if (!listing)
    return listing.status();
  return createEngine(spec, std::move(*listing));
}

} // namespace weir::pipeline
