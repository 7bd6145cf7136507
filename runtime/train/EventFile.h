// EventFile: TensorBoard's event files (events.out.tfevents.*), written
// directly: each record is a little-endian u64 length, the masked CRC-32C
// of those 8 bytes, the Event protobuf, and its masked CRC-32C. The Event
// holds wall_time (1, double), step (2, int64) and either file_version (3,
// "brain.Event:2", the first record) or a Summary (5) of one Value: tag
// (1) and simple_value (2, float), which TensorBoard shows as a scalar.
#pragma once

#include "runtime/Status.h"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace weir {

/// CRC-32C (Castagnoli), and TensorFlow's mask of it:
/// ((crc >> 15) | (crc << 17)) + 0xa282ead8.
uint32_t crc32c(const void *data, size_t size);
uint32_t maskedCrc32c(const void *data, size_t size);

/// One event file, appended to and flushed record by record.
class EventFileWriter {
public:
  /// Creates `dir` (and its parents) and a new file in it,
  /// events.out.tfevents.<unix seconds>.<host>.<pid>.v2, starting with the
  /// file-version record. Errors name the path.
  static Result<std::unique_ptr<EventFileWriter>> create(const std::string &dir);
  ~EventFileWriter();

  /// Appends a scalar `tag` = `value` at `step`, stamped `wallTime`
  /// (seconds since the epoch), and flushes it to the file.
  Status addScalar(const std::string &tag, int64_t step, double value,
                   double wallTime);
  const std::string &path() const { return path_; }

private:
  EventFileWriter() = default;
  Status writeRecord(const std::string &event);
  std::string path_;
  std::FILE *file_ = nullptr;
};

/// Creates `dir` and its missing parents; an error names the path.
Status makeDirectories(const std::string &dir);

/// Seconds since the Unix epoch, with sub-second precision.
double wallClockSeconds();

} // namespace weir
