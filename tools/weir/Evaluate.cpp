//===- Evaluate.cpp - `weir evaluate`, `predict` and `gradients` ---------===//
//
// On arrays (--data), or on a data pipeline of the model file (--split
// names it).
//
//===----------------------------------------------------------------------===//
#include "api/Files.h"
#include "api/Trainer.h"
#include "tools/weir/Commands.h"
#include "tools/weir/Flags.h"


#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace weir;

namespace {
/// Checks the flags `command` needs; prints the usage error (exit 2).
bool usageOk(const char *command, bool needsData, bool needsOutput) {
  if ((needsData && flags::dataPath.empty()) || flags::weights.empty() ||
      (needsOutput && flags::output == "-")) {
    llvm::errs() << "weir " << command << ": needs --weights and --data"
                 << (needsOutput ? " and -o <file>" : "") << "\n";
    return false;
  }
  return true;
}

/// A trainer over the model with --weights, for `--device`.
Result<std::unique_ptr<Trainer>> openTrainer(const char *command) {
  TrainerOptions options;
  options.weights = flags::weights;
  options.threads = flags::threads;
  options.device = flags::device;
  options.activity = command;
  return Trainer::load(flags::model, flags::sessionOptions(), options);
}

/// --data's --split, or the data pipeline --split names.
Result<DataRef> dataOf(const Trainer &trainer) {
  if (!flags::dataPath.empty())
    return DataRef::file(flags::dataPath, flags::split);
  if (!trainer.hasPipeline(flags::split))
    return Status::error("no --data, and the model file has no data "
                         "pipeline named '" + flags::split +
                         "' (name one with --split)");
  return DataRef::pipelineNamed(flags::split);
}

int failWith(const char *command, const Status &s) {
  return flags::fail(command, s.message());
}

int64_t batchSize() { return flags::batchSize > 0 ? flags::batchSize : 512; }
} // namespace

int commands::evaluate() {
  if (!usageOk("evaluate", false, false))
    return 2;
  Result<std::unique_ptr<Trainer>> trainer = openTrainer("evaluate");
  if (!trainer.ok())
    return failWith("evaluate", trainer.status());
  Result<DataRef> data = dataOf(**trainer);
  if (!data.ok())
    return failWith("evaluate", data.status());
  Result<StepMetrics> m = (*trainer)->evaluate(*data, batchSize());
  if (!m.ok())
    return failWith("evaluate", m.status());
  llvm::outs() << llvm::format("%s: %lld examples  loss %.4f  acc %.4f\n",
                               flags::split.c_str(), (long long)m->examples,
                               m->loss, m->correct / m->examples);
  return 0;
}

int commands::predict() {
  if (!usageOk("predict", false, true))
    return 2;
  Result<std::unique_ptr<Trainer>> trainer = openTrainer("predict");
  if (!trainer.ok())
    return failWith("predict", trainer.status());
  Result<DataRef> data = dataOf(**trainer);
  if (!data.ok())
    return failWith("predict", data.status());
  Result<HostTensor> out = (*trainer)->predict(*data, batchSize());
  if (!out.ok())
    return failWith("predict", out.status());
  if (Status s = writeArrayFile(flags::output, *out); !s.ok())
    return failWith("predict", s);
  llvm::outs() << "wrote " << flags::output << " " << formatShape(out->shape())
               << "\n";
  return 0;
}

int commands::gradients() {
  if (!usageOk("gradients", true, true))
    return 2;
  Result<std::unique_ptr<Trainer>> trainer = openTrainer("gradients");
  if (!trainer.ok())
    return failWith("gradients", trainer.status());
  Result<std::pair<double, ParameterMap>> g =
      (*trainer)->gradients(DataRef::file(flags::dataPath, flags::split));
  if (!g.ok())
    return failWith("gradients", g.status());
  if (Status s = writeGradientsFile(flags::output, g->first, g->second);
      !s.ok())
    return failWith("gradients", s);
  return 0;
}
