//===- AST.h - the syntax tree of a .weir file ------------------*- C++ -*-===//
//
// What the parser produces and the builder consumes. Constant arithmetic is
// already folded (`1/255` is one Float), so an expression is a literal, a
// name, a list, a call, a sequential block or (in a train block) a map.
// Every node keeps the SMLoc of its first token for diagnostics and op
// locations.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_FRONTEND_AST_H
#define WEIR_FRONTEND_AST_H

#include "llvm/Support/SMLoc.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace weir::frontend {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

/// One argument of a call (positional when `keyword` is empty), or one
/// `key: value` entry of a map or a train block.
struct Arg {
  std::string keyword;
  llvm::SMLoc keywordLoc;
  ExprPtr value;
};

struct Expr {
  enum class Kind { Int, Float, Name, String, List, Call, Sequential, Map, Range };

  Kind kind;
  llvm::SMLoc loc;
  int64_t intValue = 0;
  double floatValue = 0;
  /// Name: the identifier; String: its value; Call: the callee.
  std::string text;
  /// List: the elements; Sequential: the layer calls, in order; Range
  /// (`lo..hi`, in a call's arguments): the two ends.
  std::vector<ExprPtr> elements;
  /// Call: the arguments; Map: the entries; in source order.
  std::vector<Arg> args;
  /// Sequential: the input expression.
  ExprPtr input;

  Expr(Kind kind, llvm::SMLoc loc) : kind(kind), loc(loc) {}
  bool isNumber() const { return kind == Kind::Int || kind == Kind::Float; }
  double asDouble() const {
    return kind == Kind::Int ? static_cast<double>(intValue) : floatValue;
  }
};

struct Stmt {
  enum class Kind { Assign, Return };
  Kind kind;
  /// The assigned name, or the `return` keyword.
  llvm::SMLoc loc;
  std::string name;
  /// Assign: one value; Return: one or more.
  std::vector<ExprPtr> values;
};

struct Input {
  std::string name;
  llvm::SMLoc loc;
  std::string dtype;
  llvm::SMLoc dtypeLoc;
  /// The shape without the batch dimension.
  std::vector<int64_t> dims;
};

struct Model {
  std::string name;
  llvm::SMLoc loc;
  std::vector<Input> inputs;
  std::vector<Stmt> body;
};

/// `data NAME = stage | stage | ...`: an input pipeline. Each stage is a
/// Call (a bare name such as `cache` is a call without arguments).
struct Data {
  std::string name;
  llvm::SMLoc loc;
  std::vector<ExprPtr> stages;
};

/// `train MODEL [on DATA] { key: value ... }`: the training configuration.
struct Train {
  /// The `train` keyword.
  llvm::SMLoc loc;
  std::string model;
  llvm::SMLoc modelLoc;
  /// The `data` pipeline after `on`, or empty (arrays from the command line).
  std::string data;
  llvm::SMLoc dataLoc;
  std::vector<Arg> entries;
};

struct File {
  std::vector<Model> models;
  std::vector<Data> data;
  std::vector<Train> trains;
};

} // namespace weir::frontend

#endif // WEIR_FRONTEND_AST_H
