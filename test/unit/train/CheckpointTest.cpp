// Checkpoints: round trips, the progress JSON, and corrupt files.
#include "runtime/train/Checkpoint.h"

#include "runtime/Json.h"
#include "TrainTestUtil.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace weir;
using namespace weir::test;

namespace {
TrainingProgress sampleProgress() {
  TrainingProgress p;
  p.epoch = 3;
  p.step = 1407;
  p.seed = 0xFEDCBA9876543210ull; // above INT64_MAX
  p.bestMetric = 0.3171234567891234;
  p.bestEpoch = 2;
  p.epochsWithoutImprovement = 1;
  p.savedBestMetric = 0.8125;
  p.savedBestEpoch = 1;
  p.plateau = PlateauState{0.25, 1, 2, 5e-4};
  p.history = {{{"loss", 0.61}, {"acc", 0.78}, {"val_loss", 0.5}},
               {{"loss", 0.45}, {"acc", 0.84}, {"val_loss", 1e-300}},
               {{"loss", NAN}, {"acc", 0.1}, {"val_loss", INFINITY}}};
  return p;
}

void expectSameProgress(const TrainingProgress &a, const TrainingProgress &b) {
  EXPECT_EQ(a.epoch, b.epoch);
  EXPECT_EQ(a.step, b.step);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.bestMetric, b.bestMetric);
  EXPECT_EQ(a.bestEpoch, b.bestEpoch);
  EXPECT_EQ(a.epochsWithoutImprovement, b.epochsWithoutImprovement);
  EXPECT_EQ(a.savedBestMetric, b.savedBestMetric);
  EXPECT_EQ(a.savedBestEpoch, b.savedBestEpoch);
  ASSERT_EQ(a.plateau.has_value(), b.plateau.has_value());
  if (a.plateau) {
    EXPECT_EQ(a.plateau->best, b.plateau->best);
    EXPECT_EQ(a.plateau->wait, b.plateau->wait);
    EXPECT_EQ(a.plateau->cooldown, b.plateau->cooldown);
    EXPECT_EQ(a.plateau->learningRate, b.plateau->learningRate);
  }
  ASSERT_EQ(a.history.size(), b.history.size());
  for (size_t i = 0; i < a.history.size(); ++i) {
    ASSERT_EQ(a.history[i].size(), b.history[i].size());
    for (const auto &[k, v] : a.history[i]) {
      ASSERT_TRUE(b.history[i].count(k)) << k;
      double w = b.history[i].at(k);
      EXPECT_TRUE(v == w || (std::isnan(v) && std::isnan(w))) << k;
    }
  }
}

/// The progress JSON with `field` replaced by `value` (raw JSON text).
std::string progressWith(const std::string &field, const std::string &value) {
  Result<JsonValue> root = parseJson(progressToJson(sampleProgress()));
  EXPECT_TRUE(root.ok());
  Result<JsonValue> v = parseJson(value);
  EXPECT_TRUE(v.ok()) << value;
  root->set(field, *v);
  return writeJson(*root);
}
} // namespace

TEST(Checkpoint, RoundTrip) {
  TempDir dir;
  HostTensor kernel = patternTensor(DType::F32, {4, 3});
  HostTensor m = patternTensor(DType::F32, {4, 3});
  HostTensor count = patternTensor(DType::I64, {});
  std::string path = dir.file("ckpt.safetensors");
  TrainingProgress p = sampleProgress();
  ASSERT_TRUE(writeCheckpoint(path,
                              {{"dense.kernel", &kernel},
                               {"dense.kernel/adam_m", &m},
                               {"optimizer/iterations", &count}},
                              p, {{"weir.model", "mlp"}})
                  .ok());
  EXPECT_EQ(dir.list(), std::vector<std::string>{"ckpt.safetensors"});
  Result<Checkpoint> c = readCheckpoint(path);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ASSERT_EQ(c->tensors.size(), 3u);
  EXPECT_EQ(c->tensors[1].name, "dense.kernel/adam_m");
  ASSERT_NE(c->find("dense.kernel"), nullptr);
  EXPECT_TRUE(sameTensor(*c->find("dense.kernel"), kernel));
  EXPECT_TRUE(sameTensor(*c->find("optimizer/iterations"), count));
  EXPECT_EQ(c->find("nope"), nullptr);
  expectSameProgress(p, c->progress);
  ASSERT_EQ(c->metadata.size(), 1u);
  EXPECT_EQ(c->metadata[0].first, "weir.model");

  // A checkpoint written again replaces the previous one in one piece.
  p.epoch = 4;
  ASSERT_TRUE(writeCheckpoint(path, {{"dense.kernel", &kernel}}, p).ok());
  c = readCheckpoint(path);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->progress.epoch, 4);
  EXPECT_EQ(c->tensors.size(), 1u);
  EXPECT_EQ(dir.list(), std::vector<std::string>{"ckpt.safetensors"});
}

TEST(Checkpoint, ProgressJson) {
  TrainingProgress fresh;
  Result<TrainingProgress> back = progressFromJson(progressToJson(fresh));
  ASSERT_TRUE(back.ok()) << back.status().message();
  expectSameProgress(fresh, *back);
  EXPECT_TRUE(hasSubstr(progressToJson(sampleProgress()),
                        "\"seed\":\"18364758544493064720\""));
  TrainingProgress inf = sampleProgress();
  inf.bestMetric = -INFINITY;
  back = progressFromJson(progressToJson(inf));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->bestMetric, -INFINITY);
  // A seed written as a plain JSON integer is read too.
  back = progressFromJson(progressWith("seed", "7"));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->seed, 7u);
  // A checkpoint from before --save-best (no saved_best fields) reads as
  // nothing saved yet.
  std::string old = progressToJson(sampleProgress());
  size_t at = old.find(",\"saved_best_metric\"");
  ASSERT_NE(at, std::string::npos);
  size_t end = old.find(",\"history\"");
  old.erase(at, end - at);
  back = progressFromJson(old);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->savedBestEpoch, -1);
  EXPECT_EQ(back->bestEpoch, 2);
}

TEST(Checkpoint, GarbledProgress) {
  struct {
    std::string json;
    const char *message;
  } cases[] = {
      {"{\"epoch\": 3", "JSON error at byte"},
      {"[1, 2]", "not a JSON object"},
      {progressWith("version", "2"), "unsupported version 2"},
      {progressWith("epoch", "\"three\""), "field 'epoch' is not an integer"},
      {progressWith("step", "-5"), "negative epoch, step or counter"},
      {progressWith("seed", "\"12x\""), "field 'seed' is not an unsigned"},
      {progressWith("seed", "-1"), "field 'seed' is not an unsigned"},
      {progressWith("best_metric", "\"best\""), "field 'best_metric' is not a number"},
      {progressWith("saved_best_metric", "\"x\""),
       "field 'saved_best_metric' is not a number"},
      {progressWith("saved_best_epoch", "-2"), "negative epoch, step or counter"},
      {progressWith("reduce_lr_on_plateau", "[]"),
       "field 'reduce_lr_on_plateau' is not an object"},
      {progressWith("reduce_lr_on_plateau",
                    "{\"best\": 1, \"wait\": -1, \"cooldown\": 0, "
                    "\"learning_rate\": 0.1}"),
       "has a negative counter"},
      {progressWith("history", "{}"), "non-array field 'history'"},
      {progressWith("history", "[1]"), "history[0] is not an object"},
      {progressWith("history", "[{\"loss\": true}]"),
       "field 'history[0].loss' is not a number"},
  };
  for (const auto &c : cases) {
    Result<TrainingProgress> p = progressFromJson(c.json);
    ASSERT_FALSE(p.ok()) << c.json;
    EXPECT_TRUE(hasSubstr(p.status().message(), c.message));
  }
  std::string noEpoch = progressToJson(sampleProgress());
  noEpoch.replace(noEpoch.find("\"epoch\""), 7, "\"epoxh\"");
  Result<TrainingProgress> p = progressFromJson(noEpoch);
  ASSERT_FALSE(p.ok());
  EXPECT_TRUE(hasSubstr(p.status().message(), "missing field 'epoch'"));
}

TEST(Checkpoint, CorruptFiles) {
  TempDir dir;
  HostTensor w = patternTensor(DType::F32, {2, 2});
  std::string path = dir.file("c.safetensors");

  // Plain weights without progress.
  ASSERT_TRUE(writeSafetensors(path, std::vector<NamedTensorRef>{{"w", &w}}).ok());
  Result<Checkpoint> c = readCheckpoint(path);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(hasSubstr(c.status().message(),
                        path + ": not a weir checkpoint: no 'weir.progress'"));

  // A garbled progress entry.
  ASSERT_TRUE(writeSafetensors(path, std::vector<NamedTensorRef>{{"w", &w}},
                               {{"weir.progress", "{\"epoch\": }"}})
                  .ok());
  c = readCheckpoint(path);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(hasSubstr(c.status().message(),
                        path + ": garbled 'weir.progress' metadata: JSON error"));

  // A truncated file.
  ASSERT_TRUE(writeCheckpoint(path, {{"w", &w}}, sampleProgress()).ok());
  std::string bytes = readBytes(path);
  writeBytes(path, bytes.substr(0, bytes.size() - 3));
  c = readCheckpoint(path);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(hasSubstr(c.status().message(), path));

  // Missing file.
  c = readCheckpoint(dir.file("none.safetensors"));
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(hasSubstr(c.status().message(), dir.file("none.safetensors")));

  // The progress key is reserved.
  Status s = writeCheckpoint(path, {{"w", &w}}, sampleProgress(),
                             {{"weir.progress", "x"}});
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(hasSubstr(s.message(), "reserved"));
}
