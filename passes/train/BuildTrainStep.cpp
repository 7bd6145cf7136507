//===- BuildTrainStep.cpp - training, update and evaluation functions ----===//
//
// From the model function named by weir.train_config, builds @m_train
// (training-mode forward pass, loss, accuracy count; differentiated later
// by weir-differentiate), @m_apply (the optimizer update of every trainable
// parameter, with its state declared as non-trainable parameters) and
// @m_eval (inference-mode loss and accuracy count).
//
//===----------------------------------------------------------------------===//
#include "dialect/Layers.h"
#include "dialect/Manifest.h"
#include "dialect/TrainConfig.h"
#include "dialect/WeirOps.h"
#include "passes/Passes.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/TypeSwitch.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_BUILDTRAINSTEP
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;
using namespace weir;

/// The attributes of an argument or result with just a slot of `role`.
static DictionaryAttr role(MLIRContext *ctx, SlotRole role) {
  return slotDict(slot(ctx, role));
}

namespace {
/// What a loss function reads and returns.
struct LossSpec {
  Value prediction;
  bool fromLogits;
};

/// The prediction the loss should read: the logits before a final softmax
/// (categorical losses) or sigmoid (binary), when the loss was given
/// probabilities, as Keras does.
LossSpec lossInput(Value prediction, const TrainingConfig &config) {
  if (config.fromLogits)
    return {prediction, true};
  Operation *def = prediction.getDefiningOp();
  bool categorical = config.loss == LossKind::sparse_categorical_crossentropy ||
                     config.loss == LossKind::categorical_crossentropy;
  if (auto sm = dyn_cast_or_null<SoftmaxOp>(def); sm && categorical) {
    int64_t rank = cast<RankedTensorType>(sm.getInput().getType()).getRank();
    int64_t axis = static_cast<int64_t>(sm.getAxis());
    if (axis == -1 || axis == rank - 1)
      return {sm.getInput(), true};
  }
  if (auto sg = dyn_cast_or_null<SigmoidOp>(def);
      sg && config.loss == LossKind::binary_crossentropy)
    return {sg.getInput(), true};
  return {prediction, false};
}

Value buildLoss(OpBuilder &b, Location loc, LossKind kind, LossSpec in,
                Value target) {
  auto type = RankedTensorType::get(
      {}, cast<RankedTensorType>(in.prediction.getType()).getElementType());
  auto make = [&](auto tag) -> Value {
    using OpT = decltype(tag);
    return OpT::create(b, loc, type, in.prediction, target, in.fromLogits);
  };
  switch (kind) {
  case LossKind::sparse_categorical_crossentropy:
    return make(SparseCategoricalCrossentropyOp());
  case LossKind::categorical_crossentropy:
    return make(CategoricalCrossentropyOp());
  case LossKind::binary_crossentropy:
    return make(BinaryCrossentropyOp());
  case LossKind::mean_squared_error:
    return make(MeanSquaredErrorOp());
  }
  llvm_unreachable("every loss is built");
}

/// Clones `model` as `name` with `target` (and optionally `rng`) appended
/// to the arguments, and replaces its return by the loss and the accuracy
/// count. Returns the clone; `extraResults` come after.
func::FuncOp cloneWithLoss(func::FuncOp model, StringRef name,
                           const TrainingConfig &config, bool withRng) {
  MLIRContext *ctx = model.getContext();
  func::FuncOp fn = model.clone();
  fn.setName(name);
  auto pred = cast<RankedTensorType>(model.getResultTypes()[0]);
  Type targetType = config.loss == LossKind::sparse_categorical_crossentropy
                        ? Type(RankedTensorType::get({pred.getDimSize(0)},
                                                     IntegerType::get(ctx, 32)))
                        : Type(pred);
  Location loc = model.getLoc();
  for (unsigned i = 0; i < fn.getNumArguments(); ++i)
    fn.setArgAttrs(i, role(ctx, SlotRole::input));
  unsigned targetIndex = fn.getNumArguments();
  (void)fn.insertArgument(targetIndex, targetType, role(ctx, SlotRole::target),
                          loc);
  if (withRng)
    (void)fn.insertArgument(
        targetIndex + 1, RankedTensorType::get({}, IntegerType::get(ctx, 64)),
        role(ctx, SlotRole::rng), loc);
  return fn;
}

bool isAugment(Operation *op) {
  return isa<RandomFlipOp, RandomRotationOp, RandomZoomOp, RandomTranslationOp,
             RandomCropOp, RandomContrastOp>(op);
}

/// Appends the augmentation arguments to `fn` when it has augmentation ops:
/// the step key, not mixed with the replica (`augment_key`), and the index
/// in the whole batch of the replica's first row (`example_offset`), so an
/// image's draws do not depend on how the batch is split. Returns them, or
/// nulls.
std::pair<Value, Value> addAugmentArguments(func::FuncOp fn) {
  if (!fn.walk([](Operation *op) {
           return isAugment(op) ? WalkResult::interrupt()
                                : WalkResult::advance();
         }).wasInterrupted())
    return {};
  MLIRContext *ctx = fn.getContext();
  auto i64 = RankedTensorType::get({}, IntegerType::get(ctx, 64));
  unsigned n = fn.getNumArguments();
  (void)fn.insertArgument(n, i64, role(ctx, SlotRole::augment_key),
                          fn.getLoc());
  (void)fn.insertArgument(n + 1, i64, role(ctx, SlotRole::example_offset),
                          fn.getLoc());
  return {fn.getArgument(n), fn.getArgument(n + 1)};
}

/// Training mode of an augmentation: the step's key and offset, and a salt
/// (the seed, or the op's position among the augmentations).
template <typename OpT>
void augmentForTraining(OpT op, Value key, Value offset, int64_t ordinal) {
  op.getKeyMutable().assign(key);
  op.getOffsetMutable().assign(offset);
  if (!op.getSeed())
    op.setSeedAttr(
        IntegerAttr::get(IntegerType::get(op.getContext(), 64), ordinal));
}

/// Replaces the return of `fn` by (loss, correct, extra...).
void finishWithLoss(func::FuncOp fn, const TrainingConfig &config,
                    ArrayRef<Value> extra,
                    ArrayRef<DictionaryAttr> extraAttrs) {
  MLIRContext *ctx = fn.getContext();
  auto ret = cast<func::ReturnOp>(fn.getBody().front().getTerminator());
  OpBuilder b(ret);
  Value target;
  for (BlockArgument arg : fn.getArguments())
    if (SlotAttr s = getArgSlot(fn, arg.getArgNumber());
        s && s.getRole() == SlotRole::target)
      target = arg;
  LossSpec in = lossInput(ret.getOperand(0), config);
  // The loss and the accuracy count are not the last layer's: they are
  // named "loss" (at the prediction's source location), which is how the
  // memory plan and the fusion report show them.
  Location loc = ret.getOperand(0).getLoc();
  if (auto layer = dyn_cast<NameLoc>(loc))
    loc = layer.getChildLoc();
  loc = NameLoc::get(StringAttr::get(ctx, "loss"), loc);
  Value loss = buildLoss(b, loc, config.loss, in, target);
  Value correct =
      CorrectCountOp::create(b, loc, RankedTensorType::get({}, b.getF32Type()),
                             in.prediction, target, in.fromLogits);
  SmallVector<Value> results{loss, correct};
  results.append(extra.begin(), extra.end());
  func::ReturnOp::create(b, ret.getLoc(), results);
  ret.erase();
  fn.setType(FunctionType::get(ctx, fn.getArgumentTypes(),
                               ValueRange(results).getTypes()));
  SmallVector<DictionaryAttr> attrs{role(ctx, SlotRole::loss),
                                    role(ctx, SlotRole::correct)};
  attrs.append(extraAttrs.begin(), extraAttrs.end());
  fn.setAllResultAttrs(attrs);
}

/// Training mode: augmentations take the augment_key and example_offset
/// arguments (added here when there are any); dropout multiplies by a mask
/// keyed by the rng argument;
/// batch_norm normalizes with batch statistics and returns the new moving
/// statistics, which the train function returns as `weir.updates`.
LogicalResult toTrainingMode(func::FuncOp fn, Value rng,
                             SmallVectorImpl<Value> &updates,
                             SmallVectorImpl<DictionaryAttr> &updateAttrs) {
  MLIRContext *ctx = fn.getContext();
  int64_t ordinal = 0, augmentOrdinal = 0;
  // Named values, not a structured binding: the lambda below captures them.
  auto augmentArgs = addAugmentArguments(fn);
  Value augmentKey = augmentArgs.first, exampleOffset = augmentArgs.second;
  WalkResult walk = fn.walk([&](Operation *op) -> WalkResult {
    OpBuilder b(op);
    if (isAugment(op)) {
      ++augmentOrdinal;
      llvm::TypeSwitch<Operation *>(op)
          .Case<RandomFlipOp, RandomRotationOp, RandomZoomOp,
                RandomTranslationOp, RandomCropOp, RandomContrastOp>(
              [&](auto a) {
                augmentForTraining(a, augmentKey, exampleOffset,
                                   augmentOrdinal);
              });
      return WalkResult::advance();
    }
    if (auto d = dyn_cast<DropoutOp>(op)) {
      ++ordinal;
      int64_t salt = d.getSeed() ? *d.getSeed() : ordinal;
      Value key = d.getRng() ? d.getRng() : rng;
      Value mask = DropoutMaskOp::create(b, d.getLoc(), d.getInput().getType(),
                                         d.getInput(), key, d.getRate(), salt);
      d.replaceAllUsesWith(
          MulOp::create(b, d.getLoc(), d.getInput(), mask).getResult());
      d.erase();
      return WalkResult::skip();
    }
    if (auto bn = dyn_cast<BatchNormOp>(op)) {
      auto mean = bn.getMean().getDefiningOp<LoadParamOp>();
      auto var = bn.getVariance().getDefiningOp<LoadParamOp>();
      if (!mean || !var)
        return bn.emitOpError("in training, the moving mean and variance "
                              "must be parameters"),
               WalkResult::interrupt();
      auto train = BatchNormTrainOp::create(
          b, bn.getLoc(),
          TypeRange{bn.getOutput().getType(), bn.getMean().getType(),
                    bn.getVariance().getType()},
          bn.getInput(), bn.getGamma(), bn.getBeta(), bn.getMean(),
          bn.getVariance(), bn.getEpsilon(), bn.getMomentum());
      bn.replaceAllUsesWith(train.getOutput());
      for (auto [v, load] : {std::pair{train.getNewMean(), mean},
                             std::pair{train.getNewVariance(), var}}) {
        updates.push_back(v);
        updateAttrs.push_back(slotDict(
            slot(ctx, SlotRole::updates, load.getParamAttr().getValue())));
      }
      bn.erase();
      return WalkResult::skip();
    }
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

/// The optimizer's state slots for one parameter.
SmallVector<StringRef> stateSlots(const OptimizerConfig &opt) {
  switch (opt.kind) {
  case OptimizerKind::SGD:
    return opt.momentum > 0 ? SmallVector<StringRef>{"sgd_velocity"}
                            : SmallVector<StringRef>{};
  case OptimizerKind::Adam:
  case OptimizerKind::AdamW:
    return {"adam_m", "adam_v"};
  case OptimizerKind::RMSprop:
    return opt.momentum > 0 ? SmallVector<StringRef>{"rms", "momentum"}
                            : SmallVector<StringRef>{"rms"};
  }
  return {};
}

/// Builds @m_apply and declares the optimizer state.
void buildApply(ModuleOp module, StringRef name,
                ArrayRef<ParameterOp> trainable, const OptimizerConfig &opt) {
  MLIRContext *ctx = module.getContext();
  Location loc = module.getLoc();
  Type scalar = RankedTensorType::get({}, Float32Type::get(ctx));
  SmallVector<Type> argTypes;
  SmallVector<DictionaryAttr> argAttrs;
  for (ParameterOp p : trainable) {
    argTypes.push_back(p.getType());
    argAttrs.push_back(slotDict(slot(ctx, SlotRole::grad, p.getSymName())));
  }
  argTypes.append({scalar, scalar});
  argAttrs.push_back(role(ctx, SlotRole::learning_rate));
  argAttrs.push_back(role(ctx, SlotRole::iteration));
  OpBuilder mb(ctx);
  mb.setInsertionPointToEnd(module.getBody());
  auto fn =
      func::FuncOp::create(mb, loc, name, FunctionType::get(ctx, argTypes, {}));
  fn.setAllArgAttrs(argAttrs);
  Block *entry = fn.addEntryBlock();
  OpBuilder b = OpBuilder::atBlockEnd(entry);
  Value lr = entry->getArgument(trainable.size());
  Value iteration = entry->getArgument(trainable.size() + 1);
  SmallVector<Value> results;
  SmallVector<DictionaryAttr> resultAttrs;
  auto updates = [&](StringAttr param) {
    return slotDict(slot(ctx, SlotRole::updates, param.getValue()));
  };
  for (unsigned i = 0; i < trainable.size(); ++i) {
    ParameterOp p = trainable[i];
    Location pl = p.getLoc();
    // The state parameters, declared right after their parameter.
    SmallVector<Value> state;
    SmallVector<StringAttr> stateNames;
    OpBuilder declare(p->getBlock(), std::next(Block::iterator(p)));
    SmallVector<StringRef> slots = stateSlots(opt);
    for (StringRef slot : llvm::reverse(slots)) {
      auto stateName =
          StringAttr::get(ctx, (p.getSymName() + "/" + slot).str());
      ParameterOp::create(
          declare, pl, stateName, TypeAttr::get(p.getType()),
          InitializerAttr::get(ctx, InitKind::zeros, std::nullopt),
          /*non_trainable=*/UnitAttr::get(ctx));
    }
    for (StringRef slot : slots) {
      auto stateName =
          StringAttr::get(ctx, (p.getSymName() + "/" + slot).str());
      stateNames.push_back(stateName);
      state.push_back(LoadParamOp::create(b, pl, p.getType(),
                                          FlatSymbolRefAttr::get(stateName)));
    }
    Value param = LoadParamOp::create(
        b, pl, p.getType(), FlatSymbolRefAttr::get(p.getSymNameAttr()));
    Value grad = entry->getArgument(i);
    Operation *update;
    switch (opt.kind) {
    case OptimizerKind::SGD: {
      SmallVector<Value> operands{param, grad};
      operands.append(state.begin(), state.end());
      operands.push_back(lr);
      OperationName name(ApplySgdOp::getOperationName(), ctx);
      SmallVector<NamedAttribute> attrs{
          NamedAttribute(ApplySgdOp::getMomentumAttrName(name),
                         b.getF64FloatAttr(opt.momentum))};
      if (opt.nesterov)
        attrs.push_back(NamedAttribute(ApplySgdOp::getNesterovAttrName(name),
                                       b.getUnitAttr()));
      SmallVector<Type> types(1 + state.size(), p.getType());
      update = ApplySgdOp::create(b, pl, types, operands, attrs);
      break;
    }
    case OptimizerKind::Adam:
    case OptimizerKind::AdamW:
      update = ApplyAdamOp::create(
          b, pl, TypeRange{p.getType(), p.getType(), p.getType()}, param, grad,
          state[0], state[1], lr, iteration, b.getF64FloatAttr(opt.beta1),
          b.getF64FloatAttr(opt.beta2), b.getF64FloatAttr(opt.epsilon),
          b.getF64FloatAttr(opt.kind == OptimizerKind::AdamW ? opt.weightDecay
                                                             : 0.0));
      break;
    case OptimizerKind::RMSprop: {
      SmallVector<Value> operands{param, grad};
      operands.append(state.begin(), state.end());
      operands.push_back(lr);
      OperationName name(ApplyRmspropOp::getOperationName(), ctx);
      SmallVector<NamedAttribute> attrs{
          NamedAttribute(ApplyRmspropOp::getRhoAttrName(name),
                         b.getF64FloatAttr(opt.rho)),
          NamedAttribute(ApplyRmspropOp::getMomentumAttrName(name),
                         b.getF64FloatAttr(opt.momentum)),
          NamedAttribute(ApplyRmspropOp::getEpsilonAttrName(name),
                         b.getF64FloatAttr(opt.epsilon))};
      SmallVector<Type> types(1 + state.size(), p.getType());
      update = ApplyRmspropOp::create(b, pl, types, operands, attrs);
      break;
    }
    }
    results.push_back(update->getResult(0));
    resultAttrs.push_back(updates(p.getSymNameAttr()));
    for (auto [j, n] : llvm::enumerate(stateNames)) {
      results.push_back(update->getResult(j + 1));
      resultAttrs.push_back(updates(n));
    }
  }
  func::ReturnOp::create(b, loc, results);
  fn.setType(FunctionType::get(ctx, argTypes, ValueRange(results).getTypes()));
  fn.setAllResultAttrs(resultAttrs);
  // Bufferization writes the updates over the parameters and slots;
  // weir-drop-in-place-results then stops returning them.
  fn->setAttr(WeirDialect::InPlaceUpdatesAttrHelper::getNameStr(),
              UnitAttr::get(ctx));
}
/// mixed_float16: the loss scale and its counters, as non-trainable 0-d
/// f32 parameters (so checkpoints carry them), and the training function's
/// weir.loss_scale, which weir-differentiate reads.
void declareLossScale(ModuleOp module, func::FuncOp train,
                      const TrainingConfig &config) {
  MLIRContext *ctx = module.getContext();
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto scalar = TypeAttr::get(RankedTensorType::get({}, Float32Type::get(ctx)));
  double initial = config.lossScale.value_or(config::kInitialLossScale);
  auto make = [&](StringRef name, InitializerAttr init) {
    ParameterOp::create(b, module.getLoc(), StringAttr::get(ctx, name), scalar,
                        init, UnitAttr::get(ctx));
  };
  make(config::kLossScaleParam,
       InitializerAttr::get(ctx, InitKind::constant, std::nullopt,
                            b.getF64FloatAttr(initial)));
  for (StringRef counter :
       {config::kGoodStepsParam, config::kSkippedStepsParam})
    make(counter, InitializerAttr::get(ctx, InitKind::zeros, std::nullopt));
  train->setAttr(WeirDialect::LossScaleAttrHelper::getNameStr(),
                 FlatSymbolRefAttr::get(ctx, config::kLossScaleParam));
}
} // namespace

LogicalResult weir::buildTrainStep(ModuleOp module) {
  TrainConfigOp configOp = findTrainConfig(module);
  if (!configOp)
    return success();
  TrainingConfig config = getTrainingConfig(configOp);
  auto model = module.lookupSymbol<func::FuncOp>(config.model);
  if (!model || model.isExternal())
    return configOp.emitOpError("names no model function '")
           << config.model << "'";
  if (model.getNumResults() != 1)
    return model.emitError("training needs a model with one output, this "
                           "one has ")
           << model.getNumResults();
  // The stages before this one (docs/architecture.md, "Pipeline order"):
  // the training step reads parameters through weir.load_param, so it comes
  // before weir-lift-parameters (the to-linalg pipeline), and it trains the
  // model the data pipeline feeds, so the pipeline's maps must already be in
  // the model (weir-place-pipeline, the model pipeline).
  for (unsigned i = 0; i < model.getNumArguments(); ++i)
    if (SlotAttr s = getArgSlot(model, i); s && s.getRole() == SlotRole::param)
      return model.emitError("the model's parameters are already arguments "
                             "(weir-lift-parameters ran): build the training "
                             "step before weir-to-linalg-pipeline");
  for (const std::string &data : {config.data, config.validationData})
    if (auto pipeline = module.lookupSymbol<PipelineOp>(data))
      if (!pipeline.getBody().getOps<MapOp>().empty())
        return configOp.emitOpError("trains on @")
               << data
               << ", whose maps are not placed yet: run "
                  "weir-place-pipeline (weir-model-pipeline) before the "
                  "training step";
  std::string base = model.getName().str();
  if (module.lookupSymbol(base + "_train") ||
      module.lookupSymbol(base + "_apply") ||
      module.lookupSymbol(base + "_eval"))
    return model.emitError("the module already has training functions for '")
           << base << "'";
  SymbolTable symbols(module);

  // @m_train
  func::FuncOp train = cloneWithLoss(model, base + "_train", config, true);
  train->setAttr(WeirDialect::DifferentiateAttrHelper::getNameStr(),
                 UnitAttr::get(module.getContext()));
  module.push_back(train);
  SmallVector<Value> updates;
  SmallVector<DictionaryAttr> updateAttrs;
  if (failed(toTrainingMode(train,
                            train.getArgument(train.getNumArguments() - 1),
                            updates, updateAttrs)))
    return failure();
  finishWithLoss(train, config, updates, updateAttrs);

  if (config.precision == PrecisionKind::mixed_float16)
    declareLossScale(module, train, config);

  // @m_probe: the training-mode forward pass returning every layer's
  // output, for naming the first non-finite one when training diverges.
  {
    MLIRContext *ctx = module.getContext();
    func::FuncOp probe = model.clone();
    probe.setName(base + "_probe");
    for (unsigned i = 0; i < probe.getNumArguments(); ++i)
      probe.setArgAttrs(i, role(ctx, SlotRole::input));
    (void)probe.insertArgument(
        probe.getNumArguments(),
        RankedTensorType::get({}, IntegerType::get(ctx, 64)),
        role(ctx, SlotRole::rng), model.getLoc());
    module.push_back(probe);
    SmallVector<Value> ignored;
    SmallVector<DictionaryAttr> ignoredAttrs;
    if (failed(toTrainingMode(probe,
                              probe.getArgument(probe.getNumArguments() - 1),
                              ignored, ignoredAttrs)))
      return failure();
    SmallVector<Value> outputs;
    SmallVector<DictionaryAttr> attrs;
    probe.walk([&](Operation *op) {
      if (isa<LoadParamOp, DropoutMaskOp, func::ReturnOp>(op) ||
          op->getDialect() != configOp->getDialect())
        return;
      Value out = op->getResult(0);
      if (!isa<FloatType>(getElementTypeOrSelf(out.getType())))
        return;
      std::string where;
      llvm::raw_string_ostream os(where);
      // "dense_1 (weir.dense) at model.weir:4:5"
      if (std::optional<StringRef> layer = layerNameOf(op->getLoc()))
        os << *layer << " (" << op->getName().getStringRef() << ")";
      else
        os << op->getName().getStringRef();
      std::string file = formatFileLocation(op->getLoc());
      if (!file.empty())
        os << " at " << file;
      else
        op->getLoc().print(os << " at ");
      outputs.push_back(out);
      attrs.push_back(slotDict(slot(ctx, SlotRole::layer, where)));
    });
    auto ret = cast<func::ReturnOp>(probe.getBody().front().getTerminator());
    OpBuilder b(ret);
    func::ReturnOp::create(b, ret.getLoc(), outputs);
    ret.erase();
    probe.setType(FunctionType::get(ctx, probe.getArgumentTypes(),
                                    ValueRange(outputs).getTypes()));
    probe.setAllResultAttrs(attrs);
  }

  // @m_eval
  func::FuncOp eval = cloneWithLoss(model, base + "_eval", config, false);
  module.push_back(eval);
  finishWithLoss(eval, config, {}, {});

  // @m_apply, for the trainable parameters the model reads.
  llvm::DenseSet<StringAttr> read;
  model.walk([&](LoadParamOp l) { read.insert(l.getParamAttr().getAttr()); });
  SmallVector<ParameterOp> trainable;
  for (auto p : module.getOps<ParameterOp>())
    if (!p.getNonTrainable() && read.contains(p.getSymNameAttr()))
      trainable.push_back(p);
  if (trainable.empty())
    return model.emitError("the model has no trainable parameter");
  buildApply(module, base + "_apply", trainable, config.optimizer);
  // Each function's signature is now a runtime contract, verified from here
  // on (dialect/Manifest.h).
  for (auto [suffix, kind] : {std::pair{"_train", StepKind::train},
                              std::pair{"_apply", StepKind::apply},
                              std::pair{"_eval", StepKind::eval},
                              std::pair{"_probe", StepKind::probe}})
    if (auto fn = module.lookupSymbol<func::FuncOp>(base + suffix))
      setManifest(fn, kind);
  return success();
}

namespace {
struct BuildTrainStepPass : weir::impl::BuildTrainStepBase<BuildTrainStepPass> {
  void runOnOperation() override {
    if (failed(buildTrainStep(getOperation())))
      signalPassFailure();
  }
};
} // namespace
