//===- Init.cpp - `weir init`: freshly initialized weights ---------------===//
#include "api/Session.h"
#include "api/Trainer.h"
#include "tools/weir/Commands.h"
#include "tools/weir/Flags.h"

#include "llvm/Support/raw_ostream.h"

using namespace weir;

int commands::init() {
  if (flags::output == "-") {
    llvm::errs() << "weir init: needs -o <weights.safetensors>\n";
    return 2;
  }
  auto session = Session::load(flags::model, flags::sessionOptions());
  if (!session)
    return 1;
  if (Status s = writeInitialWeights(*session, flags::seed, flags::output);
      !s.ok())
    return flags::fail("init", s.message());
  return 0;
}
