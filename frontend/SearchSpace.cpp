//===- SearchSpace.cpp - search-space calls to values, before building -===//
//
// One walk over the parsed file, in the order the builder names layers
// (inputs before the layer that reads them), names each search-space call
// from its place, checks it (ranges, steps, sampling, choices, defaults),
// records it, and replaces it by a literal: the value given for its name,
// or its default. The builder then sees an ordinary file.
//
//===----------------------------------------------------------------------===//
#include "frontend/SearchSpace.h"
#include "frontend/Frontend.h"
#include "frontend/OpTable.h"
#include "frontend/Parser.h"

#include "dialect/Layers.h"
#include "dialect/TrainConfig.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace weir;
using namespace weir::frontend;
using llvm::SMLoc;
using llvm::StringRef;

namespace {
bool isSpaceCall(const Expr &e) {
  return e.kind == Expr::Kind::Call &&
         (e.text == "int" || e.text == "float" || e.text == "choice" ||
          e.text == "boolean");
}

/// "%.17g": doubles read back bit for bit.
std::string numberText(double v) {
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format("%.17g", v);
  return s;
}

std::string valueText(const Expr &e) {
  switch (e.kind) {
  case Expr::Kind::Int:
    return std::to_string(e.intValue);
  case Expr::Kind::Float:
    return numberText(e.floatValue);
  default:
    return e.text;
  }
}

class Resolver {
public:
  Resolver(const Source &source, const HyperValues *values, SearchSpace *space)
      : source(source), values(values), space(space) {}

  LogicalResult run(File &file) {
    // Names given with `name:` are taken before any automatic one.
    for (Model &m : file.models)
      for (Stmt &s : m.body)
        for (ExprPtr &v : s.values)
          collectGivenNames(*v);
    for (Model &m : file.models)
      for (Stmt &s : m.body)
        for (ExprPtr &v : s.values)
          if (failed(visitTensor(v)))
            return failure();
    for (Train &t : file.trains)
      for (Arg &entry : t.entries)
        if (failed(visitValue(entry.value, entry.keyword)))
          return failure();
    for (Data &d : file.data)
      for (ExprPtr &stage : d.stages)
        if (failed(refuseIn(*stage, "a data pipeline")))
          return failure();
    // Every range was the first argument of int(...) or float(...).
    for (Model &m : file.models)
      for (Stmt &s : m.body)
        for (ExprPtr &v : s.values)
          if (failed(refuseRanges(*v)))
            return failure();
    for (Train &t : file.trains)
      for (Arg &entry : t.entries)
        if (failed(refuseRanges(*entry.value)))
          return failure();
    // A value for a name the file does not define is a typo, not a no-op.
    if (values)
      for (const auto &[name, value] : *values)
        if (!seen.count(name)) {
          std::vector<std::string> names;
          for (auto &entry : seen)
            names.push_back(entry.first().str());
          llvm::sort(names);
          return source.error(SMLoc::getFromPointer(source.buffer().data()))
                 << "the file has no hyperparameter named '" << name << "'"
                 << (names.empty() ? std::string(" (it has no search space)")
                                   : " (it has: " + llvm::join(names, ", ") +
                                         ")");
        }
    return success();
  }

private:
  void collectGivenNames(const Expr &e) {
    if (e.kind == Expr::Kind::Call)
      for (const Arg &a : e.args)
        if (a.keyword == "name" && a.value->kind == Expr::Kind::String)
          taken.insert(a.value->text);
    for (const Arg &a : e.args)
      collectGivenNames(*a.value);
    for (const ExprPtr &el : e.elements)
      collectGivenNames(*el);
    if (e.input)
      collectGivenNames(*e.input);
  }

  /// Keras' scheme, as the builder runs it: the given name, or the next
  /// free kind, kind_1, ...
  std::string layerName(const Expr &call) {
    for (const Arg &a : call.args)
      if (a.keyword == "name" && a.value->kind == Expr::Kind::String)
        return a.value->text;
    unsigned &n = counters[call.text];
    while (true) {
      std::string candidate =
          n == 0 ? call.text : call.text + "_" + std::to_string(n);
      ++n;
      if (taken.insert(candidate).second)
        return candidate;
    }
  }

  /// A model expression: layers named after the layers they read.
  LogicalResult visitTensor(ExprPtr &slot, bool chained = false) {
    Expr &e = *slot;
    if (e.kind == Expr::Kind::Sequential) {
      if (e.input && failed(visitTensor(e.input)))
        return failure();
      for (ExprPtr &layer : e.elements)
        if (failed(visitTensor(layer, /*chained=*/true)))
          return failure();
      return success();
    }
    if (e.kind == Expr::Kind::List) {
      for (ExprPtr &el : e.elements)
        if (failed(visitTensor(el)))
          return failure();
      return success();
    }
    if (e.kind != Expr::Kind::Call || isSpaceCall(e))
      return success();
    const OpDef *def = lookupOp(e.text);
    if (!def)
      return success(); // the builder reports it
    for (Arg &a : e.args)
      if (!isSpaceCall(*a.value) &&
          (a.value->kind == Expr::Kind::Call ||
           a.value->kind == Expr::Kind::Sequential ||
           a.value->kind == Expr::Kind::List))
        if (failed(visitTensor(a.value)))
          return failure();
    std::string layer = layerName(e);
    unsigned position = chained && !def->variadic ? 1 : 0;
    for (Arg &a : e.args) {
      std::string argName = a.keyword;
      if (argName.empty()) {
        argName = position < def->args.size() ? def->args[position].name
                                              : std::to_string(position);
        ++position;
      }
      if (failed(visitArgument(a.value, layer + "." + argName)))
        return failure();
    }
    return success();
  }

  /// A layer's argument: a search space, or a call (an initializer) whose
  /// arguments may hold one.
  LogicalResult visitArgument(ExprPtr &slot, const std::string &path) {
    if (isSpaceCall(*slot))
      return resolve(slot, path);
    if (slot->kind == Expr::Kind::Call && !lookupOp(slot->text)) {
      unsigned position = 0;
      for (Arg &a : slot->args) {
        std::string argName =
            a.keyword.empty() ? std::to_string(position++) : a.keyword;
        if (failed(visitArgument(a.value, path + "." + argName)))
          return failure();
      }
    }
    return success();
  }

  /// A train-block value at `path` (its key, then the keys and argument
  /// names below it: optimizer.learning_rate, early_stopping.patience).
  LogicalResult visitValue(ExprPtr &slot, const std::string &path) {
    Expr &e = *slot;
    if (isSpaceCall(e))
      return resolve(slot, path);
    if (e.kind == Expr::Kind::Call || e.kind == Expr::Kind::Map) {
      llvm::ArrayRef<StringRef> keys =
          e.kind == Expr::Kind::Call ? keysOf(e.text) : llvm::ArrayRef<StringRef>();
      unsigned position = 0;
      for (Arg &a : e.args) {
        std::string key = a.keyword;
        if (key.empty()) {
          key = position < keys.size() ? keys[position].str()
                                       : std::to_string(position);
          ++position;
        }
        if (failed(visitValue(a.value, path + "." + key)))
          return failure();
      }
    } else if (e.kind == Expr::Kind::List) {
      for (size_t i = 0; i < e.elements.size(); ++i)
        if (failed(visitValue(e.elements[i],
                              path + "[" + std::to_string(i) + "]")))
          return failure();
    }
    return success();
  }

  LogicalResult refuseIn(const Expr &e, StringRef where) {
    if (isSpaceCall(e))
      return source.error(e.loc)
             << "a search space (" << e.text
             << "(...)) cannot stand in " << where
             << "; put it in a model or train block argument";
    for (const Arg &a : e.args)
      if (failed(refuseIn(*a.value, where)))
        return failure();
    for (const ExprPtr &el : e.elements)
      if (failed(refuseIn(*el, where)))
        return failure();
    return success();
  }

  LogicalResult refuseRanges(const Expr &e) {
    if (e.kind == Expr::Kind::Range)
      return source.error(e.loc)
             << "a range lo..hi stands only as the first argument of "
                "int(...) or float(...)";
    for (const Arg &a : e.args)
      if (failed(refuseRanges(*a.value)))
        return failure();
    for (const ExprPtr &el : e.elements)
      if (failed(refuseRanges(*el)))
        return failure();
    if (e.input)
      return refuseRanges(*e.input);
    return success();
  }

  /// Checks the search-space call in `slot`, records it as `path` (or its
  /// `name:`), and replaces it by its value.
  LogicalResult resolve(ExprPtr &slot, std::string path);
  LogicalResult readRange(const Expr &call, HyperParameter &hp, bool integer);
  FailureOr<ExprPtr> valueOf(const Expr &call, const HyperParameter &hp,
                             const std::vector<const Expr *> &choices);

  const Source &source;
  const HyperValues *values;
  SearchSpace *space;
  llvm::StringSet<> taken;
  llvm::StringMap<unsigned> counters;
  llvm::StringMap<SMLoc> seen;
};
} // namespace

LogicalResult Resolver::readRange(const Expr &call, HyperParameter &hp,
                                  bool integer) {
  // resolve() checked that the first argument is a range.
  const Expr &range = *call.args[0].value;
  const Expr &lo = *range.elements[0], &hi = *range.elements[1];
  for (const Expr *end : {&lo, &hi}) {
    if (!end->isNumber() || (integer && end->kind != Expr::Kind::Int))
      return source.error(end->loc)
             << "the ends of " << call.text << "'s range are "
             << (integer ? "integers" : "numbers") << ", got "
             << describe(*end);
  }
  hp.lo = lo.asDouble();
  hp.hi = hi.asDouble();
  // Every value of the range is a double, exactly.
  for (const Expr *end : {&lo, &hi})
    if (end->kind == Expr::Kind::Int
            ? (end->intValue > (int64_t(1) << 53) ||
               end->intValue < -(int64_t(1) << 53))
            : std::fabs(end->asDouble()) > 9007199254740992.0)
      return source.error(end->loc)
             << "the ends of " << call.text
             << "'s range lie within -2^53..2^53, got " << valueText(*end);
  if (hp.hi < hp.lo)
    return source.error(range.loc)
           << "empty range " << valueText(lo) << ".." << valueText(hi)
           << " (the low end comes first)";
  return success();
}

LogicalResult Resolver::resolve(ExprPtr &slot, std::string path) {
  const Expr &call = *slot;
  HyperParameter hp;
  bool integer = call.text == "int";
  std::vector<const Expr *> choices;
  const Expr *step = nullptr, *sampling = nullptr, *dflt = nullptr;
  static const StringRef kRangeKeys[] = {"step", "sampling", "default", "name"};
  static const StringRef kOtherKeys[] = {"default", "name"};
  bool ranged = call.text == "int" || call.text == "float";
  llvm::ArrayRef<StringRef> keys =
      ranged ? llvm::ArrayRef<StringRef>(kRangeKeys) : kOtherKeys;
  if (ranged && (call.args.empty() || !call.args[0].keyword.empty() ||
                 call.args[0].value->kind != Expr::Kind::Range))
    return source.error(call.loc)
           << call.text << "(...) takes a range first, as in "
           << (integer ? "int(16..64, step: 16)"
                       : "float(1e-4..1e-2, sampling: log)");
  for (const Arg &a : call.args) {
    if (a.keyword.empty()) {
      if (call.text == "choice")
        choices.push_back(a.value.get());
      else if (!ranged || &a != &call.args.front())
        return source.error(a.value->loc)
               << call.text << "(...) takes "
               << (ranged ? "one range and keywords" : "keywords only")
               << " (" << llvm::join(keys, ", ") << ")";
      continue;
    }
    if (!llvm::is_contained(keys, StringRef(a.keyword)))
      return source.error(a.keywordLoc)
             << "unknown key '" << a.keyword << "' for " << call.text
             << " (expected: " << llvm::join(keys, ", ") << ")";
    if (a.keyword == "name") {
      if (a.value->kind != Expr::Kind::String &&
          a.value->kind != Expr::Kind::Name)
        return source.error(a.value->loc)
               << "name of " << call.text << " is a string, got "
               << describe(*a.value);
      path = a.value->text;
    } else if (a.keyword == "step") {
      step = a.value.get();
    } else if (a.keyword == "sampling") {
      sampling = a.value.get();
    } else {
      dflt = a.value.get();
    }
  }
  hp.name = path;
  {
    // The call's text: its callee, then the balanced parentheses.
    llvm::StringRef buffer = source.buffer();
    const char *begin = call.loc.getPointer(), *p = begin;
    int depth = 0;
    char quote = 0;
    for (; p < buffer.end(); ++p) {
      if (quote) {
        if (*p == '\\')
          ++p;
        else if (*p == quote)
          quote = 0;
      } else if (*p == '"' || *p == '\'') {
        quote = *p;
      } else if (*p == '(') {
        ++depth;
      } else if (*p == ')' && --depth == 0) {
        ++p;
        break;
      }
    }
    hp.offset = static_cast<size_t>(begin - buffer.begin());
    hp.length = static_cast<size_t>(p - begin);
  }
  hp.location = formatFileLocation(source.loc(call.loc));
  if (ranged) {
    hp.kind = integer ? HyperParameter::Kind::Int : HyperParameter::Kind::Float;
    if (failed(readRange(call, hp, integer)))
      return failure();
    if (sampling) {
      static const StringRef kSamplings[] = {"linear", "log", "reverse_log"};
      if (sampling->kind != Expr::Kind::Name ||
          !llvm::is_contained(kSamplings, StringRef(sampling->text)))
        return source.error(sampling->loc)
               << "sampling is one of linear, log, reverse_log, got "
               << describe(*sampling);
      hp.sampling = sampling->text;
      if (hp.sampling != "linear" && hp.lo <= 0)
        return source.error(sampling->loc)
               << hp.sampling << " sampling needs a range above 0, got "
               << numberText(hp.lo) << ".." << numberText(hp.hi);
    }
    if (step) {
      if (!step->isNumber() || (integer && step->kind != Expr::Kind::Int) ||
          step->asDouble() <= 0)
        return source.error(step->loc)
               << "step of " << call.text << " is a "
               << (integer ? "positive integer" : "positive number")
               << ", got " << describe(*step);
      hp.step = step->asDouble();
      double steps = (hp.hi - hp.lo) / hp.step;
      if (std::fabs(steps - std::round(steps)) > 1e-9 * std::max(1.0, steps))
        return source.error(step->loc)
               << "step " << valueText(*step) << " does not divide the range "
               << numberText(hp.lo) << ".." << numberText(hp.hi) << " (of "
               << numberText(hp.hi - hp.lo) << ")";
    } else if (integer) {
      hp.step = 1;
    }
    hp.defaultValue = integer ? std::to_string(int64_t(hp.lo)) : numberText(hp.lo);
  } else if (call.text == "choice") {
    hp.kind = HyperParameter::Kind::Choice;
    if (choices.empty())
      return source.error(call.loc)
             << "choice(...) needs at least one value, as in choice(adam, "
                "rmsprop)";
    hp.numeric = choices.front()->isNumber();
    for (const Expr *c : choices) {
      bool literal = c->isNumber() || c->kind == Expr::Kind::Name ||
                     c->kind == Expr::Kind::String;
      if (!literal)
        return source.error(c->loc) << "a choice is a number or a name, got "
                                    << describe(*c);
      if (c->isNumber() != hp.numeric)
        return source.error(c->loc)
               << "choice mixes numbers and names (" << describe(*c)
               << " after " << describe(*choices.front()) << ")";
      std::string text = valueText(*c);
      if (llvm::is_contained(hp.choices, text))
        return source.error(c->loc) << "choice lists " << text << " twice";
      hp.choices.push_back(text);
      hp.quoted.push_back(c->kind == Expr::Kind::String);
    }
    hp.defaultValue = hp.choices.front();
  } else {
    hp.kind = HyperParameter::Kind::Boolean;
    hp.defaultValue = "false";
  }
  if (dflt) {
    std::string text = valueText(*dflt);
    bool ok = false;
    if (hp.kind == HyperParameter::Kind::Choice) {
      ok = llvm::is_contained(hp.choices, text);
    } else if (hp.kind == HyperParameter::Kind::Boolean) {
      ok = text == "true" || text == "false";
    } else if (dflt->isNumber() &&
               (!integer || dflt->kind == Expr::Kind::Int)) {
      double v = dflt->asDouble();
      ok = v >= hp.lo && v <= hp.hi;
      if (ok && hp.step > 0) {
        double k = (v - hp.lo) / hp.step;
        ok = std::fabs(k - std::round(k)) <= 1e-9 * std::max(1.0, k);
      }
    }
    if (!ok)
      return source.error(dflt->loc)
             << "default " << text << " of " << hp.name
             << " is not one of its values";
    hp.defaultValue = text;
  }
  auto [it, fresh] = seen.try_emplace(hp.name, call.loc);
  if (!fresh) {
    auto d = source.error(call.loc)
             << "the search space has two hyperparameters named '" << hp.name
             << "' (give one a name: \"...\")";
    d.attachNote(source.loc(it->second)) << "the first is here";
    return failure();
  }
  FailureOr<ExprPtr> value = valueOf(call, hp, choices);
  if (failed(value))
    return failure();
  if (space)
    space->parameters.push_back(hp);
  slot = std::move(*value);
  return success();
}

FailureOr<ExprPtr> Resolver::valueOf(const Expr &call, const HyperParameter &hp,
                                     const std::vector<const Expr *> &choices) {
  std::string text = hp.defaultValue;
  if (values)
    if (auto it = values->find(hp.name); it != values->end())
      text = it->second;
  auto bad = [&]() -> FailureOr<ExprPtr> {
    return source.error(call.loc)
           << "value '" << text << "' of " << hp.name
           << " is not in its search space";
  };
  auto literal = [&](Expr::Kind kind) {
    return std::make_unique<Expr>(kind, call.loc);
  };
  switch (hp.kind) {
  case HyperParameter::Kind::Choice: {
    auto at = llvm::find(hp.choices, text);
    if (at == hp.choices.end())
      return bad();
    const Expr &c = *choices[at - hp.choices.begin()];
    ExprPtr e = literal(c.kind);
    e->intValue = c.intValue;
    e->floatValue = c.floatValue;
    e->text = c.text;
    return e;
  }
  case HyperParameter::Kind::Boolean: {
    if (text != "true" && text != "false")
      return bad();
    ExprPtr e = literal(Expr::Kind::Name);
    e->text = text;
    return e;
  }
  case HyperParameter::Kind::Int:
  case HyperParameter::Kind::Float: {
    char *end = nullptr;
    double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end || !std::isfinite(v) || v < hp.lo || v > hp.hi)
      return bad();
    if (hp.kind == HyperParameter::Kind::Int) {
      if (v != std::floor(v))
        return bad();
      if (hp.step > 0) {
        double k = (v - hp.lo) / hp.step;
        if (k != std::floor(k))
          return bad();
      }
      ExprPtr e = literal(Expr::Kind::Int);
      e->intValue = static_cast<int64_t>(v);
      return e;
    }
    ExprPtr e = literal(Expr::Kind::Float);
    e->floatValue = v;
    return e;
  }
  }
  return bad();
}

std::string weir::writePoint(const std::string &source,
                             const SearchSpace &space,
                             const HyperValues &values) {
  std::vector<const HyperParameter *> order;
  for (const HyperParameter &hp : space.parameters)
    order.push_back(&hp);
  // From the end, so that earlier offsets stay where they are.
  std::sort(order.begin(), order.end(),
            [](auto *a, auto *b) { return a->offset > b->offset; });
  std::string out = source;
  for (const HyperParameter *hp : order) {
    auto it = values.find(hp->name);
    std::string text = it == values.end() ? hp->defaultValue : it->second;
    for (size_t c = 0; c < hp->choices.size(); ++c)
      if (hp->choices[c] == text && c < hp->quoted.size() && hp->quoted[c])
        text = "\"" + text + "\"";
    if (hp->offset + hp->length <= out.size())
      out.replace(hp->offset, hp->length, text);
  }
  return out;
}

LogicalResult weir::frontend::resolveSearchSpace(const Source &source,
                                                 File &file,
                                                 const HyperValues *values,
                                                 SearchSpace *space) {
  return Resolver(source, values, space).run(file);
}
