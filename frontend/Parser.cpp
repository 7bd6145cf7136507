//===- Parser.cpp - recursive-descent parser of .weir files --------------===//
//
// Builds the syntax tree of frontend/AST.h and folds constant arithmetic.
// Every loop consumes a token or stops at the final `eof`/`error` token, and
// nesting is bounded by kMaxNesting, so no input can hang or overflow the
// stack. The grammar is in docs/language.md.
//
//===----------------------------------------------------------------------===//
#include "frontend/Parser.h"
#include "frontend/Lexer.h"

#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace weir::frontend;
using llvm::SMLoc;
using llvm::StringRef;
using llvm::Twine;

namespace {
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
} // namespace

static const char *kModelSyntax = "'model NAME(INPUT: DTYPE[SHAPE], ...) { ... }'";

FailureOr<File> Parser::parseFile() {
  File file;
  while (true) {
    skipSeparators();
    const Token &t = peek();
    if (t.is(Tok::eof))
      break;
    if (t.isIdent("model")) {
      if (failed(parseModel(file)))
        return failure();
      continue;
    }
    if (t.isIdent("data")) {
      if (failed(parseData(file)))
        return failure();
      continue;
    }
    if (t.isIdent("train")) {
      if (failed(parseTrain(file)))
        return failure();
      continue;
    }
    return fail(t, Twine("expected a model definition ") + kModelSyntax +
                       ", got " + describe(t));
  }
  if (file.models.empty() && !file.data.empty() && file.trains.empty())
    return failAt(file.data.front().loc,
                  "this file defines data but no model to train on it");
  if (file.models.empty() && !file.trains.empty())
    return failAt(file.trains.front().modelLoc,
                  "unknown model '" + file.trains.front().model +
                      "': this file defines no model");
  if (file.models.empty())
    return fail(peek(), Twine("this file defines no model (expected ") +
                            kModelSyntax + ")");
  return file;
}

LogicalResult Parser::parseModel(File &file) {
  next(); // model
  const Token &name = peek();
  if (!name.is(Tok::ident))
    return fail(name, "expected the model's name after 'model', got " +
                          describe(name));
  Model model;
  model.name = name.text.str();
  model.loc = name.loc();
  next();
  if (!consumeIf(Tok::lparen))
    return fail(peek(), "expected '(' and the inputs after model '" +
                            model.name + "', got " + describe(peek()));
  while (!consumeIf(Tok::rparen)) {
    if (failed(parseInput(model)))
      return failure();
    if (consumeIf(Tok::comma))
      continue;
    if (!peek().is(Tok::rparen))
      return failUnclosed("expected ')' to close the inputs of model '" +
                              model.name + "'",
                          "expected ',' or ')' after input '" +
                              model.inputs.back().name + "'");
  }
  if (!consumeIf(Tok::lbrace))
    return fail(peek(), "expected '{' to open the body of model '" +
                            model.name + "', got " + describe(peek()));
  while (true) {
    skipSeparators();
    if (consumeIf(Tok::rbrace))
      break;
    if (peek().is(Tok::eof) || peek().is(Tok::error))
      return failUnclosed("expected '}' to close model '" + model.name + "'",
                          "");
    if (failed(parseStatement(model)))
      return failure();
    const Token &t = peek();
    if (!t.is(Tok::newline) && !t.is(Tok::semicolon) && !t.is(Tok::rbrace))
      return fail(t, "expected the end of the statement (a new line or ';'), "
                     "got " + describe(t));
  }
  file.models.push_back(std::move(model));
  return success();
}

LogicalResult Parser::parseInput(Model &model) {
  const Token &name = peek();
  if (!name.is(Tok::ident))
    return fail(name, "expected an input name (as in x: f32[28, 28, 1]), got " +
                          describe(name));
  Input input;
  input.name = name.text.str();
  input.loc = name.loc();
  next();
  if (!consumeIf(Tok::colon))
    return fail(peek(), "expected ':' and the type of input '" + input.name +
                            "' (as in " + input.name + ": f32[28, 28, 1]), got " +
                            describe(peek()));
  const Token &dtype = peek();
  if (!dtype.is(Tok::ident))
    return fail(dtype, "expected the dtype of input '" + input.name +
                           "' (u8, i8, i32, i64, f16, bf16, f32 or f64), got " +
                           describe(dtype));
  input.dtype = dtype.text.str();
  input.dtypeLoc = dtype.loc();
  next();
  if (!consumeIf(Tok::lbracket))
    return fail(peek(), "expected '[' and the shape of one example of input '" +
                            input.name + "' (as in " + input.dtype +
                            "[28, 28, 1]), got " + describe(peek()));
  while (!consumeIf(Tok::rbracket)) {
    const Token &dim = peek();
    if (!dim.is(Tok::integer))
      return fail(dim, "expected a dimension size (a positive integer; the "
                       "batch dimension is implicit), got " + describe(dim));
    // Sizes beyond 2^31 can only be mistakes, and bounding them keeps every
    // later size computation far from overflow.
    if (dim.intValue < 1 || dim.intValue > INT32_MAX)
      return fail(dim, "dimension size " + Twine(dim.intValue) +
                           " is out of range (1 to 2147483647)");
    input.dims.push_back(dim.intValue);
    next();
    if (consumeIf(Tok::comma))
      continue;
    if (!peek().is(Tok::rbracket))
      return failUnclosed("expected ']' to close the shape of input '" +
                              input.name + "'",
                          "expected ',' or ']' in the shape of input '" +
                              input.name + "'");
  }
  model.inputs.push_back(std::move(input));
  return success();
}

static bool isReserved(StringRef name) {
  return name == "model" || name == "return" || name == "sequential";
}

LogicalResult Parser::parseStatement(Model &model) {
  const Token &t = peek();
  Stmt stmt;
  stmt.loc = t.loc();
  if (t.isIdent("return")) {
    next();
    stmt.kind = Stmt::Kind::Return;
    while (true) {
      ExprPtr value = parseExpr();
      if (!value)
        return failure();
      stmt.values.push_back(std::move(value));
      if (!consumeIf(Tok::comma))
        break;
      // A line that ends with a comma goes on: `return a,\n    b`.
      consumeIf(Tok::newline);
    }
    model.body.push_back(std::move(stmt));
    return success();
  }
  if (t.isIdent("model"))
    return fail(t, "a model cannot be defined inside another model (is a '}' "
                   "missing before this line?)");
  if (t.is(Tok::ident) && peek(1).is(Tok::equal)) {
    if (isReserved(t.text))
      return fail(t, "'" + t.text + "' is a reserved word and cannot name a "
                                    "value");
    stmt.kind = Stmt::Kind::Assign;
    stmt.name = t.text.str();
    next();
    next();
    ExprPtr value = parseExpr();
    if (!value)
      return failure();
    stmt.values.push_back(std::move(value));
    model.body.push_back(std::move(stmt));
    return success();
  }
  if (t.is(Tok::ident) && peek(1).is(Tok::lparen))
    return fail(t, "the result of this call is not used (assign it, as in "
                   "h = " + t.text + "(...), or return it)");
  if (t.is(Tok::ident))
    return fail(peek(1), "expected '=' after '" + t.text + "', got " +
                             describe(peek(1)));
  return fail(t, "expected a statement (NAME = ... or return ...), got " +
                     describe(t));
}

//===----------------------------------------------------------------------===//
// Train blocks
//===----------------------------------------------------------------------===//

LogicalResult Parser::parseTrain(File &file) {
  Train train;
  train.loc = next().loc(); // train
  const Token &name = peek();
  if (!name.is(Tok::ident))
    return fail(name, "expected the name of the model to train after "
                      "'train', got " + describe(name));
  train.model = name.text.str();
  train.modelLoc = name.loc();
  next();
  if (peek().isIdent("on")) {
    next();
    const Token &data = peek();
    if (!data.is(Tok::ident))
      return fail(data, "expected the name of a data pipeline after 'on', "
                        "got " + describe(data));
    train.data = data.text.str();
    train.dataLoc = data.loc();
    next();
  }
  if (!consumeIf(Tok::lbrace))
    return fail(peek(), "expected '{' to open the train block of '" +
                            train.model + "', got " + describe(peek()));
  while (true) {
    skipSeparators();
    if (consumeIf(Tok::rbrace))
      break;
    if (peek().is(Tok::eof) || peek().is(Tok::error))
      return failUnclosed("expected '}' to close the train block of '" +
                              train.model + "'",
                          "");
    if (failed(parseEntry(train.entries, "the train block", "epochs: 10")))
      return failure();
    const Token &t = peek();
    if (!t.is(Tok::newline) && !t.is(Tok::semicolon) && !t.is(Tok::rbrace))
      return fail(t, "expected the end of the entry (a new line or ';'), "
                     "got " + describe(t));
  }
  file.trains.push_back(std::move(train));
  return success();
}

LogicalResult Parser::parseEntry(std::vector<Arg> &entries, StringRef where,
                                 StringRef example) {
  const Token &key = peek();
  if (!key.is(Tok::ident))
    return fail(key, "expected a key in " + where + " (as in " + example +
                         "), got " + describe(key));
  Arg entry;
  entry.keyword = key.text.str();
  entry.keywordLoc = key.loc();
  next();
  if (!consumeIf(Tok::colon) && !consumeIf(Tok::equal))
    return fail(peek(), "expected ':' and a value after '" + entry.keyword +
                            "', got " + describe(peek()));
  entry.value = parseValue();
  if (!entry.value)
    return failure();
  entries.push_back(std::move(entry));
  return success();
}

ExprPtr Parser::parseValue() {
  if (peek().is(Tok::lbrace))
    return parseMap();
  return parseExpr();
}

ExprPtr Parser::parseMap() {
  if (!enter())
    return nullptr;
  Leave leave{depth};
  auto map = std::make_unique<Expr>(Expr::Kind::Map, next().loc());
  // Entries are separated by commas, new lines, or both.
  while (true) {
    while (consumeIf(Tok::newline)) {
    }
    if (consumeIf(Tok::rbrace))
      return map;
    if (peek().is(Tok::eof) || peek().is(Tok::error)) {
      (void)failUnclosed("expected '}' to close the map", "");
      return nullptr;
    }
    if (failed(parseEntry(map->args, "the map", "patience: 3")))
      return nullptr;
    if (consumeIf(Tok::comma) || peek().is(Tok::newline) ||
        peek().is(Tok::rbrace))
      continue;
    (void)failUnclosed("expected '}' to close the map",
                       "expected ',' or '}' in the map");
    return nullptr;
  }
}

//===----------------------------------------------------------------------===//
// Data pipelines
//===----------------------------------------------------------------------===//

LogicalResult Parser::parseData(File &file) {
  next(); // data
  const Token &name = peek();
  if (!name.is(Tok::ident))
    return fail(name, "expected the pipeline's name after 'data', got " +
                          describe(name));
  Data data;
  data.name = name.text.str();
  data.loc = name.loc();
  next();
  if (!consumeIf(Tok::equal))
    return fail(peek(), "expected '=' after 'data " + data.name +
                            "' (as in data " + data.name +
                            " = images(\"dir\") | batch(32)), got " +
                            describe(peek()));
  while (true) {
    ExprPtr stage = parseStage();
    if (!stage)
      return failure();
    data.stages.push_back(std::move(stage));
    // A stage may continue on the next line when that line starts with '|'.
    size_t ahead = 0;
    while (peek(ahead).is(Tok::newline))
      ++ahead;
    if (!peek(ahead).is(Tok::pipe))
      break;
    while (peek().is(Tok::newline))
      next();
    next(); // |
    while (peek().is(Tok::newline))
      next();
  }
  const Token &after = peek();
  if (!after.is(Tok::newline) && !after.is(Tok::semicolon) &&
      !after.is(Tok::eof))
    return fail(after, "expected '|' and the next stage, or the end of the "
                       "line, after a stage of data " + data.name + ", got " +
                       describe(after));
  file.data.push_back(std::move(data));
  return success();
}

ExprPtr Parser::parseStage() {
  const Token &t = peek();
  if (!t.is(Tok::ident)) {
    (void)fail(t, "expected a pipeline stage (images(...), shuffle(...), "
                  "batch(...), ...), got " + describe(t));
    return nullptr;
  }
  next();
  if (peek().is(Tok::lparen)) {
    if (!enter())
      return nullptr;
    Leave leave{depth};
    return parseCall(t);
  }
  // A bare stage name is a call with no arguments: `cache` = `cache()`.
  auto call = std::make_unique<Expr>(Expr::Kind::Call, t.loc());
  call->text = t.text.str();
  return call;
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

ExprPtr Parser::parseExpr() {
  if (!enter())
    return nullptr;
  Leave leave{depth};
  ExprPtr lhs = parseTerm();
  while (lhs && (peek().is(Tok::plus) || peek().is(Tok::minus))) {
    const Token &op = next();
    ExprPtr rhs = parseTerm();
    if (!rhs)
      return nullptr;
    lhs = fold(op, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseTerm() {
  ExprPtr lhs = parseUnary();
  while (lhs && (peek().is(Tok::star) || peek().is(Tok::slash))) {
    const Token &op = next();
    ExprPtr rhs = parseUnary();
    if (!rhs)
      return nullptr;
    lhs = fold(op, std::move(lhs), std::move(rhs));
  }
  return lhs;
}

ExprPtr Parser::parseUnary() {
  if (!peek().is(Tok::minus) && !peek().is(Tok::plus))
    return parsePrimary();
  const Token &op = next();
  if (!enter())
    return nullptr;
  Leave leave{depth};
  ExprPtr operand = parseUnary();
  if (!operand)
    return nullptr;
  if (!operand->isNumber()) {
    (void)failAt(op.loc(), "'" + op.text + "' needs a number");
    return nullptr;
  }
  operand->loc = op.loc();
  if (op.is(Tok::plus))
    return operand;
  if (operand->kind == Expr::Kind::Float) {
    operand->floatValue = -operand->floatValue;
    return operand;
  }
  int64_t negated;
  if (llvm::SubOverflow<int64_t>(0, operand->intValue, negated)) {
    (void)failAt(op.loc(), "integer overflow in constant arithmetic");
    return nullptr;
  }
  operand->intValue = negated;
  return operand;
}

ExprPtr Parser::fold(const Token &op, ExprPtr lhs, ExprPtr rhs) {
  if (!lhs->isNumber() || !rhs->isNumber()) {
    std::string message = "'" + op.text.str() + "' needs numbers on both sides";
    if (op.is(Tok::plus))
      message += " (to add tensors, use add(a, b))";
    (void)failAt(op.loc(), message);
    return nullptr;
  }
  if (lhs->kind == Expr::Kind::Int && rhs->kind == Expr::Kind::Int &&
      !op.is(Tok::slash)) {
    int64_t a = lhs->intValue, b = rhs->intValue, r;
    bool overflow = op.is(Tok::plus)    ? llvm::AddOverflow(a, b, r)
                    : op.is(Tok::minus) ? llvm::SubOverflow(a, b, r)
                                        : llvm::MulOverflow(a, b, r);
    if (overflow) {
      (void)failAt(op.loc(), "integer overflow in constant arithmetic");
      return nullptr;
    }
    lhs->intValue = r;
    return lhs;
  }
  // `/` is true division, as in Python 3: 1/255 is a float.
  double a = lhs->asDouble(), b = rhs->asDouble(), r;
  if (op.is(Tok::slash) && b == 0) {
    (void)failAt(op.loc(), "division by zero in constant arithmetic");
    return nullptr;
  }
  r = op.is(Tok::plus)    ? a + b
      : op.is(Tok::minus) ? a - b
      : op.is(Tok::star)  ? a * b
                          : a / b;
  if (!std::isfinite(r)) {
    (void)failAt(op.loc(), "constant arithmetic overflows (the result is not "
                           "a finite number)");
    return nullptr;
  }
  lhs->kind = Expr::Kind::Float;
  lhs->floatValue = r;
  return lhs;
}

ExprPtr Parser::parsePrimary() {
  const Token &t = peek();
  switch (t.kind) {
  case Tok::integer:
  case Tok::floating: {
    next();
    auto e = std::make_unique<Expr>(
        t.is(Tok::integer) ? Expr::Kind::Int : Expr::Kind::Float, t.loc());
    e->intValue = t.intValue;
    e->floatValue = t.floatValue;
    return e;
  }
  case Tok::string: {
    next();
    auto e = std::make_unique<Expr>(Expr::Kind::String, t.loc());
    e->text = t.value;
    return e;
  }
  case Tok::dims: {
    // 28x28: the pair [28, 28].
    next();
    auto list = std::make_unique<Expr>(Expr::Kind::List, t.loc());
    auto [height, width] = t.text.split('x');
    for (StringRef part : {height, width}) {
      auto e = std::make_unique<Expr>(Expr::Kind::Int, t.loc());
      uint64_t value = 0;
      if (part.getAsInteger(10, value) || value > INT64_MAX) {
        (void)failAt(t.loc(), "size '" + t.text + "' is too large");
        return nullptr;
      }
      e->intValue = static_cast<int64_t>(value);
      list->elements.push_back(std::move(e));
    }
    return list;
  }
  case Tok::lbracket: {
    next();
    return parseListTail(std::make_unique<Expr>(Expr::Kind::List, t.loc()),
                         Tok::rbracket, "list");
  }
  case Tok::lparen: {
    // `(e)` groups; `(a, b)` is a tuple, which means a list (Keras users
    // write kernel_size=(3, 3)).
    next();
    ExprPtr inner = parseExpr();
    if (!inner)
      return nullptr;
    if (consumeIf(Tok::rparen))
      return inner;
    if (!consumeIf(Tok::comma)) {
      (void)failUnclosed("expected ')' to close the parenthesis",
                         "expected ')' after the expression");
      return nullptr;
    }
    auto list = std::make_unique<Expr>(Expr::Kind::List, t.loc());
    list->elements.push_back(std::move(inner));
    return parseListTail(std::move(list), Tok::rparen, "tuple");
  }
  case Tok::ident: {
    if (t.text == "sequential")
      return parseSequential();
    next();
    if (peek().is(Tok::lparen))
      return parseCall(t);
    auto e = std::make_unique<Expr>(Expr::Kind::Name, t.loc());
    e->text = t.text.str();
    return e;
  }
  default:
    (void)fail(t, "expected an expression, got " + describe(t));
    return nullptr;
  }
}

ExprPtr Parser::parseListTail(ExprPtr list, Tok closer, StringRef what) {
  StringRef close = closer == Tok::rbracket ? "]" : ")";
  while (!consumeIf(closer)) {
    ExprPtr element = parseExpr();
    if (!element)
      return nullptr;
    list->elements.push_back(std::move(element));
    if (consumeIf(Tok::comma))
      continue;
    if (!peek().is(closer)) {
      (void)failUnclosed("expected '" + close + "' to close the " + what,
                         "expected ',' or '" + close + "' in the " + what);
      return nullptr;
    }
  }
  return list;
}

ExprPtr Parser::parseCall(const Token &callee) {
  auto call = std::make_unique<Expr>(Expr::Kind::Call, callee.loc());
  call->text = callee.text.str();
  next(); // (
  while (!consumeIf(Tok::rparen)) {
    Arg arg;
    // Keyword arguments: `key: value`, or `key=value` as in Python.
    if (peek().is(Tok::ident) &&
        (peek(1).is(Tok::colon) || peek(1).is(Tok::equal))) {
      arg.keyword = peek().text.str();
      arg.keywordLoc = peek().loc();
      next();
      next();
    }
    arg.value = parseExpr();
    if (!arg.value)
      return nullptr;
    call->args.push_back(std::move(arg));
    if (consumeIf(Tok::comma))
      continue;
    if (!peek().is(Tok::rparen)) {
      (void)failUnclosed("expected ')' to close the call of " + call->text,
                         "expected ',' or ')' after an argument of " +
                             call->text);
      return nullptr;
    }
  }
  return call;
}

ExprPtr Parser::parseSequential() {
  const Token &keyword = next();
  auto seq = std::make_unique<Expr>(Expr::Kind::Sequential, keyword.loc());
  if (!consumeIf(Tok::lparen)) {
    (void)fail(peek(), "expected '(' and the input after 'sequential' (as in "
                       "sequential(x) { ... }), got " + describe(peek()));
    return nullptr;
  }
  seq->input = parseExpr();
  if (!seq->input)
    return nullptr;
  if (!consumeIf(Tok::rparen)) {
    (void)failUnclosed("expected ')' after the input of sequential",
                       "expected ')' after the input of sequential");
    return nullptr;
  }
  if (!consumeIf(Tok::lbrace)) {
    (void)fail(peek(), "expected '{' and the layers of the sequential block, "
                       "got " + describe(peek()));
    return nullptr;
  }
  while (true) {
    skipSeparators();
    if (consumeIf(Tok::rbrace))
      return seq;
    const Token &t = peek();
    if (t.is(Tok::eof)) {
      (void)failAt(afterPrevious(),
                   "expected '}' to close the sequential block");
      return nullptr;
    }
    if (!t.is(Tok::ident)) {
      (void)fail(t, "expected a layer call in the sequential block, got " +
                        describe(t));
      return nullptr;
    }
    next();
    ExprPtr layer;
    if (peek().is(Tok::lparen)) {
      if (!enter())
        return nullptr;
      Leave leave{depth};
      layer = parseCall(t);
    } else {
      // A bare op name is a call with no arguments: `flatten` = `flatten()`.
      layer = std::make_unique<Expr>(Expr::Kind::Call, t.loc());
      layer->text = t.text.str();
    }
    if (!layer)
      return nullptr;
    seq->elements.push_back(std::move(layer));
    const Token &after = peek();
    if (!after.is(Tok::newline) && !after.is(Tok::semicolon) &&
        !after.is(Tok::rbrace)) {
      (void)fail(after, "expected a new line or ';' after a layer of the "
                        "sequential block, got " + describe(after));
      return nullptr;
    }
  }
}

FailureOr<File> weir::frontend::parseFile(const Source &source) {
  return Parser(source).parseFile();
}
