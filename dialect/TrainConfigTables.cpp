//===- TrainConfigTables.cpp - the keys of weir.train_config -------------===//
//
// One table per group of keyed values (an optimizer's options, a schedule,
// early stopping, the top-level numbers) says each key's kind, range and
// whether it has a default. The attribute verifiers (TrainConfigAttrs.cpp),
// the op verifier (TrainConfig.cpp) and the .weir front end check values
// against them, so that all three report the same mistakes.
//
//===----------------------------------------------------------------------===//
#include "dialect/TrainConfig.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
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
         {learningRate, number("weight_decay", 0, true), beta1, beta2, epsilon},
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
          number("alpha", 0, true, 1, true), number("warmup_target", 0, false),
          integer("warmup_steps", 0)},
         {}},
        {"early_stopping",
         {choice("monitor", kMonitors), number("min_delta", 0, true),
          integer("patience", 0), flag("restore_best_weights")},
         {}},
        {"reduce_lr_on_plateau",
         {choice("monitor", kMonitors), number("factor", 0, false, 1, false),
          integer("patience", 0), number("min_delta", 0, true),
          integer("cooldown", 0), number("min_lr", 0, true)},
         {}},
        {"checkpoint",
         {choice("monitor", kMonitors), flag("save_best_only")},
         {}},
        {"train",
         {integer("epochs", 1), integer("batch_size", 1),
          choice("validate", kSplits),
          choice("precision", precisionNames()),
          number("loss_scale", 0, false)},
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

/// The Keras names of an ODS enum's cases, in order.
template <typename Kind>
static std::vector<StringRef> enumNames(uint32_t max,
                                        StringRef (*stringify)(Kind)) {
  std::vector<StringRef> n;
  for (uint32_t i = 0; i <= max; ++i)
    n.push_back(stringify(Kind(i)));
  return n;
}

llvm::ArrayRef<StringRef> weir::lossNames() {
  static const std::vector<StringRef> names =
      enumNames(getMaxEnumValForLossKind(), stringifyLossKind);
  return names;
}

llvm::ArrayRef<StringRef> weir::optimizerNames() {
  static const std::vector<StringRef> names =
      enumNames(getMaxEnumValForOptimizerKind(), stringifyOptimizerKind);
  return names;
}

llvm::ArrayRef<StringRef> weir::scheduleNames() {
  // Not `constant`: that is the absence of a schedule.
  static const StringRef names[] = {
      stringifyScheduleKind(ScheduleKind::ExponentialDecay),
      stringifyScheduleKind(ScheduleKind::CosineDecay)};
  return names;
}

llvm::ArrayRef<StringRef> weir::metricNames() {
  static const std::vector<StringRef> names =
      enumNames(getMaxEnumValForMetricKind(), stringifyMetricKind);
  return names;
}

llvm::ArrayRef<StringRef> weir::precisionNames() {
  static const std::vector<StringRef> names =
      enumNames(getMaxEnumValForPrecisionKind(), stringifyPrecisionKind);
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

std::string weir::describeValue(Attribute value) {
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
    d << " must be " << describe(*k) << ", got " << describeValue(value);
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

Attribute weir::normalizeKeyValue(StringRef group, StringRef key,
                                  Attribute value) {
  const KeyDef *k = lookupKey(group, key);
  auto i = dyn_cast_if_present<IntegerAttr>(value);
  if (!k || k->kind != ValueKind::Number || !i || isa<BoolAttr>(value))
    return value;
  std::optional<int64_t> n = intValue(i);
  if (!n)
    return value;
  return FloatAttr::get(Float64Type::get(value.getContext()),
                        static_cast<double>(*n));
}
