//===- weir.cpp - the weir driver: subcommands over the API --------------===//
#include "api/Datasets.h"
#include "tools/weir/Commands.h"
#include "tools/weir/Flags.h"

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;
namespace flags = weir::flags;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // `weir data bench` parses its own options (LLVM's parser knows none).
  if (argc > 2 && llvm::StringRef(argv[1]) == "data" &&
      llvm::StringRef(argv[2]) == "bench")
    return weir::runDataBench(std::vector<std::string>(argv + 3, argv + argc));

  // Help lists Weir's flags, not the hundreds LLVM's libraries register.
  cl::HideUnrelatedOptions(flags::category);
  for (cl::SubCommand *sub : cl::getRegisteredSubcommands())
    cl::HideUnrelatedOptions(flags::category, *sub);
  cl::ParseCommandLineOptions(
      argc, argv,
      "weir: compile and run deep-learning models\n\n"
      "  weir compile model.weir [--emit=weir|linalg|llvm|obj] [-o out]\n"
      "  weir compile model.weir --target=cuda --emit=gpu|nvvm|ptx|cubin|obj|jit "
      "[--cuda-arch=sm_80,sm_90]\n"
      "  weir summary model.weir [--function NAME]\n"
      "  weir init model.weir -o weights.safetensors [--seed S]\n"
      "  weir run model.weir --weights w.safetensors --input x.npy "
      "--output y.npy [--threads N]\n"
      "  weir bench model.weir [--batch 128] [--threads 2]\n"
      "  weir train model.weir [--data /usr/share/datasets/fashion-mnist] "
      "[-o w.safetensors] [--epochs N] [--seed S] [--resume]\n"
      "             [--history h.csv] [--logdir runs/1 [--log-every N]]\n"
      "  weir plot h.csv -o curves.png\n"
      "  weir tune model.weir --directory DIR [--tuner random|bayesian] "
      "[--max-trials 10] [--executions-per-trial 1] [--objective val_loss]\n"
      "  weir ensemble a.weir:a.safetensors b.weir:b.safetensors ... --data DIR "
      "[--weights uniform|tuned] [-o probs.npy]\n"
      "  weir evaluate model.weir --weights w.safetensors --data DIR\n"
      "  weir predict model.weir --weights w.safetensors --data DIR -o y.npy\n"
      "  weir data import-idx /usr/share/datasets/fashion-mnist data/fashion\n"
      "  weir data bench data/fashion/train [--batch-size 128] [--threads 2]\n");

  namespace commands = weir::commands;
  if (flags::compile)
    return commands::compile();
  if (flags::run)
    return commands::run();
  if (flags::init)
    return commands::init();
  if (flags::bench)
    return commands::bench();
  if (flags::train)
    return commands::train();
  if (flags::evaluate)
    return commands::evaluate();
  if (flags::predict)
    return commands::predict();
  if (flags::gradients)
    return commands::gradients();
  if (flags::summary)
    return commands::summary();
  if (flags::plot)
    return commands::plot();
  if (flags::tune)
    return commands::tune();
  if (flags::ensemble)
    return commands::ensemble();
  if (flags::data)
    return commands::data();
  llvm::errs() << "weir: no subcommand given; see `weir --help`\n";
  return 2;
}
