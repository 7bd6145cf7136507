//===- ParseExpr.cpp - .weir expressions: arithmetic, calls, sequential ---===//
//
// Constant arithmetic folds as it parses (fold); nesting is bounded by
// kMaxNesting (ParserImpl.h).
//
//===----------------------------------------------------------------------===//
#include "frontend/ParserImpl.h"

#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;
using namespace weir::frontend;
using weir::frontend::detail::Parser;
using llvm::SMLoc;
using llvm::StringRef;
using llvm::Twine;

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
    // `lo..hi`: a range, for int(...) and float(...) search spaces.
    if (peek().is(Tok::dotdot)) {
      auto range = std::make_unique<Expr>(Expr::Kind::Range, arg.value->loc);
      next();
      ExprPtr hi = parseExpr();
      if (!hi)
        return nullptr;
      range->elements.push_back(std::move(arg.value));
      range->elements.push_back(std::move(hi));
      arg.value = std::move(range);
    }
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

