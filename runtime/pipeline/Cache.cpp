// cache(file): decoded images on disk, written atomically, reused while the
// header's fingerprint (files, sizes, mtimes, color mode, size) matches.
//
// Layout (little-endian): "WEIRPIPE" magic, u32 version, u64 fingerprint,
// u64 images, u64 bytes per image; then per image one flag byte (1: bad);
// then for each bad image a u32 length and its reason; then the images.
#include "runtime/pipeline/Internal.h"

#include "runtime/FileIO.h"

#include <cstring>

namespace weir::pipeline {
namespace {

constexpr char kMagic[8] = {'W', 'E', 'I', 'R', 'P', 'I', 'P', 'E'};
constexpr uint32_t kVersion = 1;

struct Fnv {
  uint64_t h = 0xCBF29CE484222325ull;
  void bytes(const void *p, size_t n) {
    auto *b = static_cast<const uint8_t *>(p);
    for (size_t i = 0; i < n; ++i)
      h = (h ^ b[i]) * 0x100000001B3ull;
  }
  template <typename T> void value(T v) { bytes(&v, sizeof(v)); }
  void string(const std::string &s) {
    value(uint64_t(s.size()));
    bytes(s.data(), s.size());
  }
};

template <typename T> void put(std::string &out, T v) {
  out.append(reinterpret_cast<const char *>(&v), sizeof(v));
}

template <typename T> bool get(const std::string &in, size_t &at, T &v) {
  if (in.size() - at < sizeof(v))
    return false;
  std::memcpy(&v, in.data() + at, sizeof(v));
  at += sizeof(v);
  return true;
}

} // namespace

uint64_t cacheFingerprint(const PipelineSpec &spec,
                          const std::vector<ImageFile> &files) {
  Fnv f;
  f.value(kVersion);
  f.value(int32_t(spec.source.color));
  f.value(spec.source.height);
  f.value(spec.source.width);
  f.value(int32_t(spec.source.resize));
  f.value(uint64_t(files.size()));
  for (const ImageFile &file : files) {
    f.string(file.path);
    f.value(file.size);
    f.value(file.mtimeNs);
  }
  return f.h;
}

Status writeCacheFile(const std::string &path, uint64_t fingerprint,
                      size_t imageBytes, const CacheContents &contents) {
  std::string header(kMagic, sizeof(kMagic));
  put(header, kVersion);
  put(header, fingerprint);
  put(header, uint64_t(contents.bad.size()));
  put(header, uint64_t(imageBytes));
  header.append(reinterpret_cast<const char *>(contents.bad.data()),
                contents.bad.size());
  for (size_t i = 0; i < contents.bad.size(); ++i)
    if (contents.bad[i]) {
      put(header, uint32_t(contents.reasons[i].size()));
      header += contents.reasons[i];
    }
  return writeFileAtomically(path, {{header.data(), header.size()},
                                    {contents.images.data(),
                                     contents.images.size()}});
}

Result<bool> readCacheFile(const std::string &path, uint64_t fingerprint,
                           size_t numImages, size_t imageBytes,
                           CacheContents &contents) {
  Result<InputFile> file = InputFile::open(path);
  if (!file)
    return false; // missing (or unreadable): write a new one
  // The header with the flags and reasons is small; read a generous prefix.
  std::string head(size_t(std::min<uint64_t>(file->size(), 36 + numImages +
                                                               (1 << 20))),
                   '\0');
  if (Status s = file->readAt(0, head.data(), head.size()); !s.ok())
    return s;
  size_t at = 0;
  uint32_t version = 0;
  uint64_t fp = 0, n = 0, bytes = 0;
  if (head.compare(0, sizeof(kMagic), kMagic, sizeof(kMagic)) != 0)
    return false;
  at = sizeof(kMagic);
  if (!get(head, at, version) || !get(head, at, fp) || !get(head, at, n) ||
      !get(head, at, bytes) || version != kVersion || fp != fingerprint ||
      n != numImages || bytes != imageBytes || head.size() - at < n)
    return false;
  contents.bad.assign(head.begin() + long(at), head.begin() + long(at + n));
  at += n;
  contents.reasons.assign(n, std::string());
  for (size_t i = 0; i < n; ++i)
    if (contents.bad[i]) {
      uint32_t len = 0;
      if (!get(head, at, len) || head.size() - at < len)
        return false; // corrupt: decode again and replace it
      contents.reasons[i] = head.substr(at, len);
      at += len;
    }
  if (file->size() != at + n * bytes)
    return false;
  contents.images.resize(n * bytes);
  if (Status s = file->readAt(at, contents.images.data(),
                              contents.images.size());
      !s.ok())
    return s;
  return true;
}

} // namespace weir::pipeline
