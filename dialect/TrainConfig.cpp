//===- TrainConfig.cpp - weir.train_config verifier and accessors --------===//
//
// One table per group of keyed values (an optimizer's options, a schedule,
// early stopping, the top-level numbers) says each key's kind, range and
// whether it has a default. The verifier checks the op against the tables,
// the front end checks a `train` block against the same tables, and
// getTrainingConfig fills in Keras' defaults (docs/spec.md).
//
//===----------------------------------------------------------------------===//
#include "dialect/TrainConfig.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace weir;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// The tables
//===----------------------------------------------------------------------===//

namespace {
enum class ValueKind { Number, Integer, Bool, Name };

constexpr double kInf = std::numeric_limits<double>::infinity();

/// One key: its kind, and for numbers the interval it must lie in.
struct KeyDef {
  StringRef name;
  ValueKind kind;
  double lo = -kInf;
  bool loClosed = false;
  double hi = kInf;
  bool hiClosed = false;
  /// Name: the accepted names.
  llvm::ArrayRef<StringRef> choices = {};
  bool required = false;
};

struct GroupDef {
  StringRef name;
  std::vector<KeyDef> keys;
  /// Just the names of `keys`, for keysOf().
  std::vector<StringRef> names;
};
} // namespace

static KeyDef number(StringRef name, double lo, bool loClosed, double hi = kInf,
                     bool hiClosed = false) {
  return {name, ValueKind::Number, lo, loClosed, hi, hiClosed};
}
static KeyDef integer(StringRef name, double lo, bool required = false) {
  KeyDef k{name, ValueKind::Integer, lo, true};
  k.required = required;
  return k;
}
static KeyDef flag(StringRef name) { return {name, ValueKind::Bool}; }
static KeyDef choice(StringRef name, llvm::ArrayRef<StringRef> choices) {
  KeyDef k{name, ValueKind::Name};
  k.choices = choices;
  return k;
}

static const StringRef kMonitors[] = {"loss", "accuracy", "val_loss",
                                      "val_accuracy"};
static const StringRef kSplits[] = {"test"};

static const std::vector<GroupDef> &groups() {
  // Keys in Keras' argument order; ranges as Keras checks them or as they
  // must be for the update to make sense.
  static const std::vector<GroupDef> table = [] {
    KeyDef learningRate = number("learning_rate", 0, false);
    KeyDef momentum = number("momentum", 0, true, 1, false);
    KeyDef beta1 = number("beta_1", 0, true, 1, false);
    KeyDef beta2 = number("beta_2", 0, true, 1, false);
    KeyDef epsilon = number("epsilon", 0, false);
    KeyDef decayRate = number("decay_rate", 0, false);
    decayRate.required = true;
    std::vector<GroupDef> t = {
        {"sgd", {learningRate, momentum, flag("nesterov")}, {}},
        {"adam", {learningRate, beta1, beta2, epsilon}, {}},
        {"adamw",
         {learningRate, number("weight_decay", 0, true), beta1, beta2,
          epsilon},
         {}},
        {"rmsprop",
         {learningRate, number("rho", 0, true, 1, false), momentum, epsilon},
         {}},
        {"exponential_decay",
         {integer("decay_steps", 1, /*required=*/true), decayRate,
          flag("staircase")},
         {}},
        {"cosine_decay",
         {integer("decay_steps", 1, /*required=*/true),
          number("alpha", 0, true, 1, true)},
         {}},
        {"early_stopping",
         {choice("monitor", kMonitors), number("min_delta", 0, true),
          integer("patience", 0), flag("restore_best_weights")},
         {}},
        {"train",
         {integer("epochs", 1), integer("batch_size", 1),
          choice("validate", kSplits)},
         {}},
    };
    for (GroupDef &g : t)
      for (const KeyDef &k : g.keys)
        g.names.push_back(k.name);
    return t;
  }();
  return table;
}

static const GroupDef *lookupGroup(StringRef group) {
  for (const GroupDef &g : groups())
    if (g.name == group)
      return &g;
  return nullptr;
}

static const KeyDef *lookupKey(StringRef group, StringRef key) {
  if (const GroupDef *g = lookupGroup(group))
    for (const KeyDef &k : g->keys)
      if (k.name == key)
        return &k;
  return nullptr;
}

llvm::ArrayRef<StringRef> weir::lossNames() {
  static const std::vector<StringRef> names = [] {
    std::vector<StringRef> n;
    for (uint32_t i = 0; i <= getMaxEnumValForLossKind(); ++i)
      n.push_back(stringifyLossKind(LossKind(i)));
    return n;
  }();
  return names;
}

llvm::ArrayRef<StringRef> weir::optimizerNames() {
  static const StringRef names[] = {"sgd", "adam", "adamw", "rmsprop"};
  return names;
}

llvm::ArrayRef<StringRef> weir::scheduleNames() {
  static const StringRef names[] = {"exponential_decay", "cosine_decay"};
  return names;
}

llvm::ArrayRef<StringRef> weir::metricNames() {
  static const StringRef names[] = {"accuracy"};
  return names;
}

llvm::ArrayRef<StringRef> weir::keysOf(StringRef group) {
  const GroupDef *g = lookupGroup(group);
  return g ? llvm::ArrayRef<StringRef>(g->names) : llvm::ArrayRef<StringRef>();
}

bool weir::isRequiredKey(StringRef group, StringRef key) {
  const KeyDef *k = lookupKey(group, key);
  return k && k->required;
}

//===----------------------------------------------------------------------===//
// Checking one value
//===----------------------------------------------------------------------===//

static std::string formatNumber(double v) {
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format("%g", v);
  if (s.find_first_of(".ein") == std::string::npos)
    s += ".0";
  return s;
}

static std::string describeBound(double v) {
  return v == std::floor(v) ? std::to_string(static_cast<int64_t>(v))
                            : formatNumber(v);
}

static std::string describe(const KeyDef &k) {
  switch (k.kind) {
  case ValueKind::Bool:
    return "true or false";
  case ValueKind::Name:
    if (k.choices.size() == 1)
      return "'" + k.choices.front().str() + "'";
    return "one of " + llvm::join(k.choices, ", ");
  case ValueKind::Number:
  case ValueKind::Integer:
    break;
  }
  std::string s = k.kind == ValueKind::Integer ? "an integer" : "a number";
  if (std::isinf(k.hi))
    return s + (k.loClosed ? " >= " : " > ") + describeBound(k.lo);
  return s + " in " + (k.loClosed ? "[" : "(") + describeBound(k.lo) + ", " +
         describeBound(k.hi) + (k.hiClosed ? "]" : ")");
}

std::string weir::describeKeyValue(StringRef group, StringRef key) {
  const KeyDef *k = lookupKey(group, key);
  return k ? describe(*k) : "";
}

/// The value of an integer attribute, if it fits int64.
static std::optional<int64_t> intValue(IntegerAttr attr) {
  const llvm::APInt &v = attr.getValue();
  if (attr.getType().isUnsignedInteger()) {
    std::optional<uint64_t> u = v.tryZExtValue();
    if (!u || *u > static_cast<uint64_t>(INT64_MAX))
      return std::nullopt;
    return static_cast<int64_t>(*u);
  }
  return v.trySExtValue();
}

/// How `value` reads in a diagnostic: 3, 0.001, true, 'val_loss', a list.
static std::string describe(Attribute value) {
  if (auto b = dyn_cast<BoolAttr>(value))
    return b.getValue() ? "true" : "false";
  if (auto i = dyn_cast<IntegerAttr>(value)) {
    if (std::optional<int64_t> v = intValue(i))
      return std::to_string(*v);
  } else if (auto f = dyn_cast<FloatAttr>(value)) {
    if (f.getType().isF64())
      return formatNumber(f.getValueAsDouble());
  } else if (auto s = dyn_cast<StringAttr>(value)) {
    return "'" + s.str() + "'";
  } else if (isa<ArrayAttr>(value)) {
    return "a list";
  } else if (isa<DictionaryAttr>(value)) {
    return "a map";
  }
  std::string s;
  llvm::raw_string_ostream(s) << value;
  return s;
}

LogicalResult weir::checkKeyValue(StringRef group, StringRef key,
                                  Attribute value, EmitFn emitError) {
  const KeyDef *k = lookupKey(group, key);
  if (!k)
    return emitError() << "unknown key '" << key << "' for " << group;
  auto fail = [&]() -> LogicalResult {
    InFlightDiagnostic d = emitError();
    d << key;
    // The top-level keys need no "of train".
    if (group != "train")
      d << " of " << group;
    d << " must be " << describe(*k) << ", got " << describe(value);
    // Not `return d`: an emitter that reports nothing gives an empty
    // diagnostic, which converts to success.
    return failure();
  };
  switch (k->kind) {
  case ValueKind::Bool:
    return isa<BoolAttr>(value) ? success() : fail();
  case ValueKind::Name: {
    auto s = dyn_cast<StringAttr>(value);
    return s && llvm::is_contained(k->choices, s.getValue()) ? success()
                                                              : fail();
  }
  case ValueKind::Number:
  case ValueKind::Integer:
    break;
  }
  // BoolAttr is an i1 IntegerAttr; a flag is no number.
  double v;
  if (auto i = dyn_cast<IntegerAttr>(value); i && !isa<BoolAttr>(value)) {
    std::optional<int64_t> n = intValue(i);
    if (!n)
      return fail();
    v = static_cast<double>(*n);
  } else if (auto f = dyn_cast<FloatAttr>(value);
             f && f.getType().isF64() && k->kind == ValueKind::Number) {
    v = f.getValueAsDouble();
  } else {
    return fail();
  }
  // Written so that NaN fails every comparison.
  bool inRange = std::isfinite(v) && (k->loClosed ? v >= k->lo : v > k->lo) &&
                 (k->hiClosed ? v <= k->hi : v < k->hi);
  return inRange ? success() : fail();
}

//===----------------------------------------------------------------------===//
// The verifier
//===----------------------------------------------------------------------===//

LogicalResult
TrainConfigOp::verifySymbolUses(SymbolTableCollection &tables) {
  // train_config_c1: the model is a function of the module.
  if (!tables.lookupNearestSymbolFrom<func::FuncOp>(*this, getModelAttr()))
    return emitOpError() << "'@" << getModel()
                         << "' does not name a func.func in the module";
  // train_config_c14: with data, the data and the validation data name
  // pipelines.
  if (FlatSymbolRefAttr data = getDataAttr()) {
    if (!tables.lookupNearestSymbolFrom<PipelineOp>(*this, data))
      return emitOpError() << "data '@" << data.getValue()
                           << "' does not name a weir.pipeline";
    if (StringAttr validate = getValidateAttr())
      if (!tables.lookupNearestSymbolFrom<PipelineOp>(
              *this, StringAttr::get(getContext(), validate.getValue())))
        return emitOpError() << "validate '" << validate.getValue()
                             << "' does not name a weir.pipeline";
  }
  return success();
}

/// Checks every key of `dict` against `group`; `what` names the dictionary
/// in the message about an unknown key. `skip` is a key checked elsewhere.
static LogicalResult checkDictionary(TrainConfigOp op, DictionaryAttr dict,
                                     StringRef group, StringRef what,
                                     StringRef skip = "") {
  for (NamedAttribute entry : dict) {
    StringRef key = entry.getName().strref();
    if (key == skip)
      continue;
    if (!llvm::is_contained(keysOf(group), key))
      return op.emitOpError()
             << "unknown " << what << " '" << key << "' for " << group
             << " (expected: " << llvm::join(keysOf(group), ", ") << ")";
    if (failed(checkKeyValue(group, key, entry.getValue(),
                             [&] { return op.emitOpError(); })))
      return failure();
  }
  for (StringRef key : keysOf(group))
    if (isRequiredKey(group, key) && !dict.get(key))
      return op.emitOpError() << group << " needs " << key;
  return success();
}

LogicalResult TrainConfigOp::verify() {
  auto emit = [this] { return emitOpError(); };
  // train_config_c2
  if (!llvm::is_contained(lossNames(), getLoss()))
    return emitOpError() << "unknown loss '" << getLoss()
                         << "' (expected one of "
                         << llvm::join(lossNames(), ", ") << ")";
  // train_config_c3: MSE compares values; there are no logits to normalize.
  if (getFromLogits() && symbolizeLossKind(getLoss()) == LossKind::mean_squared_error)
    return emitOpError() << "from_logits does not apply to mean_squared_error";
  // train_config_c4
  if (!llvm::is_contained(optimizerNames(), getOptimizer()))
    return emitOpError() << "unknown optimizer '" << getOptimizer()
                         << "' (expected one of "
                         << llvm::join(optimizerNames(), ", ") << ")";
  // train_config_c5
  if (failed(checkDictionary(*this, getOptimizerOptions(), getOptimizer(),
                             "option")))
    return failure();
  if (DictionaryAttr schedule = getScheduleAttr()) {
    // train_config_c6
    auto kind = schedule.getAs<StringAttr>("kind");
    if (!kind || !llvm::is_contained(scheduleNames(), kind.getValue()))
      return emitOpError() << "schedule needs a kind, one of "
                           << llvm::join(scheduleNames(), ", ") << ", got "
                           << (schedule.get("kind")
                                   ? describe(schedule.get("kind"))
                                   : std::string("none"));
    if (failed(checkDictionary(*this, schedule, kind.getValue(), "key",
                               "kind")))
      return failure();
    // train_config_c7: the schedule starts from the optimizer's rate.
    if (!getOptimizerOptions().get("learning_rate"))
      return emitOpError()
             << "a schedule needs optimizer_options.learning_rate, its "
                "initial learning rate";
  }
  // train_config_c8
  llvm::SmallVector<StringRef> seen;
  for (StringRef metric : getMetrics().getAsValueRange<StringAttr>()) {
    if (!llvm::is_contained(metricNames(), metric))
      return emitOpError() << "unknown metric '" << metric
                           << "' (expected one of "
                           << llvm::join(metricNames(), ", ") << ")";
    if (llvm::is_contained(seen, metric))
      return emitOpError() << "metric '" << metric << "' is listed twice";
    seen.push_back(metric);
  }
  // train_config_c9
  if (failed(checkKeyValue("train", "epochs", getEpochsAttr(), emit)) ||
      failed(checkKeyValue("train", "batch_size", getBatchSizeAttr(), emit)))
    return failure();
  // train_config_c10
  if (StringAttr validate = getValidateAttr(); validate && !getData())
    if (failed(checkKeyValue("train", "validate", validate, emit)))
      return failure();
  if (DictionaryAttr early = getEarlyStoppingAttr()) {
    // train_config_c11
    if (failed(checkDictionary(*this, early, "early_stopping", "key")))
      return failure();
    // train_config_c12: val_* only exists when the model is validated.
    auto monitor = early.getAs<StringAttr>("monitor");
    StringRef watched = monitor ? monitor.getValue() : "val_loss";
    if (watched.starts_with("val_") && !getValidate())
      return emitOpError() << "early_stopping monitors " << watched
                           << ", which needs validate";
  }
  // train_config_c13
  auto module = (*this)->getParentOfType<ModuleOp>();
  auto configs = module.getOps<TrainConfigOp>();
  TrainConfigOp first = *configs.begin();
  if (first != *this) {
    InFlightDiagnostic d = emitOpError()
                           << "is the second weir.train_config of the module "
                              "(a module has at most one)";
    d.attachNote(first.getLoc()) << "the first is here";
    return d;
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Accessors
//===----------------------------------------------------------------------===//

double LearningRateSchedule::at(int64_t step) const {
  switch (kind) {
  case ScheduleKind::Constant:
    return initial;
  case ScheduleKind::ExponentialDecay: {
    double p = static_cast<double>(step) / static_cast<double>(decaySteps);
    if (staircase)
      p = std::floor(p);
    return initial * std::pow(decayRate, p);
  }
  case ScheduleKind::CosineDecay: {
    double p = static_cast<double>(std::min(step, decaySteps)) /
               static_cast<double>(decaySteps);
    double cosine = 0.5 * (1 + std::cos(llvm::numbers::pi * p));
    return initial * ((1 - alpha) * cosine + alpha);
  }
  }
  return initial;
}

/// A number of a verified op: FloatAttr or IntegerAttr.
static void readNumber(DictionaryAttr dict, StringRef key, double &field) {
  Attribute a = dict.get(key);
  if (auto f = dyn_cast_if_present<FloatAttr>(a))
    field = f.getValueAsDouble();
  else if (auto i = dyn_cast_if_present<IntegerAttr>(a))
    field = static_cast<double>(*intValue(i));
}

static void readInt(DictionaryAttr dict, StringRef key, int64_t &field) {
  if (auto i = dict.getAs<IntegerAttr>(key))
    field = *intValue(i);
}

static void readFlag(DictionaryAttr dict, StringRef key, bool &field) {
  if (auto b = dict.getAs<BoolAttr>(key))
    field = b.getValue();
}

TrainingConfig weir::getTrainingConfig(TrainConfigOp op) {
  TrainingConfig c;
  c.model = op.getModel().str();
  c.loss = *symbolizeLossKind(op.getLoss()); // the verifier checked it
  c.fromLogits = op.getFromLogits();

  OptimizerConfig &o = c.optimizer;
  o.kind = llvm::StringSwitch<OptimizerKind>(op.getOptimizer())
               .Case("sgd", OptimizerKind::SGD)
               .Case("adam", OptimizerKind::Adam)
               .Case("adamw", OptimizerKind::AdamW)
               .Default(OptimizerKind::RMSprop);
  // Keras' defaults that differ from OptimizerConfig's.
  if (o.kind == OptimizerKind::SGD)
    o.learningRate.initial = 0.01;
  if (o.kind == OptimizerKind::AdamW)
    o.weightDecay = 0.004;
  DictionaryAttr options = op.getOptimizerOptions();
  readNumber(options, "learning_rate", o.learningRate.initial);
  readNumber(options, "momentum", o.momentum);
  readNumber(options, "beta_1", o.beta1);
  readNumber(options, "beta_2", o.beta2);
  readNumber(options, "epsilon", o.epsilon);
  readNumber(options, "weight_decay", o.weightDecay);
  readNumber(options, "rho", o.rho);
  readFlag(options, "nesterov", o.nesterov);

  if (DictionaryAttr schedule = op.getScheduleAttr()) {
    LearningRateSchedule &s = o.learningRate;
    s.kind = schedule.getAs<StringAttr>("kind").getValue() == "cosine_decay"
                 ? ScheduleKind::CosineDecay
                 : ScheduleKind::ExponentialDecay;
    readInt(schedule, "decay_steps", s.decaySteps);
    readNumber(schedule, "decay_rate", s.decayRate);
    readFlag(schedule, "staircase", s.staircase);
    readNumber(schedule, "alpha", s.alpha);
  }

  for (StringRef metric : op.getMetrics().getAsValueRange<StringAttr>())
    c.metrics.push_back(metric.str());
  c.epochs = op.getEpochs();
  c.batchSize = op.getBatchSize();
  c.validate = op.getValidate().has_value();
  if (op.getData()) {
    c.data = op.getData()->str();
    if (c.validate)
      c.validationData = op.getValidate()->str();
  }
  if (DictionaryAttr early = op.getEarlyStoppingAttr()) {
    EarlyStoppingConfig e;
    if (auto monitor = early.getAs<StringAttr>("monitor"))
      e.monitor = monitor.str();
    readInt(early, "patience", e.patience);
    readNumber(early, "min_delta", e.minDelta);
    readFlag(early, "restore_best_weights", e.restoreBestWeights);
    c.earlyStopping = e;
  }
  return c;
}

TrainConfigOp weir::findTrainConfig(ModuleOp module) {
  auto configs = module.getOps<TrainConfigOp>();
  return configs.empty() ? TrainConfigOp() : *configs.begin();
}
