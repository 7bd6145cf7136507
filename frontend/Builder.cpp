//===- Builder.cpp - models, statements, names and parameters to IR ------===//
#include "frontend/Builder.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace weir;
using namespace weir::frontend;
using llvm::SMLoc;
using llvm::StringRef;
using llvm::Twine;

/// The most elements one example of a tensor may have. Far beyond any real
/// model, and low enough that no shape computation can overflow int64.
static constexpr int64_t kMaxElements = int64_t(1) << 40;

/// Whether the non-batch dimensions of `type` hold more than kMaxElements.
static bool tooLarge(Type type) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (!ranked || ranked.getRank() == 0)
    return false;
  int64_t count = 1;
  for (int64_t d : ranked.getShape().drop_front()) {
    if (ShapedType::isDynamic(d))
      continue;
    if (llvm::MulOverflow(count, d, count) || count > kMaxElements)
      return true;
  }
  return false;
}

ModuleBuilder::ModuleBuilder(const Source &source, ModuleOp module)
    : source(source), context(source.getContext()), module(module),
      builder(source.getContext()) {}

Type ModuleBuilder::unranked(Type elementType) const {
  return UnrankedTensorType::get(elementType);
}

LogicalResult ModuleBuilder::build(const File &file) {
  // Register every model first, so that a call of a model defined further
  // down is recognized as one.
  for (const Model &model : file.models) {
    auto [it, fresh] = models.try_emplace(model.name, model.loc);
    if (!fresh) {
      auto d = source.error(model.loc)
               << "model '" << model.name << "' is already defined";
      d.attachNote(loc(it->second)) << "first defined here";
      return failure();
    }
  }
  for (const Model &model : file.models)
    if (failed(buildModel(model)))
      return failure();
  for (const Data &data : file.data) {
    auto [it, fresh] = pipelines.try_emplace(data.name, data.loc);
    if (!fresh) {
      auto d = source.error(data.loc)
               << "data '" << data.name << "' is already defined";
      d.attachNote(loc(it->second)) << "first defined here";
      return failure();
    }
    if (models.count(data.name))
      return source.error(data.loc)
             << "'" << data.name << "' names both a model and data";
    if (failed(buildData(data)))
      return failure();
  }
  if (file.trains.size() > 1) {
    auto d = source.error(file.trains[1].loc)
             << "a file has at most one train block";
    d.attachNote(loc(file.trains[0].loc)) << "the first is here";
    return failure();
  }
  if (!file.trains.empty())
    return buildTrain(file.trains.front());
  return success();
}

LogicalResult ModuleBuilder::buildModel(const Model &model) {
  scope.clear();
  if (model.inputs.empty())
    return source.error(model.loc)
           << "model '" << model.name
           << "' has no inputs (declare them as in model " << model.name
           << "(x: f32[28, 28, 1]) { ... })";

  SmallVector<Type> inputTypes;
  for (const Input &input : model.inputs) {
    Type dtype = parseDType(context, input.dtype);
    if (!dtype) {
      auto d = source.error(input.dtypeLoc)
               << "unknown dtype '" << input.dtype << "'";
      std::string guess = suggestDType(input.dtype);
      if (!guess.empty())
        return d << " (did you mean '" << guess << "'?)";
      return d << " (expected u8, i8, i32, i64, f16, bf16, f32 or f64)";
    }
    // The batch dimension is implicit and dynamic.
    SmallVector<int64_t> dims{ShapedType::kDynamic};
    dims.append(input.dims.begin(), input.dims.end());
    auto type = RankedTensorType::get(dims, dtype);
    if (tooLarge(type))
      return source.error(input.loc)
             << "input '" << input.name
             << "' has more than 2^40 elements per example";
    inputTypes.push_back(type);
  }

  builder.setInsertionPointToEnd(module.getBody());
  auto func = func::FuncOp::create(builder, loc(model.loc), model.name,
                                   builder.getFunctionType(inputTypes, {}));
  Block *entry = new Block();
  func.getBody().push_back(entry);
  for (auto [input, type] : llvm::zip(model.inputs, inputTypes)) {
    // An input is at loc("<name>"(file:line:col)), as a layer's ops are.
    Value arg = entry->addArgument(
        type, NameLoc::get(builder.getStringAttr(input.name), loc(input.loc)));
    auto [it, fresh] =
        scope.try_emplace(input.name, Binding{arg, input.loc, false, true});
    if (!fresh)
      return source.error(input.loc) << "model '" << model.name
                                     << "' already has an input named '"
                                     << input.name << "'";
  }
  builder.setInsertionPointToEnd(entry);

  const Stmt *returnStmt = nullptr;
  SmallVector<Value> results;
  for (const Stmt &stmt : model.body) {
    if (returnStmt)
      return source.error(stmt.loc)
             << "statement after 'return' is never executed";
    if (stmt.kind == Stmt::Kind::Return) {
      for (const ExprPtr &e : stmt.values) {
        FailureOr<Value> v = buildTensor(*e, "the returned value");
        if (failed(v))
          return failure();
        results.push_back(*v);
      }
      returnStmt = &stmt;
      continue;
    }
    FailureOr<Value> v =
        buildTensor(*stmt.values.front(), "the value of '" + stmt.name + "'");
    if (failed(v))
      return failure();
    auto it = scope.find(stmt.name);
    if (it != scope.end() && !it->second.used) {
      if (it->second.isInput)
        source.warning(it->second.loc)
            << "input '" << stmt.name << "' of model '" << model.name
            << "' is never used before it is reassigned";
      else
        source.warning(it->second.loc)
            << "'" << stmt.name << "' is assigned but never used";
    }
    scope[stmt.name] = Binding{*v, stmt.loc, false, false};
  }
  if (!returnStmt)
    return source.error(model.loc)
           << "model '" << model.name
           << "' has no return (end it with return VALUE)";
  func::ReturnOp::create(builder, loc(returnStmt->loc), results);
  func.setType(builder.getFunctionType(inputTypes, ValueRange(results).getTypes()));
  return checkUnused(model);
}

LogicalResult ModuleBuilder::checkUnused(const Model &model) {
  // Report in source order, not in hash order.
  SmallVector<std::pair<const char *, StringRef>> unused;
  for (auto &entry : scope)
    if (!entry.second.used)
      unused.push_back({entry.second.loc.getPointer(), entry.first()});
  llvm::sort(unused);
  for (auto [at, name] : unused) {
    const Binding &b = scope.find(name)->second;
    if (b.isInput)
      source.warning(b.loc) << "input '" << name << "' of model '"
                            << model.name << "' is never used";
    else
      source.warning(b.loc) << "'" << name << "' is assigned but never used";
  }
  return success();
}

FailureOr<Value> ModuleBuilder::buildTensor(const Expr &e, const Twine &what) {
  switch (e.kind) {
  case Expr::Kind::Name: {
    auto it = scope.find(e.text);
    if (it != scope.end()) {
      it->second.used = true;
      return it->second.value;
    }
    if (lookupOp(e.text))
      return source.error(e.loc) << "'" << e.text
                                 << "' is an op, not a value (call it: "
                                 << e.text << "(...))";
    if (models.count(e.text))
      return source.error(e.loc)
             << "'" << e.text << "' is a model, not a value";
    SmallVector<StringRef> names;
    for (auto &entry : scope)
      names.push_back(entry.first());
    llvm::sort(names);
    auto d = source.error(e.loc) << "'" << e.text << "' is not defined";
    std::string guess = closest(e.text, names);
    if (!guess.empty())
      d << " (did you mean '" << guess << "'?)";
    return d;
  }
  case Expr::Kind::Call:
    return buildCall(e, Value());
  case Expr::Kind::Sequential:
    return buildSequential(e);
  default:
    return source.error(e.loc)
           << what << " must be a tensor, got " << describe(e);
  }
}

FailureOr<Value> ModuleBuilder::buildCall(const Expr &call, Value chained) {
  const OpDef *def = lookupOp(call.text);
  if (!def) {
    if (models.count(call.text))
      return source.error(call.loc)
             << "calling model '" << call.text
             << "' from a model is not supported yet";
    auto d = source.error(call.loc) << "unknown op '" << call.text << "'";
    std::string guess = suggestOp(call.text);
    if (!guess.empty())
      d << " (did you mean '" << guess << "'?)";
    return d;
  }
  FailureOr<BoundCall> bound =
      BoundCall::bind(source, *def, call, chained,
                      [this](StringRef name) { return scope.count(name) > 0; });
  if (failed(bound))
    return failure();
  return buildOp(*bound);
}

FailureOr<Value> ModuleBuilder::buildSequential(const Expr &seq) {
  FailureOr<Value> value = buildTensor(*seq.input, "the input of sequential");
  for (const ExprPtr &layer : seq.elements) {
    if (failed(value))
      return failure();
    value = buildCall(*layer, *value);
  }
  return value;
}

LogicalResult ModuleBuilder::refine(Operation *op) {
  // The verifier reports a rejected shape as the op ('weir.dense' op ...) at
  // the user's line; refinement then cannot fail.
  if (failed(mlir::verify(op, /*verifyRecursively=*/false)))
    return failure();
  FailureOr<SmallVector<Type>> types =
      inferRefinedResultTypes(cast<InferShapedTypeOpInterface>(op));
  if (failed(types))
    return failure();
  for (auto [result, type] : llvm::zip(op->getResults(), *types)) {
    result.setType(type);
    if (tooLarge(type))
      return emitError(op->getLoc()) << "the result of " << op->getName()
                             << " has more than 2^40 elements per example: "
                             << type;
  }
  return success();
}

FailureOr<std::string> ModuleBuilder::layerName(const BoundCall &call) {
  FailureOr<std::optional<std::string>> given = call.getLayerName();
  if (failed(given))
    return failure();
  if (*given) {
    SMLoc at = call.get("name")->loc;
    auto [it, fresh] = layerNames.try_emplace(**given, at);
    if (!fresh) {
      auto d = source.error(at)
               << "layer name '" << **given << "' is already used";
      d.attachNote(loc(it->second)) << "first used here";
      return failure();
    }
    namedCall = &call;
    namedLayer = **given;
    return **given;
  }
  // Keras' scheme: dense, dense_1, dense_2, ..., skipping names taken.
  StringRef kind = call.def().name;
  unsigned &n = layerCounters[kind];
  while (true) {
    std::string candidate =
        n == 0 ? kind.str() : (kind + "_" + Twine(n)).str();
    ++n;
    if (layerNames.try_emplace(candidate, call.loc()).second) {
      namedCall = &call;
      namedLayer = candidate;
      return candidate;
    }
  }
}

Value ModuleBuilder::param(StringRef layer, StringRef name, ArrayRef<int64_t> shape,
                     Type elementType, InitializerAttr init, bool nonTrainable,
                     Location at) {
  std::string symbol = (layer + "." + name).str();
  auto type = RankedTensorType::get(shape, elementType);
  OpBuilder declare(context);
  if (lastParam)
    declare.setInsertionPointAfter(lastParam);
  else
    declare.setInsertionPointToStart(module.getBody());
  lastParam = ParameterOp::create(declare, at, symbol, type, init, nonTrainable)
                  .getOperation();
  return LoadParamOp::create(builder, at, type, symbol);
}
