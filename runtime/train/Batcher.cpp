// Epoch permutations (SplitMix64 + Fisher-Yates) and batch gathering.
#include "runtime/train/Batcher.h"
#include "runtime/Float16.h"
#include "runtime/Random.h"

#include <algorithm>
#include <cstring>
#include <limits>

using namespace weir;

namespace {
bool isIntegerDType(DType d) {
  return d == DType::U8 || d == DType::I8 || d == DType::I32 || d == DType::I64;
}

template <typename S, typename D>
void convertElems(const void *src, void *dst, int64_t count) {
  const S *s = static_cast<const S *>(src);
  D *d = static_cast<D *>(dst);
  for (int64_t i = 0; i < count; ++i)
    d[i] = static_cast<D>(s[i]);
}

/// To f16 or bf16: through f32, rounded to nearest even (runtime/Float16.h).
template <typename S, uint16_t (*Round)(float)>
void convertToHalf(const void *src, void *dst, int64_t count) {
  const S *s = static_cast<const S *>(src);
  uint16_t *d = static_cast<uint16_t *>(dst);
  for (int64_t i = 0; i < count; ++i)
    d[i] = Round(static_cast<float>(s[i]));
}

template <typename S> Batcher::ConvertFn converterFrom(DType to) {
  switch (to) {
  case DType::F16: return &convertToHalf<S, floatToHalf>;
  case DType::BF16: return &convertToHalf<S, floatToBF16>;
  case DType::F32: return &convertElems<S, float>;
  case DType::F64: return &convertElems<S, double>;
  case DType::U8: return &convertElems<S, uint8_t>;
  case DType::I8: return &convertElems<S, int8_t>;
  case DType::I32: return &convertElems<S, int32_t>;
  case DType::I64: return &convertElems<S, int64_t>;
  default: return nullptr;
  }
}

/// A converter from F32 F64 U8 I8 I32 I64 to those or F16 BF16, or null.
Batcher::ConvertFn converter(DType from, DType to) {
  switch (from) {
  case DType::F32: return converterFrom<float>(to);
  case DType::F64: return converterFrom<double>(to);
  case DType::U8: return converterFrom<uint8_t>(to);
  case DType::I8: return converterFrom<int8_t>(to);
  case DType::I32: return converterFrom<int32_t>(to);
  case DType::I64: return converterFrom<int64_t>(to);
  default: return nullptr;
  }
}

/// Bounds of an integer dtype's values.
void integerRange(DType d, int64_t &lo, int64_t &hi) {
  switch (d) {
  case DType::U8: lo = 0, hi = 255; break;
  case DType::I8: lo = -128, hi = 127; break;
  case DType::I32: lo = INT32_MIN, hi = INT32_MAX; break;
  default: lo = INT64_MIN, hi = INT64_MAX; break;
  }
}

int64_t labelAt(const HostTensor &y, int64_t i) {
  switch (y.dtype()) {
  case DType::U8: return y.data<uint8_t>()[i];
  case DType::I8: return y.data<int8_t>()[i];
  case DType::I32: return y.data<int32_t>()[i];
  default: return y.data<int64_t>()[i];
  }
}

/// Elements in one example of `t` [N, ...]: the product of t's shape after
/// the first dimension.
int64_t exampleElements(const HostTensor &t) {
  int64_t n = 1;
  for (size_t i = 1; i < t.shape().size(); ++i)
    n *= t.shape()[i];
  return n;
}

/// "[2, 3] (6 elements)".
std::string shapeAndCount(const std::vector<int64_t> &shape, int64_t count) {
  return formatShape(shape) + " (" + std::to_string(count) + " elements)";
}

/// A tensor [rows, ...shape] of `dtype` in `t`.
Status allocateRows(DType dtype, int64_t rows,
                    const std::vector<int64_t> &shape, HostTensor &t) {
  std::vector<int64_t> full{rows};
  full.insert(full.end(), shape.begin(), shape.end());
  Result<HostTensor> r = HostTensor::create(dtype, std::move(full));
  if (!r)
    return r.status();
  t = std::move(*r);
  return Status::success();
}

/// Whether `t` already is a [rows, ...shape] tensor of `dtype`.
bool fits(const HostTensor &t, DType dtype, int64_t rows,
          const std::vector<int64_t> &shape) {
  return t.rawData() && t.dtype() == dtype &&
         t.rank() == int64_t(shape.size()) + 1 && t.shape()[0] == rows &&
         std::equal(shape.begin(), shape.end(), t.shape().begin() + 1);
}
} // namespace

std::vector<int64_t> weir::epochPermutation(int64_t n, uint64_t seed,
                                            int64_t epoch) {
  std::vector<int64_t> order(size_t(n > 0 ? n : 0));
  for (int64_t i = 0; i < n; ++i)
    order[size_t(i)] = i;
  // The key mixes seed and epoch separately so that (seed, epoch) pairs
  // never share a stream by simple arithmetic coincidence.
  SplitMix64 stream(seed, uint64_t(epoch));
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(order[size_t(i)],
              order[size_t(stream.below(uint64_t(i) + 1))]);
  return order;
}

Result<Batcher> Batcher::create(const ArrayDataset &data, int64_t batchSize,
                                bool shuffle, uint64_t seed, DType xDType,
                                std::vector<int64_t> xShape, DType yDType,
                                std::vector<int64_t> yShape) {
  if (batchSize <= 0)
    return Status::error("batch size must be positive, got " +
                         std::to_string(batchSize));
  if (data.x.rank() < 1 || data.y.rank() < 1 ||
      data.x.shape()[0] != data.y.shape()[0])
    return Status::error("dataset must be x [N, ...] and y [N, ...], found x " +
                         data.x.describe() + " and y " + data.y.describe());
  const DType yFrom = data.y.dtype();
  const bool labels = isIntegerDType(yFrom);
  if (!labels && yFrom != DType::F32 && yFrom != DType::F64)
    return Status::error("y must be integer labels or f32/f64 targets, found " +
                         data.y.describe());
  Result<int64_t> want = checkedNumElements(xShape, dtypeSize(xDType));
  if (!want)
    return want.status();
  std::vector<int64_t> exampleShape(data.x.shape().begin() + 1,
                                    data.x.shape().end());
  const int64_t have = exampleElements(data.x);
  if (have != *want)
    return Status::error("examples of shape " + shapeAndCount(exampleShape, have) +
                         " cannot feed a model input of shape " +
                         shapeAndCount(xShape, *want));
  Result<int64_t> yWant = checkedNumElements(yShape, dtypeSize(yDType));
  if (!yWant)
    return yWant.status();
  std::vector<int64_t> targetShape(data.y.shape().begin() + 1,
                                   data.y.shape().end());
  const int64_t yHave = exampleElements(data.y);
  if (yHave != *yWant)
    return Status::error(std::string(labels ? "labels" : "targets") +
                         " of shape " + shapeAndCount(targetShape, yHave) +
                         " cannot feed a model target of shape " +
                         shapeAndCount(yShape, *yWant));

  Batcher b;
  DType from = data.x.dtype();
  if (from != xDType) {
    bool toFloat = isFloatDType(xDType);
    bool fromFloat = from == DType::F32 || from == DType::F64;
    if (!toFloat || !(fromFloat || isIntegerDType(from)))
      return Status::error(std::string("cannot convert examples from ") +
                           dtypeName(from) + " to " + dtypeName(xDType) +
                           " (integers, f32 and f64 convert to f32, f64, f16 "
                           "and bf16)");
    b.convertX_ = converter(from, xDType);
  }
  if (yFrom != yDType) {
    // Float targets never round to integers: a silent truncation of one-hot
    // or regression targets would train on the wrong values.
    if (!labels && isIntegerDType(yDType))
      return Status::error(std::string("cannot convert targets from ") +
                           dtypeName(yFrom) + " to " + dtypeName(yDType) +
                           " (float targets convert to f32/f64 only)");
    b.convertY_ = converter(yFrom, yDType);
    if (!b.convertY_)
      return Status::error(std::string("cannot convert ") +
                           (labels ? "labels" : "targets") + " from " +
                           dtypeName(yFrom) + " to " + dtypeName(yDType));
    if (labels && isIntegerDType(yDType)) {
      int64_t lo, hi;
      integerRange(yDType, lo, hi);
      for (int64_t i = 0; i < data.y.numElements(); ++i)
        if (int64_t v = labelAt(data.y, i); v < lo || v > hi)
          return Status::error("label " + std::to_string(v) + " at index " +
                               std::to_string(i) + " does not fit in " +
                               dtypeName(yDType));
    }
  }
  b.data_ = &data;
  b.n_ = data.y.shape()[0];
  b.batchSize_ = batchSize;
  b.rowElems_ = have;
  b.yRowElems_ = yHave;
  b.shuffle_ = shuffle;
  b.seed_ = seed;
  b.xDType_ = xDType;
  b.yDType_ = yDType;
  b.xShape_ = std::move(xShape);
  b.yShape_ = std::move(yShape);
  return b;
}

int64_t Batcher::batchRows(int64_t step) const {
  return std::min(batchSize_, n_ - step * batchSize_);
}

Status Batcher::allocateX(int64_t rows, HostTensor &x) const {
  return allocateRows(xDType_, rows, xShape_, x);
}

Status Batcher::allocateY(int64_t rows, HostTensor &y) const {
  return allocateRows(yDType_, rows, yShape_, y);
}

Status Batcher::allocate(int64_t rows, HostTensor &x, HostTensor &y) const {
  WEIR_RETURN_IF_ERROR(allocateX(rows, x));
  return allocateY(rows, y);
}

const std::vector<int64_t> &Batcher::order(int64_t epoch) {
  if (orderEpoch_ != epoch || order_.size() != size_t(n_)) {
    if (shuffle_) {
      order_ = epochPermutation(n_, seed_, epoch);
    } else {
      order_.resize(size_t(n_));
      for (int64_t i = 0; i < n_; ++i)
        order_[size_t(i)] = i;
    }
    orderEpoch_ = epoch;
  }
  return order_;
}

Status Batcher::fill(int64_t epoch, int64_t step, HostTensor &x,
                     HostTensor &y) {
  if (epoch < 0 || step < 0 || step >= stepsPerEpoch())
    return Status::error("batch " + std::to_string(step) + " of epoch " +
                         std::to_string(epoch) + " does not exist (" +
                         std::to_string(stepsPerEpoch()) + " batches of " +
                         std::to_string(batchSize_) + " per epoch)");
  const int64_t rows = batchRows(step);
  if (!fits(x, xDType_, rows, xShape_))
    WEIR_RETURN_IF_ERROR(allocateX(rows, x));
  if (!fits(y, yDType_, rows, yShape_))
    WEIR_RETURN_IF_ERROR(allocateY(rows, y));

  const std::vector<int64_t> &ord = order(epoch);
  const size_t srcRow = size_t(rowElems_) * data_->x.elementSize();
  const size_t dstRow = size_t(rowElems_) * dtypeSize(xDType_);
  const uint8_t *xs = data_->x.bytes();
  const uint8_t *ys = data_->y.bytes();
  const size_t ySrc = size_t(yRowElems_) * data_->y.elementSize();
  const size_t yDst = size_t(yRowElems_) * dtypeSize(yDType_);
  uint8_t *xd = x.bytes(), *yd = y.bytes();
  for (int64_t r = 0; r < rows; ++r) {
    size_t idx = size_t(ord[size_t(step * batchSize_ + r)]);
    if (convertX_)
      convertX_(xs + idx * srcRow, xd + size_t(r) * dstRow, rowElems_);
    else
      std::memcpy(xd + size_t(r) * dstRow, xs + idx * srcRow, dstRow);
    if (convertY_)
      convertY_(ys + idx * ySrc, yd + size_t(r) * yDst, yRowElems_);
    else
      std::memcpy(yd + size_t(r) * yDst, ys + idx * ySrc, yDst);
  }
  return Status::success();
}
