// EventFile: CRC-32C against published check values, and the bytes of a
// record against the layout TensorFlow's record reader expects.
#include "runtime/train/EventFile.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace weir;

namespace {
std::string readAll(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

uint64_t u64(const std::string &s, size_t at) {
  uint64_t v;
  std::memcpy(&v, s.data() + at, 8);
  return v;
}
uint32_t u32(const std::string &s, size_t at) {
  uint32_t v;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}
} // namespace

TEST(EventFile, Crc32cCheckValues) {
  // RFC 3720 (iSCSI) B.4 and the usual "123456789" check value.
  EXPECT_EQ(crc32c("123456789", 9), 0xe3069283u);
  std::string zeros(32, '\0'), ones(32, '\xff');
  EXPECT_EQ(crc32c(zeros.data(), zeros.size()), 0x8a9136aau);
  EXPECT_EQ(crc32c(ones.data(), ones.size()), 0x62a8ab43u);
  EXPECT_EQ(crc32c("", 0), 0u);
}

TEST(EventFile, MaskedCrcIsTensorFlows) {
  uint32_t crc = crc32c("abc", 3);
  EXPECT_EQ(maskedCrc32c("abc", 3), ((crc >> 15) | (crc << 17)) + 0xa282ead8u);
}

TEST(EventFile, RecordsAreFramedAndChecksummed) {
  std::string dir = ::testing::TempDir() + "/weir-events-" +
                    std::to_string(::getpid()) + "/a/b";
  Result<std::unique_ptr<EventFileWriter>> w = EventFileWriter::create(dir);
  ASSERT_TRUE(w.ok()) << w.status().message();
  ASSERT_TRUE((*w)->addScalar("epoch_loss", 3, 0.5, 1000.0).ok());
  std::string path = (*w)->path();
  EXPECT_NE(path.find("/events.out.tfevents."), std::string::npos);
  w->reset();
  std::string bytes = readAll(path);
  size_t at = 0;
  std::vector<std::string> events;
  while (at < bytes.size()) {
    ASSERT_LE(at + 12, bytes.size());
    uint64_t n = u64(bytes, at);
    EXPECT_EQ(u32(bytes, at + 8), maskedCrc32c(bytes.data() + at, 8));
    ASSERT_LE(at + 12 + n + 4, bytes.size());
    std::string event = bytes.substr(at + 12, n);
    EXPECT_EQ(u32(bytes, at + 12 + n), maskedCrc32c(event.data(), n));
    events.push_back(event);
    at += 12 + n + 4;
  }
  ASSERT_EQ(events.size(), 2u);
  // The first: wall_time (field 1, fixed64), file_version (field 3).
  EXPECT_EQ(events[0][0], '\x09');
  EXPECT_NE(events[0].find("brain.Event:2"), std::string::npos);
  // The scalar: wall_time 1000.0, step 3, summary { value { tag,
  // simple_value 0.5f } }, byte for byte.
  std::string expected = "\x09";
  double wall = 1000.0;
  expected.append(reinterpret_cast<const char *>(&wall), 8);
  expected += "\x10\x03";
  std::string value = "\x0a\x0a" "epoch_loss" "\x15";
  float half = 0.5f;
  value.append(reinterpret_cast<const char *>(&half), 4);
  std::string summary = "\x0a" + std::string(1, char(value.size())) + value;
  expected += "\x2a" + std::string(1, char(summary.size())) + summary;
  EXPECT_EQ(events[1], expected);
}

TEST(EventFile, DirectoryOverAFileFails) {
  std::string file = ::testing::TempDir() + "/weir-events-file-" +
                     std::to_string(::getpid());
  std::ofstream(file) << "x";
  Result<std::unique_ptr<EventFileWriter>> w =
      EventFileWriter::create(file + "/run");
  ASSERT_FALSE(w.ok());
  EXPECT_NE(w.status().message().find("is not a directory"), std::string::npos)
      << w.status().message();
}
