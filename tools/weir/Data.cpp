//===- Data.cpp - `weir data import-idx SRC DST` ---------------------------===//
#include "api/Datasets.h"
#include "tools/weir/Commands.h"
#include "tools/weir/Flags.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace weir;

int commands::data() {
  if (flags::dataArgs.size() != 3 || flags::dataArgs[0] != "import-idx") {
    llvm::errs() << "weir data: usage: weir data import-idx <src> <dst> "
                    "[--class-names=...]\n";
    return 2;
  }
  DataImport request;
  request.source = flags::dataArgs[1];
  request.destination = flags::dataArgs[2];
  request.classNames = flags::classNames;
  Result<DataImportResult> r = importIdx(request);
  if (!r.ok()) {
    llvm::errs() << "weir data import-idx: error: " << r.status().message()
                 << "\n";
    return 1;
  }
  llvm::outs() << "wrote " << r->images << " PNG images under "
               << request.destination << " in "
               << llvm::format("%.1f", r->seconds) << " s\n";
  return 0;
}
