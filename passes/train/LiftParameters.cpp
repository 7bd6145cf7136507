//===- LiftParameters.cpp - parameters become entry-point arguments ------===//
#include "dialect/Manifest.h"
#include "dialect/WeirOps.h"
#include "passes/Passes.h"
#include "passes/Transforms.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_LIFTPARAMETERS
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;
using namespace weir;

static LogicalResult liftInFunction(func::FuncOp func,
                                    ArrayRef<ParameterOp> params) {
  if (func.isExternal())
    return success();
  llvm::DenseMap<StringAttr, SmallVector<LoadParamOp>> loads;
  func.walk([&](LoadParamOp op) {
    loads[op.getParamAttr().getAttr()].push_back(op);
  });
  MLIRContext *ctx = func.getContext();
  for (ParameterOp param : params) {
    auto it = loads.find(param.getSymNameAttr());
    if (it == loads.end())
      continue;
    unsigned index = func.getNumArguments();
    DictionaryAttr attrs =
        slotDict(slot(ctx, SlotRole::param, param.getSymName()));
    if (failed(
            func.insertArgument(index, param.getType(), attrs, param.getLoc())))
      return func.emitError() << "cannot add an argument for parameter '"
                              << param.getSymName() << "'";
    Value arg = func.getArgument(index);
    for (LoadParamOp load : it->second) {
      load.replaceAllUsesWith(arg);
      load.erase();
    }
  }
  func->setAttr("llvm.emit_c_interface", UnitAttr::get(ctx));
  return success();
}

LogicalResult weir::liftParameters(ModuleOp module) {
  SmallVector<ParameterOp> params(module.getOps<ParameterOp>());
  for (auto func : module.getOps<func::FuncOp>())
    if (failed(liftInFunction(func, params)))
      return failure();
  return success();
}

namespace {
struct LiftParametersPass : weir::impl::LiftParametersBase<LiftParametersPass> {
  void runOnOperation() override {
    if (failed(liftParameters(getOperation())))
      signalPassFailure();
  }
};
} // namespace

void weir::dropWeirAnnotations(ModuleOp module) {
  module->removeAttr(WeirDialect::DroppedResultsAttrHelper::getNameStr());
  module.walk([](FunctionOpInterface func) {
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
      for (NamedAttribute attr : func.getArgAttrs(i))
        if (attr.getName().strref().starts_with("weir."))
          func.removeArgAttr(i, attr.getName());
  });
}
