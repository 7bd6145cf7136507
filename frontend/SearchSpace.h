//===- SearchSpace.h - hyperparameters written in a .weir file ---*- C++ -*-===//
//
// keras-tuner's HyperParameters, written where an argument stands:
// `int(16..64, step: 16)`, `float(1e-4..1e-2, sampling: log)`,
// `choice(adam, rmsprop)`, `boolean()`. Each is named from its place
// (`dense_1.units`, `optimizer`, `optimizer.learning_rate`) or by `name:`.
// parseWeirSource replaces each by a value: the one given for its name, or
// its default (keras-tuner's: the low end, the first choice, false), so a
// file with a search space compiles as its default point. docs/language.md,
// "Search spaces".
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_FRONTEND_SEARCHSPACE_H
#define WEIR_FRONTEND_SEARCHSPACE_H

#include <map>
#include <string>
#include <vector>

namespace weir {

struct HyperParameter {
  enum class Kind { Int, Float, Choice, Boolean };
  std::string name;
  Kind kind = Kind::Int;
  /// Int, Float: the range [lo, hi] and its step (0: none, for floats).
  double lo = 0, hi = 0, step = 0;
  /// Int, Float: "linear", "log" or "reverse_log".
  std::string sampling = "linear";
  /// Choice: the values as written (numbers or names).
  std::vector<std::string> choices;
  /// Choice: whether the values are numbers, and which were strings.
  bool numeric = false;
  std::vector<bool> quoted;
  /// The default point's value, as text (see HyperValues).
  std::string defaultValue;
  /// file:line:col of the call.
  std::string location;
  /// Where the call stands in the source text (bytes), for writing a point
  /// into it (weir tune --export).
  size_t offset = 0, length = 0;
};


/// In the order the file writes them.
struct SearchSpace {
  std::vector<HyperParameter> parameters;
  bool empty() const { return parameters.empty(); }
};

/// A point of a search space: values by name, as text: "32", "0.001"
/// (doubles with 17 significant digits round-trip), "adam", "true".
using HyperValues = std::map<std::string, std::string>;

/// `source` with every search-space call of `space` replaced by its value
/// in `values` (or its default): a plain .weir file of that point.
std::string writePoint(const std::string &source, const SearchSpace &space,
                       const HyperValues &values);

} // namespace weir

#endif // WEIR_FRONTEND_SEARCHSPACE_H
