// POSIX file helpers for the format code: positioned reads, atomic writes.
#pragma once

#include "runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace weir {

/// A regular file open for reading. Move-only; closes on destruction.
/// Error messages start with the path.
class InputFile {
public:
  static Result<InputFile> open(const std::string &path);
  InputFile(InputFile &&other) noexcept;
  InputFile &operator=(InputFile &&other) noexcept;
  InputFile(const InputFile &) = delete;
  InputFile &operator=(const InputFile &) = delete;
  ~InputFile();

  const std::string &path() const { return path_; }
  uint64_t size() const { return size_; }
  /// Reads exactly `n` bytes at `offset`; fails on a short read.
  Status readAt(uint64_t offset, void *buffer, size_t n) const;

private:
  InputFile() = default;
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

/// A whole (small) file, refusing ones larger than `maxBytes`.
Result<std::string> readFileToString(const std::string &path, size_t maxBytes);

/// A piece of the bytes to write.
struct ByteChunk {
  const void *data;
  size_t size;
};

/// Writes the concatenated chunks to `path` atomically: to
/// `path + ".tmp.<pid>"`, then fsync, then rename over `path`. On failure the
/// temporary file is removed and an existing `path` is left untouched.
Status writeFileAtomically(const std::string &path,
                           const std::vector<ByteChunk> &chunks);

} // namespace weir
