//===- Summary.cpp - `weir summary`: Keras' model.summary() --------------===//
//
// The layer table; with --memory, the memory plan of one training step
// for one replica's slice of the batch (--batch-size over --threads), and
// with --measure the peak that step really reaches; with --fusion, which
// layers ended up in which loop nest (or CUDA kernel) and why.
//
//===----------------------------------------------------------------------===//
#include "api/FusionReport.h"
#include "api/Session.h"
#include "api/Summary.h"
#include "api/Trainer.h"
#include "api/Tuner.h"
#include "tools/weir/Commands.h"
#include "tools/weir/Flags.h"

#include "llvm/Support/raw_ostream.h"

using namespace weir;

int commands::summary() {
  if (flags::measure && !flags::memory) {
    llvm::errs() << "weir summary: --measure needs --memory\n";
    return 2;
  }
  if (flags::target != "cpu" && !flags::fusion && !flags::memory)
    return flags::fail("summary", "--target is for the fusion report "
                                  "(--fusion) and the memory plan (--memory)");
  if (flags::target == "cuda" && flags::measure)
    return flags::fail("summary", "--measure runs the step on the CPU; "
                                  "there is no CUDA measurement here");
  std::unique_ptr<Session> session =
      Session::load(flags::model, flags::sessionOptions());
  if (!session)
    return 1;
  Result<ModelSummary> summary = summarizeModel(*session, flags::function);
  if (!summary.ok())
    return flags::fail("summary", summary.status().message());
  llvm::outs() << formatSummary(*summary);
  // A file with a search space is summarized at its default point.
  if (!session->searchSpace().empty())
    llvm::outs() << "\n" << formatSearchSpace(session->searchSpace());
  if (flags::fusion) {
    // The report lowers its session; the memory plan needs its own.
    std::unique_ptr<Session> lowered = session->reload();
    if (!lowered)
      return 1;
    Result<FusionReport> report = reportFusion(*lowered, flags::target);
    if (!report.ok())
      return flags::fail("summary", report.status().message());
    llvm::outs() << "\n" << formatFusionReport(*report);
  }
  if (!flags::memory)
    return 0;

  int64_t batch = flags::batchSize > 0 ? flags::batchSize
                                       : trainBlockBatchSize(*session);
  if (batch < 1)
    return flags::fail("summary", "the memory plan is of the training step, "
                                  "and the model file has no `train` block");
  // The CUDA target runs one replica; the CPU splits the batch.
  unsigned threads = flags::target == "cuda" ? 1 : resolveThreads(flags::threads);
  int64_t perReplica = (batch + threads - 1) / threads;
  Result<TrainingMemoryPlan> plan =
      planTrainingMemory(*session, perReplica, flags::target);
  if (!plan.ok())
    return flags::fail("summary", plan.status().message());
  std::optional<int64_t> measured;
  if (flags::measure) {
    TrainerOptions options;
    options.threads = 1;
    options.compileInference = false;
    options.activity = "measuring";
    Result<std::unique_ptr<Trainer>> trainer =
        Trainer::load(flags::model, flags::sessionOptions(), options);
    if (!trainer.ok())
      return flags::fail("summary", trainer.status().message());
    Result<int64_t> peak = (*trainer)->measureStepPeak(perReplica);
    if (!peak.ok())
      return flags::fail("summary", peak.status().message());
    measured = *peak;
  }
  llvm::outs() << "\n" << formatMemoryPlan(*plan, 10, measured);
  return 0;
}
