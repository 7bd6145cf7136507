//===- DropInPlaceResults.cpp - no returned copies of in-place updates ---===//
#include "passes/Passes.h"
#include "passes/Transforms.h"

#include "dialect/WeirDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_DROPINPLACERESULTS
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;
using namespace weir;

/// The buffer `v` is, looking through casts and through loops that carry a
/// buffer unchanged (a loop result whose iteration yields the loop's own
/// iteration argument is the loop's initial value): what a tiled in-place
/// update returns after bufferization.
static Value bufferBehind(Value v) {
  while (true) {
    if (auto cast = v.getDefiningOp<memref::CastOp>()) {
      v = cast.getSource();
      continue;
    }
    auto loop = v.getDefiningOp<scf::ForOp>();
    if (!loop)
      return v;
    unsigned i = cast<OpResult>(v).getResultNumber();
    Value yielded = loop.getBody()->getTerminator()->getOperand(i);
    if (bufferBehind(yielded) != loop.getRegionIterArg(i))
      return v;
    v = loop.getInitArgs()[i];
  }
}

LogicalResult weir::dropInPlaceResults(ModuleOp module) {
  SmallVector<NamedAttribute> dropped;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal() ||
        !func->hasAttr(WeirDialect::InPlaceUpdatesAttrHelper::getNameStr()))
      continue;
    auto ret = cast<func::ReturnOp>(func.getBody().front().getTerminator());
    SmallVector<int64_t> indices;
    llvm::BitVector drop(ret.getNumOperands());
    for (auto [i, v] : llvm::enumerate(ret.getOperands()))
      if (auto arg = dyn_cast<BlockArgument>(bufferBehind(v));
          arg && arg.getOwner() == &func.getBody().front()) {
        indices.push_back(i);
        drop.set(i);
      }
    if (failed(func.eraseResults(drop)))
      return func.emitError("cannot drop the in-place results");
    ret->eraseOperands(drop);
    func->removeAttr(WeirDialect::InPlaceUpdatesAttrHelper::getNameStr());
    dropped.push_back(
        NamedAttribute(func.getSymNameAttr(),
                       DenseI64ArrayAttr::get(module.getContext(), indices)));
  }
  if (!dropped.empty())
    module->setAttr(WeirDialect::DroppedResultsAttrHelper::getNameStr(),
                    DictionaryAttr::get(module.getContext(), dropped));
  return success();
}

namespace {
struct DropInPlaceResultsPass
    : weir::impl::DropInPlaceResultsBase<DropInPlaceResultsPass> {
  void runOnOperation() override {
    if (failed(dropInPlaceResults(getOperation())))
      signalPassFailure();
  }
};
} // namespace
