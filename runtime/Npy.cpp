// The .npy reader (header dict parser, checks) and the np.save-style writer.
#include "runtime/Npy.h"

#include "runtime/FileIO.h"

#include <cstring>
#include <optional>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the .npy reader and writer assume a little-endian host");

namespace weir {

namespace {
constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;
// Headers past this are not numpy's; refuse before reading them.
constexpr uint64_t kMaxHeaderLen = 1 << 20;

struct NpyHeader {
  std::string descr;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
};

// Parses the Python dict literal numpy writes, e.g.
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// Only the forms numpy produces are accepted: quoted keys and strings,
// True/False, and tuples of integers (Python 2's `3L` included).
class HeaderParser {
public:
  explicit HeaderParser(std::string_view text) : text_(text) {}

  Status parse(NpyHeader &header) {
    bool sawDescr = false, sawFortran = false, sawShape = false;
    skipSpace();
    if (!consume('{'))
      return fail("expected '{'");
    while (true) {
      skipSpace();
      if (consume('}'))
        break;
      std::string key;
      WEIR_RETURN_IF_ERROR(parseString(key));
      skipSpace();
      if (!consume(':'))
        return fail("expected ':' after '" + key + "'");
      skipSpace();
      if (key == "descr") {
        if (sawDescr)
          return fail("duplicate key 'descr'");
        sawDescr = true;
        if (peek() == '[')
          return Status::error("unsupported dtype: structured dtypes are not "
                               "supported");
        WEIR_RETURN_IF_ERROR(parseString(header.descr));
      } else if (key == "fortran_order") {
        if (sawFortran)
          return fail("duplicate key 'fortran_order'");
        sawFortran = true;
        if (consumeWord("True"))
          header.fortranOrder = true;
        else if (consumeWord("False"))
          header.fortranOrder = false;
        else
          return fail("'fortran_order' is not True or False");
      } else if (key == "shape") {
        if (sawShape)
          return fail("duplicate key 'shape'");
        sawShape = true;
        WEIR_RETURN_IF_ERROR(parseShape(header.shape));
      } else {
        return fail("unexpected key '" + key + "'");
      }
      skipSpace();
      if (consume('}'))
        break;
      if (!consume(','))
        return fail("expected ',' or '}'");
    }
    skipSpace();
    if (pos_ != text_.size())
      return fail("unexpected text after the dict");
    if (!sawDescr)
      return fail("missing key 'descr'");
    if (!sawFortran)
      return fail("missing key 'fortran_order'");
    if (!sawShape)
      return fail("missing key 'shape'");
    return Status::success();
  }

private:
  Status fail(const std::string &what) {
    return Status::error("malformed header: " + what + " at header byte " +
                         std::to_string(pos_));
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  bool consume(char c) {
    if (peek() != c || pos_ >= text_.size())
      return false;
    ++pos_;
    return true;
  }
  bool consumeWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word)
      return false;
    pos_ += word.size();
    return true;
  }
  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }
  static bool isDigit(char c) { return c >= '0' && c <= '9'; }

  Status parseString(std::string &out) {
    char quote = peek();
    if (quote != '\'' && quote != '"')
      return fail("expected a quoted string");
    size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos)
      return fail("unterminated string");
    out = std::string(text_.substr(pos_ + 1, end - pos_ - 1));
    if (out.find('\\') != std::string::npos)
      return fail("escape in string");
    pos_ = end + 1;
    return Status::success();
  }

  Status parseShape(std::vector<int64_t> &shape) {
    if (!consume('('))
      return fail("'shape' is not a tuple");
    while (true) {
      skipSpace();
      if (consume(')'))
        return Status::success();
      if (!isDigit(peek()))
        return fail("expected a non-negative integer in 'shape'");
      int64_t dim = 0;
      while (isDigit(peek())) {
        int digit = text_[pos_] - '0';
        if (dim > (INT64_MAX - digit) / 10)
          return fail("dimension too large in 'shape'");
        dim = dim * 10 + digit;
        ++pos_;
      }
      consume('L');
      shape.push_back(dim);
      skipSpace();
      if (consume(')'))
        return Status::success();
      if (!consume(','))
        return fail("expected ',' or ')' in 'shape'");
    }
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// Maps a descr to a DType; the error names the descr.
Result<DType> dtypeFromDescr(const std::string &descr) {
  static const struct {
    const char *code;
    DType dtype;
  } kCodes[] = {{"f4", DType::F32}, {"f8", DType::F64},  {"f2", DType::F16},
                {"u1", DType::U8},  {"i1", DType::I8},   {"i4", DType::I32},
                {"i8", DType::I64}, {"b1", DType::Bool}, {"?", DType::Bool}};
  std::optional<DType> dtype;
  if (descr.size() >= 2 && std::strchr("<>|=", descr[0]))
    for (const auto &entry : kCodes)
      if (descr.compare(1, std::string::npos, entry.code) == 0)
        dtype = entry.dtype;
  if (!dtype)
    return Status::error("unsupported dtype '" + descr +
                         "' (supported: f4, f8, f2, u1, i1, i4, i8, b1)");
  if (dtypeSize(*dtype) > 1 && descr[0] == '>')
    return Status::error("big-endian dtype '" + descr +
                         "' is not supported; save it as little-endian, e.g. "
                         "with arr.astype(arr.dtype.newbyteorder('<'))");
  if (dtypeSize(*dtype) > 1 && descr[0] == '|')
    return Status::error("unsupported dtype '" + descr +
                         "': a multi-byte type needs a byte order");
  return *dtype;
}

uint32_t readLittleEndian(const unsigned char *p, int bytes) {
  uint32_t value = 0;
  for (int i = bytes - 1; i >= 0; --i)
    value = (value << 8) | p[i];
  return value;
}

} // namespace

Status checkNpyBools(const HostTensor &t) {
  const uint8_t *bytes = t.bytes();
  for (int64_t i = 0; i < t.numElements(); ++i)
    if (bytes[i] > 1)
      return Status::error("invalid bool value " + std::to_string(bytes[i]) +
                           " at element " + std::to_string(i));
  return Status::success();
}

Result<NpyLayout> parseNpyHeader(std::string_view dict) {
  NpyHeader header;
  WEIR_RETURN_IF_ERROR(HeaderParser(dict).parse(header));
  Result<DType> dtype = dtypeFromDescr(header.descr);
  if (!dtype)
    return dtype.status();
  if (header.fortranOrder)
    return Status::error("fortran_order True is not supported; save a C-order "
                         "array (np.ascontiguousarray)");
  Result<int64_t> count = checkedNumElements(header.shape, dtypeSize(*dtype));
  if (!count)
    return Status::error("malformed header: " + count.status().message());
  return NpyLayout{*dtype, std::move(header.shape), *count};
}

namespace {
Result<HostTensor> readNpyFile(const InputFile &file) {
  const uint64_t size = file.size();
  unsigned char prefix[12];
  if (size < 10)
    return Status::error("not a .npy file (only " + std::to_string(size) +
                         " bytes)");
  WEIR_RETURN_IF_ERROR(file.readAt(0, prefix, 10));
  if (std::memcmp(prefix, kMagic, kMagicLen) != 0)
    return Status::error("not a .npy file (bad magic)");
  int major = prefix[6], minor = prefix[7];
  if ((major != 1 && major != 2 && major != 3) || minor != 0)
    return Status::error("unsupported .npy version " + std::to_string(major) +
                         "." + std::to_string(minor) +
                         " (supported: 1.0, 2.0, 3.0)");
  uint64_t headerLen, dataStart;
  if (major == 1) {
    headerLen = readLittleEndian(prefix + 8, 2);
    dataStart = 10 + headerLen;
  } else {
    if (size < 12)
      return Status::error(
          "malformed header: file ends inside the header length");
    WEIR_RETURN_IF_ERROR(file.readAt(10, prefix + 10, 2));
    headerLen = readLittleEndian(prefix + 8, 4);
    dataStart = 12 + headerLen;
  }
  if (headerLen > kMaxHeaderLen)
    return Status::error("malformed header: header length " +
                         std::to_string(headerLen) + " is too large");
  if (dataStart > size)
    return Status::error(
        "malformed header: header length " + std::to_string(headerLen) +
        " runs past the end of the " + std::to_string(size) + "-byte file");
  std::string headerText(headerLen, '\0');
  WEIR_RETURN_IF_ERROR(
      file.readAt(dataStart - headerLen, headerText.data(), headerLen));

  Result<NpyLayout> layout = parseNpyHeader(headerText);
  if (!layout)
    return layout.status();
  Result<DType> dtype = layout->dtype;
  NpyHeader header;
  header.shape = std::move(layout->shape);

  uint64_t expected = static_cast<uint64_t>(layout->numElements) * dtypeSize(*dtype);
  uint64_t found = size - dataStart;
  std::string what =
      "shape " + formatShape(header.shape) + " " + dtypeName(*dtype);
  if (found < expected)
    return Status::error("expected " + std::to_string(expected) +
                         " bytes of data for " + what + ", found " +
                         std::to_string(found));
  if (found > expected)
    return Status::error(std::to_string(found - expected) +
                         " bytes of trailing garbage after the " +
                         std::to_string(expected) + " bytes of data for " +
                         what);

  Result<HostTensor> tensor =
      HostTensor::createUninitialized(*dtype, std::move(header.shape));
  if (!tensor)
    return tensor.status();
  WEIR_RETURN_IF_ERROR(file.readAt(dataStart, tensor->rawData(), expected));
  if (*dtype == DType::Bool)
    WEIR_RETURN_IF_ERROR(checkNpyBools(*tensor));
  return tensor;
}

// The header dict exactly as numpy 1.24's _write_array_header builds it.
std::string headerDict(const char *descr, const std::vector<int64_t> &shape) {
  std::string shapeText = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    shapeText += (i ? ", " : "") + std::to_string(shape[i]);
  shapeText += shape.size() == 1 ? ",)" : ")";
  std::string dict = std::string("{'descr': '") + descr +
                     "', 'fortran_order': False, 'shape': " + shapeText + ", }";
  // numpy leaves room to grow the first axis in place (GROWTH_AXIS_MAX_DIGITS).
  if (!shape.empty())
    dict.append(21 - std::to_string(shape[0]).size(), ' ');
  return dict;
}
} // namespace

Result<HostTensor> readNpy(const std::string &path) {
  Result<InputFile> file = InputFile::open(path);
  if (!file)
    return file.status();
  Result<HostTensor> tensor = readNpyFile(*file);
  if (!tensor)
    return tensor.status().withPrefix(path);
  return tensor;
}

Status writeNpy(const std::string &path, const HostTensor &tensor) {
  const char *descr = npyDescr(tensor.dtype());
  if (!descr)
    return Status::error(path + ": cannot write a " + tensor.describe() +
                         " tensor as .npy: numpy has no " +
                         dtypeName(tensor.dtype()) + " type");
  if (!tensor.rawData())
    return Status::error(path +
                         ": cannot write an empty (never created) tensor");
  std::string dict = headerDict(descr, tensor.shape());
  // Like numpy: version 1.0 unless the header needs a 4-byte length; the
  // padding (1 to 64 spaces, then '\n') aligns the data to 64 bytes.
  auto padding = [&](size_t prefixLen) {
    return 64 - (prefixLen + dict.size() + 1) % 64;
  };
  bool v2 = dict.size() + 1 + padding(10) > 65535;
  size_t padLen = padding(v2 ? 12 : 10);
  std::string header(kMagic, kMagicLen);
  header += static_cast<char>(v2 ? 2 : 1);
  header += '\0';
  size_t headerLen = dict.size() + padLen + 1;
  for (size_t i = 0; i < (v2 ? 4u : 2u); ++i)
    header += static_cast<char>((headerLen >> (8 * i)) & 0xFF);
  header += dict;
  header.append(padLen, ' ');
  header += '\n';
  return writeFileAtomically(path, {{header.data(), header.size()},
                                    {tensor.rawData(), tensor.byteSize()}});
}

} // namespace weir
