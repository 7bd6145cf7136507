// POSIX file helpers: positioned reads, whole-file reads and atomic writes.
#include "runtime/FileIO.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace weir {

namespace {
std::string errnoText(int err) {
  return std::error_code(err, std::generic_category()).message();
}

Status ioError(const std::string &path, const std::string &what, int err) {
  return Status::error(path + ": " + what + ": " + errnoText(err));
}

// The directory holding `path`, for fsync after a rename.
std::string parentDirectory(const std::string &path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  if (slash == 0)
    return "/";
  return path.substr(0, slash);
}
} // namespace

Result<InputFile> InputFile::open(const std::string &path) {
  int fd;
  do
    // O_NONBLOCK so that a FIFO is refused below instead of blocking here;
    // it does not change reads of regular files.
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return ioError(path, "cannot open", errno);
  InputFile file;
  file.path_ = path;
  file.fd_ = fd; // Closed by ~InputFile from here on.
  struct stat st;
  if (::fstat(fd, &st) != 0)
    return ioError(path, "cannot stat", errno);
  if (S_ISDIR(st.st_mode))
    return Status::error(path + ": is a directory");
  if (!S_ISREG(st.st_mode))
    return Status::error(path + ": not a regular file");
  file.size_ = static_cast<uint64_t>(st.st_size);
  return file;
}

InputFile::InputFile(InputFile &&other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_), size_(other.size_) {
  other.fd_ = -1;
}

InputFile &InputFile::operator=(InputFile &&other) noexcept {
  if (this != &other) {
    if (fd_ >= 0)
      ::close(fd_);
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    size_ = other.size_;
    other.fd_ = -1;
  }
  return *this;
}

InputFile::~InputFile() {
  if (fd_ >= 0)
    ::close(fd_);
}

Status InputFile::readAt(uint64_t offset, void *buffer, size_t n) const {
  char *out = static_cast<char *>(buffer);
  while (n > 0) {
    ssize_t got = ::pread(fd_, out, n, static_cast<off_t>(offset));
    if (got < 0) {
      if (errno == EINTR)
        continue;
      return ioError(path_, "read failed", errno);
    }
    if (got == 0)
      return Status::error(path_ + ": unexpected end of file at byte " +
                           std::to_string(offset));
    out += got;
    offset += static_cast<uint64_t>(got);
    n -= static_cast<size_t>(got);
  }
  return Status::success();
}

Result<std::string> readFileToString(const std::string &path, size_t maxBytes) {
  Result<InputFile> file = InputFile::open(path);
  if (!file)
    return file.status();
  if (file->size() > maxBytes)
    return Status::error(path + ": file is " + std::to_string(file->size()) +
                         " bytes, more than the limit of " +
                         std::to_string(maxBytes));
  std::string text(static_cast<size_t>(file->size()), '\0');
  WEIR_RETURN_IF_ERROR(file->readAt(0, text.data(), text.size()));
  return text;
}

namespace {
Status writeAll(int fd, const std::string &tmp, const void *data, size_t n) {
  const char *in = static_cast<const char *>(data);
  while (n > 0) {
    ssize_t put = ::write(fd, in, n);
    if (put < 0) {
      if (errno == EINTR)
        continue;
      return ioError(tmp, "write failed", errno);
    }
    in += put;
    n -= static_cast<size_t>(put);
  }
  return Status::success();
}

Status writeAndSync(int fd, const std::string &tmp,
                    const std::vector<ByteChunk> &chunks) {
  for (const ByteChunk &chunk : chunks)
    WEIR_RETURN_IF_ERROR(writeAll(fd, tmp, chunk.data, chunk.size));
  if (::fsync(fd) != 0)
    return ioError(tmp, "fsync failed", errno);
  return Status::success();
}
} // namespace

Status writeFileAtomically(const std::string &path,
                           const std::vector<ByteChunk> &chunks) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd;
  do
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  while (fd < 0 && errno == EINTR);
  if (fd < 0)
    return ioError(path, "cannot create temporary file '" + tmp + "'", errno);

  Status status = writeAndSync(fd, tmp, chunks);
  // close() can report a deferred write error (e.g. on NFS).
  if (::close(fd) != 0 && status.ok())
    status = ioError(tmp, "close failed", errno);
  if (status.ok() && ::rename(tmp.c_str(), path.c_str()) != 0)
    status = ioError(path, "cannot rename '" + tmp + "' to it", errno);
  if (!status.ok()) {
    ::unlink(tmp.c_str());
    return status;
  }
  // Make the rename itself durable; failing here leaves a complete file, so
  // it is not an error.
  int dir =
      ::open(parentDirectory(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    (void)::fsync(dir);
    ::close(dir);
  }
  return Status::success();
}

} // namespace weir
