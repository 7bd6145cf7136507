// EarlyStopping against Keras 3's behaviour, and resuming it.
#include "runtime/train/EarlyStopping.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace weir;
using Mode = EarlyStoppingOptions::Mode;

namespace {
EarlyStopping make(EarlyStoppingOptions o) {
  Result<EarlyStopping> es = EarlyStopping::create(std::move(o));
  EXPECT_TRUE(es.ok()) << es.status().message();
  return std::move(*es);
}

/// The epoch at which `es` says stop for `values`, or -1.
int64_t stopEpoch(EarlyStopping &es, const std::vector<double> &values) {
  for (size_t e = 0; e < values.size(); ++e)
    if (es.update(int64_t(e), values[e]))
      return int64_t(e);
  return -1;
}

EarlyStoppingOptions opts(const char *monitor, int64_t patience,
                          double minDelta = 0) {
  EarlyStoppingOptions o;
  o.monitor = monitor;
  o.patience = patience;
  o.minDelta = minDelta;
  return o;
}
} // namespace

TEST(EarlyStopping, ModeFromName) {
  EXPECT_TRUE(make(opts("val_loss", 1)).minimizes());
  EXPECT_TRUE(make(opts("loss", 1)).minimizes());
  EXPECT_TRUE(make(opts("val_sparse_categorical_crossentropy_loss", 1)).minimizes());
  EXPECT_FALSE(make(opts("val_acc", 1)).minimizes());
  EXPECT_FALSE(make(opts("accuracy", 1)).minimizes());
  EXPECT_FALSE(make(opts("val_sparse_categorical_accuracy", 1)).minimizes());
  Result<EarlyStopping> unknown = EarlyStopping::create(opts("val_auc", 1));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("'val_auc'"), std::string::npos);
  EarlyStoppingOptions o = opts("val_auc", 1);
  o.mode = Mode::Max;
  EXPECT_FALSE(make(o).minimizes());
  EXPECT_FALSE(EarlyStopping::create(opts("loss", -1)).ok());
  EXPECT_EQ(make(opts("loss", 1)).best(), INFINITY);
  EXPECT_EQ(make(opts("acc", 1)).best(), -INFINITY);
}

TEST(EarlyStopping, Patience) {
  // Improves at 0, 1; then 3 epochs without: wait 1, 2, 3.
  EarlyStopping es = make(opts("val_loss", 2));
  EXPECT_EQ(stopEpoch(es, {1.0, 0.9, 0.95, 0.96, 0.97}), 3);
  EXPECT_EQ(es.best(), 0.9);
  EXPECT_EQ(es.bestEpoch(), 1);
  EXPECT_EQ(es.wait(), 2);

  // Patience 0: the first epoch without improvement stops.
  EarlyStopping zero = make(opts("val_loss", 0));
  EXPECT_EQ(stopEpoch(zero, {1.0, 0.8, 0.8}), 2); // equal is no improvement

  // An improvement resets the count.
  EarlyStopping reset = make(opts("val_loss", 2));
  EXPECT_EQ(stopEpoch(reset, {1.0, 1.1, 0.9, 1.2, 1.3, 1.4}), 4);

  // Max mode.
  EarlyStopping acc = make(opts("val_acc", 1));
  EXPECT_EQ(stopEpoch(acc, {0.5, 0.6, 0.55, 0.7}), 2);
  EXPECT_EQ(acc.best(), 0.6);

  // Never at epoch 0, even with patience 0 and a NaN first value.
  EarlyStopping nan = make(opts("loss", 0));
  EXPECT_FALSE(nan.update(0, NAN));
  EXPECT_FALSE(nan.latestIsBest());
  EXPECT_TRUE(nan.update(1, NAN)); // NaN never improves
}

TEST(EarlyStopping, MinDelta) {
  // 0.95 beats 1.0 by 0.05 < 0.1: not an improvement.
  EarlyStopping es = make(opts("val_loss", 1, 0.1));
  EXPECT_EQ(stopEpoch(es, {1.0, 0.95, 0.5}), 1);
  EXPECT_EQ(es.best(), 1.0);
  // The sign of min_delta is ignored (Keras takes its absolute value).
  EarlyStopping neg = make(opts("val_loss", 1, -0.1));
  EXPECT_EQ(stopEpoch(neg, {1.0, 0.85, 0.80}), 2);
  EXPECT_EQ(neg.best(), 0.85);
  // Max mode: must rise by more than min_delta.
  EarlyStopping acc = make(opts("acc", 1, 0.01));
  EXPECT_EQ(stopEpoch(acc, {0.5, 0.52, 0.525}), 2);
  EXPECT_EQ(acc.bestEpoch(), 1);
}

TEST(EarlyStopping, RestoreBestWeights) {
  EarlyStoppingOptions o = opts("val_loss", 2);
  o.restoreBestWeights = true;
  EarlyStopping es = make(o);
  EXPECT_FALSE(es.shouldRestoreWeights()); // nothing kept yet
  struct Step {
    double value;
    bool stop, best, snapshot;
  } steps[] = {{0.9, false, true, true},
               {0.7, false, true, true},
               {0.8, false, false, false},
               {0.75, true, false, false}};
  for (size_t e = 0; e < 4; ++e) {
    SCOPED_TRACE(e);
    EXPECT_EQ(es.update(int64_t(e), steps[e].value), steps[e].stop);
    EXPECT_EQ(es.latestIsBest(), steps[e].best);
    EXPECT_EQ(es.shouldSnapshotWeights(), steps[e].snapshot);
  }
  EXPECT_TRUE(es.shouldRestoreWeights());
  EXPECT_EQ(es.bestEpoch(), 1);

  // Keras keeps the first monitored epoch's weights even when its value
  // is no improvement (NaN here), until something beats it.
  EarlyStopping first = make(o);
  first.update(0, NAN);
  EXPECT_TRUE(first.shouldSnapshotWeights());
  EXPECT_FALSE(first.latestIsBest());
  EXPECT_EQ(first.bestEpoch(), 0);
  first.update(1, 2.0);
  EXPECT_TRUE(first.shouldSnapshotWeights());
  EXPECT_EQ(first.bestEpoch(), 1);

  // Without restore_best_weights there is nothing to snapshot or restore.
  EarlyStopping plain = make(opts("val_loss", 2));
  plain.update(0, 1.0);
  EXPECT_TRUE(plain.latestIsBest());
  EXPECT_FALSE(plain.shouldSnapshotWeights());
  EXPECT_FALSE(plain.shouldRestoreWeights());
}

TEST(EarlyStopping, BaselineAndStartFromEpoch) {
  // Improvements that do not beat the baseline do not reset the wait (but,
  // as in Keras, an improving epoch never stops training).
  EarlyStoppingOptions o = opts("val_loss", 2);
  o.baseline = 0.5;
  EarlyStopping es = make(o);
  EXPECT_EQ(stopEpoch(es, {0.9, 0.8, 0.7}), -1);
  EXPECT_EQ(es.wait(), 3);
  EXPECT_TRUE(es.update(3, 0.75));
  EarlyStopping without = make(opts("val_loss", 2));
  EXPECT_EQ(stopEpoch(without, {0.9, 0.8, 0.7, 0.75}), -1);
  EarlyStopping beats = make(o);
  EXPECT_EQ(stopEpoch(beats, {0.9, 0.4, 0.45, 0.46, 0.47}), 3);

  EarlyStoppingOptions warm = opts("val_loss", 0);
  warm.startFromEpoch = 2;
  EarlyStopping w = make(warm);
  EXPECT_EQ(stopEpoch(w, {1.0, 2.0, 3.0, 4.0}), 3);
  EXPECT_EQ(w.bestEpoch(), 2);
}

TEST(EarlyStopping, ResumeThroughCheckpointProgress) {
  EarlyStoppingOptions o = opts("val_loss", 3, 0.01);
  o.restoreBestWeights = true;
  std::vector<double> values = {1.0, 0.8, 0.85, 0.79, 0.9, 0.95, 0.99, 1.0};
  EarlyStopping straight = make(o);
  std::vector<bool> want;
  for (size_t e = 0; e < values.size(); ++e)
    want.push_back(straight.update(int64_t(e), values[e]));

  for (size_t cut = 0; cut <= 6; ++cut) {
    SCOPED_TRACE(cut);
    EarlyStopping before = make(o);
    for (size_t e = 0; e < cut; ++e)
      EXPECT_EQ(before.update(int64_t(e), values[e]), want[e]);
    TrainingProgress p;
    before.save(p);
    Result<TrainingProgress> back = progressFromJson(progressToJson(p));
    ASSERT_TRUE(back.ok()) << back.status().message();
    EarlyStopping after = make(o);
    after.restore(*back);
    EXPECT_EQ(after.best(), before.best());
    EXPECT_EQ(after.bestEpoch(), before.bestEpoch());
    EXPECT_EQ(after.wait(), before.wait());
    for (size_t e = cut; e < values.size(); ++e)
      EXPECT_EQ(after.update(int64_t(e), values[e]), want[e]) << e;
    EXPECT_EQ(after.bestEpoch(), straight.bestEpoch());
  }
  // A progress with no best yet restores the initial state.
  EarlyStopping fresh = make(opts("val_acc", 1));
  fresh.restore(TrainingProgress());
  EXPECT_EQ(fresh.best(), -INFINITY);
  EXPECT_EQ(fresh.bestEpoch(), -1);
}
