//===- TrainerTest.cpp - training a model from C++, no CLI involved ------===//
//
// A small classifier compiled from .weir text in memory, trained on arrays
// in memory through Trainer::fit, then checked against values computed here
// from its own predictions: evaluate's loss is the mean negative log
// probability of the right class, its accuracy the share of argmax hits.
//
//===----------------------------------------------------------------------===//
#include "api/Session.h"
#include "api/Trainer.h"
#include "runtime/train/Dataset.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <unistd.h>

using namespace weir;

namespace {
const char *kModel = R"(
model blobs(x: f32[4]) {
  h = dense(x, 16, activation: relu)
  return dense(h, 3, activation: softmax)
}

train blobs {
  loss: sparse_categorical_crossentropy
  optimizer: adam(learning_rate: 0.01)
  metrics: [accuracy]
  epochs: 6
  batch_size: 16
}
)";

/// Three Gaussian blobs in 4-D, labels u8.
ArrayDataset blobs(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> noise(0, 0.7f);
  const float centers[3][4] = {{2, 0, 0, 1}, {0, 2, 0, -1}, {0, 0, 2, 0}};
  ArrayDataset d;
  d.x = *HostTensor::create(DType::F32, {n, 4});
  d.y = *HostTensor::create(DType::U8, {n});
  for (int64_t i = 0; i < n; ++i) {
    uint8_t label = uint8_t(rng() % 3);
    d.y.data<uint8_t>()[i] = label;
    for (int j = 0; j < 4; ++j)
      d.x.data<float>()[i * 4 + j] = centers[label][j] + noise(rng);
  }
  return d;
}

class RecordingSink : public FitSink {
public:
  void onBatch(const BatchProgress &p) override {
    ++batches;
    EXPECT_LE(p.step, p.steps);
  }
  void onEpoch(const EpochReport &r) override { epochs.push_back(r); }
  void onNote(const std::string &line) override { notes.push_back(line); }
  int batches = 0;
  std::vector<EpochReport> epochs;
  std::vector<std::string> notes;
};

std::unique_ptr<Trainer> makeTrainer(uint64_t seed = 7) {
  std::unique_ptr<Session> session =
      Session::loadSource(kModel, "blobs.weir", SessionOptions());
  EXPECT_TRUE(session);
  TrainerOptions options;
  options.seed = seed;
  options.threads = 2;
  Result<std::unique_ptr<Trainer>> t = Trainer::create(std::move(session), options);
  EXPECT_TRUE(t.ok()) << t.status().message();
  return t.ok() ? std::move(*t) : nullptr;
}

std::string tempDir() {
  char dir[] = "/tmp/weir-api-test-XXXXXX";
  EXPECT_TRUE(mkdtemp(dir));
  return dir;
}
} // namespace

TEST(Trainer, FitsArraysInMemoryAndAgreesWithItsPredictions) {
  ArrayDataset train = blobs(192, 1), test = blobs(96, 2);
  std::unique_ptr<Trainer> trainer = makeTrainer();
  ASSERT_TRUE(trainer);
  FitOptions fit;
  fit.data = DataRef::inMemory(train);
  fit.validation = DataRef::inMemory(test);
  RecordingSink sink;
  Result<FitResult> result = trainer->fit(fit, sink);
  ASSERT_TRUE(result.ok()) << result.status().message();

  // Six epochs of 12 steps, each reported; the history is Keras'.
  ASSERT_EQ(result->history.size(), 6u);
  EXPECT_EQ(result->steps, 6 * 12);
  EXPECT_EQ(sink.batches, 6 * 12);
  ASSERT_EQ(sink.epochs.size(), 6u);
  for (const char *key : {"loss", "accuracy", "val_loss", "val_accuracy"})
    EXPECT_TRUE(result->history.back().count(key)) << key;
  EXPECT_LT(result->history.back().at("loss"),
            result->history.front().at("loss"));
  EXPECT_GT(result->history.back().at("val_accuracy"), 0.85);

  // evaluate() against the loss and accuracy of predict()'s probabilities.
  Result<StepMetrics> m = trainer->evaluate(DataRef::inMemory(test), 32);
  ASSERT_TRUE(m.ok()) << m.status().message();
  Result<HostTensor> p = trainer->predict(DataRef::inMemory(test), 32);
  ASSERT_TRUE(p.ok()) << p.status().message();
  ASSERT_EQ(p->shape(), (std::vector<int64_t>{96, 3}));
  double nll = 0;
  int64_t hits = 0;
  for (int64_t i = 0; i < 96; ++i) {
    const float *row = p->data<float>() + i * 3;
    int label = test.y.data<uint8_t>()[i];
    nll -= std::log(double(row[label]));
    int argmax = int(std::max_element(row, row + 3) - row);
    hits += argmax == label;
    EXPECT_NEAR(row[0] + row[1] + row[2], 1.0, 1e-5);
  }
  EXPECT_EQ(m->examples, 96);
  EXPECT_NEAR(m->loss, nll / 96, 1e-4);
  EXPECT_EQ(int64_t(m->correct), hits);
  // The last validation pass saw the same weights.
  EXPECT_NEAR(result->history.back().at("val_loss"), m->loss, 1e-5);
}

TEST(Trainer, SameSeedSameWeights) {
  ArrayDataset train = blobs(64, 3);
  std::vector<std::vector<float>> runs;
  for (int r = 0; r < 2; ++r) {
    std::unique_ptr<Trainer> trainer = makeTrainer(11);
    ASSERT_TRUE(trainer);
    FitOptions fit;
    fit.data = DataRef::inMemory(train);
    fit.epochs = 2;
    FitSink quiet;
    ASSERT_TRUE(trainer->fit(fit, quiet).ok());
    const HostTensor &k = trainer->state().at(trainer->parameterNames()[0]);
    runs.emplace_back(k.data<float>(), k.data<float>() + k.numElements());
  }
  EXPECT_EQ(runs[0], runs[1]);
}

TEST(Trainer, ResumeWithoutACheckpointStartsFresh) {
  ArrayDataset train = blobs(64, 4);
  std::string dir = tempDir();
  std::unique_ptr<Trainer> trainer = makeTrainer();
  ASSERT_TRUE(trainer);
  FitOptions fit;
  fit.data = DataRef::inMemory(train);
  fit.epochs = 1;
  fit.checkpoint = dir + "/none.checkpoint";
  fit.output = dir + "/w.safetensors";
  fit.resume = true;
  RecordingSink sink;
  Result<FitResult> r = trainer->fit(fit, sink);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_FALSE(sink.notes.empty());
  EXPECT_EQ(sink.notes.front(),
            "no checkpoint at " + fit.checkpoint + "; starting from epoch 1");
  EXPECT_EQ(access(fit.checkpoint.c_str(), R_OK), 0);
  EXPECT_EQ(access(fit.output.c_str(), R_OK), 0);
}

TEST(Trainer, UnwritableOutputFailsBeforeTraining) {
  ArrayDataset train = blobs(64, 5);
  std::unique_ptr<Trainer> trainer = makeTrainer();
  ASSERT_TRUE(trainer);
  FitOptions fit;
  fit.data = DataRef::inMemory(train);
  fit.output = "/nonexistent/dir/w.safetensors";
  RecordingSink sink;
  Result<FitResult> r = trainer->fit(fit, sink);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/dir is not a directory"),
            std::string::npos)
      << r.status().message();
  EXPECT_EQ(sink.batches, 0);
}

TEST(Trainer, ModelErrorsComeBackAsNull) {
  // A malformed model prints its diagnostic and gives no session.
  EXPECT_FALSE(Session::loadSource("model m(x: f32[4]) { return dense(x) }",
                                   "bad.weir", SessionOptions()));
}

TEST(Session, PipelinesRunInTheirOrder) {
  std::unique_ptr<Session> session =
      Session::loadSource(kModel, "blobs.weir", SessionOptions());
  ASSERT_TRUE(session);
  EXPECT_TRUE(mlir::succeeded(session->buildTraining()));
  // Building twice is building once.
  EXPECT_TRUE(mlir::succeeded(session->buildTraining()));
  EXPECT_TRUE(mlir::succeeded(session->lowerToLinalg()));
  // After lowering, neither the training step nor a second lowering.
  EXPECT_TRUE(mlir::failed(session->buildTraining()));
  EXPECT_TRUE(mlir::failed(session->lowerToLinalg()));
}
