// In-memory training data: examples x and labels or targets y, from IDX or
// .npz.
#pragma once

#include "runtime/HostTensor.h"
#include "runtime/Status.h"

#include <string>

namespace weir {

/// N examples: x [N, ...] in the dtype it was stored in, and y either
/// integer labels [N] (U8, I8, I32 or I64; sparse_categorical_crossentropy)
/// or float targets [N, ...] (F32 or F64: one-hot [N, C] for
/// categorical_crossentropy, [N, 1] or [N, K] for binary_crossentropy and
/// mean_squared_error).
struct ArrayDataset {
  HostTensor x;
  HostTensor y;
  int64_t size() const { return y.rank() >= 1 ? y.shape()[0] : 0; }
};

/// Loads the "train" or "test" split from `path`, which is either
///  - a directory of IDX files named as in MNIST / Fashion-MNIST (Debian's
///    dataset-fashion-mnist): train-images-idx3-ubyte, train-labels-idx1-ubyte,
///    t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each gzipped (".gz",
///    preferred when both exist) or not. x keeps the file's shape, e.g. u8
///    [60000, 28, 28];
///  - or a .npz archive with x_train, y_train, x_test, y_test (the layout of
///    Keras' mnist.npz), written by np.savez or np.savez_compressed.
/// Integer labels stored as [N, 1] (as in Keras' CIFAR-10) become [N]; float
/// targets keep their shape, [N, 1] included. Errors start with the
/// offending path: a missing file or member (named), a truncated or corrupt
/// archive, a CRC mismatch, y neither integer [N] nor f32/f64 [N, ...], and
/// x and y of different lengths.
Result<ArrayDataset> loadArrays(const std::string &path,
                                const std::string &split);

} // namespace weir
