// The zip reader: end of central directory, central directory, members.
#include "runtime/train/Zip.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

using namespace weir;

namespace {
constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndOfDirSig = 0x06054b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kEndOfDirSize = 22, kCentralHeaderSize = 46,
                 kLocalHeaderSize = 30, kZip64LocatorSize = 20;
// DEFLATE expands at most about 1032:1; a larger claimed ratio is corrupt
// (and would make us allocate for nothing).
constexpr uint64_t kMaxDeflateRatio = 1032;

uint16_t le16(const uint8_t *p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t *p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 |
         uint32_t(p[3]) << 24;
}
} // namespace

Result<ZipArchive> ZipArchive::open(const std::string &path) {
  Result<InputFile> file = InputFile::open(path);
  if (!file)
    return file.status();
  ZipArchive archive(std::move(*file));
  WEIR_RETURN_IF_ERROR(archive.readCentralDirectory());
  return archive;
}

Status ZipArchive::readCentralDirectory() {
  const std::string &p = path();
  const uint64_t size = file_.size();
  if (size < kEndOfDirSize)
    return Status::error(p + ": not a zip file (only " + std::to_string(size) +
                         " bytes)");
  // The end-of-central-directory record is the last 22 bytes plus a comment
  // of at most 65535 bytes: search backwards for its signature.
  uint64_t tailSize = std::min<uint64_t>(size, kEndOfDirSize + 65535);
  std::vector<uint8_t> tail(tailSize);
  WEIR_RETURN_IF_ERROR(file_.readAt(size - tailSize, tail.data(), tailSize));
  int64_t eocd = -1;
  for (int64_t i = int64_t(tailSize - kEndOfDirSize); i >= 0; --i)
    if (le32(&tail[i]) == kEndOfDirSig &&
        i + kEndOfDirSize + le16(&tail[i + 20]) == tailSize) {
      eocd = i;
      break;
    }
  if (eocd < 0)
    return Status::error(p + ": not a zip file or truncated (no end of "
                             "central directory record)");
  const uint8_t *e = &tail[eocd];
  uint64_t eocdOffset = size - tailSize + uint64_t(eocd);
  uint16_t disk = le16(e + 4), dirDisk = le16(e + 6);
  uint16_t diskEntries = le16(e + 8), entries = le16(e + 10);
  uint32_t dirSize = le32(e + 12), dirOffset = le32(e + 16);
  bool zip64Locator = eocd >= int64_t(kZip64LocatorSize) &&
                      le32(&tail[eocd - kZip64LocatorSize]) == kZip64LocatorSig;
  if (zip64Locator || entries == 0xFFFF || dirSize == 0xFFFFFFFF ||
      dirOffset == 0xFFFFFFFF)
    return Status::error(p + ": ZIP64 archives are not supported");
  if (disk != 0 || dirDisk != 0 || diskEntries != entries)
    return Status::error(p + ": multi-disk zip archives are not supported");
  if (uint64_t(dirOffset) + dirSize > eocdOffset)
    return Status::error(p + ": truncated or corrupt zip: the central "
                             "directory (" +
                         std::to_string(dirSize) + " bytes at offset " +
                         std::to_string(dirOffset) +
                         ") runs past the end of the archive");

  std::vector<uint8_t> dir(dirSize);
  WEIR_RETURN_IF_ERROR(file_.readAt(dirOffset, dir.data(), dirSize));
  size_t pos = 0;
  for (unsigned i = 0; i < entries; ++i) {
    std::string where = p + ": central directory entry " + std::to_string(i);
    if (pos + kCentralHeaderSize > dir.size() ||
        le32(&dir[pos]) != kCentralHeaderSig)
      return Status::error(where + ": bad or truncated header");
    const uint8_t *h = &dir[pos];
    size_t nameLen = le16(h + 28), extraLen = le16(h + 30),
           commentLen = le16(h + 32);
    if (pos + kCentralHeaderSize + nameLen + extraLen + commentLen >
        dir.size())
      return Status::error(where + ": truncated header");
    ZipEntry entry;
    entry.name.assign(reinterpret_cast<const char *>(h + kCentralHeaderSize),
                      nameLen);
    where = p + ": member '" + entry.name + "'";
    uint16_t flags = le16(h + 8);
    entry.method = le16(h + 10);
    entry.crc32 = le32(h + 16);
    entry.compressedSize = le32(h + 20);
    entry.uncompressedSize = le32(h + 24);
    entry.localHeaderOffset = le32(h + 42);
    if (flags & 1)
      return Status::error(where + " is encrypted, which is not supported");
    if (entry.method != 0 && entry.method != 8)
      return Status::error(where + ": compression method " +
                           std::to_string(entry.method) +
                           " is not supported (only STORED and DEFLATE)");
    if (entry.compressedSize == 0xFFFFFFFF ||
        entry.uncompressedSize == 0xFFFFFFFF ||
        entry.localHeaderOffset == 0xFFFFFFFF)
      return Status::error(where + " needs ZIP64, which is not supported");
    entries_.push_back(std::move(entry));
    pos += kCentralHeaderSize + nameLen + extraLen + commentLen;
  }
  return Status::success();
}

const ZipEntry *ZipArchive::find(std::string_view name) const {
  for (const ZipEntry &entry : entries_)
    if (entry.name == name)
      return &entry;
  return nullptr;
}

Result<std::vector<uint8_t>> ZipArchive::read(const ZipEntry &entry) const {
  const std::string where = path() + ": member '" + entry.name + "'";
  const uint64_t size = file_.size();
  uint8_t local[kLocalHeaderSize];
  if (uint64_t(entry.localHeaderOffset) + kLocalHeaderSize > size)
    return Status::error(where + ": truncated archive (local header at " +
                         std::to_string(entry.localHeaderOffset) +
                         " is past the end)");
  WEIR_RETURN_IF_ERROR(
      file_.readAt(entry.localHeaderOffset, local, kLocalHeaderSize));
  if (le32(local) != kLocalHeaderSig)
    return Status::error(where + ": bad local header signature");
  uint64_t dataStart = uint64_t(entry.localHeaderOffset) + kLocalHeaderSize +
                       le16(local + 26) + le16(local + 28);
  if (dataStart + entry.compressedSize > size)
    return Status::error(where + ": truncated archive: " +
                         std::to_string(entry.compressedSize) +
                         " bytes of data at offset " +
                         std::to_string(dataStart) + " run past the end (" +
                         std::to_string(size) + " bytes)");

  std::vector<uint8_t> out;
  if (entry.method == 0) {
    if (entry.compressedSize != entry.uncompressedSize)
      return Status::error(where + ": STORED member with different "
                                   "compressed and uncompressed sizes");
    out.resize(entry.uncompressedSize);
    WEIR_RETURN_IF_ERROR(file_.readAt(dataStart, out.data(), out.size()));
  } else {
    if (entry.uncompressedSize >
        uint64_t(entry.compressedSize) * kMaxDeflateRatio + 1024)
      return Status::error(where + ": corrupt sizes (" +
                           std::to_string(entry.compressedSize) +
                           " compressed bytes cannot inflate to " +
                           std::to_string(entry.uncompressedSize) + ")");
    out.resize(entry.uncompressedSize);
    z_stream z{};
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK) // raw deflate, no zlib header
      return Status::error(where + ": cannot initialize zlib");
    uint8_t empty; // zlib refuses a null next_out, even with no room
    z.next_out = out.empty() ? &empty : out.data();
    z.avail_out = uInt(out.size());
    std::vector<uint8_t> chunk(std::min<size_t>(entry.compressedSize, 1 << 20));
    uint64_t offset = dataStart, left = entry.compressedSize;
    int rc = Z_OK;
    while (rc == Z_OK) {
      if (z.avail_in == 0 && left > 0) {
        size_t n = size_t(std::min<uint64_t>(left, chunk.size()));
        Status s = file_.readAt(offset, chunk.data(), n);
        if (!s.ok()) {
          inflateEnd(&z);
          return s;
        }
        offset += n;
        left -= n;
        z.next_in = chunk.data();
        z.avail_in = uInt(n);
      }
      // Z_BUF_ERROR: no progress possible (out of input or output full).
      rc = inflate(&z, Z_NO_FLUSH);
    }
    bool overflow = z.avail_out == 0 && (z.avail_in > 0 || left > 0);
    uint64_t produced = z.total_out;
    std::string zmsg = z.msg ? z.msg : "";
    inflateEnd(&z);
    if (rc != Z_STREAM_END && rc != Z_OK && rc != Z_BUF_ERROR)
      return Status::error(where + ": corrupt DEFLATE data" +
                           (zmsg.empty() ? "" : ": " + zmsg));
    if (rc != Z_STREAM_END)
      return Status::error(
          where + ": DEFLATE data " +
          (overflow ? "inflates to more than the recorded " +
                                  std::to_string(entry.uncompressedSize) +
                                  " bytes"
                            : "ends early (truncated member)"));
    if (produced != entry.uncompressedSize)
      return Status::error(where + ": inflates to " + std::to_string(produced) +
                           " bytes, the directory says " +
                           std::to_string(entry.uncompressedSize));
  }
  uint32_t crc = uint32_t(crc32(0L, Z_NULL, 0));
  // crc32 takes a uInt length; feed it in pieces below 4 GiB.
  for (size_t done = 0; done < out.size();) {
    size_t n = std::min<size_t>(out.size() - done, 1u << 30);
    crc = uint32_t(crc32(crc, out.data() + done, uInt(n)));
    done += n;
  }
  if (crc != entry.crc32) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "CRC-32 mismatch (stored %08x, computed %08x)",
                  entry.crc32, crc);
    return Status::error(where + ": " + buf);
  }
  return out;
}
