//===- GradientRules.cpp - one derivative rule per weir op ---------------===//
//
// Reverse-mode rules: given the gradient `dy` of an op's result, build the
// gradients of its operands out of weir ops. Every operand gradient has the
// operand's type (types are static but for the batch by now), so the rules
// only choose ops. One short function per op, dispatched at the bottom.
//
//===----------------------------------------------------------------------===//
#include "passes/train/GradientRules.h"

#include "dialect/WeirOps.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace weir;

namespace {
using Grads = MutableArrayRef<Value>;

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// The example shape of `v` (its shape without the batch dimension).
SmallVector<int64_t> exampleShape(Value v) {
  return SmallVector<int64_t>(typeOf(v).getShape().drop_front());
}

// dense: dx = dy k^T, dk = x^T dy, db = sum_b dy.
void denseRule(OpBuilder &b, DenseOp op, Value dy, Grads g) {
  Location l = op.getLoc();
  g[0] = MatmulOp::create(b, l, op.getInput().getType(), dy, op.getKernel(),
                          false, true);
  g[1] = MatmulOp::create(b, l, op.getKernel().getType(), op.getInput(), dy,
                          true, false);
  if (op.getBias())
    g[2] = ReduceSumOp::create(b, l, op.getBias().getType(), dy,
                               ArrayRef<int64_t>{0});
}

// conv2d: the two backprop convolutions; db = sum over n, h, w of dy.
void conv2dRule(OpBuilder &b, Conv2DOp op, Value dy, Grads g) {
  Location l = op.getLoc();
  g[0] = Conv2DBackpropInputOp::create(b, l, op.getInput().getType(), dy,
                                       op.getKernel(), op.getStrides(),
                                       op.getPadding(), op.getDilation());
  g[1] = Conv2DBackpropFilterOp::create(b, l, op.getKernel().getType(),
                                        op.getInput(), dy, op.getStrides(),
                                        op.getPadding(), op.getDilation());
  if (op.getBias())
    g[2] = ReduceSumOp::create(b, l, op.getBias().getType(), dy,
                               ArrayRef<int64_t>{0, 1, 2});
}

void maxPoolRule(OpBuilder &b, MaxPool2DOp op, Value dy, Grads g) {
  g[0] = MaxPool2DGradOp::create(b, op.getLoc(), op.getInput().getType(),
                                 op.getInput(), dy, op.getPoolSize(),
                                 op.getEffectiveStrides(), op.getPadding());
}

void avgPoolRule(OpBuilder &b, AvgPool2DOp op, Value dy, Grads g) {
  g[0] = AvgPool2DGradOp::create(b, op.getLoc(), op.getInput().getType(),
                                 op.getInput(), dy, op.getPoolSize(),
                                 op.getEffectiveStrides(), op.getPadding());
}

// global_avg_pool2d: an average pool whose one window is the whole image.
void globalAvgPoolRule(OpBuilder &b, GlobalAvgPool2DOp op, Value dy, Grads g) {
  Location l = op.getLoc();
  auto x = typeOf(op.getInput());
  int64_t c = x.getDimSize(3);
  if (!op.getKeepdims())
    dy = ReshapeOp::create(b, l, x.clone({x.getDimSize(0), 1, 1, c}), dy,
                           ArrayRef<int64_t>{1, 1, c});
  int64_t window[2] = {x.getDimSize(1), x.getDimSize(2)};
  int64_t ones[2] = {1, 1};
  g[0] = AvgPool2DGradOp::create(b, l, x, op.getInput(), dy, window, ones,
                                 Padding::valid);
}

void batchNormTrainRule(OpBuilder &b, BatchNormTrainOp op, Value dy, Grads g) {
  auto grad = BatchNormTrainGradOp::create(
      b, op.getLoc(),
      TypeRange{op.getInput().getType(), op.getGamma().getType(),
                op.getBeta().getType()},
      op.getInput(), op.getGamma(), dy, op.getEpsilon());
  g[0] = grad.getInputGrad();
  g[1] = grad.getGammaGrad();
  g[2] = grad.getBetaGrad();
}

// dropout outside the training step is the identity.
void dropoutRule(DropoutOp, Value dy, Grads g) { g[0] = dy; }

void mulRule(OpBuilder &b, MulOp op, Value dy, Grads g) {
  g[0] = MulOp::create(b, op.getLoc(), dy, op.getRhs());
  g[1] = MulOp::create(b, op.getLoc(), dy, op.getLhs());
}

// flatten and reshape: reshape the gradient back.
void reshapeBack(OpBuilder &b, Operation *op, Value dy, Grads g) {
  Value x = op->getOperand(0);
  if (isa<FloatType>(typeOf(x).getElementType()))
    g[0] = ReshapeOp::create(b, op->getLoc(), x.getType(), dy, exampleShape(x));
}

void addRule(AddOp op, Value dy, Grads g) {
  for (unsigned i = 0; i < op.getInputs().size(); ++i)
    g[i] = dy;
}

// concat: each input gets its slice of the gradient.
void concatRule(OpBuilder &b, ConcatOp op, Value dy, Grads g) {
  int64_t axis = op.getAxis();
  int64_t rank = typeOf(dy).getRank();
  if (axis < 0)
    axis += rank;
  int64_t offset = 0;
  for (auto [i, x] : llvm::enumerate(op.getInputs())) {
    if (isa<FloatType>(typeOf(x).getElementType()))
      g[i] = SliceOp::create(b, op.getLoc(), x.getType(), dy, axis, offset);
    offset += typeOf(x).getDimSize(axis);
  }
}

// cast between float types: cast the gradient back.
void castRule(OpBuilder &b, CastOp op, Value dy, Grads g) {
  auto x = typeOf(op.getInput());
  if (isa<FloatType>(x.getElementType()))
    g[0] = CastOp::create(b, op.getLoc(), x, dy, TypeAttr::get(x.getElementType()));
}

// rescale: dx = scale * dy (in the input's float type).
void rescaleRule(OpBuilder &b, RescaleOp op, Value dy, Grads g) {
  auto x = typeOf(op.getInput());
  if (!isa<FloatType>(x.getElementType()))
    return;
  Value d = RescaleOp::create(b, op.getLoc(), dy.getType(), dy, op.getScaleAttr(),
                              b.getF64FloatAttr(0.0));
  if (d.getType() != x)
    d = CastOp::create(b, op.getLoc(), x, d, TypeAttr::get(x.getElementType()));
  g[0] = d;
}

template <typename GradOpT>
void fromOutput(OpBuilder &b, Operation *op, Value dy, Grads g) {
  g[0] = GradOpT::create(b, op->getLoc(), op->getResult(0), dy);
}

void geluRule(OpBuilder &b, GeluOp op, Value dy, Grads g) {
  g[0] = GeluGradOp::create(b, op.getLoc(), op.getInput().getType(),
                            op.getInput(), dy, op.getApproximate());
}

LogicalResult softmaxRule(OpBuilder &b, SoftmaxOp op, Value dy, Grads g) {
  int64_t rank = typeOf(op.getInput()).getRank();
  int64_t axis = static_cast<int64_t>(op.getAxis());
  if (axis != -1 && axis != rank - 1)
    return op.emitOpError("has a gradient rule only along the last axis");
  g[0] = SoftmaxGradOp::create(b, op.getLoc(), op.getOutput(), dy);
  return success();
}
} // namespace

Value weir::buildLossGradient(OpBuilder &b, Operation *op) {
  auto make = [&](auto loss, auto tag) -> Value {
    using GradOpT = decltype(tag);
    return GradOpT::create(b, loss.getLoc(), loss.getPrediction().getType(),
                           loss.getPrediction(), loss.getTarget(),
                           loss.getFromLogits());
  };
  return llvm::TypeSwitch<Operation *, Value>(op)
      .Case([&](SparseCategoricalCrossentropyOp o) {
        return make(o, SparseCategoricalCrossentropyGradOp());
      })
      .Case([&](CategoricalCrossentropyOp o) {
        return make(o, CategoricalCrossentropyGradOp());
      })
      .Case([&](BinaryCrossentropyOp o) {
        return make(o, BinaryCrossentropyGradOp());
      })
      .Case([&](MeanSquaredErrorOp o) {
        return make(o, MeanSquaredErrorGradOp());
      })
      .Default([](Operation *) { return Value(); });
}

LogicalResult weir::buildOperandGradients(OpBuilder &b, Operation *op,
                                          ArrayRef<Value> resultGrads,
                                          MutableArrayRef<Value> g) {
  if (Value d = buildLossGradient(b, op)) {
    g[0] = d;
    return success();
  }
  Value dy = resultGrads.empty() ? Value() : resultGrads[0];
  if (!dy)
    return success();
  bool handled = true;
  LogicalResult result = success();
  llvm::TypeSwitch<Operation *>(op)
      .Case([&](DenseOp o) { denseRule(b, o, dy, g); })
      .Case([&](Conv2DOp o) { conv2dRule(b, o, dy, g); })
      .Case([&](MaxPool2DOp o) { maxPoolRule(b, o, dy, g); })
      .Case([&](AvgPool2DOp o) { avgPoolRule(b, o, dy, g); })
      .Case([&](GlobalAvgPool2DOp o) { globalAvgPoolRule(b, o, dy, g); })
      .Case([&](BatchNormTrainOp o) { batchNormTrainRule(b, o, dy, g); })
      .Case([&](DropoutOp o) { dropoutRule(o, dy, g); })
      .Case([&](RandomFlipOp o) {
        // A flip is its own inverse: the same draws flip dy back.
        g[0] = RandomFlipOp::create(b, o.getLoc(), o.getInput().getType(), dy,
                                    o.getKey(), o.getOffset(), o.getModeAttr(),
                                    o.getSeedAttr());
      })
      .Case([&](MulOp o) { mulRule(b, o, dy, g); })
      .Case<FlattenOp, ReshapeOp>([&](Operation *o) { reshapeBack(b, o, dy, g); })
      .Case([&](AddOp o) { addRule(o, dy, g); })
      .Case([&](ConcatOp o) { concatRule(b, o, dy, g); })
      .Case([&](CastOp o) { castRule(b, o, dy, g); })
      .Case([&](RescaleOp o) { rescaleRule(b, o, dy, g); })
      .Case([&](ReluOp o) { fromOutput<ReluGradOp>(b, o, dy, g); })
      .Case([&](SigmoidOp o) { fromOutput<SigmoidGradOp>(b, o, dy, g); })
      .Case([&](TanhOp o) { fromOutput<TanhGradOp>(b, o, dy, g); })
      .Case([&](GeluOp o) { geluRule(b, o, dy, g); })
      .Case([&](SoftmaxOp o) { result = softmaxRule(b, o, dy, g); })
      .Case([&](BatchNormOp o) {
        result = o.emitOpError(
            "is the inference form and has no gradient rule; the training "
            "step uses batch_norm_train");
      })
      .Default([&](Operation *) { handled = false; });
  if (!handled)
    return op->emitOpError("has no gradient rule, but a trainable parameter "
                           "reaches the loss through it");
  return result;
}
