//===- Manifest.h - the typed contract of a compiled function -*- C++ -*-===//
//
// Every argument and result of a training function carries a
// #weir.slot<role[, "name"]> under kSlotAttrName; the function carries a
// #weir.manifest<kind> under kManifestAttrName, and the dialect verifies
// the whole signature against docs/spec.md's constraints M1-M6. These are
// the only spellings of the keys: the compiler writes slots through
// setArgSlot/setResultSlot, the runtime reads them through getArgSlot/
// getResultSlot.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_DIALECT_MANIFEST_H
#define WEIR_DIALECT_MANIFEST_H

#include "dialect/WeirDialect.h"

#include "mlir/Interfaces/FunctionInterfaces.h"

namespace weir {

constexpr llvm::StringLiteral kSlotAttrName = "weir.slot";
constexpr llvm::StringLiteral kManifestAttrName = "weir.manifest";

/// The slot of argument / result `i`, or null.
SlotAttr getArgSlot(mlir::FunctionOpInterface fn, unsigned i);
SlotAttr getResultSlot(mlir::FunctionOpInterface fn, unsigned i);
/// Sets the slot of argument / result `i` (other attributes kept).
void setArgSlot(mlir::FunctionOpInterface fn, unsigned i, SlotAttr slot);
void setResultSlot(mlir::FunctionOpInterface fn, unsigned i, SlotAttr slot);
/// A dictionary holding just `slot`, for insertArgument and friends.
mlir::DictionaryAttr slotDict(SlotAttr slot);
/// #weir.slot<role> and #weir.slot<role, "name">.
SlotAttr slot(mlir::MLIRContext *ctx, SlotRole role);
SlotAttr slot(mlir::MLIRContext *ctx, SlotRole role, llvm::StringRef name);

/// Marks `fn` as the `kind` training function: its slots are verified.
void setManifest(mlir::FunctionOpInterface fn, StepKind kind);
/// The manifest of `fn`, or null.
ManifestAttr getManifest(mlir::FunctionOpInterface fn);

/// Checks `fn`'s signature against its manifest (docs/spec.md, M1-M6).
mlir::LogicalResult verifyManifest(mlir::FunctionOpInterface fn,
                                   ManifestAttr manifest);

} // namespace weir

#endif // WEIR_DIALECT_MANIFEST_H
