// Reading IDX files (the MNIST and Fashion-MNIST format), plain or gzipped.
#include "runtime/data/Idx.h"

#include <zlib.h>

#include <cstring>
#include <vector>

using namespace weir;

namespace {
/// The whole file, inflated if it is gzip. gzread passes plain files
/// through unchanged.
Result<std::vector<uint8_t>> readAll(const std::string &path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f)
    return Status::error(path + ": cannot open: " + std::strerror(errno));
  std::vector<uint8_t> bytes;
  uint8_t buffer[1 << 16];
  for (;;) {
    int n = gzread(f, buffer, sizeof(buffer));
    if (n < 0) {
      int code;
      std::string message = gzerror(f, &code);
      gzclose(f);
      return Status::error(path + ": corrupt gzip data: " + message);
    }
    if (n == 0)
      break;
    bytes.insert(bytes.end(), buffer, buffer + n);
    if (bytes.size() > (size_t(1) << 34)) {
      gzclose(f);
      return Status::error(path + ": larger than 16 GiB; refusing to read");
    }
  }
  // A truncated gzip stream reads as a short file: gzclose reports it.
  if (int rc = gzclose(f); rc != Z_OK)
    return Status::error(path + ": corrupt or truncated gzip data");
  return bytes;
}

uint32_t bigEndian32(const uint8_t *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         uint32_t(p[3]);
}
} // namespace

Result<HostTensor> weir::readIdx(const std::string &path) {
  Result<std::vector<uint8_t>> bytes = readAll(path);
  if (!bytes.ok())
    return bytes.status();
  const std::vector<uint8_t> &b = *bytes;
  if (b.size() < 4 || b[0] != 0 || b[1] != 0)
    return Status::error(path + ": not an IDX file (bad magic number)");
  DType dtype;
  switch (b[2]) {
  case 0x08: dtype = DType::U8; break;
  case 0x09: dtype = DType::I8; break;
  case 0x0C: dtype = DType::I32; break;
  case 0x0D: dtype = DType::F32; break;
  case 0x0E: dtype = DType::F64; break;
  case 0x0B:
    return Status::error(path + ": IDX element type short (0x0B) is not "
                                "supported");
  default:
  {
    static const char *hex = "0123456789ABCDEF";
    return Status::error(path + ": not an IDX file (unknown element type 0x" +
                         hex[b[2] >> 4] + hex[b[2] & 15] + ")");
  }
  }
  size_t rank = b[3];
  if (b.size() < 4 + 4 * rank)
    return Status::error(path + ": truncated IDX header");
  std::vector<int64_t> shape;
  for (size_t i = 0; i < rank; ++i) {
    uint32_t d = bigEndian32(&b[4 + 4 * i]);
    if (d > (1u << 31) - 1)
      return Status::error(path + ": dimension " + std::to_string(i) +
                           " is too large");
    shape.push_back(d);
  }
  Result<int64_t> count = checkedNumElements(shape, dtypeSize(dtype));
  if (!count.ok())
    return count.status().withPrefix(path);
  size_t header = 4 + 4 * rank;
  size_t expected = size_t(*count) * dtypeSize(dtype);
  if (b.size() - header != expected)
    return Status::error(path + ": " + (b.size() - header < expected
                                            ? "truncated data: "
                                            : "trailing bytes: ") +
                         "expected " + std::to_string(expected) +
                         " bytes for shape " + formatShape(shape) + " " +
                         dtypeName(dtype) + ", found " +
                         std::to_string(b.size() - header));
  Result<HostTensor> t = HostTensor::create(dtype, shape);
  if (!t.ok())
    return t.status();
  // IDX is big-endian; HostTensor is little-endian.
  size_t size = dtypeSize(dtype);
  uint8_t *out = t->bytes();
  const uint8_t *in = b.data() + header;
  for (size_t i = 0; i < expected; i += size)
    for (size_t j = 0; j < size; ++j)
      out[i + j] = in[i + size - 1 - j];
  return t;
}

Result<LabeledImages> weir::readIdxImages(const std::string &imagesPath,
                                          const std::string &labelsPath) {
  Result<HostTensor> images = readIdx(imagesPath);
  if (!images.ok())
    return images.status();
  Result<HostTensor> labels = readIdx(labelsPath);
  if (!labels.ok())
    return labels.status();
  if (images->dtype() != DType::U8 || images->rank() != 3)
    return Status::error(imagesPath + ": expected u8 images [N, H, W], found " +
                         images->describe());
  if (labels->dtype() != DType::U8 || labels->rank() != 1)
    return Status::error(labelsPath + ": expected u8 labels [N], found " +
                         labels->describe());
  if (labels->shape()[0] != images->shape()[0])
    return Status::error(labelsPath + ": " +
                         std::to_string(labels->shape()[0]) + " labels for " +
                         std::to_string(images->shape()[0]) + " images in " +
                         imagesPath);
  std::vector<int64_t> shape = images->shape();
  shape.push_back(1);
  if (Status s = images->reshape(shape); !s.ok())
    return s;
  return LabeledImages{std::move(*images), std::move(*labels)};
}
