//===- GradOps.cpp - verifiers of the backward-graph and optimizer ops ----===//
//
// The constraints cited here (grad_c*, optimizer_c*) are defined in
// docs/spec.md. Result types are chosen by the gradient rules; the checks
// make sure a hand-written or transformed op still agrees with its
// operands.
//
//===----------------------------------------------------------------------===//
#include "dialect/WeirOps.h"

using namespace mlir;
using namespace weir;

static RankedTensorType ranked(Value v) {
  return dyn_cast<RankedTensorType>(v.getType());
}

static bool compatible(Type a, Type b) {
  return static_cast<bool>(meetTensorTypes(a, b));
}

/// Sizes agree unless one of them is dynamic.
static bool sameSize(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

// grad_c1: rank 2 operands; the contracted sizes agree; the result is
// [rows of op(a), columns of op(b)].
LogicalResult MatmulOp::verify() {
  auto a = ranked(getA()), b = ranked(getB()), out = ranked(getOutput());
  if (!a || !b || !out || a.getRank() != 2 || b.getRank() != 2 ||
      out.getRank() != 2)
    return emitOpError("expects rank-2 operands and result");
  int64_t m = a.getDimSize(getTransposeA() ? 1 : 0);
  int64_t ka = a.getDimSize(getTransposeA() ? 0 : 1);
  int64_t kb = b.getDimSize(getTransposeB() ? 1 : 0);
  int64_t n = b.getDimSize(getTransposeB() ? 0 : 1);
  if (!sameSize(ka, kb))
    return emitOpError("contracts sizes ") << ka << " and " << kb
                                           << ", which differ";
  if (!sameSize(out.getDimSize(0), m) || !sameSize(out.getDimSize(1), n))
    return emitOpError("result ") << out << " is not [" << m << ", " << n
                                  << "]";
  return success();
}

// grad_c2: axes are increasing and in range; the result drops them (and
// may be a wider float: a bf16 sum accumulated and kept in f32).
LogicalResult ReduceSumOp::verify() {
  auto in = ranked(getInput()), out = ranked(getOutput());
  if (!in || !out)
    return emitOpError("expects ranked types");
  SmallVector<int64_t> kept;
  int64_t previous = -1;
  for (int64_t axis : getAxes()) {
    if (axis <= previous || axis >= in.getRank())
      return emitOpError("axes must be increasing and in [0, ")
             << in.getRank() << ")";
    previous = axis;
  }
  for (int64_t i = 0; i < in.getRank(); ++i)
    if (!llvm::is_contained(getAxes(), i))
      kept.push_back(in.getDimSize(i));
  RankedTensorType want = in.clone(kept);
  if (isa<FloatType>(in.getElementType()) &&
      isa<FloatType>(out.getElementType()))
    want = want.clone(out.getElementType());
  if (!compatible(out, want))
    return emitOpError("result ") << out << " should be " << want;
  return success();
}

// grad_c10: the scale is 0-d, of the input's element type (the result has
// the input's type, by AllTypesMatch).
LogicalResult MulScalarOp::verify() {
  auto scale = ranked(getScale());
  if (!scale || scale.getRank() != 0 ||
      scale.getElementType() != cast<ShapedType>(getInput().getType()).getElementType())
    return emitOpError("scale ")
           << getScale().getType() << " should be a 0-d tensor of "
           << cast<ShapedType>(getInput().getType()).getElementType();
  return success();
}

// grad_c3: the slice fits in the axis; the other dimensions are kept.
LogicalResult SliceOp::verify() {
  auto in = ranked(getInput()), out = ranked(getOutput());
  if (!in || !out || in.getRank() != out.getRank())
    return emitOpError("expects ranked input and result of one rank");
  int64_t axis = getAxis();
  if (axis < 0 || axis >= int64_t(in.getRank()))
    return emitOpError("axis ") << axis << " is out of range";
  for (int64_t i = 0; i < in.getRank(); ++i)
    if (i != axis && !sameSize(in.getDimSize(i), out.getDimSize(i)))
      return emitOpError("changes dimension ") << i << ", not only the axis";
  int64_t offset = static_cast<int64_t>(getOffset());
  if (out.isDynamicDim(axis) || in.isDynamicDim(axis) || offset < 0 ||
      offset + out.getDimSize(axis) > in.getDimSize(axis))
    return emitOpError("slice [") << offset << ", +"
                                  << out.getDimSize(axis)
                                  << ") does not fit the static axis";
  return success();
}

// grad_c4: 0 <= rate < 1; the mask has the shape of `like`.
LogicalResult DropoutMaskOp::verify() {
  double rate = getRate().convertToDouble();
  if (!(rate >= 0.0 && rate < 1.0))
    return emitOpError("rate must be in [0, 1), got ") << rate;
  if (!compatible(getLike().getType(), getOutput().getType()))
    return emitOpError("result must have the type of the input");
  return success();
}

// grad_c5: NHWC gradients and an HWIO kernel whose channels match.
static LogicalResult verifyConvGrad(Operation *op, RankedTensorType x,
                                    RankedTensorType k, RankedTensorType dy,
                                    ArrayRef<int64_t> strides,
                                    ArrayRef<int64_t> dilation) {
  if (!x || !k || !dy || x.getRank() != 4 || k.getRank() != 4 ||
      dy.getRank() != 4)
    return op->emitOpError("expects rank-4 input, kernel and gradient");
  if (strides.size() != 2 || dilation.size() != 2 ||
      llvm::any_of(strides, [](int64_t s) { return s < 1; }) ||
      llvm::any_of(dilation, [](int64_t s) { return s < 1; }))
    return op->emitOpError("strides and dilation are two positive sizes");
  if (!sameSize(x.getDimSize(3), k.getDimSize(2)) ||
      !sameSize(dy.getDimSize(3), k.getDimSize(3)) ||
      !sameSize(x.getDimSize(0), dy.getDimSize(0)))
    return op->emitOpError("input ")
           << x << ", kernel " << k << " and gradient " << dy
           << " disagree on the batch or channels";
  return success();
}

LogicalResult Conv2DBackpropInputOp::verify() {
  return verifyConvGrad(*this, ranked(getInputGrad()), ranked(getKernel()),
                        ranked(getOutputGrad()), getStrides(), getDilation());
}

LogicalResult Conv2DBackpropFilterOp::verify() {
  return verifyConvGrad(*this, ranked(getInput()), ranked(getKernelGrad()),
                        ranked(getOutputGrad()), getStrides(), getDilation());
}

// grad_c6: the input gradient has the input's type; windows are 2-D.
template <typename OpT>
static LogicalResult verifyPoolGrad(OpT op) {
  auto x = ranked(op.getInput()), dy = ranked(op.getOutputGrad());
  if (!x || !dy || x.getRank() != 4 || dy.getRank() != 4)
    return op.emitOpError("expects rank-4 input and gradient");
  if (op.getPoolSize().size() != 2 || op.getStrides().size() != 2)
    return op.emitOpError("pool_size and strides are two sizes");
  if (!compatible(x, op.getInputGrad().getType()))
    return op.emitOpError("result must have the input's type");
  return success();
}
LogicalResult MaxPool2DGradOp::verify() { return verifyPoolGrad(*this); }
LogicalResult AvgPool2DGradOp::verify() { return verifyPoolGrad(*this); }

// grad_c7: the gradients have the types of input, gamma and gamma.
LogicalResult BatchNormTrainGradOp::verify() {
  if (!compatible(getInput().getType(), getInputGrad().getType()) ||
      !compatible(getInput().getType(), getOutputGrad().getType()) ||
      !compatible(getGamma().getType(), getGammaGrad().getType()) ||
      !compatible(getGamma().getType(), getBetaGrad().getType()))
    return emitOpError("gradients must have the types of input and gamma");
  return success();
}

// grad_c8: the prediction gradient has the prediction's type.
template <typename OpT>
static LogicalResult verifyLossGrad(OpT op) {
  if (!compatible(op.getPrediction().getType(),
                  op.getPredictionGrad().getType()))
    return op.emitOpError("result must have the prediction's type");
  return success();
}
LogicalResult SparseCategoricalCrossentropyGradOp::verify() {
  return verifyLossGrad(*this);
}
LogicalResult CategoricalCrossentropyGradOp::verify() {
  return verifyLossGrad(*this);
}
LogicalResult BinaryCrossentropyGradOp::verify() {
  return verifyLossGrad(*this);
}
LogicalResult MeanSquaredErrorGradOp::verify() {
  return verifyLossGrad(*this);
}

// grad_c9: [B, C] predictions against [B] labels or [B, C] targets.
LogicalResult CorrectCountOp::verify() {
  auto p = ranked(getPrediction()), t = ranked(getTarget());
  if (!p || !t || p.getRank() != 2)
    return emitOpError("expects a rank-2 prediction [batch, classes]");
  bool sparse = isa<IntegerType>(t.getElementType());
  if (sparse ? t.getRank() != 1 : !compatible(p, t))
    return emitOpError(sparse ? "integer targets must be [batch]"
                              : "float targets must have the prediction's "
                                "type");
  return success();
}

//===----------------------------------------------------------------------===//
// Optimizers
//===----------------------------------------------------------------------===//

// optimizer_c1: gradient, state and results have the parameter's type.
static LogicalResult verifySameAsParam(Operation *op, Value param,
                                       ValueRange others) {
  for (Value v : others)
    if (v.getType() != param.getType())
      return op->emitOpError("operands and results must have the "
                             "parameter's type ")
             << param.getType() << ", got " << v.getType();
  return success();
}

// optimizer_c2: hyperparameters are in range.
static LogicalResult checkUnit(Operation *op, StringRef name, double v) {
  if (!(v >= 0.0 && v < 1.0))
    return op->emitOpError(name) << " must be in [0, 1), got " << v;
  return success();
}

LogicalResult ApplySgdOp::verify() {
  SmallVector<Value> others{getGrad(), getNewParam()};
  if (getVelocity())
    others.push_back(getVelocity());
  if (getNewVelocity())
    others.push_back(getNewVelocity());
  if (failed(verifySameAsParam(*this, getParam(), others)) ||
      failed(checkUnit(*this, "momentum", getMomentum().convertToDouble())))
    return failure();
  // optimizer_c3: state exists exactly when it is used.
  bool hasMomentum = getMomentum().convertToDouble() > 0.0;
  if (bool(getVelocity()) != hasMomentum ||
      bool(getNewVelocity()) != hasMomentum)
    return emitOpError("takes and returns a velocity exactly when momentum "
                       "> 0");
  if (getNesterov() && !hasMomentum)
    return emitOpError("nesterov needs momentum > 0");
  return success();
}

LogicalResult ApplyAdamOp::verify() {
  if (failed(verifySameAsParam(*this, getParam(),
                               {getGrad(), getM(), getV(), getNewParam(),
                                getNewM(), getNewV()})) ||
      failed(checkUnit(*this, "beta_1", getBeta_1().convertToDouble())) ||
      failed(checkUnit(*this, "beta_2", getBeta_2().convertToDouble())))
    return failure();
  if (!(getEpsilon().convertToDouble() > 0.0) ||
      !(getWeightDecay().convertToDouble() >= 0.0))
    return emitOpError("epsilon must be > 0 and weight_decay >= 0");
  return success();
}

LogicalResult ApplyRmspropOp::verify() {
  SmallVector<Value> others{getGrad(), getMs(), getNewParam(), getNewMs()};
  if (getMom())
    others.push_back(getMom());
  if (getNewMom())
    others.push_back(getNewMom());
  if (failed(verifySameAsParam(*this, getParam(), others)) ||
      failed(checkUnit(*this, "rho", getRho().convertToDouble())) ||
      failed(checkUnit(*this, "momentum", getMomentum().convertToDouble())))
    return failure();
  bool hasMomentum = getMomentum().convertToDouble() > 0.0;
  if (bool(getMom()) != hasMomentum || bool(getNewMom()) != hasMomentum)
    return emitOpError("takes and returns a momentum buffer exactly when "
                       "momentum > 0");
  if (!(getEpsilon().convertToDouble() > 0.0))
    return emitOpError("epsilon must be > 0");
  return success();
}
