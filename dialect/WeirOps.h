//===- WeirOps.h - weir ops and the shape-rule plumbing they share -*- C++ -*-===//
#ifndef WEIR_DIALECT_WEIROPS_H
#define WEIR_DIALECT_WEIROPS_H

#include "dialect/WeirDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include <functional>

namespace weir {

/// Starts a diagnostic; shape rules call it only when they reject an op.
using EmitFn = llvm::function_ref<mlir::InFlightDiagnostic()>;

/// An emitter for InferShapedTypeOpInterface: reports at `loc`, or stays
/// silent when there is none (the interface's convention).
std::function<mlir::InFlightDiagnostic()>
diagnoseAt(std::optional<mlir::Location> loc);

/// Checks that each declared result type is compatible with the shape the
/// op's rule inferred: same element type, and dimensions that agree
/// wherever both are known.
mlir::LogicalResult
verifyResultsAgainst(mlir::Operation *op,
                     llvm::ArrayRef<mlir::ShapedTypeComponents> inferred);

/// The verifier of every op with a shape rule: run the rule, reporting as
/// the op, then compare with the declared result types.
template <typename OpT>
mlir::LogicalResult verifyInferredShapes(OpT op) {
  llvm::SmallVector<mlir::ShapedTypeComponents> shapes;
  if (mlir::failed(OpT::inferShape(typename OpT::Adaptor(op),
                                   [&] { return op.emitOpError(); }, shapes)))
    return mlir::failure();
  return verifyResultsAgainst(op, shapes);
}

/// The tensor type described by `c` (unranked when `c` has no rank).
mlir::TensorType toTensorType(const mlir::ShapedTypeComponents &c);

/// The most precise tensor type that agrees with both `a` and `b`, or null
/// when they conflict (different element types, ranks or static sizes).
mlir::Type meetTensorTypes(mlir::Type a, mlir::Type b);

/// Runs the shape rule of `op` (a weir op with one) on its current operand
/// types and returns the refined result types; reports at the op's location
/// and fails if the rule rejects the operands or contradicts a declared
/// result type. Changes nothing.
mlir::FailureOr<llvm::SmallVector<mlir::Type>>
inferRefinedResultTypes(mlir::InferShapedTypeOpInterface op);

/// The dataset a stage produces from `input` (null for a source), or
/// failure after reporting through `emitError` (data_c* in docs/spec.md).
class DatasetType;
mlir::FailureOr<DatasetType> stageResultType(mlir::Operation *stage,
                                             DatasetType input,
                                             EmitFn emitError);

} // namespace weir

// Generated accessors take parameters they do not always use.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#define GET_TYPEDEF_CLASSES
#include "dialect/WeirTypes.h.inc"
#define GET_OP_CLASSES
#include "dialect/WeirOps.h.inc"
#pragma GCC diagnostic pop

#endif // WEIR_DIALECT_WEIROPS_H
