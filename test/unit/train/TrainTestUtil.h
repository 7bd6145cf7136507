// Helpers for the runtime/train tests: .npy bytes and zip archives built in
// memory (with zlib), so tests can corrupt them byte by byte.
#pragma once

#include "runtime/HostTensor.h"
#include "test/unit/runtime/TestUtil.h"

#include <zlib.h>

#include <cstring>
#include <string>
#include <vector>

namespace weir::test {

/// A .npy 1.0 file as numpy writes it: `descr` like "|u1" or "<f4".
inline std::string npyBytes(const std::string &descr,
                            const std::vector<int64_t> &shape,
                            const void *data, size_t bytes) {
  std::string shapeText = "(";
  for (size_t i = 0; i < shape.size(); ++i)
    shapeText += (i ? ", " : "") + std::to_string(shape[i]);
  shapeText += shape.size() == 1 ? ",)" : ")";
  std::string dict = "{'descr': '" + descr +
                     "', 'fortran_order': False, 'shape': " + shapeText +
                     ", }";
  size_t total = 10 + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += char(dict.size() & 0xFF);
  out += char(dict.size() >> 8);
  out += dict;
  out.append(static_cast<const char *>(data), bytes);
  return out;
}

inline std::string npyOf(const HostTensor &t) {
  return npyBytes(npyDescr(t.dtype()), t.shape(), t.rawData(), t.byteSize());
}

struct ZipMember {
  std::string name;
  std::string data;
  bool deflate = false;
};

inline void putLe16(std::string &s, uint32_t v) {
  s += char(v & 0xFF);
  s += char((v >> 8) & 0xFF);
}
inline void putLe32(std::string &s, uint32_t v) {
  putLe16(s, v & 0xFFFF);
  putLe16(s, v >> 16);
}

/// Raw DEFLATE (no zlib header), as zip stores it.
inline std::string rawDeflate(const std::string &data) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&z, uLong(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
  z.avail_in = uInt(data.size());
  z.next_out = reinterpret_cast<Bytef *>(out.data());
  z.avail_out = uInt(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

/// A zip archive of `members`: local headers, data, central directory, end
/// record (with `comment`). No data descriptors, no ZIP64.
inline std::string makeZip(const std::vector<ZipMember> &members,
                           const std::string &comment = "") {
  std::string out, dir;
  for (const ZipMember &m : members) {
    uint32_t crc = uint32_t(crc32(0, reinterpret_cast<const Bytef *>(m.data.data()),
                                  uInt(m.data.size())));
    std::string body = m.deflate ? rawDeflate(m.data) : m.data;
    uint32_t offset = uint32_t(out.size());
    auto common = [&](std::string &s) {
      putLe16(s, 20);                   // version needed
      putLe16(s, 0);                    // flags
      putLe16(s, m.deflate ? 8 : 0);    // method
      putLe16(s, 0);                    // time
      putLe16(s, 0x21);                 // date
      putLe32(s, crc);
      putLe32(s, uint32_t(body.size()));
      putLe32(s, uint32_t(m.data.size()));
      putLe16(s, uint32_t(m.name.size()));
      putLe16(s, 0); // extra length
    };
    putLe32(out, 0x04034b50);
    common(out);
    out += m.name;
    out += body;
    putLe32(dir, 0x02014b50);
    putLe16(dir, 20); // version made by
    common(dir);
    putLe16(dir, 0); // comment length
    putLe16(dir, 0); // disk
    putLe16(dir, 0); // internal attributes
    putLe32(dir, 0); // external attributes
    putLe32(dir, offset);
    dir += m.name;
  }
  uint32_t dirOffset = uint32_t(out.size());
  out += dir;
  putLe32(out, 0x06054b50);
  putLe16(out, 0);
  putLe16(out, 0);
  putLe16(out, uint32_t(members.size()));
  putLe16(out, uint32_t(members.size()));
  putLe32(out, uint32_t(dir.size()));
  putLe32(out, dirOffset);
  putLe16(out, uint32_t(comment.size()));
  out += comment;
  return out;
}

/// Offset of the central directory entry of member `index` in makeZip's
/// output (whose names and data sizes are known to the caller).
inline size_t centralEntryOffset(const std::string &zip, size_t index) {
  size_t pos = 0;
  for (size_t i = 0;; ++i) {
    pos = zip.find(std::string("PK\x01\x02", 4), pos);
    if (pos == std::string::npos || i == index)
      return pos;
    ++pos;
  }
}

inline void setLe32(std::string &s, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    s[at + i] = char((v >> (8 * i)) & 0xFF);
}
inline void setLe16(std::string &s, size_t at, uint32_t v) {
  s[at] = char(v & 0xFF);
  s[at + 1] = char((v >> 8) & 0xFF);
}

inline ::testing::AssertionResult hasSubstr(const std::string &text,
                                            const std::string &part) {
  if (text.find(part) != std::string::npos)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "'" << text << "' does not contain '" << part << "'";
}

} // namespace weir::test
