//===- weir.cpp - the weir driver: subcommands over the compiler ---------===//
//
// `weir compile` is the only subcommand so far; run, init, train, evaluate
// and predict arrive with the front end and the runtime.
//
//===----------------------------------------------------------------------===//
#include "tools/weir/Compile.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);

  cl::SubCommand compile("compile",
                         "Compile a model and print or write its IR");
  cl::opt<std::string> input(cl::Positional, cl::desc("<model>"),
                             cl::Required, cl::sub(compile));
  cl::opt<std::string> output("o", cl::desc("Output file (default: stdout)"),
                              cl::value_desc("file"), cl::init("-"),
                              cl::sub(compile));
  cl::opt<std::string> emit("emit",
                            cl::desc("Stage to emit: weir (checked, fully "
                                     "typed weir dialect)"),
                            cl::init("weir"), cl::sub(compile));
  cl::opt<bool> printAfterAll("print-ir-after-all",
                              cl::desc("Print the module after every pass"),
                              cl::sub(compile));
  cl::opt<bool> timing("timing", cl::desc("Report the time of each pass"),
                       cl::sub(compile));
  cl::opt<bool> noUnusedWarning(
      "no-warn-unused-parameters",
      cl::desc("Do not warn about parameters that no function reads"),
      cl::sub(compile));

  cl::ParseCommandLineOptions(
      argc, argv,
      "weir: compile and train deep-learning models\n\n"
      "  weir compile model.mlir [--emit=weir] [-o out] "
      "[--print-ir-after-all] [--timing]\n");

  if (compile) {
    weir::CompileOptions options;
    options.input = input;
    options.output = output;
    options.emit = emit;
    options.printIRAfterAll = printAfterAll;
    options.timing = timing;
    options.warnUnusedParameters = !noUnusedWarning;
    return weir::runCompile(options);
  }
  llvm::errs() << "weir: no subcommand given; see `weir --help`\n";
  return 2;
}
