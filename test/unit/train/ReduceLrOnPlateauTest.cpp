// ReduceLrOnPlateau against Keras 3's on_epoch_end, worked by hand.
#include "runtime/train/ReduceLrOnPlateau.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace weir;

namespace {
ReduceLrOnPlateau make(ReduceLrOnPlateauOptions o, double lr) {
  Result<ReduceLrOnPlateau> r = ReduceLrOnPlateau::create(std::move(o), lr);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return std::move(*r);
}

/// The rate after each of `values`.
std::vector<double> rates(ReduceLrOnPlateau &r,
                          const std::vector<double> &values) {
  std::vector<double> out;
  for (double v : values) {
    r.update(v);
    out.push_back(r.learningRate());
  }
  return out;
}

/// Rates equal up to the rounding of repeated multiplication.
void expectRates(const std::vector<double> &got,
                 const std::vector<double> &want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_NEAR(got[i], want[i], 1e-12 * want[i]) << "after epoch " << i;
}
} // namespace

TEST(ReduceLrOnPlateau, PatienceAndFactor) {
  ReduceLrOnPlateauOptions o;
  o.factor = 0.5;
  o.patience = 2;
  o.minDelta = 0;
  ReduceLrOnPlateau r = make(o, 1.0);
  // 1.0 best; 1.0 and 1.2 are two epochs without improvement: halve;
  // 0.9 improves; 0.95, 0.95: halve again.
  expectRates(rates(r, {1.0, 1.0, 1.2, 0.9, 0.95, 0.95}),
              {1.0, 1.0, 0.5, 0.5, 0.5, 0.25});
  EXPECT_EQ(r.wait(), 0);
  EXPECT_EQ(r.best(), 0.9);
}

TEST(ReduceLrOnPlateau, MinDeltaCooldownAndMinLr) {
  ReduceLrOnPlateauOptions o;
  o.factor = 0.1;
  o.patience = 1;
  o.minDelta = 0.1;
  o.cooldown = 2;
  o.minLr = 0.005;
  ReduceLrOnPlateau r = make(o, 1.0);
  // 0.95 is not 0.1 below 1.0: reduce to 0.1, cooldown 2. The next epoch
  // counts it down to 1 and is still cooling; the one after counts it to 0,
  // so its wait counts again and reaches patience: 0.1 -> 0.01, cooldown 2.
  // Two epochs later the same: 0.01 * 0.1 is below min_lr, so 0.005; then
  // nothing lower.
  expectRates(rates(r, {1.0, 0.95, 0.94, 0.93, 0.92, 0.91, 0.9, 0.9}),
              {1.0, 0.1, 0.1, 0.01, 0.01, 0.005, 0.005, 0.005});
}

TEST(ReduceLrOnPlateau, AccuracyIsMaximizedAndNanNeverImproves) {
  ReduceLrOnPlateauOptions o;
  o.monitor = "val_accuracy";
  o.factor = 0.5;
  o.patience = 1;
  o.minDelta = 0;
  ReduceLrOnPlateau r = make(o, 0.1);
  expectRates(rates(r, {0.5, 0.6, NAN, 0.7}), {0.1, 0.1, 0.05, 0.05});
  EXPECT_EQ(r.best(), 0.7);
}

TEST(ReduceLrOnPlateau, ResumesFromItsState) {
  ReduceLrOnPlateauOptions o;
  o.factor = 0.5;
  o.patience = 2;
  o.minDelta = 0;
  o.cooldown = 1;
  std::vector<double> values = {1.0, 1.1, 1.2, 1.3, 0.5, 0.6, 0.7, 0.8};
  ReduceLrOnPlateau whole = make(o, 1.0);
  std::vector<double> expected = rates(whole, values);
  for (size_t cut = 0; cut <= values.size(); ++cut) {
    ReduceLrOnPlateau first = make(o, 1.0);
    std::vector<double> got = rates(
        first, std::vector<double>(values.begin(), values.begin() + cut));
    ReduceLrOnPlateau second = make(o, 1.0);
    second.restore(first.state());
    std::vector<double> rest = rates(
        second, std::vector<double>(values.begin() + cut, values.end()));
    got.insert(got.end(), rest.begin(), rest.end());
    EXPECT_EQ(got, expected) << "cut after " << cut;
  }
}

TEST(ReduceLrOnPlateau, RejectsBadOptions) {
  ReduceLrOnPlateauOptions o;
  o.factor = 1.0;
  Result<ReduceLrOnPlateau> r = ReduceLrOnPlateau::create(o, 0.1);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("factor must be in (0, 1)"),
            std::string::npos);
  o.factor = 0.5;
  o.patience = -1;
  EXPECT_FALSE(ReduceLrOnPlateau::create(o, 0.1).ok());
}
