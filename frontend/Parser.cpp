//===- Parser.cpp - recursive-descent parser of .weir files --------------===//
//
// Builds the syntax tree of frontend/AST.h and folds constant arithmetic.
// Every loop consumes a token or stops at the final `eof`/`error` token, and
// nesting is bounded by kMaxNesting, so no input can hang or overflow the
// stack. The grammar is in docs/language.md.
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

FailureOr<File> weir::frontend::parseFile(const Source &source) {
  return Parser(source).parseFile();
}
