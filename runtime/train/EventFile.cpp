// EventFile: TensorBoard event files, records and protobuf written by hand.
#include "runtime/train/EventFile.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

using namespace weir;

namespace {
struct Crc32cTable {
  uint32_t entries[256];
  Crc32cTable() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k)
        c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1; // reflected Castagnoli
      entries[i] = c;
    }
  }
};

// Protobuf wire format: varints, and fields as (number << 3 | wire type).
void putVarint(std::string &out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(char((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(char(v));
}
void putTag(std::string &out, int field, int wireType) {
  putVarint(out, uint64_t(field) << 3 | wireType);
}
void putFixed(std::string &out, const void *bytes, size_t n) {
  // Little-endian hosts only (x86-64, aarch64), as the rest of the runtime.
  out.append(static_cast<const char *>(bytes), n);
}
void putBytesField(std::string &out, int field, const std::string &bytes) {
  putTag(out, field, 2);
  putVarint(out, bytes.size());
  out += bytes;
}
void putDoubleField(std::string &out, int field, double v) {
  putTag(out, field, 1);
  putFixed(out, &v, 8);
}

std::string eventHeader(double wallTime, int64_t step) {
  std::string event;
  putDoubleField(event, 1, wallTime);
  if (step != 0) {
    putTag(event, 2, 0);
    putVarint(event, uint64_t(step));
  }
  return event;
}

std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || !name[0])
    return "localhost";
  return name;
}
} // namespace

uint32_t weir::crc32c(const void *data, size_t size) {
  static const Crc32cTable table;
  uint32_t c = 0xffffffffu;
  auto *p = static_cast<const unsigned char *>(data);
  for (size_t i = 0; i < size; ++i)
    c = table.entries[(c ^ p[i]) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

uint32_t weir::maskedCrc32c(const void *data, size_t size) {
  uint32_t crc = crc32c(data, size);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

double weir::wallClockSeconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

Status weir::makeDirectories(const std::string &dir) {
  if (dir.empty())
    return Status::error("an empty directory name");
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i < dir.size() && dir[i] != '/')
      continue;
    std::string prefix = dir.substr(0, i);
    struct stat st;
    if (::stat(prefix.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode))
        return Status::error(prefix + ": exists and is not a directory");
      continue;
    }
    if (::mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST)
      return Status::error(prefix + ": cannot create the directory: " +
                           std::strerror(errno));
  }
  return Status();
}

Result<std::unique_ptr<EventFileWriter>>
EventFileWriter::create(const std::string &dir) {
  if (Status s = makeDirectories(dir); !s.ok())
    return s;
  double now = wallClockSeconds();
  std::unique_ptr<EventFileWriter> w(new EventFileWriter());
  w->path_ = dir + "/events.out.tfevents." + std::to_string(int64_t(now)) +
             "." + hostName() + "." + std::to_string(::getpid()) + ".v2";
  w->file_ = std::fopen(w->path_.c_str(), "wb");
  if (!w->file_)
    return Status::error(w->path_ + ": cannot create: " + std::strerror(errno));
  std::string event = eventHeader(now, 0);
  putBytesField(event, 3, "brain.Event:2");
  if (Status s = w->writeRecord(event); !s.ok())
    return s;
  return w;
}

EventFileWriter::~EventFileWriter() {
  if (file_)
    std::fclose(file_);
}

Status EventFileWriter::addScalar(const std::string &tag, int64_t step,
                                  double value, double wallTime) {
  std::string v;
  putBytesField(v, 1, tag);
  float f = static_cast<float>(value);
  putTag(v, 2, 5);
  putFixed(v, &f, 4);
  std::string summary;
  putBytesField(summary, 1, v);
  std::string event = eventHeader(wallTime, step);
  putBytesField(event, 5, summary);
  return writeRecord(event);
}

Status EventFileWriter::writeRecord(const std::string &event) {
  uint64_t length = event.size();
  uint32_t lengthCrc = maskedCrc32c(&length, 8);
  uint32_t dataCrc = maskedCrc32c(event.data(), event.size());
  bool ok = std::fwrite(&length, 8, 1, file_) == 1 &&
            std::fwrite(&lengthCrc, 4, 1, file_) == 1 &&
            std::fwrite(event.data(), 1, event.size(), file_) == event.size() &&
            std::fwrite(&dataCrc, 4, 1, file_) == 1 && std::fflush(file_) == 0;
  if (!ok)
    return Status::error(path_ + ": cannot write: " + std::strerror(errno));
  return Status();
}
