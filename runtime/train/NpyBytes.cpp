// The in-memory .npy parser: the header dict numpy writes, then the data.
#include "runtime/train/NpyBytes.h"

#include <cstring>
#include <string>
#include <string_view>

using namespace weir;

namespace {
constexpr size_t kMaxHeaderLen = 1 << 20;

/// The header dict, e.g. {'descr': '<f4', 'fortran_order': False,
/// 'shape': (2, 3), }: only the forms numpy writes (quoted strings,
/// True/False, tuples of non-negative integers).
class Dict {
public:
  explicit Dict(std::string_view text) : t_(text) {}

  Status parse(std::string &descr, bool &fortran, std::vector<int64_t> &shape) {
    bool seen[3] = {false, false, false};
    space();
    if (!eat('{'))
      return fail("expected '{'");
    for (space(); !eat('}'); space()) {
      std::string key;
      WEIR_RETURN_IF_ERROR(str(key));
      space();
      if (!eat(':'))
        return fail("expected ':' after '" + key + "'");
      space();
      int slot = key == "descr" ? 0 : key == "fortran_order" ? 1
                                    : key == "shape"         ? 2 : -1;
      if (slot < 0)
        return fail("unexpected key '" + key + "'");
      if (seen[slot])
        return fail("duplicate key '" + key + "'");
      seen[slot] = true;
      if (slot == 0) {
        WEIR_RETURN_IF_ERROR(str(descr));
      } else if (slot == 1) {
        if (word("True"))
          fortran = true;
        else if (word("False"))
          fortran = false;
        else
          return fail("'fortran_order' is not True or False");
      } else {
        WEIR_RETURN_IF_ERROR(tuple(shape));
      }
      space();
      if (eat('}'))
        break;
      if (!eat(','))
        return fail("expected ',' or '}'");
    }
    space();
    if (i_ != t_.size())
      return fail("unexpected text after the dict");
    for (int k = 0; k < 3; ++k)
      if (!seen[k])
        return fail(std::string("missing key '") +
                    (k == 0 ? "descr" : k == 1 ? "fortran_order" : "shape") +
                    "'");
    return Status::success();
  }

private:
  Status fail(const std::string &what) const {
    return Status::error("malformed .npy header: " + what + " at header byte " +
                         std::to_string(i_));
  }
  char peek() const { return i_ < t_.size() ? t_[i_] : '\0'; }
  bool eat(char c) { return i_ < t_.size() && t_[i_] == c && ++i_; }
  bool word(std::string_view w) {
    if (t_.substr(i_, w.size()) != w)
      return false;
    i_ += w.size();
    return true;
  }
  void space() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' ||
                              t_[i_] == '\r' || t_[i_] == '\n'))
      ++i_;
  }
  Status str(std::string &out) {
    char q = peek();
    if (q != '\'' && q != '"')
      return fail("expected a quoted string");
    size_t end = t_.find(q, i_ + 1);
    if (end == std::string_view::npos)
      return fail("unterminated string");
    out = std::string(t_.substr(i_ + 1, end - i_ - 1));
    i_ = end + 1;
    return Status::success();
  }
  Status tuple(std::vector<int64_t> &shape) {
    if (!eat('('))
      return fail("'shape' is not a tuple");
    for (space(); !eat(')'); space()) {
      if (peek() < '0' || peek() > '9')
        return fail("expected a non-negative integer in 'shape'");
      int64_t dim = 0;
      for (; peek() >= '0' && peek() <= '9'; ++i_) {
        if (dim > (INT64_MAX - 9) / 10)
          return fail("dimension too large in 'shape'");
        dim = dim * 10 + (t_[i_] - '0');
      }
      eat('L');
      shape.push_back(dim);
      space();
      if (eat(')'))
        break;
      if (!eat(','))
        return fail("expected ',' or ')' in 'shape'");
    }
    return Status::success();
  }

  std::string_view t_;
  size_t i_ = 0;
};

Result<DType> dtypeOf(const std::string &descr) {
  static const struct {
    const char *code;
    DType dtype;
  } kCodes[] = {{"f4", DType::F32}, {"f8", DType::F64},  {"f2", DType::F16},
                {"u1", DType::U8},  {"i1", DType::I8},   {"i4", DType::I32},
                {"i8", DType::I64}, {"b1", DType::Bool}, {"?", DType::Bool}};
  if (descr.size() >= 2 && std::strchr("<>|=", descr[0]))
    for (const auto &c : kCodes)
      if (descr.compare(1, std::string::npos, c.code) == 0) {
        if (dtypeSize(c.dtype) > 1 && (descr[0] == '>' || descr[0] == '|'))
          return Status::error("unsupported dtype '" + descr +
                               "': only little-endian data is supported");
        return c.dtype;
      }
  return Status::error("unsupported dtype '" + descr +
                       "' (supported: f4, f8, f2, u1, i1, i4, i8, b1)");
}
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
  std::string descr;
  bool fortran = false;
  std::vector<int64_t> shape;
  WEIR_RETURN_IF_ERROR(
      Dict(std::string_view(reinterpret_cast<const char *>(data) + prefix,
                            headerLen))
          .parse(descr, fortran, shape));
  Result<DType> dtype = dtypeOf(descr);
  if (!dtype)
    return dtype.status();
  if (fortran)
    return Status::error("fortran_order True is not supported; save a C-order "
                         "array (np.ascontiguousarray)");
  Result<int64_t> count = checkedNumElements(shape, dtypeSize(*dtype));
  if (!count)
    return Status::error("malformed .npy header: " + count.status().message());
  size_t expected = size_t(*count) * dtypeSize(*dtype);
  size_t found = size - prefix - headerLen;
  if (found != expected)
    return Status::error(std::string(found < expected ? "truncated"
                                                      : "trailing bytes") +
                         ": expected " + std::to_string(expected) +
                         " bytes of data for shape " + formatShape(shape) +
                         " " + dtypeName(*dtype) + ", found " +
                         std::to_string(found));
  Result<HostTensor> tensor =
      HostTensor::createUninitialized(*dtype, std::move(shape));
  if (!tensor)
    return tensor.status();
  if (expected)
    std::memcpy(tensor->rawData(), data + prefix + headerLen, expected);
  if (*dtype == DType::Bool)
    for (int64_t i = 0; i < tensor->numElements(); ++i)
      if (tensor->bytes()[i] > 1)
        return Status::error("invalid bool value " +
                             std::to_string(tensor->bytes()[i]) +
                             " at element " + std::to_string(i));
  return tensor;
}
