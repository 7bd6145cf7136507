//===- VerifyModel.cpp - whole-model checks beyond op verifiers ----------===//
#include "dialect/WeirOps.h"
#include "passes/Passes.h"
#include "passes/Transforms.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_VERIFYMODEL
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;
using namespace weir;

/// model_c1: ranked, and static in every dimension but the batch.
static bool isModelTensor(Type type) {
  auto t = dyn_cast<RankedTensorType>(type);
  if (!t)
    return !isa<TensorType>(type);
  return t.getRank() == 0 ||
         llvm::none_of(t.getShape().drop_front(), ShapedType::isDynamic);
}

static const char *kShapeHint =
    " (only the batch dimension may be dynamic; run weir-infer-shapes, or "
    "give the model input a full shape)";

static LogicalResult verifyFunction(func::FuncOp func) {
  bool holdsWeir = false;
  func.walk([&](Operation *op) {
    holdsWeir |= isa<WeirDialect>(op->getDialect());
  });
  if (!holdsWeir || func.isExternal())
    return success();

  bool ok = true;
  for (BlockArgument arg : func.getArguments())
    if (!isModelTensor(arg.getType())) {
      emitError(arg.getLoc())
          << "model input #" << arg.getArgNumber() << " has type "
          << arg.getType() << kShapeHint;
      ok = false;
    }

  llvm::DenseMap<int64_t, DropoutOp> seeds;
  func.walk([&](Operation *op) {
    // Report where a shape is first lost, not again at every op after it.
    bool inherited = llvm::any_of(op->getOperandTypes(), [](Type t) {
      return !isModelTensor(t);
    });
    for (OpResult r : op->getResults())
      if (!inherited && !isModelTensor(r.getType())) {
        op->emitError() << "result #" << r.getResultNumber() << " has type "
                        << r.getType() << kShapeHint;
        ok = false;
      }
    // model_c2: distinct dropout seeds.
    auto dropout = dyn_cast<DropoutOp>(op);
    if (!dropout || !dropout.getSeed())
      return;
    auto [it, fresh] = seeds.try_emplace(*dropout.getSeed(), dropout);
    if (fresh)
      return;
    InFlightDiagnostic diag = dropout.emitWarning()
                              << "dropout seed " << *dropout.getSeed()
                              << " is already used in this function; both "
                                 "ops will drop the same positions";
    diag.attachNote(it->second.getLoc()) << "first used here";
  });
  return success(ok);
}

LogicalResult weir::verifyModel(ModuleOp module,
                                const ModelCheckOptions &options) {
  bool ok = true;
  for (auto func : module.getOps<func::FuncOp>())
    ok &= succeeded(verifyFunction(func));

  // model_c3: every parameter is read somewhere.
  if (options.warnUnusedParameters) {
    llvm::DenseSet<StringAttr> read;
    module.walk([&](LoadParamOp op) {
      read.insert(op.getParamAttr().getAttr());
    });
    for (auto param : module.getOps<ParameterOp>())
      if (!read.contains(param.getSymNameAttr()))
        param.emitWarning() << "parameter '" << param.getSymName()
                            << "' is never read";
  }
  return success(ok);
}

namespace {
struct VerifyModelPass : weir::impl::VerifyModelBase<VerifyModelPass> {
  using weir::impl::VerifyModelBase<VerifyModelPass>::VerifyModelBase;
  void runOnOperation() override {
    ModelCheckOptions options;
    options.warnUnusedParameters = warnUnusedParameters;
    if (failed(verifyModel(getOperation(), options)))
      signalPassFailure();
    markAllAnalysesPreserved();
  }
};
} // namespace
