//===- PlacePipeline.cpp - host or step: where pipeline stages run -------===//
//
// The per-example maps of the pipelines that feed the trained model move
// into the model function; everything else stays on the host. One IR holds
// both sides, so the move is a clone of the map's body to the top of the
// function, and the compiled step then fuses it with the first layer.
//
//===----------------------------------------------------------------------===//
#include "dialect/TrainConfig.h"
#include "dialect/WeirOps.h"
#include "passes/Passes.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/OperationSupport.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_PLACEPIPELINE
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;
using namespace weir;

static constexpr StringRef kPlacement =
    WeirDialect::PlacementAttrHelper::getNameStr();

/// The stages of `pipeline` in order (the yield excluded).
static SmallVector<Operation *> stagesOf(PipelineOp pipeline) {
  SmallVector<Operation *> stages;
  for (Operation &op : pipeline.getBody().front())
    if (!isa<PipelineYieldOp>(op))
      stages.push_back(&op);
  return stages;
}

/// Whether the maps of `a` and `b` do the same thing (locations aside).
static bool sameMaps(ArrayRef<MapOp> a, ArrayRef<MapOp> b) {
  if (a.size() != b.size())
    return false;
  for (auto [x, y] : llvm::zip(a, b)) {
    MapOp l = x, r = y;
    if (l.getInput().getType() != r.getInput().getType() ||
        !OperationEquivalence::isRegionEquivalentTo(
            &l.getBody(), &r.getBody(), OperationEquivalence::IgnoreLocations))
      return false;
  }
  return true;
}

/// Checks that every map of `pipeline` can leave the host: it passes the
/// labels through.
static LogicalResult checkMovable(PipelineOp pipeline) {
  // Maps follow decoding and resizing (their static example shapes say so),
  // so what follows them is order stages, which commute with them.
  for (Operation *op : stagesOf(pipeline)) {
    if (auto map = dyn_cast<MapOp>(op)) {
      auto yield = cast<MapYieldOp>(map.getBody().front().back());
      for (auto [i, v] : llvm::enumerate(yield.getComponents()))
        if (i > 0 && v != map.getBody().front().getArgument(i))
          return map.emitError()
                 << "this map changes the labels; only the images can be "
                    "mapped";
      continue;
    }
  }
  return success();
}

/// Removes the maps of `pipeline` and recomputes the dataset types after
/// them.
static LogicalResult eraseMaps(PipelineOp pipeline) {
  // A map's thread count becomes the decoder's: decoding is the per-example
  // work left on the host.
  int64_t parallel = 0;
  for (auto map : pipeline.getBody().front().getOps<MapOp>())
    parallel = std::max(parallel, int64_t(map.getParallel()));
  for (auto decode : pipeline.getBody().front().getOps<DecodePngOp>())
    if (decode.getParallel() == 0 && parallel > 0)
      decode.setParallel(parallel);
  for (Operation *op : stagesOf(pipeline))
    if (auto map = dyn_cast<MapOp>(op)) {
      map.getOutput().replaceAllUsesWith(map.getInput());
      map.erase();
    }
  for (Operation *op : stagesOf(pipeline)) {
    if (isa<ListFilesOp>(op))
      continue;
    auto input = cast<DatasetType>(op->getOperand(0).getType());
    FailureOr<DatasetType> type =
        stageResultType(op, input, [&] { return op->emitError(); });
    if (failed(type))
      return failure();
    op->getResult(0).setType(*type);
  }
  return success();
}

/// Clones the bodies of `maps` to the top of `model`, whose first argument
/// becomes the maps' input.
static void moveIntoModel(ArrayRef<MapOp> maps, func::FuncOp model) {
  Block &entry = model.getBody().front();
  BlockArgument x = entry.getArgument(0);
  Type rawType = MapOp(maps.front()).getBody().front().getArgument(0).getType();
  OpBuilder b = OpBuilder::atBlockBegin(&entry);
  // The argument becomes the raw images; its old uses move to the clones'
  // result below.
  x.setType(rawType);
  Value current = x;
  SmallVector<Operation *> cloned;
  for (MapOp map : maps) {
    Block &body = MapOp(map).getBody().front();
    IRMapping mapping;
    mapping.map(body.getArgument(0), current);
    for (Operation &op : body.without_terminator()) {
      Operation *copy = b.clone(op, mapping);
      copy->setAttr(kPlacement, b.getStringAttr("step"));
      cloned.push_back(copy);
    }
    current = mapping.lookup(cast<MapYieldOp>(body.back()).getComponents()[0]);
  }
  SmallPtrSet<Operation *, 8> keep(cloned.begin(), cloned.end());
  x.replaceUsesWithIf(
      current, [&](OpOperand &use) { return !keep.contains(use.getOwner()); });
  SmallVector<Type> inputs(model.getArgumentTypes());
  inputs[0] = rawType;
  model.setFunctionType(
      FunctionType::get(model.getContext(), inputs, model.getResultTypes()));
}

LogicalResult weir::placePipelines(ModuleOp module) {
  TrainConfigOp configOp = findTrainConfig(module);
  if (configOp && configOp.getData()) {
    TrainingConfig config = getTrainingConfig(configOp);
    auto model = module.lookupSymbol<func::FuncOp>(config.model);
    SmallVector<PipelineOp> feeding;
    for (const std::string &name : {config.data, config.validationData})
      if (!name.empty())
        if (auto p = module.lookupSymbol<PipelineOp>(name))
          if (!llvm::is_contained(feeding, p))
            feeding.push_back(p);
    if (!model || feeding.empty())
      return configOp.emitError() << "the model or its data is missing";
    if (model.getNumArguments() != 1)
      return configOp.emitError()
             << "a model trained on a data pipeline takes one input (the "
                "images); '"
             << config.model << "' takes " << model.getNumArguments();

    SmallVector<SmallVector<MapOp>> maps;
    for (PipelineOp p : feeding) {
      if (failed(checkMovable(p)))
        return failure();
      maps.emplace_back(p.getBody().front().getOps<MapOp>());
    }
    if (feeding.size() == 2 && !sameMaps(maps[0], maps[1])) {
      InFlightDiagnostic d = feeding[1].emitError()
                             << "the training and validation data feed the "
                                "same model, so they must map their images "
                                "alike (their maps are compiled into it); "
                                "put the preprocessing in the model instead";
      d.attachNote(feeding[0].getLoc()) << "the training data";
      return d;
    }
    if (!maps[0].empty()) {
      // What the maps yield must be what the model takes.
      auto last = cast<MapYieldOp>(maps[0].back().getBody().front().back());
      Type mapped = last.getComponents()[0].getType();
      if (mapped != model.getArgument(0).getType())
        return maps[0].back().emitError()
               << "the maps yield " << mapped << ", but model '" << config.model
               << "' takes " << model.getArgument(0).getType();
      moveIntoModel(maps[0], model);
      for (PipelineOp p : feeding)
        if (failed(eraseMaps(p)))
          return failure();
    }

    for (PipelineOp p : feeding) {
      ArrayRef<Type> components = p.getOutput().getType().getElementTypes();
      Type images = components[0];
      if (images != model.getArgument(0).getType()) {
        InFlightDiagnostic d = p.emitError()
                               << "data '" << p.getSymName() << "' yields "
                               << images << ", but model '" << config.model
                               << "' takes " << model.getArgument(0).getType();
        auto t = cast<RankedTensorType>(model.getArgument(0).getType());
        if (!t.getElementType().isUnsignedInteger(8)) {
          std::string dtype;
          llvm::raw_string_ostream os(dtype);
          os << t.getElementType();
          d << " (declare the input u8, as the decoded images are, or add "
               "map(cast("
            << dtype << ")))";
        }
        return d;
      }
      if (components.size() < 2)
        return p.emitError() << "data '" << p.getSymName()
                             << "' has no labels (labels: none), so it "
                                "cannot train or validate a model";
      if (config.loss != LossKind::sparse_categorical_crossentropy)
        return configOp.emitError()
               << "data pipelines yield integer class labels, which "
                  "sparse_categorical_crossentropy takes; the loss is "
               << stringifyLossKind(config.loss);
    }
  }
  for (auto pipeline : module.getOps<PipelineOp>())
    for (Operation *op : stagesOf(pipeline))
      op->setAttr(kPlacement,
                  StringAttr::get(module.getContext(),
                                  isa<MapOp>(op) ? "unused" : "host"));
  return success();
}

namespace {
struct PlacePipelinePass : weir::impl::PlacePipelineBase<PlacePipelinePass> {
  void runOnOperation() override {
    if (failed(placePipelines(getOperation())))
      signalPassFailure();
  }
};
} // namespace
