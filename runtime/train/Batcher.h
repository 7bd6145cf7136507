// Epoch order and batch assembly: which examples go in batch (epoch, step),
// gathered and converted into the tensors the compiled step takes.
#pragma once

#include "runtime/HostTensor.h"
#include "runtime/Status.h"
#include "runtime/train/Dataset.h"

#include <cstdint>
#include <vector>

namespace weir {

/// The order of epoch `epoch` over `n` examples: a Fisher-Yates shuffle
/// driven by a SplitMix64 stream keyed by (seed, epoch). A pure function of
/// its arguments, so resuming at epoch e reproduces e's order exactly, on
/// every machine. The same (seed, epoch) always gives the same order;
/// different epochs give independent orders.
std::vector<int64_t> epochPermutation(int64_t n, uint64_t seed, int64_t epoch);

/// Assembles batches from an ArrayDataset, which must outlive the Batcher.
/// Batch `step` of an epoch holds examples [step * b, step * b + b) of that
/// epoch's order (the identity without shuffling); the last batch holds the
/// remainder (no drop_remainder).
///
/// Conversions: x rows are copied when the dtypes match, and converted when
/// the data is an integer type (U8, I8, I32, I64) and the model wants F32 or
/// F64, or between F32 and F64 (plain value conversion, no scaling: the
/// model rescales). Integer labels convert to any integer dtype they fit in
/// (checked once, at create) or to F32/F64; float targets (F32/F64) convert
/// to F32/F64 only.
class Batcher {
public:
  /// `xShape` is the per-example shape the model wants, e.g. {28, 28, 1};
  /// its element count must equal that of one example of the data, so
  /// [N, 28, 28] data feeds a [28, 28, 1] model. Likewise `yShape` is the
  /// per-example target shape: {} for scalar labels (integer y [N]), {10}
  /// for one-hot targets (float y [N, 10]), {1} for float y [N, 1]. Errors
  /// name both shapes.
  static Result<Batcher> create(const ArrayDataset &data, int64_t batchSize,
                                bool shuffle, uint64_t seed, DType xDType,
                                std::vector<int64_t> xShape, DType yDType,
                                std::vector<int64_t> yShape = {});

  int64_t numExamples() const { return n_; }
  int64_t batchSize() const { return batchSize_; }
  /// ceil(numExamples / batchSize).
  int64_t stepsPerEpoch() const { return (n_ + batchSize_ - 1) / batchSize_; }
  /// Rows in batch `step`: batchSize, or the remainder for the last one.
  int64_t batchRows(int64_t step) const;

  /// Allocates x [rows, ...xShape] and y [rows, ...yShape] in the model's
  /// dtypes.
  Status allocate(int64_t rows, HostTensor &x, HostTensor &y) const;

  /// Gathers batch `step` of epoch `epoch` into x and y. When x and y
  /// already have the batch's dtype and shape (from allocate() or a previous
  /// call), no memory is allocated; otherwise they are reallocated (e.g. for
  /// the last, partial batch). Errors for a step outside the epoch.
  Status fill(int64_t epoch, int64_t step, HostTensor &x, HostTensor &y);

  /// The order of epoch `epoch` (cached: one permutation per epoch).
  const std::vector<int64_t> &order(int64_t epoch);

  /// Converts `count` elements from `src` to `dst`.
  using ConvertFn = void (*)(const void *src, void *dst, int64_t count);

private:
  Batcher() = default;
  Status allocateX(int64_t rows, HostTensor &x) const;
  Status allocateY(int64_t rows, HostTensor &y) const;

  const ArrayDataset *data_ = nullptr;
  int64_t n_ = 0, batchSize_ = 1, rowElems_ = 0, yRowElems_ = 1;
  bool shuffle_ = false;
  uint64_t seed_ = 0;
  DType xDType_ = DType::F32, yDType_ = DType::I32;
  std::vector<int64_t> xShape_, yShape_;
  ConvertFn convertX_ = nullptr, convertY_ = nullptr;
  std::vector<int64_t> order_;
  int64_t orderEpoch_ = -1;
};

} // namespace weir
