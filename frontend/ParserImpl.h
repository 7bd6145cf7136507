//===- ParserImpl.h - the .weir parser's class, shared by its files -*- C++ -*-===//
//
// Internal to frontend/: Parser.cpp (file, model, train and data blocks)
// and ParseExpr.cpp (expressions, calls, sequential blocks).
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_FRONTEND_PARSERIMPL_H
#define WEIR_FRONTEND_PARSERIMPL_H

#include "frontend/Lexer.h"
#include "frontend/Parser.h"

namespace weir::frontend::detail {
using llvm::SMLoc;
using llvm::StringRef;
using llvm::Twine;
using mlir::failure;
using mlir::FailureOr;
using mlir::LogicalResult;
using mlir::success;

/// The parser's state and its productions; Parser.cpp holds the file,
/// model, train and data blocks, ParseExpr.cpp the expressions.
class Parser {
public:
  explicit Parser(const Source &source)
      : source(source), tokens(lex(source.buffer())) {}

  FailureOr<File> parseFile();

private:
  // Token access. `pos` never moves past the final token.
  const Token &peek(size_t ahead = 0) const {
    return tokens[std::min(pos + ahead, tokens.size() - 1)];
  }
  const Token &next() {
    const Token &t = tokens[pos];
    if (pos + 1 < tokens.size())
      ++pos;
    return t;
  }
  bool consumeIf(Tok kind) {
    if (!peek().is(kind))
      return false;
    next();
    return true;
  }
  void skipSeparators() {
    while (peek().is(Tok::newline) || peek().is(Tok::semicolon))
      next();
  }
  /// The last token before the current one that is not a newline.
  const Token *previous() const {
    for (size_t i = pos; i > 0; --i)
      if (!tokens[i - 1].is(Tok::newline))
        return &tokens[i - 1];
    return nullptr;
  }
  /// Just after the previous token: where a missing closer belongs.
  SMLoc afterPrevious() const {
    const Token *prev = previous();
    if (!prev)
      return peek().loc();
    return SMLoc::getFromPointer(prev->text.data() + prev->text.size());
  }
  /// Whether `tok` does not continue the line of the previous token.
  bool startsElsewhere(const Token &tok) const {
    const Token *prev = previous();
    return tok.is(Tok::eof) || tok.is(Tok::rbrace) || !prev ||
           source.line(tok.loc()) != source.line(prev->loc());
  }

  // Diagnostics. An error token reports the lexer's message instead.
  LogicalResult fail(const Token &tok, const Twine &message) {
    if (tok.is(Tok::error))
      return failAt(tok.loc(), tok.value);
    return failAt(tok.loc(), message);
  }
  LogicalResult failAt(SMLoc loc, const Twine &message) {
    source.error(loc) << message.str();
    return failure();
  }
  /// A missing closer: after the last token when the next one is elsewhere.
  LogicalResult failUnclosed(const Twine &closing, const Twine &otherwise) {
    const Token &tok = peek();
    if (tok.is(Tok::error))
      return fail(tok, "");
    if (startsElsewhere(tok))
      return failAt(afterPrevious(), closing);
    return failAt(tok.loc(), otherwise + ", got " + describe(tok));
  }

  LogicalResult parseModel(File &file);
  LogicalResult parseInput(Model &model);
  LogicalResult parseStatement(Model &model);
  LogicalResult parseTrain(File &file);
  LogicalResult parseData(File &file);
  ExprPtr parseStage();
  /// `key: value` (or `key = value`) of a train block or a map.
  LogicalResult parseEntry(std::vector<Arg> &entries, StringRef where,
                           StringRef example);
  /// An expression, or a `{ key: value, ... }` map.
  ExprPtr parseValue();
  ExprPtr parseMap();

  ExprPtr parseExpr();
  ExprPtr parseTerm();
  ExprPtr parseUnary();
  ExprPtr parsePrimary();
  ExprPtr parseCall(const Token &callee);
  ExprPtr parseSequential();
  ExprPtr parseListTail(ExprPtr list, Tok closer, StringRef what);
  ExprPtr fold(const Token &op, ExprPtr lhs, ExprPtr rhs);

  /// Counts one level of nesting; false (after reporting) past the limit.
  bool enter() {
    if (++depth <= kMaxNesting)
      return true;
    (void)failAt(peek().loc(), "expression is nested too deeply (the limit "
                               "is " + Twine(kMaxNesting) + " levels)");
    return false;
  }
  struct Leave {
    unsigned &depth;
    ~Leave() { --depth; }
  };

  const Source &source;
  std::vector<Token> tokens;
  size_t pos = 0;
  unsigned depth = 0;
};
} // namespace weir::frontend::detail

#endif // WEIR_FRONTEND_PARSERIMPL_H
