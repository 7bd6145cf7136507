//===- Compile.cpp - `weir compile`: run the pipelines up to a stage -----===//
#include "passes/Pipelines.h"
#include "passes/Transforms.h"
#include "tools/weir/Batches.h"
#include "tools/weir/Commands.h"

#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

int weir::runCompile(const CompileOptions &options) {
  static const char *const kStages[] = {"weir", "linalg", "llvm", "obj",
                                        "lib"};
  int stage = -1;
  for (int i = 0; i < 5; ++i)
    if (options.emit == kStages[i])
      stage = i;
  // `train`: the weir module with its training functions built.
  bool train = options.emit == "train";
  // `pipeline`: the placement of every data-pipeline stage, then the module.
  bool pipeline = options.emit == "pipeline";
  if (train || pipeline)
    stage = 0;
  if (stage < 0) {
    llvm::errs() << "weir compile: unknown --emit=" << options.emit
                 << " (available: weir, pipeline, train, linalg, llvm, obj, "
                    "lib)\n";
    return 2;
  }
  if (stage >= 3 && options.output == "-") {
    llvm::errs() << "weir compile: --emit=" << options.emit
                 << " needs -o <file>\n";
    return 2;
  }

  auto session = Session::load(options.input, options.session);
  if (!session)
    return 1;
  if (train && failed(session->buildTraining()))
    return 1;
  // A library carries the signature of its entry point, read before lowering.
  std::optional<ModelManifest> manifest;
  if (stage == 4) {
    func::FuncOp func = session->entry(options.function);
    if (!func)
      return 1;
    Result<ModelManifest> m = session->manifestOf(func);
    if (!m.ok()) {
      llvm::errs() << "weir compile: " << m.status().message() << "\n";
      return 1;
    }
    manifest = *m;
  }
  if (stage >= 1 && failed(session->runPasses(buildToLinalgPipeline)))
    return 1;
  if (stage >= 2 && failed(session->runPasses(buildCpuLoweringPipeline)))
    return 1;
  if (stage >= 3) {
    dropWeirAnnotations(session->module());
    LogicalResult written =
        stage == 3 ? emitObjectFile(session->module(), options.output)
                   : emitSharedLibrary(session->module(), *manifest,
                                       options.output);
    return failed(written) ? 1 : 0;
  }

  std::string error;
  auto out = openOutputFile(options.output, &error);
  if (!out) {
    llvm::errs() << "weir compile: " << error << "\n";
    return 1;
  }
  if (pipeline)
    printPlacement(session->module(), out->os());
  session->module().print(out->os());
  out->os() << "\n";
  out->keep();
  return 0;
}
