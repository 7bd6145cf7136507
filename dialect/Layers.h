//===- Layers.h - which layer of the source an op was built for -*- C++ -*-===//
//
// The front end gives every op of a layer the location
// `loc("<layer>"(file:line:col))`: a NameLoc holding the layer's name (the
// one its parameters are prefixed with, `conv2d`, `dense_1`, ...) around
// the call's FileLineColLoc. Passes keep locations, so lowered code, the
// memory plan and the divergence probe can name the layer behind an op.
// Spec: docs/spec.md, "Conventions" (Locations).
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_DIALECT_LAYERS_H
#define WEIR_DIALECT_LAYERS_H

#include "mlir/IR/Location.h"

#include <optional>
#include <string>

namespace weir {

/// The layer `loc` was built for: the name of the first NameLoc found in it
/// (through fused and call-site locations), if any.
std::optional<llvm::StringRef> layerNameOf(mlir::Location loc);

/// The first file location inside `loc`, if any.
std::optional<mlir::FileLineColLoc> fileLocationOf(mlir::Location loc);

/// `file:line:col` of `loc`, or an empty string without a file location.
std::string formatFileLocation(mlir::Location loc);

/// `<layer> at file:line:col`, either part left out when `loc` lacks it;
/// "unknown location" when it has neither.
std::string describeLayer(mlir::Location loc);

} // namespace weir

#endif // WEIR_DIALECT_LAYERS_H
