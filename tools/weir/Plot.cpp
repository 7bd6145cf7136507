//===- Plot.cpp - `weir plot`: a history CSV as training curves ----------===//
#include "api/TrainingLogs.h"
#include "tools/weir/Commands.h"
#include "tools/weir/Flags.h"

#include "llvm/Support/raw_ostream.h"

using namespace weir;

int commands::plot() {
  if (flags::output == "-") {
    llvm::errs() << "weir plot: needs -o curves.png\n";
    return 2;
  }
  if (Status s = plotHistoryFile(flags::historyFile, flags::output); !s.ok())
    return flags::fail("plot", s.message());
  llvm::outs() << "wrote " << flags::output << "\n";
  return 0;
}
