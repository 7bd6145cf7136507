//===- weir.cpp - the weir driver: subcommands over the compiler ---------===//
#include "tools/weir/Commands.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);

  cl::SubCommand compile("compile", "Compile a model; print or write a stage");
  cl::SubCommand run("run", "Run a model on inputs (inference, CPU)");
  cl::SubCommand initCmd("init", "Write freshly initialized weights");
  cl::SubCommand *all[] = {&compile, &run, &initCmd};

  cl::opt<std::string> model(cl::Positional, cl::desc("<model.weir|model.mlir>"),
                             cl::Required, cl::sub(compile), cl::sub(run),
                             cl::sub(initCmd));
  cl::opt<std::string> output("o", cl::desc("Output file"),
                              cl::value_desc("file"), cl::init("-"),
                              cl::sub(compile), cl::sub(initCmd));
  cl::opt<std::string> emit(
      "emit", cl::desc("Stage to emit: weir, linalg, llvm (LLVM dialect), obj"),
      cl::init("weir"), cl::sub(compile));
  cl::opt<bool> printAfterAll("print-ir-after-all",
                              cl::desc("Print the module after every pass"),
                              cl::sub(compile), cl::sub(run));
  cl::opt<bool> timing("timing", cl::desc("Report the time of each pass"),
                       cl::sub(compile), cl::sub(run));
  cl::opt<bool> noUnusedWarning(
      "no-warn-unused-parameters",
      cl::desc("Do not warn about parameters that no function reads"),
      cl::sub(compile), cl::sub(run), cl::sub(initCmd));
  cl::opt<std::string> weights("weights", cl::desc("Weights (.safetensors)"),
                               cl::value_desc("file"), cl::sub(run));
  cl::list<std::string> inputs("input", cl::desc("Input array (.npy), one per model input"),
                               cl::value_desc("file"), cl::sub(run));
  cl::opt<std::string> runOutput("output", cl::desc("Output array (.npy)"),
                                 cl::value_desc("file"), cl::sub(run));
  cl::opt<std::string> function("function",
                                cl::desc("Model to run (default: the first)"),
                                cl::sub(run));
  cl::opt<uint64_t> seed("seed", cl::desc("Run seed for initializers"),
                         cl::init(0), cl::sub(initCmd));
  (void)all;

  cl::ParseCommandLineOptions(
      argc, argv,
      "weir: compile and run deep-learning models\n\n"
      "  weir compile model.weir [--emit=weir|linalg|llvm|obj] [-o out]\n"
      "  weir init model.weir -o weights.safetensors [--seed S]\n"
      "  weir run model.weir --weights w.safetensors --input x.npy "
      "--output y.npy\n");

  weir::SessionOptions session;
  session.printIRAfterAll = printAfterAll;
  session.timing = timing;
  session.warnUnusedParameters = !noUnusedWarning;

  if (compile) {
    weir::CompileOptions options;
    options.input = model;
    options.output = output;
    options.emit = emit;
    options.session = session;
    return weir::runCompile(options);
  }
  if (run) {
    if (weights.empty() || inputs.empty() || runOutput.empty()) {
      llvm::errs() << "weir run: needs --weights, --input and --output\n";
      return 2;
    }
    weir::RunOptions options;
    options.model = model;
    options.function = function;
    options.weights = weights;
    options.inputs.assign(inputs.begin(), inputs.end());
    options.output = runOutput;
    options.session = session;
    return weir::runRun(options);
  }
  if (initCmd) {
    if (output == "-") {
      llvm::errs() << "weir init: needs -o <weights.safetensors>\n";
      return 2;
    }
    weir::InitOptions options;
    options.model = model;
    options.output = output;
    options.seed = seed;
    options.session = session;
    return weir::runInit(options);
  }
  llvm::errs() << "weir: no subcommand given; see `weir --help`\n";
  return 2;
}
