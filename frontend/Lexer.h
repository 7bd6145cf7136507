//===- Lexer.h - the tokens of the .weir language and the lexer -*- C++ -*-===//
//
// The whole buffer is lexed up front into a vector of tokens that ends with
// `eof`, or with an `error` token that carries its message (the parser
// reports it when it gets there, so diagnostics come out in source order).
// Newlines end statements, except inside ( ) and [ ], as in Python.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_FRONTEND_LEXER_H
#define WEIR_FRONTEND_LEXER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <cstdint>
#include <string>
#include <vector>

namespace weir::frontend {

enum class Tok {
  eof,
  error,
  newline,
  ident,
  integer,
  floating,
  string,
  lparen,
  rparen,
  lbracket,
  rbracket,
  lbrace,
  rbrace,
  comma,
  colon,
  semicolon,
  equal,
  plus,
  minus,
  star,
  slash,
  /// `|`, between the stages of a data pipeline.
  pipe,
  /// `28x28`: a size (height x width); the parser makes it a pair.
  dims,
  /// `..`, between the ends of a range: int(16..64).
  dotdot,
};

struct Token {
  Tok kind = Tok::eof;
  /// The spelling in the buffer (empty for `eof`).
  llvm::StringRef text;
  int64_t intValue = 0;
  double floatValue = 0;
  /// The unescaped value of a string, or the message of an error token.
  std::string value;

  llvm::SMLoc loc() const { return llvm::SMLoc::getFromPointer(text.data()); }
  bool is(Tok k) const { return kind == k; }
  bool isIdent(llvm::StringRef spelling) const {
    return kind == Tok::ident && text == spelling;
  }
};

/// Lexes `buffer`; the last token is `eof` or `error`. Never reads past the
/// end of `buffer`, whatever bytes it holds.
std::vector<Token> lex(llvm::StringRef buffer);

/// How a token reads in a diagnostic: `'foo'`, `end of line`, `end of file`.
std::string describe(const Token &tok);

} // namespace weir::frontend

#endif // WEIR_FRONTEND_LEXER_H
