//===- Run.cpp - `weir run`: inference on the CPU -------------------------===//
//
// The model is a description (.weir or .mlir, compiled by the JIT) or a
// library from `weir compile --emit=lib`; api/Inference.h checks every
// input and weight against its signature.
//
//===----------------------------------------------------------------------===//
#include "api/Files.h"
#include "api/Inference.h"
#include "tools/weir/Commands.h"
#include "tools/weir/Flags.h"

#include "llvm/Support/raw_ostream.h"

using namespace weir;

int commands::run() {
  if (flags::weights.empty() || flags::inputs.empty() ||
      flags::runOutput.empty()) {
    llvm::errs() << "weir run: needs --weights, --input and --output\n";
    return 2;
  }
  InferenceRequest request;
  request.model = flags::model;
  request.function = flags::function;
  request.weights = flags::weights;
  request.inputs.assign(flags::inputs.begin(), flags::inputs.end());
  request.threads = flags::threads;
  request.session = flags::sessionOptions();
  Result<HostTensor> out = runInference(request);
  if (!out.ok())
    return flags::fail("run", out.status().message());
  if (Status s = writeArrayFile(flags::runOutput, *out); !s.ok())
    return flags::fail("run", s.message());
  return 0;
}
