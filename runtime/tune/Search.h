// Search algorithms of `weir tune`: keras-tuner's unit scale for each
// hyperparameter, random points, and Bayesian optimization (a Gaussian
// process over the unit cube, upper confidence bound). Plain C++17; the
// API maps a .weir search space to Dimensions.
#pragma once

#include "runtime/Random.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace weir::tune {

struct Dimension {
  enum class Kind { Int, Float, Choice, Boolean };
  std::string name;
  Kind kind = Kind::Int;
  double lo = 0, hi = 0, step = 0; ///< Int, Float (step 0: continuous)
  std::string sampling = "linear"; ///< linear, log, reverse_log
  std::vector<std::string> choices;
};

/// Values by name, as text ("32", "0.001" with 17 digits, "adam", "true").
using Point = std::map<std::string, std::string>;

/// keras-tuner's scale: a value to [0, 1] (grid points and choices to the
/// middle of their cell; log and reverse_log sampling through the log of
/// the range), and back (snapped to the grid, the nearest choice).
double toUnit(const Dimension &d, const std::string &value);
std::string fromUnit(const Dimension &d, double u);
std::vector<double> toUnit(const std::vector<Dimension> &dims, const Point &p);
Point fromUnit(const std::vector<Dimension> &dims, const std::vector<double> &u);

/// "a=1,b=adam": one string per point, for telling tried points apart.
std::string pointKey(const Point &p);

/// A point drawn uniformly on the unit scale.
Point randomPoint(const std::vector<Dimension> &dims, SplitMix64 &rng);

/// A Gaussian process with a Matern 5/2 kernel on normalized targets; its
/// length scale is the one of a fixed grid with the highest marginal
/// likelihood; `alpha` is added to the diagonal (noise).
class GaussianProcess {
public:
  static GaussianProcess fit(const std::vector<std::vector<double>> &x,
                             const std::vector<double> &y, double alpha);
  /// Mean and standard deviation at `x`, in the targets' units.
  std::pair<double, double> predict(const std::vector<double> &x) const;
  double lengthScale() const { return length_; }

private:
  double kernel(const std::vector<double> &a, const std::vector<double> &b) const;
  std::vector<std::vector<double>> x_;
  std::vector<std::vector<double>> chol_; ///< lower triangle of K + alpha I
  std::vector<double> weights_;           ///< (K + alpha I)^-1 y (normalized)
  double mean_ = 0, scale_ = 1, length_ = 1;
};

/// One finished trial: its point and score (higher is better).
struct Observation {
  Point point;
  double score = 0;
};

/// keras-tuner's BayesianOptimization step: fits a GaussianProcess to the
/// observations (on the unit scale) and returns the untried point (not in
/// `tried`, by pointKey) among `candidates` random ones with the highest
/// upper confidence bound mean + beta * sigma; nullopt when every
/// candidate was tried.
std::optional<Point> bayesianPoint(const std::vector<Dimension> &dims,
                                   const std::vector<Observation> &observed,
                                   const std::set<std::string> &tried,
                                   SplitMix64 &rng, double beta = 2.6,
                                   double alpha = 1e-4, int candidates = 2000);

} // namespace weir::tune
