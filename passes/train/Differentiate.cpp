//===- Differentiate.cpp - reverse-mode gradients in the weir dialect ----===//
//
// For a function marked `weir.differentiate` whose first result is a 0-d
// loss: find the values that depend on a trainable parameter (active
// values), walk the body backwards applying one rule per op
// (GradientRules.cpp), sum gradients that reach a value along several
// paths, and return the parameters' gradients as extra results.
//
//===----------------------------------------------------------------------===//
#include "dialect/Manifest.h"
#include "dialect/WeirOps.h"
#include "passes/Passes.h"
#include "passes/Transforms.h"
#include "passes/train/GradientRules.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_DIFFERENTIATE
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;
using namespace weir;

static LogicalResult differentiateFunction(func::FuncOp func,
                                           SymbolTable &symbols) {
  if (!func.getBody().hasOneBlock())
    return func.emitError("weir-differentiate expects a single-block body");
  Block &body = func.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  if (ret.getNumOperands() == 0)
    return func.emitError("a function to differentiate returns its loss "
                          "first");
  Value loss = ret.getOperand(0);
  auto lossType = dyn_cast<RankedTensorType>(loss.getType());
  if (!lossType || lossType.getRank() != 0 ||
      !isa<FloatType>(lossType.getElementType()))
    return func.emitError("the first result must be a 0-d float loss, got ")
           << loss.getType();

  // Trainable parameter loads, and the values that depend on them.
  llvm::DenseSet<Value> active;
  SmallVector<LoadParamOp> loads;
  for (Operation &op : body.without_terminator()) {
    if (auto load = dyn_cast<LoadParamOp>(op)) {
      auto param = symbols.lookup<ParameterOp>(load.getParam());
      if (param && !param.getNonTrainable()) {
        loads.push_back(load);
        active.insert(load.getValue());
      }
      continue;
    }
    // Their results are piecewise constant in their operands.
    if (isa<DropoutMaskOp, CorrectCountOp>(op))
      continue;
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return active.contains(v); }))
      for (Value r : op.getResults())
        if (isa<FloatType>(getElementTypeOrSelf(r.getType())))
          active.insert(r);
  }

  OpBuilder b(ret);
  llvm::DenseMap<Value, Value> grads;
  auto accumulate = [&](Value v, Value g, Location loc) {
    auto [it, inserted] = grads.try_emplace(v, g);
    if (!inserted)
      it->second =
          AddOp::create(b, loc, v.getType(), ValueRange{it->second, g});
  };
  Operation *lossOp = loss.getDefiningOp();
  if (!lossOp || !active.contains(loss))
    return func.emitError("the loss does not depend on any trainable "
                          "parameter");
  // Loss scaling: the loss gradient is multiplied by a non-trainable
  // parameter (mixed_float16), so small gradients survive float16.
  Value scale;
  if (auto sym = func->getAttrOfType<FlatSymbolRefAttr>(
          WeirDialect::LossScaleAttrHelper::getNameStr())) {
    auto param = symbols.lookup<ParameterOp>(sym.getValue());
    auto type = param ? dyn_cast<RankedTensorType>(param.getType())
                      : RankedTensorType();
    if (!param || !param.getNonTrainable() || !type || type.getRank() != 0 ||
        !isa<FloatType>(type.getElementType()))
      return func.emitError("the loss scale @")
             << sym.getValue()
             << " must be a non-trainable 0-d float weir.parameter";
    scale = LoadParamOp::create(b, func.getLoc(), type, sym);
  }
  // Reverse sweep from the loss op (its rule needs no incoming gradient).
  SmallVector<Operation *> ops;
  for (Operation &op : body.without_terminator())
    ops.push_back(&op);
  for (Operation *op : llvm::reverse(ops)) {
    if (isa<LoadParamOp>(op))
      continue;
    SmallVector<Value> resultGrads;
    bool any = op == lossOp;
    for (Value r : op->getResults()) {
      Value g = grads.lookup(r);
      resultGrads.push_back(g);
      any |= static_cast<bool>(g);
    }
    if (!any)
      continue;
    SmallVector<Value> operandGrads(op->getNumOperands());
    if (failed(buildOperandGradients(
            b, op, op == lossOp ? ArrayRef<Value>{} : resultGrads,
            operandGrads)))
      return failure();
    if (op == lossOp && scale && operandGrads[0]) {
      Value s = scale;
      Type elt = getElementTypeOrSelf(operandGrads[0].getType());
      if (getElementTypeOrSelf(s.getType()) != elt)
        s = CastOp::create(b, op->getLoc(), RankedTensorType::get({}, elt), s);
      operandGrads[0] =
          MulScalarOp::create(b, op->getLoc(), operandGrads[0], s);
    }
    for (auto [operand, g] : llvm::zip(op->getOperands(), operandGrads))
      if (g && active.contains(operand))
        accumulate(operand, g, op->getLoc());
  }

  // Return the gradients, in parameter declaration order.
  SmallVector<Value> results(ret.getOperands());
  SmallVector<DictionaryAttr> resultAttrs;
  for (unsigned i = 0; i < results.size(); ++i)
    resultAttrs.push_back(func.getResultAttrDict(i));
  MLIRContext *ctx = func.getContext();
  llvm::DenseMap<StringAttr, Value> byParam;
  for (LoadParamOp load : loads) {
    Value g = grads.lookup(load.getValue());
    StringAttr name = load.getParamAttr().getAttr();
    if (Value &slot = byParam[name]; slot && g)
      slot = AddOp::create(b, load.getLoc(), g.getType(), ValueRange{slot, g});
    else if (g)
      slot = g;
  }
  for (auto param : func->getParentOfType<ModuleOp>().getOps<ParameterOp>()) {
    bool read = llvm::any_of(loads, [&](LoadParamOp l) {
      return l.getParam() == param.getSymName();
    });
    if (!read)
      continue;
    Value g = byParam.lookup(param.getSymNameAttr());
    if (!g) {
      emitWarning(param.getLoc())
          << "the loss does not depend on trainable parameter '"
          << param.getSymName() << "'; its gradient is zero";
      auto type = cast<RankedTensorType>(param.getType());
      g = arith::ConstantOp::create(
          b, param.getLoc(),
          DenseElementsAttr::get(type,
                                 b.getFloatAttr(type.getElementType(), 0.0)));
    }
    results.push_back(g);
    resultAttrs.push_back(
        slotDict(slot(ctx, SlotRole::grad, param.getSymName())));
  }
  func::ReturnOp::create(b, ret.getLoc(), results);
  ret.erase();
  func.setType(FunctionType::get(ctx, func.getArgumentTypes(),
                                 ValueRange(results).getTypes()));
  func.setAllResultAttrs(resultAttrs);
  func->removeAttr(WeirDialect::DifferentiateAttrHelper::getNameStr());
  return success();
}

LogicalResult weir::differentiate(ModuleOp module) {
  SymbolTable symbols(module);
  for (auto func : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (func->hasAttr(WeirDialect::DifferentiateAttrHelper::getNameStr()) &&
        failed(differentiateFunction(func, symbols)))
      return failure();
  return success();
}

namespace {
struct DifferentiatePass : weir::impl::DifferentiateBase<DifferentiatePass> {
  void runOnOperation() override {
    if (failed(differentiate(getOperation())))
      signalPassFailure();
  }
};
} // namespace
