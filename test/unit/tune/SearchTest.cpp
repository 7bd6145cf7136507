// runtime/tune/Search.h against values worked out by hand and against the
// closed forms of a Gaussian process.
#include "runtime/tune/Search.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

using namespace weir;
using namespace weir::tune;

namespace {
Dimension intDim(double lo, double hi, double step, std::string sampling = "linear") {
  Dimension d;
  d.name = "units";
  d.kind = Dimension::Kind::Int;
  d.lo = lo;
  d.hi = hi;
  d.step = step;
  d.sampling = std::move(sampling);
  return d;
}
Dimension floatDim(double lo, double hi, std::string sampling) {
  Dimension d;
  d.name = "lr";
  d.kind = Dimension::Kind::Float;
  d.lo = lo;
  d.hi = hi;
  d.sampling = std::move(sampling);
  return d;
}
Dimension choiceDim() {
  Dimension d;
  d.name = "optimizer";
  d.kind = Dimension::Kind::Choice;
  d.choices = {"adam", "rmsprop", "sgd"};
  return d;
}
} // namespace

TEST(Search, GridAndChoicesMapToTheMiddleOfTheirCells) {
  Dimension units = intDim(16, 64, 16); // 16, 32, 48, 64
  EXPECT_DOUBLE_EQ(toUnit(units, "16"), 0.0);
  EXPECT_DOUBLE_EQ(toUnit(units, "64"), 1.0);
  EXPECT_EQ(fromUnit(units, 0.0), "16");
  EXPECT_EQ(fromUnit(units, 0.34), "32");
  EXPECT_EQ(fromUnit(units, 0.5), "48"); // rounds to the nearest grid point
  EXPECT_EQ(fromUnit(units, 1.0), "64");
  Dimension opt = choiceDim();
  EXPECT_DOUBLE_EQ(toUnit(opt, "adam"), 0.5 / 3);
  EXPECT_DOUBLE_EQ(toUnit(opt, "sgd"), 2.5 / 3);
  EXPECT_EQ(fromUnit(opt, 0.0), "adam");
  EXPECT_EQ(fromUnit(opt, 0.5), "rmsprop");
  EXPECT_EQ(fromUnit(opt, 1.0), "sgd");
  for (const std::string &v : opt.choices)
    EXPECT_EQ(fromUnit(opt, toUnit(opt, v)), v);
}

TEST(Search, LogSamplingIsUniformInTheLogarithm) {
  Dimension lr = floatDim(1e-4, 1e-2, "log");
  EXPECT_NEAR(toUnit(lr, "0.001"), 0.5, 1e-12); // the geometric middle
  EXPECT_NEAR(std::strtod(fromUnit(lr, 0.5).c_str(), nullptr), 1e-3, 1e-15);
  EXPECT_NEAR(std::strtod(fromUnit(lr, 0.25).c_str(), nullptr),
              std::pow(10.0, -3.5), 1e-16);
  // Values come back bit for bit from their text.
  std::string text = fromUnit(lr, 0.123456789);
  EXPECT_EQ(fromUnit(lr, toUnit(lr, text)), text);
  Dimension rev = floatDim(0.9, 0.999, "reverse_log");
  EXPECT_NEAR(std::strtod(fromUnit(rev, toUnit(rev, "0.99")).c_str(), nullptr),
              0.99, 1e-12);
}

TEST(Search, RandomPointsAreAPureFunctionOfTheStream) {
  std::vector<Dimension> dims{intDim(16, 64, 16), floatDim(1e-4, 1e-2, "log"),
                              choiceDim()};
  SplitMix64 a(7, 3), b(7, 3), c(7, 4);
  Point pa = randomPoint(dims, a), pb = randomPoint(dims, b),
        pc = randomPoint(dims, c);
  EXPECT_EQ(pa, pb);
  EXPECT_NE(pointKey(pa), pointKey(pc));
  // Every grid point and choice is drawn.
  std::set<std::string> units, opts;
  SplitMix64 rng(1, 1);
  for (int i = 0; i < 400; ++i) {
    Point p = randomPoint(dims, rng);
    units.insert(p["units"]);
    opts.insert(p["optimizer"]);
    double lr = std::strtod(p["lr"].c_str(), nullptr);
    EXPECT_GE(lr, 1e-4);
    EXPECT_LE(lr, 1e-2);
  }
  EXPECT_EQ(units, (std::set<std::string>{"16", "32", "48", "64"}));
  EXPECT_EQ(opts.size(), 3u);
}

TEST(Search, GaussianProcessInterpolatesItsObservations) {
  std::vector<std::vector<double>> x{{0.1}, {0.4}, {0.9}};
  std::vector<double> y{1.0, 3.0, -2.0};
  GaussianProcess gp = GaussianProcess::fit(x, y, 1e-8);
  for (size_t i = 0; i < x.size(); ++i) {
    auto [mu, sigma] = gp.predict(x[i]);
    EXPECT_NEAR(mu, y[i], 1e-4);
    EXPECT_LT(sigma, 1e-2);
  }
  // Far from the data the mean returns to the targets' mean and the
  // uncertainty to their spread.
  GaussianProcess narrow = GaussianProcess::fit({{0.0}}, {5.0}, 1e-8);
  auto [mu, sigma] = narrow.predict({1.0});
  EXPECT_NEAR(mu, 5.0, 1e-6);
  EXPECT_GT(sigma, 0.5);
}

TEST(Search, GaussianProcessMatchesTheClosedFormForTwoPoints) {
  // Targets +1 and -1 (already normalized), K = [[1, k], [k, 1]] with k
  // the kernel between the points. At the midpoint both kernel values are
  // km, so the mean is km (w0 + w1) = 0 and the variance is
  // 1 - [km, km] K^-1 [km, km]^T = 1 - 2 km^2 / (1 + k).
  GaussianProcess gp = GaussianProcess::fit({{0.2}, {0.3}}, {1.0, -1.0}, 0.0);
  double l = gp.lengthScale();
  double r = std::sqrt(5.0) * 0.1 / l;
  double k = (1 + r + r * r / 3) * std::exp(-r);
  double rm = std::sqrt(5.0) * 0.05 / l;
  double km = (1 + rm + rm * rm / 3) * std::exp(-rm);
  auto [mu, sigma] = gp.predict({0.25});
  EXPECT_NEAR(mu, 0.0, 1e-9);
  EXPECT_NEAR(sigma, std::sqrt(std::max(0.0, 1 - 2 * km * km / (1 + k))),
              1e-4);
}

TEST(Search, BayesianStepMovesTowardTheBestRegion) {
  // Score peaks at lr = 1e-3 (the middle of the log range).
  std::vector<Dimension> dims{floatDim(1e-5, 1e-1, "log")};
  auto score = [](double lr) {
    double t = std::log10(lr) + 3;
    return -t * t;
  };
  std::vector<Observation> seen;
  std::set<std::string> tried;
  for (double lr : {1e-5, 1e-4, 1e-2, 1e-1}) {
    Point p = fromUnit(dims, {toUnit(dims[0], std::to_string(lr))});
    seen.push_back({p, score(std::strtod(p["lr"].c_str(), nullptr))});
    tried.insert(pointKey(p));
  }
  for (int step = 0; step < 6; ++step) {
    SplitMix64 rng(3, step);
    std::optional<Point> next = bayesianPoint(dims, seen, tried, rng);
    ASSERT_TRUE(next.has_value());
    double lr = std::strtod((*next)["lr"].c_str(), nullptr);
    seen.push_back({*next, score(lr)});
    tried.insert(pointKey(*next));
  }
  double best = -1e9;
  for (const Observation &o : seen)
    best = std::max(best, o.score);
  // Random points alone are within 0.25 decades with probability ~12%
  // each; the process gets there within six steps.
  EXPECT_GT(best, -0.0625);
}

TEST(Search, BayesianStepNeverProposesATriedPoint) {
  Dimension d = choiceDim();
  std::vector<Dimension> dims{d};
  std::vector<Observation> seen{{{{"optimizer", "adam"}}, 1.0},
                                {{{"optimizer", "rmsprop"}}, 0.5}};
  std::set<std::string> tried{pointKey(seen[0].point), pointKey(seen[1].point)};
  SplitMix64 rng(1, 1);
  std::optional<Point> next = bayesianPoint(dims, seen, tried, rng);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ((*next)["optimizer"], "sgd");
  tried.insert(pointKey(*next));
  EXPECT_FALSE(bayesianPoint(dims, seen, tried, rng).has_value());
}

// The check: on a synthetic problem with a known best point,
// Bayesian optimization finds it in fewer trials than random search, on
// average over seeds. 30 x 30 grid points, the score a bowl around
// (21, 8); random search needs about half the 900 points on average.
// Trials are capped at 80 (a search that has not found it counts 80).
TEST(Search, BayesianFindsAKnownBestPointInFewerTrialsThanRandom) {
  std::vector<Dimension> dims{intDim(1, 30, 1), intDim(1, 30, 1)};
  dims[1].name = "width";
  auto score = [](const Point &p) {
    double a = std::stod(p.at("units")) - 21, b = std::stod(p.at("width")) - 8;
    return -(a * a + b * b);
  };
  const int kCap = 80, kSeeds = 8;
  auto trialsToBest = [&](bool bayesian, uint64_t seed) {
    std::vector<Observation> seen;
    std::set<std::string> tried;
    for (int n = 1; n <= kCap; ++n) {
      SplitMix64 rng(seed, n);
      std::optional<Point> p;
      if (bayesian && seen.size() >= 6) // keras-tuner: 3 per dimension
        p = bayesianPoint(dims, seen, tried, rng, 2.6, 1e-4, 500);
      else
        for (int draw = 0; draw < 100 && !p; ++draw) {
          Point q = randomPoint(dims, rng);
          if (!tried.count(pointKey(q)))
            p = q;
        }
      if (!p)
        return kCap;
      if (score(*p) == 0)
        return n;
      seen.push_back({*p, score(*p)});
      tried.insert(pointKey(*p));
    }
    return kCap;
  };
  double random = 0, bayes = 0;
  for (int s = 0; s < kSeeds; ++s) {
    random += trialsToBest(false, 100 + s);
    bayes += trialsToBest(true, 100 + s);
  }
  random /= kSeeds;
  bayes /= kSeeds;
  std::printf("trials to the best point, mean of %d seeds (cap %d): random "
              "%.1f, bayesian %.1f\n", kSeeds, kCap, random, bayes);
  EXPECT_LT(bayes, random);
}
