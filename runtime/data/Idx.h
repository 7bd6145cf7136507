// Reading IDX files (the MNIST and Fashion-MNIST format), plain or gzipped.
#pragma once

#include "runtime/HostTensor.h"
#include "runtime/Status.h"

#include <string>

namespace weir {

/// Reads an IDX file (magic 0x0000TTNN: element type TT, NN dimensions, then
/// NN big-endian 32-bit sizes and the big-endian data), gzipped or not (by
/// content, not by name). Element types: unsigned byte -> U8, signed byte ->
/// I8, int -> I32, float -> F32, double -> F64; 16-bit shorts have no dtype
/// and are refused. Errors start with the path: not an IDX file, unknown
/// type, truncated data (expected versus found bytes), trailing bytes, a
/// corrupt gzip stream.
Result<HostTensor> readIdx(const std::string &path);

/// Images and labels from a pair of IDX files: images U8 [N, H, W] become
/// [N, H, W, 1]; labels U8 [N]. Errors when the counts differ or the labels
/// are not one-dimensional.
struct LabeledImages {
  HostTensor images; // U8 [N, H, W, 1]
  HostTensor labels; // U8 [N]
};
Result<LabeledImages> readIdxImages(const std::string &imagesPath,
                                    const std::string &labelsPath);

} // namespace weir
