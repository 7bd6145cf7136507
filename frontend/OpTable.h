//===- OpTable.h - the ops of the language and how calls bind to them -*- C++ -*-===//
//
// One row per op: its name, its arguments in Keras order and how many of
// them may be given by position. BoundCall matches a call's arguments to
// that row and reads each one as the kind of value it must be, reporting
// at the argument when it is not.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_FRONTEND_OPTABLE_H
#define WEIR_FRONTEND_OPTABLE_H

#include "dialect/WeirOps.h"
#include "frontend/AST.h"
#include "frontend/Source.h"

#include <functional>
#include <optional>

namespace weir::frontend {

enum class OpKind {
  Dense,
  Conv2D,
  MaxPool2D,
  AvgPool2D,
  GlobalAvgPool2D,
  BatchNorm,
  Dropout,
  Flatten,
  Reshape,
  Add,
  Concat,
  Cast,
  Rescale,
  Relu,
  Sigmoid,
  Tanh,
  Gelu,
  Softmax,
  RandomFlip,
  RandomRotation,
  RandomZoom,
  RandomTranslation,
  RandomCrop,
  RandomContrast,
};

struct ArgDef {
  const char *name;
  /// Another accepted keyword (kernel for kernel_size), or null.
  const char *alias = nullptr;
  bool required = false;
};

struct OpDef {
  const char *name;
  OpKind kind;
  /// All positional arguments are input tensors (add, concat).
  bool variadic;
  /// How many of `args` may be given by position (the input included).
  unsigned positional;
  /// Whether every input tensor must have a float element type.
  bool floatInputs;
  /// The arguments in Keras order; args[0] is the input unless variadic.
  std::vector<ArgDef> args;
};

/// The op called `name`, or null.
const OpDef *lookupOp(llvm::StringRef name);

/// Every op, in the order of docs/language.md.
llvm::ArrayRef<OpDef> allOps();

/// The closest of `candidates` to `name` (edit distance, ignoring case), or
/// an empty string when none is close.
std::string closest(llvm::StringRef name,
                    llvm::ArrayRef<llvm::StringRef> candidates);

/// The op a misspelled or Keras-style name probably meant, or "".
std::string suggestOp(llvm::StringRef name);

/// How an expression reads in a diagnostic: 3, 0.5, 'relu', a list, ...
std::string describe(const Expr &e);

enum class Activation { Linear, Relu, Sigmoid, Tanh, Softmax, Gelu };

/// A call matched to its op: which expression gives which argument.
class BoundCall {
public:
  /// Binds `call` to `def`. With `chained`, the input is that value (a layer
  /// of a sequential block) and the call gives only the other arguments.
  /// `isTensor` tells names of values from keywords in messages.
  static mlir::FailureOr<BoundCall>
  bind(const Source &source, const OpDef &def, const Expr &call,
       mlir::Value chained, std::function<bool(llvm::StringRef)> isTensor);

  const OpDef &def() const { return *opDef; }
  llvm::SMLoc loc() const { return call->loc; }
  mlir::Value chained() const { return chainedInput; }
  /// The expression given for `name` (an argument of the op), or null.
  const Expr *get(llvm::StringRef name) const;
  /// The variadic input expressions (add, concat), lists expanded.
  llvm::ArrayRef<const Expr *> tensors() const { return variadicInputs; }

  // Typed reads of the argument `name`; `dflt` when it is absent. Each
  // reports at the argument and fails when the value has the wrong kind.
  mlir::FailureOr<int64_t> getInt(llvm::StringRef name, int64_t dflt,
                                  int64_t min, int64_t max) const;
  mlir::FailureOr<std::optional<int64_t>>
  getOptionalInt(llvm::StringRef name) const;
  mlir::FailureOr<double> getFloat(llvm::StringRef name, double dflt) const;
  mlir::FailureOr<bool> getBool(llvm::StringRef name, bool dflt) const;
  /// An int k (meaning [k, k]) or a pair, each entry in [1, 2^31).
  mlir::FailureOr<llvm::SmallVector<int64_t, 2>>
  getPair(llvm::StringRef name, llvm::ArrayRef<int64_t> dflt) const;
  mlir::FailureOr<llvm::SmallVector<int64_t>>
  getIntList(llvm::StringRef name) const;
  mlir::FailureOr<Padding> getPadding(llvm::StringRef name) const;
  mlir::FailureOr<Activation> getActivation(llvm::StringRef name) const;
  mlir::FailureOr<InitializerAttr> getInit(llvm::StringRef name,
                                           InitKind dflt) const;
  mlir::FailureOr<mlir::Type> getDType(llvm::StringRef name) const;
  /// The index in `choices` of the name given for `name`; `dflt` if absent.
  mlir::FailureOr<unsigned> getEnum(llvm::StringRef name,
                                    llvm::ArrayRef<llvm::StringRef> choices,
                                    unsigned dflt) const;
  /// The layer name given with `name:`, or std::nullopt.
  mlir::FailureOr<std::optional<std::string>> getLayerName() const;

  /// Reports at `e` that argument `name` must be `expected`.
  mlir::LogicalResult mismatch(llvm::StringRef name, const Expr &e,
                               const llvm::Twine &expected) const;

private:
  /// One of `choices`, given as a name or a string.
  mlir::FailureOr<unsigned> getChoice(llvm::StringRef name, const Expr &e,
                                      llvm::ArrayRef<llvm::StringRef> choices)
      const;

  const Source *source = nullptr;
  const OpDef *opDef = nullptr;
  const Expr *call = nullptr;
  mlir::Value chainedInput;
  std::vector<const Expr *> slots;
  std::vector<const Expr *> variadicInputs;
  std::function<bool(llvm::StringRef)> isTensor;
};

/// Parses a dtype name (u8, i8, i32, i64, f16, bf16, f32, f64).
mlir::Type parseDType(mlir::MLIRContext *context, llvm::StringRef name);
/// The dtype names, and the one `name` probably meant ("" if none).
llvm::ArrayRef<llvm::StringRef> dtypeNames();
std::string suggestDType(llvm::StringRef name);

} // namespace weir::frontend

#endif // WEIR_FRONTEND_OPTABLE_H
