//===- TrainConfigAttrs.cpp - #weir.optimizer, #weir.schedule, ... -------===//
//
// The keyed attributes of weir.train_config: their options as (Keras key,
// value) pairs, their verifiers (train_config_c5, c6, c11 of docs/spec.md,
// checked against the key tables of TrainConfigTables.cpp), and their
// `<kind, key = value, ...>` syntax.
//
//===----------------------------------------------------------------------===//
#include "dialect/TrainConfig.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace weir;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// Options: shared by the three attributes
//===----------------------------------------------------------------------===//

namespace {
/// One option of an attribute: its Keras key and its value, null when the
/// user left it to the default.
struct Option {
  StringRef key;
  Attribute value;
};
} // namespace

static SmallVector<NamedAttribute> given(MLIRContext *ctx,
                                         llvm::ArrayRef<Option> options) {
  SmallVector<NamedAttribute> out;
  for (const Option &o : options)
    if (o.value)
      out.push_back(NamedAttribute(StringAttr::get(ctx, o.key), o.value));
  return out;
}

/// The value of `key` in `options`, normalized (an integer number is f64),
/// as `T`; null when absent or of another kind, which the verifier reports.
template <typename T>
static T lookup(DictionaryAttr options, StringRef group, StringRef key) {
  if (!options)
    return {};
  return dyn_cast_if_present<T>(
      normalizeKeyValue(group, key, options.get(key)));
}

/// `Attr::getChecked` through `emitError` when there is one, else `get`.
template <typename Attr, typename... Args>
static Attr make(EmitFn emitError, MLIRContext *ctx, Args... args) {
  if (emitError)
    return Attr::getChecked(emitError, ctx, args...);
  return Attr::get(ctx, args...);
}

/// train_config_c5, c6, c11: every given option is a key of `group` with
/// a value in its range, and the keys without a default are given.
static LogicalResult verifyOptions(EmitFn emitError, StringRef group,
                                   StringRef what,
                                   llvm::ArrayRef<Option> options) {
  for (const Option &o : options) {
    if (!o.value)
      continue;
    if (!llvm::is_contained(keysOf(group), o.key))
      return emitError() << "unknown " << what << " '" << o.key << "' for "
                         << group
                         << " (expected: " << llvm::join(keysOf(group), ", ")
                         << ")";
    if (failed(checkKeyValue(group, o.key, o.value, emitError)))
      return failure();
  }
  for (StringRef key : keysOf(group))
    if (isRequiredKey(group, key) &&
        llvm::none_of(options,
                      [&](const Option &o) { return o.key == key && o.value; }))
      return emitError() << group << " needs " << key;
  return success();
}

/// `key = value` pairs up to the closing `>`, each checked against `group`
/// where it stands. `first`: whether no comma comes before the first pair
/// (the attribute has no kind).
static FailureOr<DictionaryAttr> parseOptions(AsmParser &p, StringRef group,
                                              StringRef what, bool first) {
  NamedAttrList entries;
  if (first && succeeded(p.parseOptionalGreater()))
    return DictionaryAttr::get(p.getContext(), {});
  while (first || succeeded(p.parseOptionalComma())) {
    first = false;
    SMLoc keyLoc = p.getCurrentLocation();
    std::string key;
    if (p.parseKeywordOrString(&key) || p.parseEqual())
      return failure();
    if (!llvm::is_contained(keysOf(group), key))
      return p.emitError(keyLoc)
             << "unknown " << what << " '" << key << "' for " << group
             << " (expected: " << llvm::join(keysOf(group), ", ") << ")";
    if (entries.get(key))
      return p.emitError(keyLoc) << what << " '" << key << "' is given twice";
    SMLoc valueLoc = p.getCurrentLocation();
    Attribute value;
    StringRef word;
    if (succeeded(p.parseOptionalKeyword(&word))) {
      if (word == "true" || word == "false")
        value = BoolAttr::get(p.getContext(), word == "true");
      else
        value = StringAttr::get(p.getContext(), word);
    } else if (p.parseAttribute(value)) {
      return failure();
    }
    value = normalizeKeyValue(group, key, value);
    if (failed(checkKeyValue(group, key, value,
                             [&] { return p.emitError(valueLoc); })))
      return failure();
    entries.set(StringAttr::get(p.getContext(), key), value);
  }
  if (p.parseGreater())
    return failure();
  return entries.getDictionary(p.getContext());
}

static void printOptions(AsmPrinter &p, llvm::ArrayRef<NamedAttribute> options,
                         bool first) {
  for (NamedAttribute o : options) {
    if (!first)
      p << ", ";
    first = false;
    p << o.getName().getValue() << " = ";
    if (auto name = dyn_cast<StringAttr>(o.getValue()))
      p << name.getValue();
    else
      p.printAttributeWithoutType(o.getValue());
  }
}

/// `<kind, key = value, ...>` of an attribute with a kind (its Keras name,
/// one of `names`), built through `Attr::fromOptions` and its verifier.
/// `what` names the kind in diagnostics, `noun` its keys.
template <typename Attr, typename Kind>
static Attribute
parseKindAttr(AsmParser &p,
              llvm::function_ref<std::optional<Kind>(StringRef)> symbolize,
              llvm::function_ref<StringRef(Kind)> stringify,
              llvm::ArrayRef<StringRef> names, StringRef what, StringRef noun) {
  SMLoc loc = p.getCurrentLocation();
  StringRef word;
  if (p.parseLess() || p.parseKeyword(&word))
    return {};
  std::optional<Kind> kind = symbolize(word);
  if (!kind || !llvm::is_contained(names, word)) {
    p.emitError(loc) << "unknown " << what << " '" << word
                     << "' (expected one of " << llvm::join(names, ", ") << ")";
    return {};
  }
  FailureOr<DictionaryAttr> options =
      parseOptions(p, stringify(*kind), noun, false);
  if (failed(options))
    return {};
  return Attr::fromOptions(p.getContext(), *kind, *options,
                           [&] { return p.emitError(loc); });
}

//===----------------------------------------------------------------------===//
// #weir.optimizer
//===----------------------------------------------------------------------===//

static SmallVector<Option, 8> optionsOf(FloatAttr learningRate,
                                        FloatAttr momentum, BoolAttr nesterov,
                                        FloatAttr beta1, FloatAttr beta2,
                                        FloatAttr epsilon,
                                        FloatAttr weightDecay, FloatAttr rho) {
  return {{"learning_rate", learningRate},
          {"weight_decay", weightDecay},
          {"rho", rho},
          {"momentum", momentum},
          {"nesterov", nesterov},
          {"beta_1", beta1},
          {"beta_2", beta2},
          {"epsilon", epsilon}};
}

SmallVector<NamedAttribute> OptimizerAttr::getOptions() const {
  return given(getContext(),
               optionsOf(getLearningRate(), getMomentum(), getNesterov(),
                         getBeta1(), getBeta2(), getEpsilon(), getWeightDecay(),
                         getRho()));
}

OptimizerAttr OptimizerAttr::fromOptions(MLIRContext *ctx, OptimizerKind kind,
                                         DictionaryAttr options,
                                         EmitFn emitError) {
  StringRef g = stringifyOptimizerKind(kind);
  return make<OptimizerAttr>(emitError, ctx, kind,
                             lookup<FloatAttr>(options, g, "learning_rate"),
                             lookup<FloatAttr>(options, g, "momentum"),
                             lookup<BoolAttr>(options, g, "nesterov"),
                             lookup<FloatAttr>(options, g, "beta_1"),
                             lookup<FloatAttr>(options, g, "beta_2"),
                             lookup<FloatAttr>(options, g, "epsilon"),
                             lookup<FloatAttr>(options, g, "weight_decay"),
                             lookup<FloatAttr>(options, g, "rho"));
}

LogicalResult OptimizerAttr::verify(EmitFn emitError, OptimizerKind kind,
                                    FloatAttr learningRate, FloatAttr momentum,
                                    BoolAttr nesterov, FloatAttr beta1,
                                    FloatAttr beta2, FloatAttr epsilon,
                                    FloatAttr weightDecay, FloatAttr rho) {
  return verifyOptions(emitError, stringifyOptimizerKind(kind), "option",
                       optionsOf(learningRate, momentum, nesterov, beta1, beta2,
                                 epsilon, weightDecay, rho));
}

Attribute OptimizerAttr::parse(AsmParser &p, Type) {
  return parseKindAttr<OptimizerAttr, OptimizerKind>(
      p, [](StringRef s) { return symbolizeOptimizerKind(s); },
      [](OptimizerKind k) { return stringifyOptimizerKind(k); },
      optimizerNames(), "optimizer", "option");
}

void OptimizerAttr::print(AsmPrinter &p) const {
  p << "<" << stringifyOptimizerKind(getKind());
  // In Keras' argument order: the kind's keys.
  SmallVector<NamedAttribute> options = getOptions();
  SmallVector<NamedAttribute> ordered;
  for (StringRef key : keysOf(stringifyOptimizerKind(getKind())))
    for (NamedAttribute o : options)
      if (o.getName() == key)
        ordered.push_back(o);
  printOptions(p, ordered, false);
  p << ">";
}

//===----------------------------------------------------------------------===//
// #weir.schedule
//===----------------------------------------------------------------------===//

static SmallVector<Option, 6> optionsOf(IntegerAttr decaySteps,
                                        FloatAttr decayRate, BoolAttr staircase,
                                        FloatAttr alpha, FloatAttr warmupTarget,
                                        IntegerAttr warmupSteps) {
  return {{"decay_steps", decaySteps},   {"decay_rate", decayRate},
          {"staircase", staircase},      {"alpha", alpha},
          {"warmup_target", warmupTarget}, {"warmup_steps", warmupSteps}};
}

SmallVector<NamedAttribute> ScheduleAttr::getOptions() const {
  return given(getContext(),
               optionsOf(getDecaySteps(), getDecayRate(), getStaircase(),
                         getAlpha(), getWarmupTarget(), getWarmupSteps()));
}

ScheduleAttr ScheduleAttr::fromOptions(MLIRContext *ctx, ScheduleKind kind,
                                       DictionaryAttr options,
                                       EmitFn emitError) {
  StringRef g = stringifyScheduleKind(kind);
  return make<ScheduleAttr>(emitError, ctx, kind,
                            lookup<IntegerAttr>(options, g, "decay_steps"),
                            lookup<FloatAttr>(options, g, "decay_rate"),
                            lookup<BoolAttr>(options, g, "staircase"),
                            lookup<FloatAttr>(options, g, "alpha"),
                            lookup<FloatAttr>(options, g, "warmup_target"),
                            lookup<IntegerAttr>(options, g, "warmup_steps"));
}

LogicalResult ScheduleAttr::verify(EmitFn emitError, ScheduleKind kind,
                                   IntegerAttr decaySteps, FloatAttr decayRate,
                                   BoolAttr staircase, FloatAttr alpha,
                                   FloatAttr warmupTarget,
                                   IntegerAttr warmupSteps) {
  // train_config_c6
  if (kind == ScheduleKind::Constant)
    return emitError() << "a schedule is one of "
                       << llvm::join(scheduleNames(), ", ")
                       << " (a constant rate has none)";
  if (failed(verifyOptions(emitError, stringifyScheduleKind(kind), "key",
                           optionsOf(decaySteps, decayRate, staircase, alpha,
                                     warmupTarget, warmupSteps))))
    return failure();
  // Keras ignores warmup_steps without a warmup_target; here it is a
  // mistake to report.
  if (warmupSteps && !warmupTarget)
    return emitError() << "warmup_steps of cosine_decay needs a warmup_target "
                          "(the rate the warm-up climbs to)";
  return success();
}

Attribute ScheduleAttr::parse(AsmParser &p, Type) {
  return parseKindAttr<ScheduleAttr, ScheduleKind>(
      p, [](StringRef s) { return symbolizeScheduleKind(s); },
      [](ScheduleKind k) { return stringifyScheduleKind(k); }, scheduleNames(),
      "learning-rate schedule", "key");
}

void ScheduleAttr::print(AsmPrinter &p) const {
  p << "<" << stringifyScheduleKind(getKind());
  printOptions(p, getOptions(), false);
  p << ">";
}

//===----------------------------------------------------------------------===//
// #weir.early_stopping
//===----------------------------------------------------------------------===//

static SmallVector<Option, 4> optionsOf(StringAttr monitor, FloatAttr minDelta,
                                        IntegerAttr patience,
                                        BoolAttr restoreBestWeights) {
  return {{"monitor", monitor},
          {"min_delta", minDelta},
          {"patience", patience},
          {"restore_best_weights", restoreBestWeights}};
}

SmallVector<NamedAttribute> EarlyStoppingAttr::getOptions() const {
  return given(getContext(), optionsOf(getMonitor(), getMinDelta(),
                                       getPatience(), getRestoreBestWeights()));
}

EarlyStoppingAttr EarlyStoppingAttr::fromOptions(MLIRContext *ctx,
                                                 DictionaryAttr options,
                                                 EmitFn emitError) {
  StringRef g = "early_stopping";
  return make<EarlyStoppingAttr>(
      emitError, ctx, lookup<StringAttr>(options, g, "monitor"),
      lookup<FloatAttr>(options, g, "min_delta"),
      lookup<IntegerAttr>(options, g, "patience"),
      lookup<BoolAttr>(options, g, "restore_best_weights"));
}

LogicalResult EarlyStoppingAttr::verify(EmitFn emitError, StringAttr monitor,
                                        FloatAttr minDelta,
                                        IntegerAttr patience,
                                        BoolAttr restoreBestWeights) {
  return verifyOptions(
      emitError, "early_stopping", "key",
      optionsOf(monitor, minDelta, patience, restoreBestWeights));
}

Attribute EarlyStoppingAttr::parse(AsmParser &p, Type) {
  SMLoc loc = p.getCurrentLocation();
  if (p.parseLess())
    return {};
  FailureOr<DictionaryAttr> options =
      parseOptions(p, "early_stopping", "key", true);
  if (failed(options))
    return {};
  return fromOptions(p.getContext(), *options,
                     [&] { return p.emitError(loc); });
}

void EarlyStoppingAttr::print(AsmPrinter &p) const {
  p << "<";
  printOptions(p, getOptions(), true);
  p << ">";
}

//===----------------------------------------------------------------------===//
// #weir.reduce_lr_on_plateau
//===----------------------------------------------------------------------===//

static SmallVector<Option, 6> optionsOf(StringAttr monitor, FloatAttr factor,
                                        IntegerAttr patience,
                                        FloatAttr minDelta,
                                        IntegerAttr cooldown, FloatAttr minLr) {
  return {{"monitor", monitor},     {"factor", factor},
          {"patience", patience},   {"min_delta", minDelta},
          {"cooldown", cooldown},   {"min_lr", minLr}};
}

SmallVector<NamedAttribute> ReduceLrOnPlateauAttr::getOptions() const {
  return given(getContext(),
               optionsOf(getMonitor(), getFactor(), getPatience(),
                         getMinDelta(), getCooldown(), getMinLr()));
}

ReduceLrOnPlateauAttr ReduceLrOnPlateauAttr::fromOptions(MLIRContext *ctx,
                                                         DictionaryAttr options,
                                                         EmitFn emitError) {
  StringRef g = "reduce_lr_on_plateau";
  return make<ReduceLrOnPlateauAttr>(
      emitError, ctx, lookup<StringAttr>(options, g, "monitor"),
      lookup<FloatAttr>(options, g, "factor"),
      lookup<IntegerAttr>(options, g, "patience"),
      lookup<FloatAttr>(options, g, "min_delta"),
      lookup<IntegerAttr>(options, g, "cooldown"),
      lookup<FloatAttr>(options, g, "min_lr"));
}

LogicalResult ReduceLrOnPlateauAttr::verify(EmitFn emitError,
                                            StringAttr monitor,
                                            FloatAttr factor,
                                            IntegerAttr patience,
                                            FloatAttr minDelta,
                                            IntegerAttr cooldown,
                                            FloatAttr minLr) {
  return verifyOptions(emitError, "reduce_lr_on_plateau", "key",
                       optionsOf(monitor, factor, patience, minDelta, cooldown,
                                 minLr));
}

Attribute ReduceLrOnPlateauAttr::parse(AsmParser &p, Type) {
  SMLoc loc = p.getCurrentLocation();
  if (p.parseLess())
    return {};
  FailureOr<DictionaryAttr> options =
      parseOptions(p, "reduce_lr_on_plateau", "key", true);
  if (failed(options))
    return {};
  return fromOptions(p.getContext(), *options,
                     [&] { return p.emitError(loc); });
}

void ReduceLrOnPlateauAttr::print(AsmPrinter &p) const {
  p << "<";
  printOptions(p, getOptions(), true);
  p << ">";
}

//===----------------------------------------------------------------------===//
// #weir.checkpoint
//===----------------------------------------------------------------------===//

static SmallVector<Option, 2> optionsOf(StringAttr monitor,
                                        BoolAttr saveBestOnly) {
  return {{"monitor", monitor}, {"save_best_only", saveBestOnly}};
}

SmallVector<NamedAttribute> ModelCheckpointAttr::getOptions() const {
  return given(getContext(), optionsOf(getMonitor(), getSaveBestOnly()));
}

ModelCheckpointAttr ModelCheckpointAttr::fromOptions(MLIRContext *ctx,
                                                     DictionaryAttr options,
                                                     EmitFn emitError) {
  StringRef g = "checkpoint";
  return make<ModelCheckpointAttr>(
      emitError, ctx, lookup<StringAttr>(options, g, "monitor"),
      lookup<BoolAttr>(options, g, "save_best_only"));
}

LogicalResult ModelCheckpointAttr::verify(EmitFn emitError, StringAttr monitor,
                                          BoolAttr saveBestOnly) {
  return verifyOptions(emitError, "checkpoint", "key",
                       optionsOf(monitor, saveBestOnly));
}

Attribute ModelCheckpointAttr::parse(AsmParser &p, Type) {
  SMLoc loc = p.getCurrentLocation();
  if (p.parseLess())
    return {};
  FailureOr<DictionaryAttr> options = parseOptions(p, "checkpoint", "key", true);
  if (failed(options))
    return {};
  return fromOptions(p.getContext(), *options,
                     [&] { return p.emitError(loc); });
}

void ModelCheckpointAttr::print(AsmPrinter &p) const {
  p << "<";
  printOptions(p, getOptions(), true);
  p << ">";
}
