//===- WeirDialect.cpp - dialect registration, parameters, shared helpers -===//
#include "dialect/WeirOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace weir;

// Generated definitions take parameters they do not always use.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "dialect/WeirDialect.cpp.inc"
#include "dialect/WeirEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "dialect/WeirAttrs.cpp.inc"
#define GET_OP_CLASSES
#include "dialect/WeirOps.cpp.inc"
#pragma GCC diagnostic pop

void WeirDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialect/WeirOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialect/WeirAttrs.cpp.inc"
      >();
}

std::function<InFlightDiagnostic()>
weir::diagnoseAt(std::optional<Location> loc) {
  return [loc]() -> InFlightDiagnostic {
    if (!loc)
      return InFlightDiagnostic();
    return emitError(*loc);
  };
}

TensorType weir::toTensorType(const ShapedTypeComponents &c) {
  if (!c.hasRank())
    return UnrankedTensorType::get(c.getElementType());
  return RankedTensorType::get(c.getDims(), c.getElementType());
}

LogicalResult
weir::verifyResultsAgainst(Operation *op,
                           ArrayRef<ShapedTypeComponents> inferred) {
  for (auto [i, result] : llvm::enumerate(op->getResults())) {
    TensorType expected = toTensorType(inferred[i]);
    Type actual = result.getType();
    if (getElementTypeOrSelf(actual) != expected.getElementType() ||
        failed(verifyCompatibleShape(actual, expected)))
      return op->emitOpError() << "result #" << i << " has type " << actual
                               << ", but its operands give " << expected;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// ParameterOp, LoadParamOp
//===----------------------------------------------------------------------===//

LogicalResult ParameterOp::verify() {
  // parameter_c1: the shape is static, so the checkpoint layout is fixed.
  auto type = dyn_cast<RankedTensorType>(getType());
  if (!type || !type.hasStaticShape())
    return emitOpError() << "needs a static shape, got " << getType();
  return success();
}

LogicalResult LoadParamOp::verifySymbolUses(SymbolTableCollection &tables) {
  // load_param_c1: the symbol names a weir.parameter.
  auto param = tables.lookupNearestSymbolFrom<ParameterOp>(*this, getParamAttr());
  if (!param)
    return emitOpError() << "'@" << getParam()
                         << "' does not name a weir.parameter";
  // load_param_c2: the result type is the parameter's type.
  if (param.getType() != getValue().getType())
    return emitOpError() << "result type " << getValue().getType()
                         << " differs from the type of parameter '@"
                         << getParam() << "', " << param.getType();
  return success();
}
