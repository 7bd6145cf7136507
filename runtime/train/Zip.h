// Reading zip archives (the container of numpy's .npz files).
#pragma once

#include "runtime/FileIO.h"
#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weir {

/// One member, as the central directory describes it.
struct ZipEntry {
  std::string name;
  uint16_t method = 0; // 0 STORED, 8 DEFLATE
  uint32_t crc32 = 0;
  uint32_t compressedSize = 0;
  uint32_t uncompressedSize = 0;
  uint32_t localHeaderOffset = 0;
};

/// A zip archive open for reading members. The central directory is the
/// authority on names, sizes, CRCs and offsets; a local header is only used
/// to find where its data starts (numpy's savez writes local headers with
/// ZIP64 size fields even for small members, which this accepts). Members
/// may be STORED or DEFLATE (raw inflate); encrypted members, other methods,
/// multi-disk and ZIP64 archives (members or directories past 4 GiB) are
/// refused. Every error message starts with the archive's path.
class ZipArchive {
public:
  static Result<ZipArchive> open(const std::string &path);

  const std::string &path() const { return file_.path(); }
  const std::vector<ZipEntry> &entries() const { return entries_; }
  /// The member named `name`, or null.
  const ZipEntry *find(std::string_view name) const;
  /// The uncompressed bytes of `entry`, checked against its size and CRC-32.
  Result<std::vector<uint8_t>> read(const ZipEntry &entry) const;

private:
  explicit ZipArchive(InputFile file) : file_(std::move(file)) {}
  Status readCentralDirectory();

  InputFile file_;
  std::vector<ZipEntry> entries_;
};

} // namespace weir
