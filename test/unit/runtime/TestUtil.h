// Helpers for the runtime I/O tests: a scratch directory and raw file access.
#pragma once

#include "runtime/HostTensor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace weir::test {

/// A fresh directory, removed with its contents when the test ends.
class TempDir {
public:
  TempDir() {
    const char *base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") +
                          "/weir-runtime-test-XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    const char *made = ::mkdtemp(buf.data());
    EXPECT_NE(made, nullptr) << "mkdtemp failed";
    path_ = made ? made : "/nonexistent-weir-tempdir";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string &path() const { return path_; }
  std::string file(const std::string &name) const { return path_ + "/" + name; }
  /// Names of the entries in the directory, sorted.
  std::vector<std::string> list() const {
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto &entry : std::filesystem::directory_iterator(path_, ec))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

private:
  std::string path_;
};

inline void writeBytes(const std::string &path, const std::string &bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string readBytes(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// A tensor of `dtype` and `shape` whose bytes are 0, 1, 2, ... (mod 256),
/// with Bool elements alternating 0/1.
inline HostTensor patternTensor(DType dtype, std::vector<int64_t> shape) {
  Result<HostTensor> t = HostTensor::create(dtype, std::move(shape));
  EXPECT_TRUE(t.ok()) << t.status().message();
  if (!t.ok())
    return HostTensor();
  for (size_t i = 0; i < t->byteSize(); ++i)
    t->bytes()[i] =
        dtype == DType::Bool ? i % 2 : static_cast<uint8_t>(i * 7 + 3);
  return std::move(*t);
}

inline bool sameTensor(const HostTensor &a, const HostTensor &b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::equal(a.bytes(), a.bytes() + a.byteSize(), b.bytes(),
                    b.bytes() + b.byteSize());
}

inline const DType kAllDTypes[] = {DType::F32,  DType::F64, DType::F16,
                                   DType::BF16, DType::U8,  DType::I8,
                                   DType::I32,  DType::I64, DType::Bool};

/// Little-endian bytes of an unsigned integer.
inline std::string le(uint64_t value, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i)
    out += static_cast<char>((value >> (8 * i)) & 0xFF);
  return out;
}

inline std::string messageOf(const Status &s) { return s.message(); }
template <typename T> std::string messageOf(const Result<T> &r) {
  return r.status().message();
}

} // namespace weir::test

/// Expects `result` (a Status or Result) to fail with `substring` in its
/// message.
#define EXPECT_ERROR_CONTAINS(result, substring)                               \
  do {                                                                         \
    const auto &weirR_ = (result);                                             \
    ASSERT_FALSE(weirR_.ok())                                                  \
        << "expected an error containing: " << (substring);                    \
    std::string weirM_ = ::weir::test::messageOf(weirR_);                      \
    EXPECT_NE(weirM_.find(substring), std::string::npos)                       \
        << "message: " << weirM_;                                              \
  } while (false)
