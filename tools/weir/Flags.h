//===- Flags.h - the weir driver's subcommands and flags ---------*- C++ -*-===//
//
// Declared in one file (Flags.cpp) so that every subcommand exists before
// the flags that name it; each subcommand's file reads them.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_TOOLS_WEIR_FLAGS_H
#define WEIR_TOOLS_WEIR_FLAGS_H

#include "api/Options.h"

#include "llvm/Support/CommandLine.h"

#include <string>

namespace weir::flags {
namespace cl = llvm::cl;

/// Every flag of the driver; `weir --help` lists this category only.
extern cl::OptionCategory category;

extern cl::SubCommand compile, run, init, bench, data, train, evaluate,
    predict, gradients, summary, plot, tune, ensemble;

extern cl::opt<std::string> model, output, emit, target, weights, dataPath,
    checkpoint, split, runOutput, function, classNames, onBadImage, device,
    precision, history, logdir, historyFile, saveBest, monitor, tuner,
    objective, directory, ensembleWeights, tuneSplit, exportDir;
extern cl::list<std::string> cudaArch, inputs, dataArgs, members;
extern cl::opt<bool> printAfterAll, printLocations, timing, noUnusedWarning, resume,
    noValidation, verbose, memory, measure, fusion, overwrite;
extern cl::opt<int64_t> epochs, batchSize, batch, logEvery, maxTrials,
    executionsPerTrial, initialPoints, maxEpochs, factor, parallelTrials,
    retrain;
extern cl::opt<unsigned> threads;
extern cl::opt<double> seconds;
extern cl::opt<uint64_t> seed, maxPipelineMemory;

/// The compile options the flags say.
SessionOptions sessionOptions();

/// Prints "weir <command>: error: <message>" and returns 1.
int fail(const char *command, const std::string &message);

} // namespace weir::flags

#endif // WEIR_TOOLS_WEIR_FLAGS_H
