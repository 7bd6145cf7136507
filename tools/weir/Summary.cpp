//===- Summary.cpp - `weir summary`: Keras' model.summary() --------------===//
#include "api/Session.h"
#include "api/Summary.h"
#include "tools/weir/Commands.h"
#include "tools/weir/Flags.h"

#include "llvm/Support/raw_ostream.h"

using namespace weir;

int commands::summary() {
  std::unique_ptr<Session> session =
      Session::load(flags::model, flags::sessionOptions());
  if (!session)
    return 1;
  Result<ModelSummary> summary = summarizeModel(*session, flags::function);
  if (!summary.ok())
    return flags::fail("summary", summary.status().message());
  llvm::outs() << formatSummary(*summary);
  return 0;
}
