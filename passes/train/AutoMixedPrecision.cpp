//===- AutoMixedPrecision.cpp - Keras' mixed policies as one op table ----===//
//
// Under a mixed policy every op gets a compute dtype from its line of the
// table below: `low` products read the low type (their lowering accumulates
// in f32), `follow` ops take the low type when an operand has it, `f32`
// islands read f32, `keep` ops are left alone. Operands are cast where a
// rule asks for another type, once per value and type, right after the
// value is defined; result types follow the compute type, and the function
// results are cast back to their declared types.
//
//===----------------------------------------------------------------------===//
#include "dialect/TrainConfig.h"
#include "dialect/WeirOps.h"
#include "passes/Passes.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringExtras.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_AUTOMIXEDPRECISION
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;
using namespace weir;

namespace {
enum class Policy { Low, Follow, F32, Keep };

struct Rule {
  StringRef op;
  Policy policy;
};

template <typename OpT> Rule rule(Policy p) {
  return {OpT::getOperationName(), p};
}

/// The table of docs/spec.md ("Mixed precision"), one line per op kind.
const std::vector<Rule> &rules() {
  using P = Policy;
  static const std::vector<Rule> table = {
      // Products: low-precision operands, f32 accumulation (the lowering).
      rule<DenseOp>(P::Low),
      rule<Conv2DOp>(P::Low),
      rule<MatmulOp>(P::Low),
      rule<Conv2DBackpropInputOp>(P::Low),
      rule<Conv2DBackpropFilterOp>(P::Low),
      // Elementwise ops, activations, pooling, shapes: as their inputs.
      rule<ReluOp>(P::Follow),
      rule<SigmoidOp>(P::Follow),
      rule<TanhOp>(P::Follow),
      rule<GeluOp>(P::Follow),
      rule<ReluGradOp>(P::Follow),
      rule<SigmoidGradOp>(P::Follow),
      rule<TanhGradOp>(P::Follow),
      rule<GeluGradOp>(P::Follow),
      rule<AddOp>(P::Follow),
      rule<MulOp>(P::Follow),
      rule<RescaleOp>(P::Follow),
      rule<DropoutOp>(P::Follow),
      rule<DropoutMaskOp>(P::Follow),
      rule<MaxPool2DOp>(P::Follow),
      rule<AvgPool2DOp>(P::Follow),
      rule<MaxPool2DGradOp>(P::Follow),
      rule<AvgPool2DGradOp>(P::Follow),
      rule<FlattenOp>(P::Follow),
      rule<ReshapeOp>(P::Follow),
      rule<ConcatOp>(P::Follow),
      rule<SliceOp>(P::Follow),
      // The f32 islands: exp/log, statistics, reductions, losses, updates.
      rule<SoftmaxOp>(P::F32),
      rule<SoftmaxGradOp>(P::F32),
      rule<GlobalAvgPool2DOp>(P::F32),
      rule<ReduceSumOp>(P::F32),
      rule<BatchNormOp>(P::F32),
      rule<BatchNormTrainOp>(P::F32),
      rule<BatchNormTrainGradOp>(P::F32),
      rule<SparseCategoricalCrossentropyOp>(P::F32),
      rule<CategoricalCrossentropyOp>(P::F32),
      rule<BinaryCrossentropyOp>(P::F32),
      rule<MeanSquaredErrorOp>(P::F32),
      rule<SparseCategoricalCrossentropyGradOp>(P::F32),
      rule<CategoricalCrossentropyGradOp>(P::F32),
      rule<BinaryCrossentropyGradOp>(P::F32),
      rule<MeanSquaredErrorGradOp>(P::F32),
      rule<MulScalarOp>(P::F32),
      rule<CorrectCountOp>(P::F32),
      rule<ApplySgdOp>(P::F32),
      rule<ApplyAdamOp>(P::F32),
      rule<ApplyRmspropOp>(P::F32),
      rule<RandomFlipOp>(P::F32),
      rule<RandomRotationOp>(P::F32),
      rule<RandomZoomOp>(P::F32),
      rule<RandomTranslationOp>(P::F32),
      rule<RandomCropOp>(P::F32),
      rule<RandomContrastOp>(P::F32),
      // Master weights, explicit casts, constants.
      rule<LoadParamOp>(P::Keep),
      rule<CastOp>(P::Keep),
      rule<arith::ConstantOp>(P::Keep),
  };
  return table;
}

std::optional<Policy> policyOf(Operation *op) {
  StringRef name = op->getName().getStringRef();
  for (const Rule &r : rules())
    if (r.op == name)
      return r.policy;
  return std::nullopt;
}

/// The element type of `v` when it is a float tensor, else null.
FloatType floatElement(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type ? dyn_cast<FloatType>(type.getElementType()) : FloatType();
}

/// Rewrites one function; one cast per (value, type).
class FunctionRewriter {
public:
  FunctionRewriter(func::FuncOp fn, FloatType low) : fn(fn), low(low) {}

  LogicalResult run() {
    WalkResult walk = fn.walk([&](Operation *op) -> WalkResult {
      if (op == fn.getOperation() || castsMade.contains(op))
        return WalkResult::advance();
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        restoreResults(ret);
        return WalkResult::advance();
      }
      std::optional<Policy> policy = policyOf(op);
      if (!policy) {
        op->emitError() << "weir-auto-mixed-precision has no rule for '"
                        << op->getName()
                        << "' (its table is in docs/spec.md, \"Mixed "
                           "precision\")";
        return WalkResult::interrupt();
      }
      if (FloatType type = computeType(op, *policy))
        setComputeType(op, type);
      return WalkResult::advance();
    });
    return failure(walk.wasInterrupted());
  }

private:
  /// The type `op` computes in, or null to leave it as it is.
  FloatType computeType(Operation *op, Policy policy) {
    if (policy == Policy::Keep)
      return {};
    if (auto attr = op->getAttrOfType<TypeAttr>(
            WeirDialect::ComputeTypeAttrHelper::getNameStr()))
      return cast<FloatType>(attr.getValue());
    switch (policy) {
    case Policy::Low: return low;
    case Policy::F32: return Float32Type::get(op->getContext());
    case Policy::Follow:
      for (Value v : op->getOperands())
        if (floatElement(v) == low)
          return low;
      return {};
    case Policy::Keep: break;
    }
    return {};
  }

  void setComputeType(Operation *op, FloatType type) {
    for (OpOperand &use : op->getOpOperands()) {
      FloatType elt = floatElement(use.get());
      if (elt && elt != type)
        use.set(castTo(use.get(), type));
    }
    for (OpResult r : op->getResults())
      if (FloatType elt = floatElement(r); elt && elt != type)
        r.setType(cast<RankedTensorType>(r.getType()).clone(type));
  }

  /// Function results keep their declared types.
  void restoreResults(func::ReturnOp ret) {
    for (auto [use, want] :
         llvm::zip(ret->getOpOperands(), fn.getResultTypes())) {
      auto wantType = dyn_cast<RankedTensorType>(want);
      if (wantType && use.get().getType() != want &&
          isa<FloatType>(wantType.getElementType()))
        use.set(castTo(use.get(), wantType.getElementType()));
    }
  }

  /// `v` cast to `elt`: one cast per value and type, right after `v`.
  Value castTo(Value v, Type elt) {
    auto [it, inserted] = casts.try_emplace({v, elt}, Value());
    if (!inserted)
      return it->second;
    OpBuilder b(fn.getContext());
    b.setInsertionPointAfterValue(v);
    auto type = cast<RankedTensorType>(v.getType()).clone(elt);
    auto c = CastOp::create(b, v.getLoc(), type, v, TypeAttr::get(elt));
    castsMade.insert(c);
    it->second = c;
    return c;
  }

public:
  /// A product or sum whose one use widens it produces the wide type
  /// itself, so a weight gradient leaves its f32 accumulator unrounded.
  void widenProducts() {
    SmallVector<CastOp> casts;
    fn.walk([&](CastOp c) { casts.push_back(c); });
    for (CastOp c : casts) {
      Value src = c.getInput();
      FloatType from = floatElement(src), to = floatElement(c.getOutput());
      if (!from || !to || from == to || !src.hasOneUse() ||
          !isa_and_nonnull<MatmulOp, ReduceSumOp>(src.getDefiningOp()) ||
          !APFloat::isRepresentableBy(from.getFloatSemantics(),
                                      to.getFloatSemantics()))
        continue;
      src.setType(c.getOutput().getType());
      c.getOutput().replaceAllUsesWith(src);
      c.erase();
    }
  }

private:
  func::FuncOp fn;
  FloatType low;
  llvm::DenseMap<std::pair<Value, Type>, Value> casts;
  llvm::DenseSet<Operation *> castsMade;
};
} // namespace

LogicalResult weir::autoMixedPrecision(ModuleOp module, StringRef precision) {
  std::optional<PrecisionKind> kind = symbolizePrecisionKind(precision);
  if (!kind)
    return module.emitError() << "unknown precision '" << precision
                              << "' (expected one of "
                              << llvm::join(precisionNames(), ", ") << ")";
  MLIRContext *ctx = module.getContext();
  FloatType low;
  switch (*kind) {
  case PrecisionKind::float32: return success();
  case PrecisionKind::mixed_bfloat16: low = BFloat16Type::get(ctx); break;
  case PrecisionKind::mixed_float16: low = Float16Type::get(ctx); break;
  }
  for (auto fn : module.getOps<func::FuncOp>())
    if (!fn.isExternal()) {
      FunctionRewriter rewriter(fn, low);
      if (failed(rewriter.run()))
        return failure();
      rewriter.widenProducts();
    }
  return success();
}

namespace {
struct AutoMixedPrecisionPass
    : weir::impl::AutoMixedPrecisionBase<AutoMixedPrecisionPass> {
  using AutoMixedPrecisionBase::AutoMixedPrecisionBase;
  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::string policy = precision;
    if (policy.empty()) {
      TrainConfigOp config = findTrainConfig(module);
      policy = config ? stringifyPrecisionKind(
                            getTrainingConfig(config).precision)
                            .str()
                      : "float32";
    }
    if (failed(autoMixedPrecision(module, policy)))
      signalPassFailure();
  }
};
} // namespace
