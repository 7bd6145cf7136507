//===- Arrays.cpp - numpy arrays as HostTensors and back ------------------===//
#include "python/src/Arrays.h"

#include <cstring>
#include <string>

namespace py = pybind11;
using namespace weir;

namespace {
/// The runtime dtype of a numpy dtype, by kind and size.
bool dtypeOfNumpy(const py::dtype &dt, DType &out) {
  char kind = dt.kind();
  size_t size = dt.itemsize();
  if (kind == 'f' && size == 4)
    out = DType::F32;
  else if (kind == 'f' && size == 8)
    out = DType::F64;
  else if (kind == 'f' && size == 2)
    out = DType::F16;
  else if (kind == 'u' && size == 1)
    out = DType::U8;
  else if (kind == 'i' && size == 1)
    out = DType::I8;
  else if (kind == 'i' && size == 4)
    out = DType::I32;
  else if (kind == 'i' && size == 8)
    out = DType::I64;
  else if (kind == 'b' && size == 1)
    out = DType::Bool;
  else
    return false;
  return true;
}

py::dtype numpyDtype(DType dtype) {
  switch (dtype) {
  case DType::F32: return py::dtype("float32");
  case DType::F64: return py::dtype("float64");
  case DType::F16: return py::dtype("float16");
  case DType::BF16: return py::dtype("float32");
  case DType::U8: return py::dtype("uint8");
  case DType::I8: return py::dtype("int8");
  case DType::I32: return py::dtype("int32");
  case DType::I64: return py::dtype("int64");
  case DType::Bool: return py::dtype("bool");
  }
  return py::dtype("float32");
}

/// bf16 bit patterns as float32 values (exact: the high half of a float).
HostTensor widenBf16(const HostTensor &t) {
  Result<HostTensor> wide = HostTensor::createUninitialized(DType::F32, t.shape());
  if (!wide.ok())
    throw std::bad_alloc();
  const uint16_t *src = t.data<uint16_t>();
  float *dst = wide->data<float>();
  for (int64_t i = 0; i < t.numElements(); ++i) {
    uint32_t bits = uint32_t(src[i]) << 16;
    std::memcpy(&dst[i], &bits, 4);
  }
  return std::move(*wide);
}
} // namespace

python::BorrowedArray python::borrowArray(py::handle object, const char *what) {
  // No dtype is forced: the Batcher converts what the model needs, and a
  // copy is made only when the array is not C-contiguous (or not an array).
  py::array array = py::array::ensure(object, py::array::c_style);
  if (!array)
    throw py::type_error(std::string(what) + " is not an array");
  DType dtype;
  if (!dtypeOfNumpy(array.dtype(), dtype))
    throw py::type_error(
        std::string(what) + " has dtype " +
        py::str(array.dtype()).cast<std::string>() +
        "; Weir reads float32, float64, float16, uint8, int8, int32, int64 "
        "and bool arrays");
  std::vector<int64_t> shape(array.shape(), array.shape() + array.ndim());
  // Read, never written: read-only arrays (np.frombuffer) are fine.
  Result<HostTensor> tensor = HostTensor::borrow(
      dtype, std::move(shape), const_cast<void *>(array.data()));
  if (!tensor.ok())
    throw py::value_error(std::string(what) + ": " + tensor.status().message());
  return {std::move(array), std::move(*tensor)};
}

py::array python::toNumpy(HostTensor tensor) {
  if (tensor.dtype() == DType::BF16)
    tensor = widenBf16(tensor);
  auto *owned = new HostTensor(std::move(tensor));
  py::capsule owner(owned,
                    [](void *p) { delete static_cast<HostTensor *>(p); });
  std::vector<py::ssize_t> shape(owned->shape().begin(), owned->shape().end());
  return py::array(numpyDtype(owned->dtype()), shape, owned->rawData(), owner);
}

py::array python::copyToNumpy(const HostTensor &tensor) {
  if (tensor.dtype() == DType::BF16)
    return toNumpy(widenBf16(tensor));
  std::vector<py::ssize_t> shape(tensor.shape().begin(), tensor.shape().end());
  py::array out(numpyDtype(tensor.dtype()), shape);
  std::memcpy(out.mutable_data(), tensor.rawData(), tensor.byteSize());
  return out;
}
