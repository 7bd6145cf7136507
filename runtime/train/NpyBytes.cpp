// The in-memory .npy parser: the framing (magic, version, header length,
// data size) here; the header dict through runtime/Npy.h.
#include "runtime/train/NpyBytes.h"

#include "runtime/Npy.h"

#include <cstring>
#include <string>
#include <string_view>

using namespace weir;

namespace {
constexpr size_t kMaxHeaderLen = 1 << 20;
} // namespace

Result<HostTensor> weir::parseNpyBytes(const uint8_t *data, size_t size) {
  if (size < 10 || std::memcmp(data, "\x93NUMPY", 6) != 0)
    return Status::error("not a .npy file (bad magic)");
  int major = data[6], minor = data[7];
  if ((major < 1 || major > 3) || minor != 0)
    return Status::error("unsupported .npy version " + std::to_string(major) +
                         "." + std::to_string(minor) +
                         " (supported: 1.0, 2.0, 3.0)");
  size_t prefix = major == 1 ? 10 : 12;
  if (size < prefix)
    return Status::error("truncated .npy header");
  size_t headerLen = data[8] | size_t(data[9]) << 8;
  if (major > 1)
    headerLen |= size_t(data[10]) << 16 | size_t(data[11]) << 24;
  if (headerLen > kMaxHeaderLen || prefix + headerLen > size)
    return Status::error("truncated .npy header (" + std::to_string(headerLen) +
                         " bytes declared, " + std::to_string(size - prefix) +
                         " present)");
  // The header dict: readNpy's parser and checks.
  Result<NpyLayout> layout = parseNpyHeader(std::string_view(
      reinterpret_cast<const char *>(data) + prefix, headerLen));
  if (!layout)
    return layout.status();
  DType dtype = layout->dtype;
  std::vector<int64_t> &shape = layout->shape;
  size_t expected = size_t(layout->numElements) * dtypeSize(dtype);
  size_t found = size - prefix - headerLen;
  if (found != expected)
    return Status::error(std::string(found < expected ? "truncated"
                                                      : "trailing bytes") +
                         ": expected " + std::to_string(expected) +
                         " bytes of data for shape " + formatShape(shape) +
                         " " + dtypeName(dtype) + ", found " +
                         std::to_string(found));
  Result<HostTensor> tensor =
      HostTensor::createUninitialized(dtype, std::move(shape));
  if (!tensor)
    return tensor.status();
  if (expected)
    std::memcpy(tensor->rawData(), data + prefix + headerLen, expected);
  if (dtype == DType::Bool)
    WEIR_RETURN_IF_ERROR(checkNpyBools(*tensor));
  return tensor;
}
