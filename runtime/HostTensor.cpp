// DType tables, HostTensor storage, and the finiteness check.
#include "runtime/HostTensor.h"

#include <cmath>
#include <cstdlib>
#include <atomic>
#include <cstring>
#include <limits>
#include <utility>

namespace weir {

namespace {
struct DTypeInfo {
  DType dtype;
  size_t size;
  const char *name;
  const char *safetensorsName;
  const char *npyDescr;
};

// One row per DType, in enum order.
constexpr DTypeInfo kDTypes[] = {
    {DType::F32, 4, "f32", "F32", "<f4"},
    {DType::F64, 8, "f64", "F64", "<f8"},
    {DType::F16, 2, "f16", "F16", "<f2"},
    {DType::BF16, 2, "bf16", "BF16", nullptr},
    {DType::U8, 1, "u8", "U8", "|u1"},
    {DType::I8, 1, "i8", "I8", "|i1"},
    {DType::I32, 4, "i32", "I32", "<i4"},
    {DType::I64, 8, "i64", "I64", "<i8"},
    {DType::Bool, 1, "bool", "BOOL", "|b1"},
};

const DTypeInfo &info(DType dtype) {
  const DTypeInfo &row = kDTypes[static_cast<int>(dtype)];
  assert(row.dtype == dtype && "kDTypes is out of enum order");
  return row;
}
} // namespace

size_t dtypeSize(DType dtype) { return info(dtype).size; }
const char *dtypeName(DType dtype) { return info(dtype).name; }
const char *safetensorsDTypeName(DType dtype) {
  return info(dtype).safetensorsName;
}
const char *npyDescr(DType dtype) { return info(dtype).npyDescr; }

bool isFloatDType(DType dtype) {
  return dtype == DType::F32 || dtype == DType::F64 || dtype == DType::F16 ||
         dtype == DType::BF16;
}

std::optional<DType> dtypeFromSafetensorsName(std::string_view name) {
  for (const DTypeInfo &row : kDTypes)
    if (name == row.safetensorsName)
      return row.dtype;
  return std::nullopt;
}

std::string formatShape(const std::vector<int64_t> &shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

Result<int64_t> checkedNumElements(const std::vector<int64_t> &shape,
                                   size_t elementSize) {
  // Bound elements * elementSize by the largest int64 (and so by size_t).
  const int64_t limit = std::numeric_limits<int64_t>::max() /
                        static_cast<int64_t>(elementSize ? elementSize : 1);
  int64_t count = 1;
  bool zero = false;
  for (int64_t dim : shape) {
    if (dim < 0)
      return Status::error("negative dimension in shape " + formatShape(shape));
    zero = zero || dim == 0;
  }
  if (zero)
    return int64_t(0);
  for (int64_t dim : shape) {
    if (count > limit / dim)
      return Status::error("shape " + formatShape(shape) +
                           " has too many elements");
    count *= dim;
  }
  return count;
}

Result<HostTensor> HostTensor::create(DType dtype, std::vector<int64_t> shape) {
  Result<HostTensor> t = createUninitialized(dtype, std::move(shape));
  if (t)
    std::memset(t->rawData(), 0, t->byteSize());
  return t;
}

namespace {
void *heapAllocate(size_t bytes) {
  return std::aligned_alloc(HostTensor::kAlignment, bytes);
}
void heapRelease(void *p) { std::free(p); }
std::atomic<void *(*)(size_t)> allocateFn{heapAllocate};
std::atomic<void (*)(void *)> releaseFn{heapRelease};
TensorMemory currentMemory() { return {allocateFn.load(), releaseFn.load()}; }
} // namespace

void weir::setTensorMemory(TensorMemory memory) {
  allocateFn = memory.allocate;
  releaseFn = memory.release;
}

Result<HostTensor> HostTensor::createUninitialized(DType dtype,
                                                   std::vector<int64_t> shape) {
  Result<int64_t> count = checkedNumElements(shape, dtypeSize(dtype));
  if (!count)
    return count.status();
  size_t bytes = static_cast<size_t>(*count) * dtypeSize(dtype);
  // aligned_alloc needs a multiple of the alignment; always allocate at least
  // one block so rawData() is never null.
  size_t rounded = (bytes / kAlignment + 1) * kAlignment;
  TensorMemory memory = currentMemory();
  void *data = memory.allocate(rounded);
  if (!data)
    return Status::error("cannot allocate " + std::to_string(bytes) +
                         " bytes for a " + dtypeName(dtype) +
                         formatShape(shape) + " tensor");
  HostTensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.numElements_ = *count;
  t.data_ = data;
  t.release_ = memory.release;
  return t;
}

Result<HostTensor> HostTensor::borrow(DType dtype, std::vector<int64_t> shape,
                                     void *data) {
  Result<int64_t> count = checkedNumElements(shape, dtypeSize(dtype));
  if (!count)
    return count.status();
  if (!data)
    return Status::error("cannot borrow a " + std::string(dtypeName(dtype)) +
                         formatShape(shape) + " tensor without its data");
  HostTensor t;
  t.dtype_ = dtype;
  t.shape_ = std::move(shape);
  t.numElements_ = *count;
  t.data_ = data;
  t.release_ = [](void *) {}; // the owner frees it
  return t;
}

HostTensor::HostTensor(HostTensor &&other) noexcept
    : dtype_(other.dtype_), shape_(std::move(other.shape_)),
      numElements_(other.numElements_), data_(other.data_),
      release_(other.release_) {
  other.shape_.clear();
  other.numElements_ = 0;
  other.data_ = nullptr;
}

HostTensor &HostTensor::operator=(HostTensor &&other) noexcept {
  if (this != &other) {
    if (data_)
      release_(data_);
    dtype_ = other.dtype_;
    shape_ = std::move(other.shape_);
    numElements_ = other.numElements_;
    data_ = other.data_;
    release_ = other.release_;
    other.shape_.clear();
    other.numElements_ = 0;
    other.data_ = nullptr;
  }
  return *this;
}

HostTensor::~HostTensor() {
  if (data_)
    release_(data_);
}

Result<HostTensor> HostTensor::clone() const {
  if (!data_)
    return HostTensor();
  Result<HostTensor> copy = createUninitialized(dtype_, shape_);
  if (copy)
    std::memcpy(copy->rawData(), data_, byteSize());
  return copy;
}

Status HostTensor::reshape(std::vector<int64_t> shape) {
  Result<int64_t> count = checkedNumElements(shape, elementSize());
  if (!count)
    return count.status();
  if (*count != numElements_)
    return Status::error("cannot reshape " + describe() + " to " +
                         formatShape(shape) + ": element counts differ");
  shape_ = std::move(shape);
  return Status::success();
}

std::string HostTensor::describe() const {
  return std::string(dtypeName(dtype_)) + formatShape(shape_);
}

namespace {
// Element kinds: 0 finite, 1 NaN, 2 +Inf, 3 -Inf.
int classifyHalf(uint16_t bits, uint16_t expMask, uint16_t mantMask) {
  if ((bits & expMask) != expMask)
    return 0;
  if (bits & mantMask)
    return 1;
  return (bits & 0x8000) ? 3 : 2;
}

template <typename F> int classifyFloat(F value) {
  if (std::isfinite(value))
    return 0;
  if (std::isnan(value))
    return 1;
  return value > 0 ? 2 : 3;
}

// The first non-finite element's index and kind, or {-1, 0}. One tight loop
// per dtype: this runs over every input and parameter.
template <typename T, typename Classify>
std::pair<int64_t, int> firstNonFinite(const HostTensor &t, Classify classify) {
  const T *data = t.data<T>();
  for (int64_t i = 0, n = t.numElements(); i < n; ++i)
    if (int kind = classify(data[i]))
      return {i, kind};
  return {-1, 0};
}

std::pair<int64_t, int> firstNonFinite(const HostTensor &t) {
  switch (t.dtype()) {
  case DType::F32:
    return firstNonFinite<float>(t, classifyFloat<float>);
  case DType::F64:
    return firstNonFinite<double>(t, classifyFloat<double>);
  case DType::F16:
    return firstNonFinite<uint16_t>(
        t, [](uint16_t h) { return classifyHalf(h, 0x7C00, 0x03FF); });
  case DType::BF16:
    return firstNonFinite<uint16_t>(
        t, [](uint16_t h) { return classifyHalf(h, 0x7F80, 0x007F); });
  default:
    return {-1, 0};
  }
}
} // namespace

Status checkFinite(const HostTensor &tensor, const std::string &what) {
  auto [flat, kind] = firstNonFinite(tensor);
  if (flat < 0)
    return Status::success();
  // Unflatten the row-major index.
  std::vector<int64_t> index(tensor.shape().size());
  for (size_t d = index.size(); d-- > 0;) {
    index[d] = flat % tensor.shape()[d];
    flat /= tensor.shape()[d];
  }
  static const char *const kKinds[] = {"", "a NaN", "+Inf", "-Inf"};
  return Status::error(what + " has " + kKinds[kind] + " at " +
                       formatShape(index));
}

} // namespace weir
