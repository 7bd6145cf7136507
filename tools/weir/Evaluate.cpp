//===- Evaluate.cpp - `weir evaluate` and `weir predict` -----------------===//
//
// On arrays (--data), or on a data pipeline of the model file (--split
// names it).
//
//===----------------------------------------------------------------------===//
#include "dialect/WeirOps.h"
#include "runtime/Npy.h"
#include "runtime/Safetensors.h"
#include "runtime/train/Batcher.h"
#include "runtime/train/Dataset.h"
#include "tools/weir/Batches.h"
#include "tools/weir/Commands.h"
#include "tools/weir/Training.h"

#include "llvm/Support/Format.h"

#include <cstring>
#include <optional>

using namespace mlir;
using namespace weir;

static int fail(const char *command, const Status &s) {
  llvm::errs() << "weir " << command << ": error: " << s.message() << "\n";
  return 1;
}

/// Loads the model of `options` and compiles its functions with the
/// weights; `session` keeps what the run refers to. Null after reporting.
static std::unique_ptr<TrainingRun>
loadRun(const EvaluateOptions &options, const char *command,
        std::unique_ptr<Session> &session) {
  unsigned threads = options.threads;
  Result<CodeTarget> target = resolveCodeTarget(options.device, command, threads);
  if (!target.ok()) {
    fail(command, target.status());
    return nullptr;
  }
  session = Session::load(options.model, options.session);
  if (!session)
    return nullptr;
  Result<std::unique_ptr<TrainingRun>> run =
      startTraining(*session, 0, options.weights, threads, *target);
  if (!run.ok()) {
    fail(command, run.status());
    return nullptr;
  }
  return std::move(*run);
}

/// The batches of --split: from the --data arrays (loaded into `data`,
/// which must outlive them; labels checked when `labels`), or from the data
/// pipeline --split names.
static Result<std::unique_ptr<BatchSource>>
batchesOf(TrainingRun &run, const EvaluateOptions &options,
          std::optional<ArrayDataset> &data, bool labels) {
  if (options.data.empty()) {
    if (!run.pipelines->lookupSymbol<PipelineOp>(options.split))
      return Status::error("no --data, and the model file has no data "
                           "pipeline named '" + options.split +
                           "' (name one with --split)");
    return pipelineBatches(*run.pipelines, options.split, PipelineOptions());
  }
  Result<ArrayDataset> d = loadArrays(options.data, options.split);
  if (!d.ok())
    return d.status();
  data = std::move(*d);
  if (labels)
    if (Status s = checkLabels(run, *data, options.data, options.split); !s.ok())
      return s;
  Result<Batcher> batcher =
      Batcher::create(*data, options.batchSize, false, 0, run.xDType,
                      run.exampleShape, run.yDType, run.targetShape);
  if (!batcher.ok())
    return batcher.status();
  return arrayBatches(std::move(*batcher));
}

int weir::runEvaluate(const EvaluateOptions &options) {
  std::unique_ptr<Session> session;
  std::unique_ptr<TrainingRun> run = loadRun(options, "evaluate", session);
  if (!run)
    return 1;
  std::optional<ArrayDataset> data;
  Result<std::unique_ptr<BatchSource>> batches =
      batchesOf(*run, options, data, /*labels=*/true);
  if (!batches.ok())
    return fail("evaluate", batches.status());
  Result<StepMetrics> m = evaluateAll(*run->step, **batches);
  if (!m.ok())
    return fail("evaluate", m.status());
  llvm::outs() << llvm::format("%s: %lld examples  loss %.4f  acc %.4f\n",
                               options.split.c_str(), (long long)m->examples,
                               m->loss, m->correct / m->examples);
  return 0;
}

int weir::runPredict(const EvaluateOptions &options) {
  std::unique_ptr<Session> session;
  std::unique_ptr<TrainingRun> started = loadRun(options, "predict", session);
  if (!started)
    return 1;
  TrainingRun &run = *started;
  if (!run.singleInput)
    return fail("predict", Status::error("'" + run.config.model +
                                         "' takes more than one input"));
  // Arrays (--data, file order) or a data pipeline (its order).
  std::optional<ArrayDataset> data;
  Result<std::unique_ptr<BatchSource>> source =
      batchesOf(run, options, data, /*labels=*/false);
  if (!source.ok())
    return fail("predict", source.status());
  std::unique_ptr<BatchSource> batches = std::move(*source);
  // The model function's arguments: the input, then its parameters.
  std::vector<const HostTensor *> params;
  for (const std::string &name : run.modelArguments)
    params.push_back(&run.state.at(name));
  std::vector<int64_t> outShape = run.outputShape;
  std::vector<uint8_t> rows;
  int64_t count = 0;
  if (Status st = batches->startEpoch(0); !st.ok())
    return fail("predict", st);
  while (true) {
    const HostTensor *x = nullptr, *y = nullptr;
    Result<bool> got = batches->next(x, y);
    if (!got.ok())
      return fail("predict", got.status());
    if (!*got)
      break;
    std::vector<const HostTensor *> args{x};
    args.insert(args.end(), params.begin(), params.end());
    Result<HostTensor> r = run.executable->call(
        run.config.model, args, 1, run.outputDType, outShape, options.threads);
    if (!r.ok())
      return fail("predict", r.status());
    rows.insert(rows.end(), r->bytes(), r->bytes() + r->byteSize());
    count += x->shape()[0];
  }
  outShape[0] = count;
  Result<HostTensor> out = HostTensor::create(run.outputDType, outShape);
  if (!out.ok())
    return fail("predict", out.status());
  if (!rows.empty())
    std::memcpy(out->bytes(), rows.data(), rows.size());
  if (Status s = writeNpy(options.output, *out); !s.ok())
    return fail("predict", s);
  llvm::outs() << "wrote " << options.output << " " << formatShape(outShape)
               << "\n";
  return 0;
}

int weir::runGradients(const EvaluateOptions &options) {
  std::unique_ptr<Session> session;
  std::unique_ptr<TrainingRun> started = loadRun(options, "gradients", session);
  if (!started)
    return 1;
  TrainingRun &run = *started;
  Result<ArrayDataset> data = loadArrays(options.data, options.split);
  if (!data.ok())
    return fail("gradients", data.status());
  // One batch: every example of the split, in file order.
  Result<Batcher> batcher =
      Batcher::create(*data, data->size(), false, 0, run.xDType,
                      run.exampleShape, run.yDType, run.targetShape);
  if (!batcher.ok())
    return fail("gradients", batcher.status());
  HostTensor x, y;
  if (Status s = batcher->fill(0, 0, x, y); !s.ok())
    return fail("gradients", s);
  ParameterMap grads;
  Result<StepMetrics> m = run.step->gradients(x, y, 0, grads);
  if (!m.ok())
    return fail("gradients", m.status());
  Result<HostTensor> loss = HostTensor::create(DType::F64, {});
  if (!loss.ok())
    return fail("gradients", loss.status());
  loss->data<double>()[0] = m->loss;
  std::vector<NamedTensorRef> tensors{{"loss", &*loss}};
  for (auto &[name, g] : grads)
    tensors.push_back({name, &g});
  if (Status s = writeSafetensors(options.output, tensors, {}); !s.ok())
    return fail("gradients", s);
  return 0;
}
