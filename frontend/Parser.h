//===- Parser.h - .weir text to the syntax tree -----------------*- C++ -*-===//
#ifndef WEIR_FRONTEND_PARSER_H
#define WEIR_FRONTEND_PARSER_H

#include "frontend/AST.h"
#include "frontend/Source.h"

#include "mlir/Support/LLVM.h"

namespace weir::frontend {

/// Deepest nesting of parentheses, brackets, calls, blocks and unary signs.
constexpr unsigned kMaxNesting = 256;

/// Parses the whole buffer of `source`. Reports the first syntax error (and
/// fails) rather than guessing past it.
mlir::FailureOr<File> parseFile(const Source &source);

} // namespace weir::frontend

#endif // WEIR_FRONTEND_PARSER_H
