//===- Datasets.cpp - dataset conversion tools (`weir data`) -------------===//
//
// `weir data import-idx SRC DST` turns an MNIST-style IDX dataset (such as
// Debian's dataset-fashion-mnist) into the directory tree Keras'
// image_dataset_from_directory and Weir's `images(...)` read:
// DST/{train,test}/<class>/<index>.png. Class folders are named
// "<label>_<name>" so that sorting them, as Keras does, gives back the
// original label order.
//
// `weir data bench DIR [...]` runs the input-pipeline engine over an image
// tree and prints images/s per epoch (runtime/pipeline/Bench.h).
//
//===----------------------------------------------------------------------===//
#include "runtime/ThreadPool.h"
#include "runtime/data/Idx.h"
#include "runtime/data/Png.h"
#include "runtime/pipeline/Bench.h"
#include "api/Datasets.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <chrono>
#include <thread>

using namespace weir;

static const char *const kFashionMnist[] = {
    "tshirt_top", "trouser", "pullover", "dress", "coat",
    "sandal",     "shirt",   "sneaker",  "bag",   "ankle_boot"};

/// The IDX file `stem` in `dir`, plain or gzipped.
static std::string findIdx(const std::string &dir, const std::string &stem) {
  for (const char *suffix : {"", ".gz"}) {
    llvm::SmallString<256> p(dir);
    llvm::sys::path::append(p, stem + suffix);
    if (llvm::sys::fs::exists(p))
      return std::string(p);
  }
  return "";
}

/// Folder names for `numClasses` labels: "<label>_<name>", the label
/// zero-padded so that sorted order is label order.
static std::vector<std::string> classFolders(const DataImport &options,
                                             int numClasses) {
  std::vector<std::string> names;
  bool fashion = options.classNames == "fashion-mnist" ||
                 (options.classNames.empty() && numClasses == 10 &&
                  llvm::StringRef(options.source).contains("fashion"));
  llvm::SmallVector<llvm::StringRef> given;
  if (!fashion && !options.classNames.empty() &&
      options.classNames != "digits")
    llvm::SplitString(options.classNames, given, ",");
  int width = numClasses > 10 ? int(std::to_string(numClasses - 1).size()) : 1;
  for (int i = 0; i < numClasses; ++i) {
    std::string index = std::to_string(i);
    index.insert(0, width - index.size(), '0');
    if (fashion)
      names.push_back(index + "_" + kFashionMnist[i]);
    else if (i < int(given.size()))
      names.push_back(index + "_" + given[i].str());
    else
      names.push_back(index);
  }
  return names;
}

/// Writes one image: encoded, then written to a temporary name and renamed,
/// so no reader ever sees a partial file. Not fsync'ed one by one (that
/// made a Fashion-MNIST import 7x slower); the import syncs once at the end.
static Status writeImage(const std::string &path, const HostTensor &image) {
  Result<std::vector<uint8_t>> png = encodePng(image);
  if (!png.ok())
    return png.status().withPrefix(path);
  std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return Status::error(temp + ": cannot create: " + std::strerror(errno));
  size_t done = 0;
  while (done < png->size()) {
    ssize_t n = ::write(fd, png->data() + done, png->size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      std::string error = std::strerror(errno);
      ::close(fd);
      ::unlink(temp.c_str());
      return Status::error(temp + ": write failed: " + error);
    }
    done += size_t(n);
  }
  if (::close(fd) != 0 || ::rename(temp.c_str(), path.c_str()) != 0) {
    std::string error = std::strerror(errno);
    ::unlink(temp.c_str());
    return Status::error(path + ": cannot write: " + error);
  }
  return Status::success();
}

static Status importSplit(const DataImport &options, const std::string &split,
                          const std::string &prefix, ThreadPool &pool,
                          int64_t &written) {
  std::string images = findIdx(options.source, prefix + "-images-idx3-ubyte");
  std::string labels = findIdx(options.source, prefix + "-labels-idx1-ubyte");
  if (images.empty() || labels.empty())
    return Status::error(options.source + ": no " + prefix +
                         "-images-idx3-ubyte[.gz] and " + prefix +
                         "-labels-idx1-ubyte[.gz] here");
  Result<LabeledImages> data = readIdxImages(images, labels);
  if (!data.ok())
    return data.status();
  int64_t n = data->images.shape()[0];
  int64_t h = data->images.shape()[1], w = data->images.shape()[2];
  int numClasses = 0;
  for (int64_t i = 0; i < n; ++i)
    numClasses = std::max(numClasses, int(data->labels.data<uint8_t>()[i]) + 1);
  if (numClasses > (options.classNames == "fashion-mnist" ? 10 : 256))
    return Status::error(labels + ": label " + std::to_string(numClasses - 1) +
                         " has no class name");
  std::vector<std::string> folders = classFolders(options, numClasses);
  for (const std::string &folder : folders) {
    llvm::SmallString<256> dir(options.destination);
    llvm::sys::path::append(dir, split, folder);
    if (std::error_code ec = llvm::sys::fs::create_directories(dir))
      return Status::error(std::string(dir) + ": cannot create: " + ec.message());
  }
  int digits = int(std::to_string(std::max<int64_t>(n - 1, 0)).size());
  std::vector<Status> statuses(pool.size());
  std::atomic<int64_t> done{0};
  pool.parallelFor(pool.size(), [&](unsigned t) {
    int64_t begin = n * t / pool.size(), end = n * (t + 1) / pool.size();
    for (int64_t i = begin; i < end && statuses[t].ok(); ++i) {
      Result<HostTensor> image = HostTensor::create(DType::U8, {h, w, 1});
      if (!image.ok()) {
        statuses[t] = image.status();
        break;
      }
      std::memcpy(image->rawData(), data->images.bytes() + i * h * w, h * w);
      std::string name = std::to_string(i);
      name.insert(0, digits - name.size(), '0');
      llvm::SmallString<256> path(options.destination);
      llvm::sys::path::append(path, split,
                              folders[data->labels.data<uint8_t>()[i]],
                              name + ".png");
      statuses[t] = writeImage(std::string(path), *image);
      ++done;
    }
  });
  for (Status &s : statuses)
    if (!s.ok())
      return s;
  written += done.load();
  return Status::success();
}

Result<DataImportResult> weir::importIdx(const DataImport &options) {
  auto start = std::chrono::steady_clock::now();
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  ThreadPool pool(threads);
  int64_t written = 0;
  for (auto [split, prefix] : {std::pair<const char *, const char *>{"train", "train"},
                               {"test", "t10k"}})
    if (Status s = importSplit(options, split, prefix, pool, written); !s.ok())
      return s;
  ::sync();
  DataImportResult result;
  result.images = written;
  result.seconds = std::chrono::duration<double>(
                       std::chrono::steady_clock::now() - start).count();
  return result;
}

int weir::runDataBench(const std::vector<std::string> &args) {
  return pipeline::runBench(args, "weir data bench");
}
