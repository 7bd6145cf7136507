//===- Parser.h - .weir text to the syntax tree -----------------*- C++ -*-===//
#ifndef WEIR_FRONTEND_PARSER_H
#define WEIR_FRONTEND_PARSER_H

#include "frontend/AST.h"
#include "frontend/SearchSpace.h"
#include "frontend/Source.h"

#include "mlir/Support/LLVM.h"

namespace weir::frontend {

/// Deepest nesting of parentheses, brackets, calls, blocks and unary signs.
constexpr unsigned kMaxNesting = 256;

/// Parses the whole buffer of `source`. Reports the first syntax error (and
/// fails) rather than guessing past it.
mlir::FailureOr<File> parseFile(const Source &source);

/// SearchSpace.cpp: replaces every search-space call of `file` (int,
/// float, choice, boolean) by its value in `values`, or its default, and
/// appends it to `space` (when given). Reports and fails on a malformed
/// one or a value outside it.
mlir::LogicalResult resolveSearchSpace(const Source &source, File &file,
                                       const HyperValues *values,
                                       SearchSpace *space);

} // namespace weir::frontend

#endif // WEIR_FRONTEND_PARSER_H
