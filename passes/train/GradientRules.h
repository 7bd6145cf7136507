//===- GradientRules.h - one derivative rule per weir op -*- C++ -*-===//
#ifndef WEIR_PASSES_GRADIENTRULES_H
#define WEIR_PASSES_GRADIENTRULES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"

namespace weir {

/// Builds, at the builder's insertion point, the gradients of `op`'s float
/// operands from the gradients of its results (`resultGrads`, one per
/// result, null where no gradient flows; a loss op, the root, gets null).
/// `operandGrads` has one entry per operand and receives a value of the
/// operand's type, or stays null for operands without a derivative (integer
/// targets, rng keys). Fails with an error at the op when it has no rule.
mlir::LogicalResult
buildOperandGradients(mlir::OpBuilder &b, mlir::Operation *op,
                      llvm::ArrayRef<mlir::Value> resultGrads,
                      llvm::MutableArrayRef<mlir::Value> operandGrads);

/// The gradient op of a loss op (`weir.<loss>` -> `weir.<loss>_grad`):
/// the derivative of the batch-mean loss with respect to its prediction.
/// Null if `op` is not a loss.
mlir::Value buildLossGradient(mlir::OpBuilder &b, mlir::Operation *op);

} // namespace weir

#endif // WEIR_PASSES_GRADIENTRULES_H
