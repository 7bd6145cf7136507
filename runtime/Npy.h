// Reading and writing numpy .npy files (format versions 1.0, 2.0 and 3.0).
#pragma once

#include "runtime/HostTensor.h"
#include "runtime/Status.h"

#include <string>

namespace weir {

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
