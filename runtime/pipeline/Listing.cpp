// The listing of images(dir): class folders, files, labels, the validation
// split and the interleave order, as Keras' image_dataset_from_directory.
#include "runtime/pipeline/Internal.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <dirent.h>
#include <numeric>
#include <sys/stat.h>

namespace weir::pipeline {
namespace {

bool hasImageExtension(const std::string &name) {
  static const char *const kExtensions[] = {".png", ".jpg", ".jpeg", ".bmp",
                                            ".gif"};
  for (const char *ext : kExtensions) {
    size_t n = std::strlen(ext);
    if (name.size() >= n &&
        std::equal(name.end() - long(n), name.end(), ext,
                   [](char a, char b) { return std::tolower(a) == b; }))
      return true;
  }
  return false;
}

struct DirEntries {
  std::vector<std::string> files, dirs;
};

Result<DirEntries> readDirectory(const std::string &dir) {
  DIR *d = ::opendir(dir.c_str());
  if (!d)
    return Status::error(dir + ": cannot read the directory: " +
                         std::strerror(errno));
  DirEntries out;
  while (struct dirent *e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..")
      continue;
    struct stat st;
    if (::stat((dir + "/" + name).c_str(), &st) != 0)
      continue; // a dangling link, as os.walk skips it
    if (S_ISDIR(st.st_mode))
      out.dirs.push_back(name);
    else if (S_ISREG(st.st_mode))
      out.files.push_back(name);
  }
  ::closedir(d);
  std::sort(out.files.begin(), out.files.end());
  std::sort(out.dirs.begin(), out.dirs.end());
  return out;
}

// Keras' iter_valid_files: os.walk (no links followed into), the folders
// sorted by their path, the image files of each sorted by name.
Status walkImages(const std::string &top, int32_t label,
                  std::vector<ImageFile> &out) {
  std::vector<std::pair<std::string, std::vector<std::string>>> folders;
  std::vector<std::string> pending = {top};
  while (!pending.empty()) {
    std::string dir = std::move(pending.back());
    pending.pop_back();
    Result<DirEntries> entries = readDirectory(dir);
    if (!entries)
      return entries.status();
    for (const std::string &sub : entries->dirs) {
      struct stat st;
      std::string path = dir + "/" + sub;
      if (::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        pending.push_back(path);
    }
    std::vector<std::string> images;
    for (const std::string &f : entries->files)
      if (hasImageExtension(f))
        images.push_back(f);
    folders.emplace_back(dir, std::move(images));
  }
  std::sort(folders.begin(), folders.end(),
            [](const auto &a, const auto &b) { return a.first < b.first; });
  for (auto &[dir, names] : folders)
    for (const std::string &name : names) {
      ImageFile file;
      file.path = dir + "/" + name;
      file.label = label;
      struct stat st;
      if (::stat(file.path.c_str(), &st) != 0)
        return Status::error(file.path + ": cannot stat: " +
                             std::strerror(errno));
      file.size = uint64_t(st.st_size);
      file.mtimeNs = int64_t(st.st_mtim.tv_sec) * 1000000000 +
                     st.st_mtim.tv_nsec;
      out.push_back(std::move(file));
    }
  return Status::success();
}

} // namespace

std::vector<int64_t> subsetIndices(int64_t n, double split, Subset subset,
                                   uint64_t seed) {
  std::vector<int64_t> all(static_cast<size_t>(n));
  std::iota(all.begin(), all.end(), 0);
  if (subset == Subset::All)
    return all;
  // Keras shuffles the file list with the seed before splitting.
  SplitMix64 stream(seed, 0x5EED5B1170ull);
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(all[size_t(i)], all[size_t(stream.below(uint64_t(i) + 1))]);
  int64_t numValidation = int64_t(std::floor(split * double(n)));
  int64_t numTraining = n - numValidation;
  if (subset == Subset::Training)
    all.resize(size_t(numTraining));
  else
    all.erase(all.begin(), all.begin() + numTraining);
  return all;
}

std::vector<int64_t> interleaveOrder(const std::vector<int32_t> &labels,
                                     int64_t cycle, int64_t block) {
  // Runs of each class, classes in first-appearance order.
  std::vector<std::vector<int64_t>> runs;
  std::vector<int64_t> runOf;
  for (size_t i = 0; i < labels.size(); ++i) {
    int32_t l = labels[i];
    if (size_t(l) >= runOf.size())
      runOf.resize(size_t(l) + 1, -1);
    if (runOf[size_t(l)] < 0) {
      runOf[size_t(l)] = int64_t(runs.size());
      runs.emplace_back();
    }
    runs[size_t(runOf[size_t(l)])].push_back(int64_t(i));
  }
  std::vector<int64_t> out;
  out.reserve(labels.size());
  cycle = std::max<int64_t>(1, cycle);
  block = std::max<int64_t>(1, block);
  // tf.data's InterleaveDatasetOp state machine, step by step: a slot
  // whose run is exhausted is emptied and the cycle moves on; an empty slot
  // is filled with the next run when the cycle comes back to it.
  struct Slot {
    int64_t run = -1;
    size_t pos = 0;
  };
  std::vector<Slot> slots(static_cast<size_t>(cycle));
  size_t nextRun = 0, cycleIndex = 0;
  int64_t numOpen = 0, blockIndex = 0;
  bool endOfInput = false;
  auto advance = [&] {
    blockIndex = 0;
    cycleIndex = (cycleIndex + 1) % slots.size();
  };
  while (!endOfInput || numOpen > 0) {
    Slot &s = slots[cycleIndex];
    if (s.run >= 0) {
      if (blockIndex < block) {
        const std::vector<int64_t> &run = runs[size_t(s.run)];
        if (s.pos < run.size()) {
          out.push_back(run[s.pos++]);
          ++blockIndex;
          continue;
        }
        s.run = -1;
        --numOpen;
      }
      advance();
    } else if (!endOfInput) {
      if (nextRun < runs.size()) {
        s = Slot{int64_t(nextRun++), 0};
        ++numOpen;
      } else {
        endOfInput = true;
      }
    } else {
      advance();
    }
  }
  return out;
}

Result<Listing> listImages(const ImageSourceSpec &source,
                           const InterleaveSpec &interleave) {
  const std::string &dir = source.directory;
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0)
    return Status::error(dir + ": no such directory");
  if (!S_ISDIR(st.st_mode))
    return Status::error(dir + ": not a directory");

  Listing listing;
  std::vector<ImageFile> files;
  if (source.inferLabels) {
    Result<DirEntries> top = readDirectory(dir);
    if (!top)
      return top.status();
    for (const std::string &sub : top->dirs)
      if (sub[0] != '.')
        listing.classNames.push_back(sub);
    if (listing.classNames.empty())
      return Status::error(dir + ": no class folders (labels are inferred "
                                 "from the subfolders' names)");
    for (size_t c = 0; c < listing.classNames.size(); ++c) {
      std::string folder = dir + "/" + listing.classNames[c];
      size_t before = files.size();
      WEIR_RETURN_IF_ERROR(walkImages(folder, int32_t(c), files));
      if (files.size() == before)
        return Status::error(folder + ": empty class folder (no .png, .jpg, "
                                      ".jpeg, .bmp or .gif files)");
    }
  } else {
    WEIR_RETURN_IF_ERROR(walkImages(dir, 0, files));
    if (files.empty())
      return Status::error(dir + ": no images (.png, .jpg, .jpeg, .bmp or "
                                 ".gif files)");
  }

  std::vector<int64_t> keep =
      subsetIndices(int64_t(files.size()), source.validationSplit,
                    source.subset, source.seed);
  if (keep.empty())
    return Status::error(dir + ": the " +
                         (source.subset == Subset::Validation ? "validation"
                                                              : "training") +
                         " subset is empty (" + std::to_string(files.size()) +
                         " files, validation_split " +
                         std::to_string(source.validationSplit) + ")");
  if (interleave.cycleLength > 0) {
    std::vector<int32_t> labels;
    for (int64_t i : keep)
      labels.push_back(files[size_t(i)].label);
    std::vector<int64_t> order = interleaveOrder(
        labels, interleave.cycleLength, interleave.blockLength);
    std::vector<int64_t> reordered;
    for (int64_t i : order)
      reordered.push_back(keep[size_t(i)]);
    keep = std::move(reordered);
  }
  listing.files.reserve(keep.size());
  for (int64_t i : keep)
    listing.files.push_back(std::move(files[size_t(i)]));
  return listing;
}

} // namespace weir::pipeline
