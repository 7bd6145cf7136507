// Search algorithms of `weir tune` (Search.h).
#include "runtime/tune/Search.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

using namespace weir;
using namespace weir::tune;

namespace {
std::string numberText(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

double uniform(SplitMix64 &rng) {
  return static_cast<double>(rng.next() >> 11) * 0x1.0p-53;
}

/// Grid points of a stepped range: lo, lo + step, ..., hi.
int64_t gridSize(const Dimension &d) {
  return static_cast<int64_t>(std::llround((d.hi - d.lo) / d.step)) + 1;
}

/// The range's [lo, hi] on the scale sampling maps linearly to [0, 1].
double warp(const Dimension &d, double v) {
  if (d.hi == d.lo)
    return 0.5;
  if (d.sampling == "log")
    return std::log(v / d.lo) / std::log(d.hi / d.lo);
  if (d.sampling == "reverse_log")
    return 1 - std::log((d.hi + d.lo - v) / d.lo) / std::log(d.hi / d.lo);
  return (v - d.lo) / (d.hi - d.lo);
}
double unwarp(const Dimension &d, double u) {
  if (d.sampling == "log")
    return d.lo * std::exp(u * std::log(d.hi / d.lo));
  if (d.sampling == "reverse_log")
    return d.hi + d.lo - d.lo * std::exp((1 - u) * std::log(d.hi / d.lo));
  return d.lo + u * (d.hi - d.lo);
}
} // namespace

double tune::toUnit(const Dimension &d, const std::string &value) {
  switch (d.kind) {
  case Dimension::Kind::Choice: {
    auto it = std::find(d.choices.begin(), d.choices.end(), value);
    double k = it == d.choices.end() ? 0 : double(it - d.choices.begin());
    return (k + 0.5) / double(d.choices.size());
  }
  case Dimension::Kind::Boolean:
    return value == "true" ? 0.75 : 0.25;
  default:
    return std::clamp(warp(d, std::strtod(value.c_str(), nullptr)), 0.0, 1.0);
  }
}

std::string tune::fromUnit(const Dimension &d, double u) {
  u = std::clamp(u, 0.0, 1.0);
  switch (d.kind) {
  case Dimension::Kind::Choice: {
    size_t k = std::min(d.choices.size() - 1,
                        static_cast<size_t>(u * double(d.choices.size())));
    return d.choices[k];
  }
  case Dimension::Kind::Boolean:
    return u < 0.5 ? "false" : "true";
  default:
    break;
  }
  double v = std::clamp(unwarp(d, u), d.lo, d.hi);
  if (d.step > 0) {
    int64_t k = std::llround((v - d.lo) / d.step);
    k = std::clamp<int64_t>(k, 0, gridSize(d) - 1);
    v = d.lo + double(k) * d.step;
  }
  if (d.kind == Dimension::Kind::Int)
    return std::to_string(static_cast<int64_t>(std::llround(v)));
  return numberText(v);
}

std::vector<double> tune::toUnit(const std::vector<Dimension> &dims,
                                 const Point &p) {
  std::vector<double> u;
  for (const Dimension &d : dims)
    u.push_back(toUnit(d, p.at(d.name)));
  return u;
}

Point tune::fromUnit(const std::vector<Dimension> &dims,
                     const std::vector<double> &u) {
  Point p;
  for (size_t i = 0; i < dims.size(); ++i)
    p[dims[i].name] = fromUnit(dims[i], u[i]);
  return p;
}

std::string tune::pointKey(const Point &p) {
  std::string key;
  for (const auto &[name, value] : p)
    key += name + "=" + value + ",";
  return key;
}

Point tune::randomPoint(const std::vector<Dimension> &dims, SplitMix64 &rng) {
  std::vector<double> u;
  for (size_t i = 0; i < dims.size(); ++i)
    u.push_back(uniform(rng));
  return fromUnit(dims, u);
}

//===----------------------------------------------------------------------===//
// The Gaussian process
//===----------------------------------------------------------------------===//

double GaussianProcess::kernel(const std::vector<double> &a,
                               const std::vector<double> &b) const {
  double r2 = 0;
  for (size_t i = 0; i < a.size(); ++i)
    r2 += (a[i] - b[i]) * (a[i] - b[i]);
  double r = std::sqrt(5.0 * r2) / length_;
  return (1 + r + r * r / 3) * std::exp(-r);
}

namespace {
/// Cholesky factor of a symmetric positive-definite matrix; false if not.
bool cholesky(std::vector<std::vector<double>> &a) {
  size_t n = a.size();
  for (size_t j = 0; j < n; ++j) {
    double d = a[j][j];
    for (size_t k = 0; k < j; ++k)
      d -= a[j][k] * a[j][k];
    if (d <= 0)
      return false;
    a[j][j] = std::sqrt(d);
    for (size_t i = j + 1; i < n; ++i) {
      double s = a[i][j];
      for (size_t k = 0; k < j; ++k)
        s -= a[i][k] * a[j][k];
      a[i][j] = s / a[j][j];
    }
    for (size_t k = j + 1; k < n; ++k)
      a[j][k] = 0;
  }
  return true;
}
/// Solves L z = b (forward) and, with `back`, then L^T x = z.
std::vector<double> solve(const std::vector<std::vector<double>> &l,
                          std::vector<double> b, bool back) {
  size_t n = l.size();
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < i; ++k)
      b[i] -= l[i][k] * b[k];
    b[i] /= l[i][i];
  }
  if (back)
    for (size_t i = n; i-- > 0;) {
      for (size_t k = i + 1; k < n; ++k)
        b[i] -= l[k][i] * b[k];
      b[i] /= l[i][i];
    }
  return b;
}
} // namespace

GaussianProcess GaussianProcess::fit(const std::vector<std::vector<double>> &x,
                                     const std::vector<double> &y,
                                     double alpha) {
  GaussianProcess best;
  double bestLikelihood = -std::numeric_limits<double>::infinity();
  double mean = 0, var = 0;
  for (double v : y)
    mean += v / double(y.size());
  for (double v : y)
    var += (v - mean) * (v - mean) / double(y.size());
  double scale = var > 0 ? std::sqrt(var) : 1;
  std::vector<double> yn;
  for (double v : y)
    yn.push_back((v - mean) / scale);
  for (double length : {0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0}) {
    GaussianProcess gp;
    gp.x_ = x;
    gp.mean_ = mean;
    gp.scale_ = scale;
    gp.length_ = length;
    size_t n = x.size();
    std::vector<std::vector<double>> k(n, std::vector<double>(n));
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j)
        k[i][j] = gp.kernel(x[i], x[j]) + (i == j ? alpha + 1e-10 : 0);
    if (!cholesky(k))
      continue;
    gp.chol_ = k;
    gp.weights_ = solve(k, yn, /*back=*/true);
    double likelihood = 0;
    for (size_t i = 0; i < n; ++i)
      likelihood -= 0.5 * yn[i] * gp.weights_[i] + std::log(k[i][i]);
    if (likelihood > bestLikelihood) {
      bestLikelihood = likelihood;
      best = std::move(gp);
    }
  }
  return best;
}

std::pair<double, double>
GaussianProcess::predict(const std::vector<double> &x) const {
  if (x_.empty())
    return {mean_, scale_};
  std::vector<double> k;
  for (const std::vector<double> &xi : x_)
    k.push_back(kernel(x, xi));
  double mu = 0;
  for (size_t i = 0; i < k.size(); ++i)
    mu += k[i] * weights_[i];
  std::vector<double> v = solve(chol_, k, /*back=*/false);
  double var = 1;
  for (double e : v)
    var -= e * e;
  return {mean_ + scale_ * mu, scale_ * std::sqrt(std::max(var, 0.0))};
}

std::optional<Point> tune::bayesianPoint(const std::vector<Dimension> &dims,
                                         const std::vector<Observation> &observed,
                                         const std::set<std::string> &tried,
                                         SplitMix64 &rng, double beta,
                                         double alpha, int candidates) {
  std::vector<std::vector<double>> x;
  std::vector<double> y;
  for (const Observation &o : observed) {
    x.push_back(toUnit(dims, o.point));
    y.push_back(o.score);
  }
  GaussianProcess gp = GaussianProcess::fit(x, y, alpha);
  std::optional<Point> best;
  double bestBound = -std::numeric_limits<double>::infinity();
  for (int c = 0; c < candidates; ++c) {
    Point p = randomPoint(dims, rng);
    if (tried.count(pointKey(p)))
      continue;
    auto [mu, sigma] = gp.predict(toUnit(dims, p));
    double bound = mu + beta * sigma;
    if (bound > bestBound) {
      bestBound = bound;
      best = std::move(p);
    }
  }
  return best;
}
