// loadArrays: IDX directories and .npz archives.
#include "runtime/train/Dataset.h"

#include "runtime/data/Idx.h"
#include "runtime/train/NpyBytes.h"
#include "runtime/train/Zip.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

using namespace weir;

namespace {
bool isIntegerDType(DType d) {
  return d == DType::U8 || d == DType::I8 || d == DType::I32 || d == DType::I64;
}

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

/// Checks x [N, ...] against y: integer labels [N] (or [N, 1], reshaped to
/// [N]) or f32/f64 targets [N, ...], kept as stored. `xName` and `yName` say
/// where each came from.
Result<ArrayDataset> pair(HostTensor x, HostTensor y, const std::string &xName,
                          const std::string &yName) {
  if (x.rank() < 1)
    return Status::error(xName + ": examples must be [N, ...], found " +
                         x.describe());
  const bool labels = isIntegerDType(y.dtype());
  if (labels && y.rank() == 2 && y.shape()[1] == 1)
    WEIR_RETURN_IF_ERROR(y.reshape({y.shape()[0]}));
  const bool targets = y.dtype() == DType::F32 || y.dtype() == DType::F64;
  if (!(labels && y.rank() == 1) && !(targets && y.rank() >= 1))
    return Status::error(yName + ": y must be integer labels [N] or f32/f64 "
                         "targets [N, ...], found " + y.describe());
  if (x.shape()[0] != y.shape()[0])
    return Status::error(yName + ": " + std::to_string(y.shape()[0]) +
                         (labels ? " labels for " : " targets for ") +
                         std::to_string(x.shape()[0]) + " examples in " +
                         xName);
  return ArrayDataset{std::move(x), std::move(y)};
}

/// `dir/name.gz`, else `dir/name`; an error naming both when neither exists.
Result<std::string> idxFile(const std::string &dir, const std::string &name) {
  std::string plain = dir + "/" + name, gz = plain + ".gz";
  if (exists(gz))
    return gz;
  if (exists(plain))
    return plain;
  return Status::error(gz + ": no such file (nor " + plain + ")");
}

Result<ArrayDataset> loadIdx(const std::string &dir, const std::string &split) {
  std::string prefix = split == "train" ? "train" : "t10k";
  Result<std::string> xPath = idxFile(dir, prefix + "-images-idx3-ubyte");
  if (!xPath)
    return xPath.status();
  Result<std::string> yPath = idxFile(dir, prefix + "-labels-idx1-ubyte");
  if (!yPath)
    return yPath.status();
  Result<HostTensor> x = readIdx(*xPath);
  if (!x)
    return x.status();
  Result<HostTensor> y = readIdx(*yPath);
  if (!y)
    return y.status();
  return pair(std::move(*x), std::move(*y), *xPath, *yPath);
}

Result<HostTensor> npzMember(const ZipArchive &zip, const std::string &key) {
  const ZipEntry *entry = zip.find(key + ".npy");
  if (!entry)
    entry = zip.find(key);
  if (!entry) {
    std::string names;
    for (const ZipEntry &e : zip.entries())
      names += (names.empty() ? "" : ", ") + e.name;
    return Status::error(zip.path() + ": no array '" + key +
                         "' (no member '" + key + ".npy'; members: " +
                         (names.empty() ? "none" : names) + ")");
  }
  Result<std::vector<uint8_t>> bytes = zip.read(*entry);
  if (!bytes)
    return bytes.status();
  Result<HostTensor> t = parseNpyBytes(bytes->data(), bytes->size());
  if (!t)
    return t.status().withPrefix(zip.path() + ": member '" + entry->name + "'");
  return t;
}

Result<ArrayDataset> loadNpz(const std::string &path, const std::string &split) {
  Result<ZipArchive> zip = ZipArchive::open(path);
  if (!zip)
    return zip.status();
  std::string xKey = "x_" + split, yKey = "y_" + split;
  Result<HostTensor> x = npzMember(*zip, xKey);
  if (!x)
    return x.status();
  Result<HostTensor> y = npzMember(*zip, yKey);
  if (!y)
    return y.status();
  return pair(std::move(*x), std::move(*y), path + ": '" + xKey + "'",
              path + ": '" + yKey + "'");
}
} // namespace

Result<ArrayDataset> weir::loadArrays(const std::string &path,
                                      const std::string &split) {
  if (split != "train" && split != "test")
    return Status::error(path + ": unknown split '" + split +
                         "' (expected 'train' or 'test')");
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return Status::error(path + ": cannot open: " + std::strerror(errno));
  if (S_ISDIR(st.st_mode))
    return loadIdx(path, split);
  return loadNpz(path, split);
}
