// Reading and writing numpy .npy files (format versions 1.0, 2.0 and 3.0).
#pragma once

#include "runtime/HostTensor.h"
#include "runtime/Status.h"

#include <string>
#include <string_view>
#include <vector>

namespace weir {

/// What a .npy header dict ({'descr': '<f4', 'fortran_order': False,
/// 'shape': (2, 3), }) describes.
struct NpyLayout {
  DType dtype;
  std::vector<int64_t> shape;
  int64_t numElements;
};

/// Parses a header dict with readNpy's checks and messages: the forms numpy
/// writes, a supported little-endian dtype, C order, a shape whose byte
/// size fits. For readers of .npy bytes held elsewhere (an .npz member).
Result<NpyLayout> parseNpyHeader(std::string_view dict);

/// Checks that every byte of a Bool tensor is 0 or 1.
Status checkNpyBools(const HostTensor &tensor);

/// Reads a C-order, little-endian .npy file of a DType numpy has (every one
/// but BF16). Errors start with the path and say what is wrong: bad magic,
/// unsupported version, fortran_order, big-endian or unsupported dtype,
/// malformed header, truncated data, trailing bytes, bool bytes other than
/// 0 and 1.
Result<HostTensor> readNpy(const std::string &path);

/// Writes `tensor` as a version 1.0 .npy file laid out exactly as numpy's
/// np.save does (header padded to 64 bytes), atomically: a temporary file
/// `path + ".tmp.<pid>"`, fsync, rename. BF16 tensors are an error.
Status writeNpy(const std::string &path, const HostTensor &tensor);

} // namespace weir
