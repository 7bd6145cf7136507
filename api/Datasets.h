//===- Datasets.h - dataset conversion tools (`weir data`) -----*- C++ -*-===//
#ifndef WEIR_API_DATASETS_H
#define WEIR_API_DATASETS_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace weir {

struct DataImport {
  /// An MNIST-style IDX directory, and the PNG tree to write.
  std::string source, destination;
  /// "fashion-mnist", "digits", or a comma-separated list; empty: guess
  /// from the source path.
  std::string classNames;
};

struct DataImportResult {
  int64_t images = 0;
  double seconds = 0;
};

/// Writes DST/{train,test}/<label>_<class>/<index>.png from the IDX files,
/// each image atomically (temporary file, then rename).
Result<DataImportResult> importIdx(const DataImport &options);

/// `weir data bench DIR [--batch-size 128] [--threads N] [--epochs 2] ...`:
/// `args` are the words after `bench`; prints images/s per epoch.
int runDataBench(const std::vector<std::string> &args);

} // namespace weir

#endif // WEIR_API_DATASETS_H
