//===- Session.h - the compiler's entry point: one model and its pipelines -*- C++ -*-===//
//
// A Session holds one model (.weir through the front end, or MLIR) in its
// own MLIRContext, runs the named pipelines on it (passes/Pipelines.h) in
// the order they must run, and JIT-compiles it for a target. Diagnostics
// print to stderr as file:line:col with the source line.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_API_SESSION_H
#define WEIR_API_SESSION_H

#include "api/Options.h"
#include "runtime/HostTensor.h"
#include "runtime/cpu/AotLibrary.h"
#include "runtime/cpu/JitExecutable.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/SourceMgr.h"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace weir {

class TrainConfigOp;

/// A parameter the entry function reads, in the order the lowered function
/// takes them (declaration order).
struct EntryParameter {
  std::string name;
  mlir::RankedTensorType type;
};

/// A model file, parsed, checked and fully typed by weir-model-pipeline.
/// Diagnostics print to stderr as file:line:col with the source line.
class Session {
public:
  /// Loads `path` (.weir through the front end, anything else as MLIR) and
  /// runs the model pipeline. Null after printing the errors.
  static std::unique_ptr<Session> load(const std::string &path,
                                       const SessionOptions &options);
  /// Like load, from text in memory; `name` stands for the file in
  /// diagnostics, and its extension picks the parser (.weir or MLIR).
  static std::unique_ptr<Session> loadSource(const std::string &text,
                                             const std::string &name,
                                             const SessionOptions &options);
  /// What loading `text` as a .weir file does, with every diagnostic
  /// swallowed and one context shared across calls: the front end rejects
  /// it, accepts it (the model pipeline then runs, whatever it says), or —
  /// a bug — returns a module that does not verify. For the fuzzer.
  enum class Probe { Rejected, Accepted, InvalidModule };
  static Probe probeSource(llvm::StringRef text);

  /// The same source loaded again into a fresh session (model pipeline
  /// run, nothing else).
  std::unique_ptr<Session> reload() const;
  /// The model file's name (or the name given to loadSource).
  const std::string &name() const { return name_; }
  const SessionOptions &options() const { return options_; }
  /// How the module is printed: with locations under printLocations.
  mlir::OpPrintingFlags printingFlags() const {
    return mlir::OpPrintingFlags().enableDebugInfo(options_.printLocations);
  }
  ~Session();

  mlir::ModuleOp module() { return *module_; }
  mlir::MLIRContext &context() { return *context_; }

  /// The model function `name`, or the first one when `name` is empty.
  /// Prints an error and returns null when there is none.
  mlir::func::FuncOp entry(const std::string &name);
  /// The parameters `func` reads, in declaration order.
  std::vector<EntryParameter> parametersOf(mlir::func::FuncOp func);

  /// The signature of `func` as the runtime sees it: inputs, parameters
  /// (declaration order) and the single output, -1 for the batch. Fails
  /// (with a message) for types the runtime has no dtype for or more than
  /// one output.
  Result<ModelManifest> manifestOf(mlir::func::FuncOp func);

  /// Builds the training functions of the module's `train` block
  /// (weir-train-step-pipeline), once. Fails, with a message, without one
  /// or after lowering: the pipelines run in their order (model, train
  /// step, to-linalg, a target's lowering), and the session holds to it.
  mlir::LogicalResult buildTraining();

  /// Runs weir-to-linalg-pipeline (pipelines dropped, parameters lifted,
  /// weir lowered to linalg). Once: a second call fails with a message.
  mlir::LogicalResult lowerToLinalg();

  /// Lowers the module to the LLVM dialect (to-linalg and CPU lowering
  /// pipelines) and JIT-compiles it. Errors are printed; null on failure.
  std::unique_ptr<JitExecutable> compileForCpu();

  /// Lowers the module for CUDA (to-linalg, then weir-cuda-pipeline with a
  /// cubin for `chip`, e.g. "sm_90") and JIT-compiles the host code, its
  /// kernels embedded; the mgpu* and library calls resolve to
  /// runtime/device. Errors are printed; null on failure.
  std::unique_ptr<JitExecutable> compileForCuda(const std::string &chip);

  /// Lowers the module with weir-cuda-emulation-pipeline (the CUDA
  /// program, its kernel launches as loops) and JIT-compiles it for the
  /// CPU; the library calls run on the runtime's CPU device. For testing
  /// the CUDA target without a GPU. Errors are printed; null on failure.
  std::unique_ptr<JitExecutable> compileForCudaEmulation();

  /// The results of `function` that weir-drop-in-place-results removed
  /// (updated in place) during compileForCpu, by original index.
  std::vector<int64_t> droppedResults(const std::string &function) const;

  /// The search space of a .weir file (empty for one without, or MLIR).
  const SearchSpace &searchSpace() const { return space_; }
  /// The source text the session was loaded from.
  const std::string &source() const { return source_; }

  /// Where this session's messages go: SessionOptions::diagnostics, or
  /// stderr.
  llvm::raw_ostream &diag() { return *diag_; }

  /// Runs the passes `build` adds on the module, with this session's IR
  /// printing and timing options.
  mlir::LogicalResult
  runPasses(llvm::function_ref<void(mlir::OpPassManager &)> build);

private:
  /// Sets the train config's precision (when there is one) to the
  /// --precision option, when one was given, and checks its name.
  mlir::LogicalResult applyPrecisionOption(TrainConfigOp config);

  Session() = default;
  /// Parses the source buffer just added and runs the model pipeline.
  bool parseAndVerify();
  /// JIT-compiles the lowered module; `symbols` resolve what the process
  /// does not export. Errors are printed; null on failure.
  std::unique_ptr<JitExecutable>
  jit(const std::vector<std::pair<std::string, void *>> &symbols);
  SessionOptions options_;
  std::string name_, source_;
  /// How far down the pipelines the module is.
  enum class Stage { Model, Training, Lowered } stage_ = Stage::Model;
  std::unique_ptr<mlir::MLIRContext> context_;
  llvm::SourceMgr sourceMgr_;
  /// SessionOptions::diagnostics as an LLVM stream (unbuffered), or
  /// llvm::errs().
  std::unique_ptr<llvm::raw_ostream> ownedDiag_;
  llvm::raw_ostream *diag_ = nullptr;
  std::unique_ptr<mlir::SourceMgrDiagnosticHandler> diagnostics_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
  std::map<std::string, std::vector<int64_t>> droppedResults_;
  SearchSpace space_;
};

/// The runtime dtype of a tensor element type, if it has one.
std::optional<DType> dtypeOf(mlir::Type elementType);

} // namespace weir

#endif // WEIR_API_SESSION_H
