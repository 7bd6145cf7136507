//===- Compile.cpp - `weir compile`: run the pipelines up to a stage -----===//
#include "passes/Pipelines.h"
#include "passes/Transforms.h"
#include "tools/weir/Commands.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

int weir::runCompile(const CompileOptions &options) {
  static const char *const kStages[] = {"weir", "linalg", "llvm", "obj"};
  int stage = -1;
  for (int i = 0; i < 4; ++i)
    if (options.emit == kStages[i])
      stage = i;
  if (stage < 0) {
    llvm::errs() << "weir compile: unknown --emit=" << options.emit
                 << " (available: weir, linalg, llvm, obj)\n";
    return 2;
  }
  if (stage == 3 && options.output == "-") {
    llvm::errs() << "weir compile: --emit=obj needs -o <file.o>\n";
    return 2;
  }

  auto session = Session::load(options.input, options.session);
  if (!session)
    return 1;
  if (stage >= 1 && failed(session->runPasses(buildToLinalgPipeline)))
    return 1;
  if (stage >= 2 && failed(session->runPasses(buildCpuLoweringPipeline)))
    return 1;
  if (stage == 3) {
    dropWeirAnnotations(session->module());
    return failed(emitObjectFile(session->module(), options.output)) ? 1 : 0;
  }

  std::string error;
  auto out = openOutputFile(options.output, &error);
  if (!out) {
    llvm::errs() << "weir compile: " << error << "\n";
    return 1;
  }
  session->module().print(out->os());
  out->os() << "\n";
  out->keep();
  return 0;
}
