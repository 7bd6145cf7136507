//===- Builder.h - the syntax tree to a module of the weir dialect -*- C++ -*-===//
//
// Each model becomes a func.func; each call becomes a weir op whose result
// types are refined by the op's shape rule as soon as it is built, so that
// the next layer knows its input shape (a dense kernel needs the input
// feature count). Parameters are module-level weir.parameter symbols,
// declared before the functions and read with weir.load_param right before
// the op that uses them. The train block becomes a weir.train_config after
// the functions (TrainBlock.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_FRONTEND_BUILDER_H
#define WEIR_FRONTEND_BUILDER_H

#include "frontend/AST.h"
#include "frontend/OpTable.h"
#include "frontend/Source.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringMap.h"

namespace weir::frontend {

class ModuleBuilder {
public:
  ModuleBuilder(const Source &source, mlir::ModuleOp module);

  /// Builds every model of `file` into the module; fails after reporting.
  mlir::LogicalResult build(const File &file);

private:
  mlir::LogicalResult buildModel(const Model &model);
  /// TrainBlock.cpp: checks every value against the tables of
  /// dialect/TrainConfig.h, reporting at the value, and builds the op.
  mlir::LogicalResult buildTrain(const Train &train);
  /// DataBlock.cpp: a `data` statement to a weir.pipeline.
  mlir::LogicalResult buildData(const Data &data);
  mlir::LogicalResult checkUnused(const Model &model);

  /// A tensor-valued expression: a name, a call or a sequential block.
  /// `what` names the expression in a diagnostic ("input of dense").
  mlir::FailureOr<mlir::Value> buildTensor(const Expr &e,
                                           const llvm::Twine &what);
  /// A call; `chained` is the implicit input of a sequential layer.
  mlir::FailureOr<mlir::Value> buildCall(const Expr &call, mlir::Value chained);
  mlir::FailureOr<mlir::Value> buildSequential(const Expr &seq);

  // BuildOps.cpp: one function per op family.
  /// Builds the layer's ops (buildLayerOps) and puts them at
  /// loc("<layer>"(file:line:col)) (dialect/Layers.h).
  mlir::FailureOr<mlir::Value> buildOp(const BoundCall &call);
  mlir::FailureOr<mlir::Value> buildLayerOps(const BoundCall &call);
  mlir::FailureOr<mlir::Value> buildDense(const BoundCall &call,
                                          mlir::Value input);
  mlir::FailureOr<mlir::Value> buildConv2D(const BoundCall &call,
                                           mlir::Value input);
  /// What dense and conv2d share once their own arguments are read: the
  /// activation, bias and initializer arguments and the layer's name, its
  /// kernel of `kernelShape` and bias of `units`, the op `build` makes of
  /// them (at the call, of an unranked result type), then the activation.
  mlir::FailureOr<mlir::Value> buildKernelLayer(
      const BoundCall &call, mlir::Value input,
      llvm::ArrayRef<int64_t> kernelShape, int64_t units,
      llvm::function_ref<mlir::Operation *(mlir::Location, mlir::Type,
                                           mlir::Value kernel,
                                           mlir::Value bias)>
          build);
  mlir::FailureOr<mlir::Value> buildPool(const BoundCall &call,
                                         mlir::Value input);
  mlir::FailureOr<mlir::Value> buildBatchNorm(const BoundCall &call,
                                              mlir::Value input);
  mlir::FailureOr<mlir::Value> buildMerge(const BoundCall &call);
  mlir::FailureOr<mlir::Value> buildSimple(const BoundCall &call,
                                           mlir::Value input);

  /// The input tensor of a non-variadic op: chained, or built from args[0].
  mlir::FailureOr<mlir::Value> buildInput(const BoundCall &call);
  /// Reports unless `v` has a float element type.
  mlir::LogicalResult checkFloat(const BoundCall &call, mlir::Value v,
                                 llvm::SMLoc at);
  /// Verifies a just-built op and refines its result types by its shape
  /// rule; reports at the op's location on failure.
  mlir::LogicalResult refine(mlir::Operation *op);
  /// Applies `act` to `v` as a separate op at `loc`.
  mlir::FailureOr<mlir::Value> activate(Activation act, mlir::Value v,
                                        mlir::Location loc);

  /// The layer's name: given with `name:`, or the next free Keras-style
  /// `kind`, `kind_1`, ... Names are unique across the file. Once per call;
  /// the last call named and its name are kept (namedCall, namedLayer).
  mlir::FailureOr<std::string> layerName(const BoundCall &call);
  /// Declares `<layer>.<param>` and reads it where the builder stands.
  mlir::Value param(llvm::StringRef layer, llvm::StringRef name,
                    llvm::ArrayRef<int64_t> shape, mlir::Type elementType,
                    InitializerAttr init, bool nonTrainable,
                    mlir::Location loc);

  mlir::Location loc(llvm::SMLoc at) const { return source.loc(at); }
  mlir::Type unranked(mlir::Type elementType) const;

  const Source &source;
  mlir::MLIRContext *context;
  mlir::ModuleOp module;
  mlir::OpBuilder builder;
  /// The last weir.parameter declared; the next goes after it.
  mlir::Operation *lastParam = nullptr;

  struct Binding {
    mlir::Value value;
    llvm::SMLoc loc;
    bool used = false;
    bool isInput = false;
  };
  /// The values of the model being built, by name.
  llvm::StringMap<Binding> scope;
  /// The call layerName named last, and the name it gave.
  const BoundCall *namedCall = nullptr;
  std::string namedLayer;
  /// Layer names in use, with where each was taken.
  llvm::StringMap<llvm::SMLoc> layerNames;
  /// The next number to try for an automatic name, per op kind.
  llvm::StringMap<unsigned> layerCounters;
  /// Models defined so far, with their locations.
  llvm::StringMap<llvm::SMLoc> models;
  /// Data pipelines, with their locations.
  llvm::StringMap<llvm::SMLoc> pipelines;
};

} // namespace weir::frontend

#endif // WEIR_FRONTEND_BUILDER_H
