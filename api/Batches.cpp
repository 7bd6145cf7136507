//===- Batches.cpp - arrays or a data pipeline as a source of batches ----===//
#include "api/Batches.h"

#include "dialect/Layers.h"
#include "dialect/WeirOps.h"
#include "runtime/init/Initializers.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace weir;

namespace {
class ArrayBatches : public BatchSource {
public:
  explicit ArrayBatches(Batcher batcher) : batcher_(std::move(batcher)) {}
  int64_t numExamples() const override { return batcher_.numExamples(); }
  int64_t stepsPerEpoch() const override { return batcher_.stepsPerEpoch(); }
  Status startEpoch(int64_t epoch) override {
    epoch_ = epoch;
    step_ = 0;
    return Status();
  }
  Result<bool> next(const HostTensor *&x, const HostTensor *&y) override {
    if (step_ >= batcher_.stepsPerEpoch())
      return false;
    if (Status s = batcher_.fill(epoch_, step_++, x_, y_); !s.ok())
      return s;
    x = &x_;
    y = &y_;
    return true;
  }

private:
  Batcher batcher_;
  int64_t epoch_ = 0, step_ = 0;
  HostTensor x_, y_;
};

class PipelineBatches : public BatchSource {
public:
  explicit PipelineBatches(std::unique_ptr<pipeline::ImagePipeline> p)
      : pipeline_(std::move(p)) {}
  ~PipelineBatches() override { releaseHeld(); }
  int64_t numExamples() const override { return pipeline_->numExamples(); }
  int64_t stepsPerEpoch() const override { return pipeline_->stepsPerEpoch(); }
  Status startEpoch(int64_t epoch) override {
    releaseHeld();
    return pipeline_->startEpoch(epoch, 0);
  }
  Result<bool> next(const HostTensor *&x, const HostTensor *&y) override {
    // The step has read the previous batch: its buffers can be refilled.
    releaseHeld();
    Result<const pipeline::Batch *> b = pipeline_->next();
    if (!b.ok())
      return b.status();
    if (!*b)
      return false;
    held_ = *b;
    x = &held_->images;
    y = &held_->labels;
    return true;
  }
  Status finishEpoch() override {
    releaseHeld();
    Result<const pipeline::Batch *> b = pipeline_->next();
    if (!b.ok())
      return b.status();
    if (*b) {
      pipeline_->release(*b);
      return Status::error("pipeline: more batches than the epoch has");
    }
    return Status();
  }
  double waitSeconds() const override {
    return pipeline_->epochStats().waitSeconds;
  }
  std::vector<std::string> skipped() const override {
    return pipeline_->epochStats().skipped;
  }
  std::vector<std::string> classNames() const override {
    return pipeline_->classNames();
  }

private:
  void releaseHeld() {
    if (held_)
      pipeline_->release(held_);
    held_ = nullptr;
  }
  std::unique_ptr<pipeline::ImagePipeline> pipeline_;
  const pipeline::Batch *held_ = nullptr;
};

std::string where(Operation *op) {
  std::string s;
  llvm::raw_string_ostream os(s);
  std::string file = formatFileLocation(op->getLoc());
  if (!file.empty())
    os << file << ": ";
  return s;
}
} // namespace

Status weir::forEachBatch(
    BatchSource &batches,
    const std::function<Status(const HostTensor &, const HostTensor &)> &fn) {
  if (Status st = batches.startEpoch(0); !st.ok())
    return st;
  while (true) {
    const HostTensor *x = nullptr, *y = nullptr;
    Result<bool> got = batches.next(x, y);
    if (!got.ok())
      return got.status();
    if (!*got)
      return Status();
    if (Status s = fn(*x, *y); !s.ok())
      return s;
  }
}

std::unique_ptr<BatchSource> weir::arrayBatches(Batcher batcher) {
  return std::make_unique<ArrayBatches>(std::move(batcher));
}

Result<pipeline::PipelineSpec>
weir::pipelineSpecOf(ModuleOp module, const std::string &name,
                     const PipelineOptions &options) {
  auto op = module.lookupSymbol<PipelineOp>(name);
  if (!op)
    return Status::error("the model file has no data pipeline '" + name + "'");
  pipeline::PipelineSpec spec;
  spec.onBadImage = options.onBadImage;
  spec.maxMemoryBytes = options.maxMemoryBytes;
  bool shuffled = false, batched = false;
  for (Operation &stage : op.getBody().front()) {
    std::string at = where(&stage);
    Status status;
    llvm::TypeSwitch<Operation *>(&stage)
        .Case([&](ListFilesOp s) {
          pipeline::ImageSourceSpec &src = spec.source;
          src.directory = s.getDirectory().str();
          src.inferLabels = s.getLabels() == "inferred";
          if (auto split = s.getValidationSplit()) {
            src.validationSplit = split->convertToDouble();
            src.subset = *s.getSubset() == "training"
                             ? pipeline::Subset::Training
                             : pipeline::Subset::Validation;
          }
          if (auto seed = s.getSeed())
            src.seed = static_cast<uint64_t>(*seed);
        })
        .Case([&](DecodePngOp s) {
          spec.source.color = *parseColorMode(s.getColor());
          spec.parallelism = static_cast<int>(s.getParallel());
          if (auto size = s.getSize()) {
            spec.source.height = (*size)[0];
            spec.source.width = (*size)[1];
          }
        })
        .Case([&](ResizeOp s) {
          spec.source.height = s.getSize()[0];
          spec.source.width = s.getSize()[1];
          spec.source.resize = s.getInterpolation() == "nearest"
                                   ? pipeline::Resize::Nearest
                                   : pipeline::Resize::Bilinear;
        })
        .Case([&](InterleaveOp s) {
          spec.interleave.cycleLength = s.getCycleLength();
          spec.interleave.blockLength = s.getBlockLength();
        })
        .Case([&](CacheOp s) {
          if (shuffled)
            status = Status::error(at + "cache after shuffle would keep the "
                                        "first epoch's order forever; put "
                                        "cache before shuffle");
          spec.cache = s.getFilename() ? pipeline::CacheKind::File
                                       : pipeline::CacheKind::Memory;
          if (s.getFilename())
            spec.cacheFile = s.getFilename()->str();
        })
        .Case([&](ShuffleOp s) {
          if (batched)
            status = Status::error(at + "shuffle after batch would shuffle "
                                        "whole batches; Weir shuffles "
                                        "examples, so put shuffle before "
                                        "batch");
          shuffled = true;
          spec.shuffle.bufferSize = s.getBufferSize();
          spec.shuffle.seed =
              s.getSeed() ? static_cast<uint64_t>(*s.getSeed())
                          : deriveSeed(options.runSeed, "shuffle/" + name);
          spec.shuffle.reshuffleEachEpoch = s.getReshuffleEachEpoch();
        })
        .Case([&](BatchOp s) {
          batched = true;
          spec.batchSize =
              options.batchSize > 0 ? options.batchSize : s.getBatchSize();
          spec.dropRemainder = s.getDropRemainder();
        })
        .Case([&](RepeatOp s) { spec.repeat *= s.getCount(); })
        .Case([&](PrefetchOp s) {
          spec.prefetch = static_cast<int>(s.getBufferSize());
        })
        .Case([&](MapOp) {
          status = Status::error(at + "this map was not compiled into the "
                                      "model (the pipeline does not feed "
                                      "the trained model)");
        });
    if (!status.ok())
      return status;
  }
  if (options.verbose)
    spec.log = [name](const std::string &line) {
      llvm::errs() << "weir: data " << name << ": " << line << "\n";
    };
  return spec;
}

Result<std::unique_ptr<BatchSource>>
weir::pipelineBatches(ModuleOp module, const std::string &name,
                      const PipelineOptions &options) {
  Result<pipeline::PipelineSpec> spec = pipelineSpecOf(module, name, options);
  if (!spec.ok())
    return spec.status();
  Result<std::unique_ptr<pipeline::ImagePipeline>> p =
      pipeline::ImagePipeline::open(*spec);
  if (!p.ok())
    return p.status();
  return std::unique_ptr<BatchSource>(new PipelineBatches(std::move(*p)));
}

void weir::printPlacement(ModuleOp module, llvm::raw_ostream &os) {
  auto at = [](Operation *op) {
    std::string s = where(op);
    return s.size() >= 2 ? s.substr(0, s.size() - 2) : s;
  };
  for (auto p : module.getOps<PipelineOp>()) {
    os << "// data " << p.getSymName() << " (" << at(p) << ")\n";
    for (Operation &stage : p.getBody().front()) {
      auto placement = stage.getAttrOfType<StringAttr>(
          WeirDialect::PlacementAttrHelper::getNameStr());
      if (!placement)
        continue;
      os << "//   " << llvm::left_justify(placement.getValue(), 7)
         << llvm::left_justify(stage.getName().stripDialect(), 12) << " "
         << at(&stage) << "\n";
    }
  }
  func::FuncOp model;
  module.walk([&](Operation *op) {
    auto placement = op->getAttrOfType<StringAttr>(
        WeirDialect::PlacementAttrHelper::getNameStr());
    if (!placement || placement.getValue() != "step")
      return;
    auto fn = op->getParentOfType<func::FuncOp>();
    if (fn != model)
      os << "// model " << fn.getSymName()
         << ": moved into the training step\n";
    model = fn;
    os << "//   step   " << llvm::left_justify(op->getName().getStringRef(), 21)
       << " " << at(op) << "\n";
  });
}
