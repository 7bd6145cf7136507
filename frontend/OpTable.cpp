//===- OpTable.cpp - op rows, argument binding and typed argument reads --===//
#include "frontend/OpTable.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace weir;
using namespace weir::frontend;
using llvm::StringRef;
using llvm::Twine;

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

static const std::vector<OpDef> &table() {
  // Arguments follow Keras' order; `positional` stops where Keras has an
  // argument that Weir does not (data_format, noise_shape, ...), so that a
  // positional argument always means what it means in Keras.
  static const std::vector<OpDef> ops = {
      {"dense", OpKind::Dense, false, 6, true,
       {{"input", nullptr, true},
        {"units", nullptr, true},
        {"activation"},
        {"use_bias"},
        {"kernel_initializer"},
        {"bias_initializer"},
        {"name"},
        {"dtype"}}},
      {"conv2d", OpKind::Conv2D, false, 5, true,
       {{"input", nullptr, true},
        {"filters", nullptr, true},
        {"kernel_size", "kernel", true},
        {"strides"},
        {"padding"},
        {"dilation_rate"},
        {"activation"},
        {"use_bias"},
        {"kernel_initializer"},
        {"bias_initializer"},
        {"name"},
        {"dtype"}}},
      {"max_pool2d", OpKind::MaxPool2D, false, 4, true,
       {{"input", nullptr, true}, {"pool_size"}, {"strides"}, {"padding"}}},
      {"avg_pool2d", OpKind::AvgPool2D, false, 4, true,
       {{"input", nullptr, true}, {"pool_size"}, {"strides"}, {"padding"}}},
      {"global_avg_pool2d", OpKind::GlobalAvgPool2D, false, 2, true,
       {{"input", nullptr, true}, {"keepdims"}}},
      {"batch_norm", OpKind::BatchNorm, false, 4, true,
       {{"input", nullptr, true},
        {"axis"},
        {"momentum"},
        {"epsilon"},
        {"beta_initializer"},
        {"gamma_initializer"},
        {"moving_mean_initializer"},
        {"moving_variance_initializer"},
        {"name"}}},
      {"dropout", OpKind::Dropout, false, 2, true,
       {{"input", nullptr, true}, {"rate", nullptr, true}, {"seed"}}},
      {"flatten", OpKind::Flatten, false, 1, false, {{"input", nullptr, true}}},
      {"reshape", OpKind::Reshape, false, 2, false,
       {{"input", nullptr, true}, {"target_shape", "shape", true}}},
      {"add", OpKind::Add, true, 0, true, {}},
      {"concat", OpKind::Concat, true, 0, false, {{"axis"}}},
      {"cast", OpKind::Cast, false, 2, false,
       {{"input", nullptr, true}, {"dtype", nullptr, true}}},
      {"rescale", OpKind::Rescale, false, 3, false,
       {{"input", nullptr, true}, {"scale", nullptr, true}, {"offset"}}},
      {"relu", OpKind::Relu, false, 1, true, {{"input", nullptr, true}}},
      {"sigmoid", OpKind::Sigmoid, false, 1, true, {{"input", nullptr, true}}},
      {"tanh", OpKind::Tanh, false, 1, true, {{"input", nullptr, true}}},
      {"gelu", OpKind::Gelu, false, 2, true,
       {{"input", nullptr, true}, {"approximate"}}},
      {"softmax", OpKind::Softmax, false, 2, true,
       {{"input", nullptr, true}, {"axis"}}},
      // Augmentation (Keras' random preprocessing layers), training only.
      {"random_flip", OpKind::RandomFlip, false, 3, true,
       {{"input", nullptr, true}, {"mode"}, {"seed"}}},
      {"random_rotation", OpKind::RandomRotation, false, 6, true,
       {{"input", nullptr, true},
        {"factor", nullptr, true},
        {"fill_mode"},
        {"interpolation"},
        {"seed"},
        {"fill_value"}}},
      {"random_zoom", OpKind::RandomZoom, false, 7, true,
       {{"input", nullptr, true},
        {"height_factor", nullptr, true},
        {"width_factor"},
        {"fill_mode"},
        {"interpolation"},
        {"seed"},
        {"fill_value"}}},
      {"random_translation", OpKind::RandomTranslation, false, 7, true,
       {{"input", nullptr, true},
        {"height_factor", nullptr, true},
        {"width_factor", nullptr, true},
        {"fill_mode"},
        {"interpolation"},
        {"seed"},
        {"fill_value"}}},
      {"random_crop", OpKind::RandomCrop, false, 4, true,
       {{"input", nullptr, true},
        {"height", nullptr, true},
        {"width", nullptr, true},
        {"seed"}}},
      {"random_contrast", OpKind::RandomContrast, false, 4, true,
       {{"input", nullptr, true},
        {"factor", nullptr, true},
        {"value_range"},
        {"seed"}}},
  };
  return ops;
}

llvm::ArrayRef<OpDef> weir::frontend::allOps() { return table(); }

const OpDef *weir::frontend::lookupOp(StringRef name) {
  for (const OpDef &def : table())
    if (name == def.name)
      return &def;
  return nullptr;
}

std::string weir::frontend::closest(StringRef name,
                                    llvm::ArrayRef<StringRef> candidates) {
  std::string best;
  unsigned bestDistance = (name.size() + 2) / 3 + 1;
  for (StringRef candidate : candidates) {
    unsigned d = name.edit_distance_insensitive(candidate, true, bestDistance);
    // One-letter names are all one edit apart: suggesting is noise.
    if (d < bestDistance && d < name.size()) {
      bestDistance = d;
      best = candidate.str();
    }
  }
  return best;
}

std::string weir::frontend::suggestOp(StringRef name) {
  // Keras' layer names, which a Keras user may well type.
  static const std::pair<StringRef, StringRef> keras[] = {
      {"batch_normalization", "batch_norm"},
      {"batchnormalization", "batch_norm"},
      {"max_pooling2d", "max_pool2d"},
      {"maxpooling2d", "max_pool2d"},
      {"average_pooling2d", "avg_pool2d"},
      {"averagepooling2d", "avg_pool2d"},
      {"global_average_pooling2d", "global_avg_pool2d"},
      {"globalaveragepooling2d", "global_avg_pool2d"},
      {"concatenate", "concat"},
      {"rescaling", "rescale"},
      {"convolution2d", "conv2d"},
      {"randomflip", "random_flip"},
      {"randomrotation", "random_rotation"},
      {"randomzoom", "random_zoom"},
      {"randomtranslation", "random_translation"},
      {"randomcrop", "random_crop"},
      {"randomcontrast", "random_contrast"},
  };
  std::string lower = name.lower();
  for (auto [from, to] : keras)
    if (lower == from)
      return to.str();
  SmallVector<StringRef> names;
  for (const OpDef &def : table())
    names.push_back(def.name);
  return closest(name, names);
}

std::string weir::frontend::describe(const Expr &e) {
  switch (e.kind) {
  case Expr::Kind::Int:
    return std::to_string(e.intValue);
  case Expr::Kind::Float: {
    std::string s;
    llvm::raw_string_ostream(s) << llvm::format("%g", e.floatValue);
    if (s.find_first_of(".e") == std::string::npos)
      s += ".0";
    return s;
  }
  case Expr::Kind::Name:
    return "'" + e.text + "'";
  case Expr::Kind::String:
    return "\"" + e.text + "\"";
  case Expr::Kind::List:
    return "a list";
  case Expr::Kind::Call:
    return "a call of " + e.text;
  case Expr::Kind::Sequential:
    return "a sequential block";
  case Expr::Kind::Map:
    return "a map";
  case Expr::Kind::Range:
    return "a range";
  }
  return "";
}

//===----------------------------------------------------------------------===//
// Dtypes
//===----------------------------------------------------------------------===//

llvm::ArrayRef<StringRef> weir::frontend::dtypeNames() {
  static const StringRef names[] = {"u8",  "i8",   "i32", "i64",
                                    "f16", "bf16", "f32", "f64"};
  return names;
}

Type weir::frontend::parseDType(MLIRContext *context, StringRef name) {
  if (name == "u8")
    return IntegerType::get(context, 8, IntegerType::Unsigned);
  if (name == "i8")
    return IntegerType::get(context, 8);
  if (name == "i32")
    return IntegerType::get(context, 32);
  if (name == "i64")
    return IntegerType::get(context, 64);
  if (name == "f16")
    return Float16Type::get(context);
  if (name == "bf16")
    return BFloat16Type::get(context);
  if (name == "f32")
    return Float32Type::get(context);
  if (name == "f64")
    return Float64Type::get(context);
  return {};
}

std::string weir::frontend::suggestDType(StringRef name) {
  static const std::pair<StringRef, StringRef> aliases[] = {
      {"uint8", "u8"},     {"ui8", "u8"},        {"int8", "i8"},
      {"int32", "i32"},    {"int64", "i64"},     {"float16", "f16"},
      {"half", "f16"},     {"bfloat16", "bf16"}, {"float32", "f32"},
      {"float", "f32"},    {"float64", "f64"},   {"double", "f64"},
  };
  std::string lower = name.lower();
  for (auto [from, to] : aliases)
    if (lower == from)
      return to.str();
  return closest(name, dtypeNames());
}

//===----------------------------------------------------------------------===//
// Binding
//===----------------------------------------------------------------------===//

static std::string joinNames(llvm::ArrayRef<ArgDef> args) {
  std::string s;
  for (const ArgDef &a : args)
    s += (s.empty() ? "" : ", ") + std::string(a.name);
  return s;
}

FailureOr<BoundCall>
BoundCall::bind(const Source &source, const OpDef &def, const Expr &call,
                Value chained, std::function<bool(StringRef)> isTensor) {
  BoundCall bc;
  bc.source = &source;
  bc.opDef = &def;
  bc.call = &call;
  bc.chainedInput = chained;
  bc.isTensor = std::move(isTensor);
  bc.slots.assign(def.args.size(), nullptr);
  // In a sequential block the chained value is the input.
  unsigned nextSlot = chained && !def.variadic ? 1 : 0;
  llvm::ArrayRef<ArgDef> byPosition =
      llvm::ArrayRef(def.args).take_front(def.positional).drop_front(nextSlot);
  bool sawKeyword = false;
  for (const Arg &arg : call.args) {
    const Expr *value = arg.value.get();
    if (arg.keyword.empty()) {
      if (sawKeyword)
        return source.error(value->loc)
               << "positional argument after a keyword argument";
      if (def.variadic) {
        // add([a, b]) and concat([a, b]) as in Keras, or add(a, b).
        if (value->kind == Expr::Kind::List)
          for (const ExprPtr &e : value->elements)
            bc.variadicInputs.push_back(e.get());
        else
          bc.variadicInputs.push_back(value);
        continue;
      }
      if (nextSlot >= def.positional) {
        auto d = source.error(value->loc)
                 << "too many positional arguments for " << def.name;
        if (byPosition.empty())
          d << " (it takes no arguments but its input)";
        else
          d << " (it takes " << joinNames(byPosition) << " by position"
            << (chained ? ", after the implicit input" : "")
            << "; give the others by name)";
        return d;
      }
      bc.slots[nextSlot++] = value;
      continue;
    }
    sawKeyword = true;
    std::optional<unsigned> index;
    for (unsigned i = def.variadic ? 0 : 1; i < def.args.size(); ++i)
      if (arg.keyword == def.args[i].name ||
          (def.args[i].alias && arg.keyword == def.args[i].alias))
        index = i;
    if (!index) {
      auto d = source.error(arg.keywordLoc)
               << "unknown argument '" << arg.keyword << "' for " << def.name;
      llvm::ArrayRef<ArgDef> named =
          llvm::ArrayRef(def.args).drop_front(def.variadic ? 0 : 1);
      if (named.empty())
        d << " (it takes no arguments but its input)";
      else
        d << " (expected: " << joinNames(named) << ")";
      return d;
    }
    if (bc.slots[*index])
      return source.error(arg.keywordLoc)
             << "argument '" << def.args[*index].name << "' of " << def.name
             << " is given twice";
    bc.slots[*index] = value;
  }
  for (auto [i, a] : llvm::enumerate(def.args)) {
    if (!a.required || bc.slots[i] || (i == 0 && chained))
      continue;
    if (i == 0)
      return source.error(call.loc)
             << "missing the input of " << def.name << " (write " << def.name
             << "(x, ...); only in a sequential block is it implicit)";
    return source.error(call.loc)
           << "missing argument '" << a.name << "' for " << def.name;
  }
  return bc;
}

const Expr *BoundCall::get(StringRef name) const {
  for (auto [i, a] : llvm::enumerate(opDef->args))
    if (name == a.name)
      return slots[i];
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Typed reads
//===----------------------------------------------------------------------===//

LogicalResult BoundCall::mismatch(StringRef name, const Expr &e,
                                  const Twine &expected) const {
  bool tensor = e.kind == Expr::Kind::Name && isTensor && isTensor(e.text);
  auto d = source->error(e.loc) << name << " of " << opDef->name << " must be "
                                << expected << ", got "
                                << (tensor ? "the tensor " : "") << describe(e);
  if (tensor && chainedInput)
    d << " (in a sequential block the input is implicit; leave it out)";
  return d;
}

static LogicalResult checkRange(const Source &source, StringRef name,
                                StringRef op, const Expr &e, int64_t min,
                                int64_t max) {
  if (e.intValue >= min && e.intValue <= max)
    return success();
  return source.error(e.loc) << name << " of " << op
                             << " must be an integer from " << min << " to "
                             << max << ", got " << e.intValue;
}

FailureOr<int64_t> BoundCall::getInt(StringRef name, int64_t dflt, int64_t min,
                                     int64_t max) const {
  const Expr *e = get(name);
  if (!e)
    return dflt;
  if (e->kind != Expr::Kind::Int)
    return mismatch(name, *e, "an integer");
  if (failed(checkRange(*source, name, opDef->name, *e, min, max)))
    return failure();
  return e->intValue;
}

FailureOr<std::optional<int64_t>>
BoundCall::getOptionalInt(StringRef name) const {
  const Expr *e = get(name);
  if (!e)
    return std::optional<int64_t>();
  if (e->kind != Expr::Kind::Int)
    return mismatch(name, *e, "an integer");
  return std::optional<int64_t>(e->intValue);
}

FailureOr<double> BoundCall::getFloat(StringRef name, double dflt) const {
  const Expr *e = get(name);
  if (!e)
    return dflt;
  if (!e->isNumber())
    return mismatch(name, *e, "a number");
  return e->asDouble();
}

FailureOr<bool> BoundCall::getBool(StringRef name, bool dflt) const {
  const Expr *e = get(name);
  if (!e)
    return dflt;
  if (e->kind == Expr::Kind::Name &&
      (e->text == "true" || e->text == "True"))
    return true;
  if (e->kind == Expr::Kind::Name &&
      (e->text == "false" || e->text == "False"))
    return false;
  return mismatch(name, *e, "true or false");
}

FailureOr<SmallVector<int64_t, 2>>
BoundCall::getPair(StringRef name, llvm::ArrayRef<int64_t> dflt) const {
  const Expr *e = get(name);
  if (!e)
    return SmallVector<int64_t, 2>(dflt);
  SmallVector<const Expr *, 2> entries;
  if (e->kind == Expr::Kind::Int)
    entries = {e, e};
  else if (e->kind == Expr::Kind::List && e->elements.size() == 2 &&
           llvm::all_of(e->elements, [](const ExprPtr &x) {
             return x->kind == Expr::Kind::Int;
           }))
    entries = {e->elements[0].get(), e->elements[1].get()};
  else
    return mismatch(name, *e, "an integer or a pair of integers, as in [3, 3]");
  SmallVector<int64_t, 2> values;
  for (const Expr *x : entries) {
    if (failed(checkRange(*source, name, opDef->name, *x, 1, INT32_MAX)))
      return failure();
    values.push_back(x->intValue);
  }
  return values;
}

FailureOr<SmallVector<int64_t>> BoundCall::getIntList(StringRef name) const {
  const Expr *e = get(name);
  SmallVector<const Expr *> entries;
  if (e->kind == Expr::Kind::Int)
    entries.push_back(e);
  else if (e->kind == Expr::Kind::List &&
           llvm::all_of(e->elements, [](const ExprPtr &x) {
             return x->kind == Expr::Kind::Int;
           }))
    for (const ExprPtr &x : e->elements)
      entries.push_back(x.get());
  else
    return mismatch(name, *e, "a list of integers, as in [7, 7, 64]");
  SmallVector<int64_t> values;
  for (const Expr *x : entries) {
    if (failed(checkRange(*source, name, opDef->name, *x, -1, INT32_MAX)))
      return failure();
    values.push_back(x->intValue);
  }
  return values;
}

FailureOr<unsigned>
BoundCall::getChoice(StringRef name, const Expr &e,
                     llvm::ArrayRef<StringRef> choices) const {
  std::string all;
  for (StringRef c : choices)
    all += (all.empty() ? "" : ", ") + c.str();
  bool named = e.kind == Expr::Kind::Name || e.kind == Expr::Kind::String;
  if (named)
    for (auto [i, c] : llvm::enumerate(choices))
      if (e.text == c)
        return static_cast<unsigned>(i);
  // A misspelled name (or a call of one, as in he_unifrom(seed: 1)) gets a
  // suggestion; anything else is just the wrong kind of value.
  if ((!named && e.kind != Expr::Kind::Call) ||
      (isTensor && e.kind == Expr::Kind::Name && isTensor(e.text)))
    return mismatch(name, e, "one of " + all);
  auto d = source->error(e.loc) << name << " of " << opDef->name
                                << " must be one of " << all << ", got "
                                << describe(e);
  std::string guess = closest(e.text, choices);
  if (!guess.empty())
    d << " (did you mean '" << guess << "'?)";
  return d;
}

FailureOr<unsigned> BoundCall::getEnum(StringRef name,
                                       llvm::ArrayRef<StringRef> choices,
                                       unsigned dflt) const {
  const Expr *e = get(name);
  if (!e)
    return dflt;
  return getChoice(name, *e, choices);
}

FailureOr<Padding> BoundCall::getPadding(StringRef name) const {
  const Expr *e = get(name);
  if (!e)
    return Padding::valid;
  FailureOr<unsigned> i = getChoice(name, *e, {"valid", "same"});
  if (failed(i))
    return failure();
  return *i == 0 ? Padding::valid : Padding::same;
}

FailureOr<Activation> BoundCall::getActivation(StringRef name) const {
  const Expr *e = get(name);
  if (!e)
    return Activation::Linear;
  static const Activation kinds[] = {
      Activation::Linear, Activation::Linear,  Activation::Relu,
      Activation::Sigmoid, Activation::Tanh,   Activation::Softmax,
      Activation::Gelu};
  FailureOr<unsigned> i = getChoice(
      name, *e,
      {"linear", "none", "relu", "sigmoid", "tanh", "softmax", "gelu"});
  if (failed(i))
    return failure();
  return kinds[*i];
}

FailureOr<InitializerAttr> BoundCall::getInit(StringRef name,
                                              InitKind dflt) const {
  MLIRContext *context = source->getContext();
  const Expr *e = get(name);
  if (!e)
    return InitializerAttr::get(context, dflt, std::nullopt);
  static const StringRef names[] = {"glorot_uniform", "glorot_normal",
                                    "he_normal",      "he_uniform",
                                    "zeros",          "ones"};
  // he_normal(seed: 7) fixes the seed, like keras.initializers.HeNormal(7).
  std::optional<int64_t> seed;
  if (e->kind == Expr::Kind::Call && lookupOp(e->text) == nullptr &&
      llvm::is_contained(names, e->text)) {
    if (e->args.size() != 1)
      return source->error(e->loc) << "initializer " << e->text
                                   << " takes one argument, seed";
    const Arg &arg = e->args.front();
    if (!arg.keyword.empty() && arg.keyword != "seed")
      return source->error(arg.keywordLoc)
             << "unknown argument '" << arg.keyword << "' for initializer "
             << e->text << " (expected: seed)";
    if (arg.value->kind != Expr::Kind::Int)
      return source->error(arg.value->loc)
             << "seed of initializer " << e->text
             << " must be an integer, got " << describe(*arg.value);
    seed = arg.value->intValue;
    auto kind = symbolizeInitKind(e->text);
    return InitializerAttr::get(context, *kind, seed);
  }
  FailureOr<unsigned> i = getChoice(name, *e, names);
  if (failed(i))
    return failure();
  return InitializerAttr::get(context, *symbolizeInitKind(names[*i]),
                              std::nullopt);
}

FailureOr<Type> BoundCall::getDType(StringRef name) const {
  const Expr *e = get(name);
  if ((e->kind == Expr::Kind::Name || e->kind == Expr::Kind::String)) {
    if (Type t = parseDType(source->getContext(), e->text))
      return t;
    std::string guess = suggestDType(e->text);
    if (!guess.empty())
      return source->error(e->loc)
             << "unknown dtype '" << e->text << "' (did you mean '" << guess
             << "'?)";
  }
  std::string all;
  for (StringRef c : dtypeNames())
    all += (all.empty() ? "" : ", ") + c.str();
  return mismatch(name, *e, "one of " + all);
}

FailureOr<std::optional<std::string>> BoundCall::getLayerName() const {
  const Expr *e = get("name");
  if (!e)
    return std::optional<std::string>();
  if (e->kind != Expr::Kind::String && e->kind != Expr::Kind::Name)
    return mismatch("name", *e, "a string");
  StringRef text = e->text;
  // Parameters are named <layer>.<param>: a '.' in a layer name would make
  // that ambiguous, and odd characters make poor checkpoint keys.
  bool valid = !text.empty() && !llvm::isDigit(text.front()) &&
               llvm::all_of(text, [](char c) {
                 return llvm::isAlnum(c) || c == '_';
               });
  if (!valid)
    return source->error(e->loc)
           << "layer name \"" << text
           << "\" is not valid (use letters, digits and '_', not starting "
              "with a digit)";
  return std::optional<std::string>(text.str());
}
