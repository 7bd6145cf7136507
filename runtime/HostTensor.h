// DType and HostTensor: a typed, shaped, 64-byte-aligned buffer in host memory.
#pragma once

#include "runtime/Status.h"

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weir {

/// Element types the runtime stores. F16 and BF16 elements are raw 16-bit
/// patterns (access them as uint16_t); Bool is one byte holding 0 or 1.
enum class DType { F32, F64, F16, BF16, U8, I8, I32, I64, Bool };

/// Bytes per element.
size_t dtypeSize(DType dtype);
/// True for F32, F64, F16 and BF16.
bool isFloatDType(DType dtype);
/// Short lower-case name used in messages: "f32", "bf16", "u8", "bool".
const char *dtypeName(DType dtype);
/// The safetensors name: "F32", "F64", "F16", "BF16", "U8", "I8", "I32",
/// "I64", "BOOL".
const char *safetensorsDTypeName(DType dtype);
std::optional<DType> dtypeFromSafetensorsName(std::string_view name);
/// The .npy descr ("<f4", "|u1", "|b1", ...), or nullptr for BF16, which
/// numpy has no type for.
const char *npyDescr(DType dtype);

/// "[8, 28, 28, 1]"; "[]" for a scalar.
std::string formatShape(const std::vector<int64_t> &shape);

/// Elements of `shape`, or an error if a dimension is negative or the count
/// (times `elementSize` bytes) overflows.
Result<int64_t> checkedNumElements(const std::vector<int64_t> &shape,
                                   size_t elementSize);

/// Where tensor storage comes from. The default is the C heap; training on
/// CUDA sets managed memory, so compiled kernels and the host share every
/// tensor the runtime passes them. Each tensor keeps the `release` of the
/// memory it was allocated from.
struct TensorMemory {
  /// `bytes` (a multiple of 64, never 0), 64-byte aligned; null on failure.
  void *(*allocate)(size_t bytes);
  void (*release)(void *);
};
/// Tensors created from now on use `memory` (process-wide).
void setTensorMemory(TensorMemory memory);

/// A dense, row-major (C order) tensor that owns its 64-byte-aligned
/// storage. Move-only: copying weights is never implicit, use clone().
class HostTensor {
public:
  static constexpr size_t kAlignment = 64;

  /// A placeholder without storage (numElements() == 0); assign a tensor
  /// from create() or a reader to it.
  HostTensor() = default;
  /// A zero-filled tensor; fails on a negative dimension, size overflow or
  /// allocation failure.
  static Result<HostTensor> create(DType dtype, std::vector<int64_t> shape);
  /// Like create() but the contents are unspecified: for readers and
  /// kernels that write every byte.
  static Result<HostTensor> createUninitialized(DType dtype,
                                                std::vector<int64_t> shape);
  /// A tensor over `data`, which holds the shape's elements in C order and
  /// which the caller owns: it stays alive (and is not written by anyone
  /// else) while the tensor lives, and the tensor never frees it. For arrays
  /// handed in without a copy (numpy arrays, in the Python module). Fails on
  /// a null `data` or a bad shape.
  static Result<HostTensor> borrow(DType dtype, std::vector<int64_t> shape,
                                   void *data);

  HostTensor(HostTensor &&other) noexcept;
  HostTensor &operator=(HostTensor &&other) noexcept;
  HostTensor(const HostTensor &) = delete;
  HostTensor &operator=(const HostTensor &) = delete;
  ~HostTensor();

  /// A deep copy.
  Result<HostTensor> clone() const;
  /// Changes the shape, keeping the data; the element count must not change.
  Status reshape(std::vector<int64_t> shape);

  DType dtype() const { return dtype_; }
  const std::vector<int64_t> &shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t numElements() const { return numElements_; }
  size_t elementSize() const { return dtypeSize(dtype_); }
  size_t byteSize() const {
    return static_cast<size_t>(numElements_) * elementSize();
  }

  /// Raw bytes; never null for a created tensor, even with zero elements.
  void *rawData() { return data_; }
  const void *rawData() const { return data_; }
  uint8_t *bytes() { return static_cast<uint8_t *>(data_); }
  const uint8_t *bytes() const { return static_cast<const uint8_t *>(data_); }

  /// Typed elements. T must have the element's size: float for F32,
  /// uint16_t for F16/BF16, uint8_t or bool for Bool, and so on.
  template <typename T> T *data() {
    assert(sizeof(T) == elementSize() && "data<T>() with the wrong size");
    return static_cast<T *>(data_);
  }
  template <typename T> const T *data() const {
    assert(sizeof(T) == elementSize() && "data<T>() with the wrong size");
    return static_cast<const T *>(data_);
  }

  /// "f32[2, 3]", for messages.
  std::string describe() const;

private:
  DType dtype_ = DType::F32;
  std::vector<int64_t> shape_;
  int64_t numElements_ = 0;
  void *data_ = nullptr;
  void (*release_)(void *) = nullptr;
};

/// For F32, F64, F16 and BF16 tensors: an error naming the first NaN or
/// infinity by its multi-index, e.g. "input 'x' has a NaN at [3, 0, 17, 0]"
/// where `what` is "input 'x'". Other dtypes are always finite.
Status checkFinite(const HostTensor &tensor, const std::string &what);

} // namespace weir
