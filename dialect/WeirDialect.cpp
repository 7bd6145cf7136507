//===- WeirDialect.cpp - dialect registration, parameters, shared helpers -===//
#include "dialect/WeirOps.h"
#include "dialect/Manifest.h"

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
#define GET_TYPEDEF_CLASSES
#include "dialect/WeirTypes.cpp.inc"
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
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialect/WeirTypes.cpp.inc"
      >();
}

/// The discardable attributes of docs/spec.md ("Discardable attributes"):
/// each holds the kind of attribute its helper reads.
static LogicalResult verifyDiscardable(Operation *op, NamedAttribute attr) {
  StringRef name = attr.getName().strref();
  Attribute value = attr.getValue();
  auto expect = [&](bool ok, StringRef what) -> LogicalResult {
    if (ok)
      return success();
    return op->emitError() << name << " must be " << what;
  };
  if (name == WeirDialect::PlacementAttrHelper::getNameStr())
    return expect(isa<StringAttr>(value), "a string");
  if (name == WeirDialect::DroppedResultsAttrHelper::getNameStr())
    return expect(isa<DictionaryAttr>(value) && isa<ModuleOp>(op),
                  "a dictionary on a module");
  if (name == WeirDialect::InPlaceUpdatesAttrHelper::getNameStr() ||
      name == WeirDialect::DifferentiateAttrHelper::getNameStr())
    return expect(isa<UnitAttr>(value) && isa<FunctionOpInterface>(op),
                  "a unit attribute on a function");
  if (name == WeirDialect::VectorizeAttrHelper::getNameStr())
    return expect(isa<UnitAttr>(value), "a unit attribute");
  if (name == WeirDialect::LossScaleAttrHelper::getNameStr())
    return expect(isa<FlatSymbolRefAttr>(value) && isa<FunctionOpInterface>(op),
                  "a parameter's symbol on a function");
  if (name == WeirDialect::ComputeTypeAttrHelper::getNameStr()) {
    auto type = dyn_cast<TypeAttr>(value);
    Type t = type ? type.getValue() : Type();
    return expect(t && (t.isF32() || t.isBF16() || t.isF16()) &&
                      op->getDialect() == op->getContext()
                                              ->getLoadedDialect<WeirDialect>(),
                  "f32, bf16 or f16 on a weir op");
  }
  return success();
}

// A constant initializer has a value; the others have none.
LogicalResult
InitializerAttr::verify(llvm::function_ref<InFlightDiagnostic()> emitError,
                        InitKind kind, std::optional<int64_t>, FloatAttr value) {
  if ((kind == InitKind::constant) != static_cast<bool>(value))
    return emitError() << (value ? "only a constant initializer has a value"
                                 : "a constant initializer needs a value");
  return success();
}

LogicalResult WeirDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  if (attr.getName() != kManifestAttrName)
    return verifyDiscardable(op, attr);
  auto manifest = dyn_cast<ManifestAttr>(attr.getValue());
  auto fn = dyn_cast<FunctionOpInterface>(op);
  if (!manifest || !fn)
    return op->emitError() << kManifestAttrName
                           << " is a #weir.manifest on a function";
  return verifyManifest(fn, manifest);
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

Type weir::meetTensorTypes(Type a, Type b) {
  auto ta = cast<TensorType>(a), tb = cast<TensorType>(b);
  if (ta.getElementType() != tb.getElementType())
    return {};
  if (!ta.hasRank())
    return tb;
  if (!tb.hasRank())
    return ta;
  if (ta.getRank() != tb.getRank())
    return {};
  SmallVector<int64_t> dims;
  for (auto [da, db] : llvm::zip(ta.getShape(), tb.getShape())) {
    if (!ShapedType::isDynamic(da) && !ShapedType::isDynamic(db) && da != db)
      return {};
    dims.push_back(ShapedType::isDynamic(da) ? db : da);
  }
  return RankedTensorType::get(dims, ta.getElementType());
}

FailureOr<SmallVector<Type>>
weir::inferRefinedResultTypes(InferShapedTypeOpInterface op) {
  SmallVector<ShapedTypeComponents> shapes;
  if (failed(op.inferReturnTypeComponents(
          op->getContext(), op.getLoc(), op->getOperands(),
          op->getDiscardableAttrDictionary(), op->getPropertiesStorage(),
          op->getRegions(), shapes)))
    return failure();
  SmallVector<Type> refined;
  for (auto [result, shape] : llvm::zip(op->getResults(), shapes)) {
    Type inferred = toTensorType(shape);
    Type meet = meetTensorTypes(result.getType(), inferred);
    if (!meet)
      return op->emitOpError()
             << "result #" << result.getResultNumber() << " is declared "
             << result.getType() << ", but its operands give " << inferred;
    refined.push_back(meet);
  }
  return refined;
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
