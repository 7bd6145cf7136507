//===- TrainConfigTest.cpp - learning-rate schedules and config defaults --===//
#include "dialect/TrainConfig.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir;
using namespace weir;

namespace {

TEST(LearningRateScheduleTest, ConstantIsTheInitialRate) {
  LearningRateSchedule s;
  s.initial = 0.05;
  EXPECT_DOUBLE_EQ(s.at(0), 0.05);
  EXPECT_DOUBLE_EQ(s.at(123456), 0.05);
}

TEST(LearningRateScheduleTest, ExponentialDecay) {
  // keras.optimizers.schedules.ExponentialDecay(0.1, 1000, 0.96).
  LearningRateSchedule s{ScheduleKind::ExponentialDecay, 0.1, 1000, 0.96};
  EXPECT_DOUBLE_EQ(s.at(0), 0.1);
  EXPECT_DOUBLE_EQ(s.at(1000), 0.1 * 0.96);
  EXPECT_DOUBLE_EQ(s.at(500), 0.1 * std::pow(0.96, 0.5));
  EXPECT_DOUBLE_EQ(s.at(2500), 0.1 * std::pow(0.96, 2.5));
  // With staircase the exponent is floored: constant within each interval.
  s.staircase = true;
  EXPECT_DOUBLE_EQ(s.at(999), 0.1);
  EXPECT_DOUBLE_EQ(s.at(1000), 0.1 * 0.96);
  EXPECT_DOUBLE_EQ(s.at(2500), 0.1 * 0.96 * 0.96);
}

TEST(LearningRateScheduleTest, CosineDecay) {
  // keras.optimizers.schedules.CosineDecay(1e-3, 4690, alpha=0.1).
  LearningRateSchedule s;
  s.kind = ScheduleKind::CosineDecay;
  s.initial = 1e-3;
  s.decaySteps = 4690;
  s.alpha = 0.1;
  EXPECT_DOUBLE_EQ(s.at(0), 1e-3);
  // Halfway the cosine term is 0.5: 1e-3 * (0.9 * 0.5 + 0.1).
  EXPECT_NEAR(s.at(2345), 1e-3 * 0.55, 1e-15);
  // At and after decay_steps it stays at alpha * initial.
  EXPECT_NEAR(s.at(4690), 1e-4, 1e-15);
  EXPECT_NEAR(s.at(100000), 1e-4, 1e-15);
  s.alpha = 0.0;
  EXPECT_NEAR(s.at(4690), 0.0, 1e-18);
}

TEST(LearningRateScheduleTest, CosineDecayWarmup) {
  // keras.optimizers.schedules.CosineDecay(1e-4, 1000, alpha=0.0,
  // warmup_target=1e-3, warmup_steps=100): linear from 1e-4 to 1e-3 over
  // 100 steps, then the cosine from 1e-3 over the next 1000.
  LearningRateSchedule s;
  s.kind = ScheduleKind::CosineDecay;
  s.initial = 1e-4;
  s.decaySteps = 1000;
  s.warmupTarget = 1e-3;
  s.warmupSteps = 100;
  EXPECT_DOUBLE_EQ(s.at(0), 1e-4);
  EXPECT_NEAR(s.at(50), 1e-4 + 0.5 * 9e-4, 1e-15);
  EXPECT_NEAR(s.at(100), 1e-3, 1e-15);
  EXPECT_NEAR(s.at(600), 1e-3 * 0.5, 1e-15);
  EXPECT_NEAR(s.at(1100), 0.0, 1e-15);
  EXPECT_NEAR(s.at(5000), 0.0, 1e-15);
}

class TrainConfigTest : public ::testing::Test {
protected:
  TrainConfigTest() { context.loadDialect<WeirDialect, func::FuncDialect>(); }

  /// The config of a module holding `@m` and the given train_config.
  TrainingConfig parse(StringRef config) {
    std::string text = "func.func @m() { return }\n" + config.str();
    module = parseSourceString<ModuleOp>(text, &context);
    EXPECT_TRUE(module);
    TrainConfigOp op = findTrainConfig(*module);
    EXPECT_TRUE(op);
    return getTrainingConfig(op);
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

TEST_F(TrainConfigTest, KerasDefaults) {
  TrainingConfig c = parse(
      R"(weir.train_config @m {loss = #weir.loss<sparse_categorical_crossentropy>, )"
      R"(optimizer = #weir.optimizer<adam>, metrics = [], )"
      R"(epochs = 1 : i64, batch_size = 32 : i64})");
  EXPECT_EQ(c.model, "m");
  EXPECT_EQ(c.loss, LossKind::sparse_categorical_crossentropy);
  EXPECT_FALSE(c.fromLogits);
  EXPECT_EQ(c.optimizer.kind, OptimizerKind::Adam);
  EXPECT_EQ(c.optimizer.learningRate.kind, ScheduleKind::Constant);
  EXPECT_DOUBLE_EQ(c.optimizer.learningRate.initial, 0.001);
  EXPECT_DOUBLE_EQ(c.optimizer.beta1, 0.9);
  EXPECT_DOUBLE_EQ(c.optimizer.beta2, 0.999);
  EXPECT_DOUBLE_EQ(c.optimizer.epsilon, 1e-7);
  EXPECT_DOUBLE_EQ(c.optimizer.weightDecay, 0.0);
  EXPECT_TRUE(c.metrics.empty());
  EXPECT_EQ(c.epochs, 1);
  EXPECT_EQ(c.batchSize, 32);
  EXPECT_FALSE(c.validate);
  EXPECT_FALSE(c.earlyStopping);
}

TEST_F(TrainConfigTest, OptimizerDefaultsDiffer) {
  TrainingConfig sgd = parse(
      R"(weir.train_config @m {loss = #weir.loss<mean_squared_error>, )"
      R"(optimizer = #weir.optimizer<sgd>, metrics = [], epochs = 1 : i64, )"
      R"(batch_size = 32 : i64})");
  EXPECT_EQ(sgd.optimizer.kind, OptimizerKind::SGD);
  EXPECT_DOUBLE_EQ(sgd.optimizer.learningRate.initial, 0.01);
  EXPECT_DOUBLE_EQ(sgd.optimizer.momentum, 0.0);
  EXPECT_FALSE(sgd.optimizer.nesterov);

  TrainingConfig adamw =
      parse(R"(weir.train_config @m {loss = #weir.loss<mean_squared_error>, )"
            R"(optimizer = #weir.optimizer<adamw>, metrics = [], )"
            R"(epochs = 1 : i64, batch_size = 32 : i64})");
  EXPECT_EQ(adamw.optimizer.kind, OptimizerKind::AdamW);
  EXPECT_DOUBLE_EQ(adamw.optimizer.weightDecay, 0.004);

  TrainingConfig rmsprop =
      parse(R"(weir.train_config @m {loss = #weir.loss<mean_squared_error>, )"
            R"(optimizer = #weir.optimizer<rmsprop>, metrics = [], )"
            R"(epochs = 1 : i64, batch_size = 32 : i64})");
  EXPECT_EQ(rmsprop.optimizer.kind, OptimizerKind::RMSprop);
  EXPECT_DOUBLE_EQ(rmsprop.optimizer.learningRate.initial, 0.001);
  EXPECT_DOUBLE_EQ(rmsprop.optimizer.rho, 0.9);
}

TEST_F(TrainConfigTest, EverythingGiven) {
  TrainingConfig c = parse(
      R"(weir.train_config @m {loss = #weir.loss<categorical_crossentropy>, )"
      R"(from_logits, optimizer = #weir.optimizer<sgd, learning_rate = 1, )"
      R"(momentum = 0.9, nesterov = true>, schedule = #weir.schedule<)"
      R"(exponential_decay, decay_steps = 1000, decay_rate = 0.5, )"
      R"(staircase = true>, metrics = [#weir.metric<accuracy>], )"
      R"(epochs = 12 : i64, batch_size = 128 : i64, validate = "test", )"
      R"(early_stopping = #weir.early_stopping<monitor = val_accuracy, )"
      R"(patience = 3, min_delta = 0.01, restore_best_weights = true>})");
  EXPECT_TRUE(c.fromLogits);
  EXPECT_EQ(c.optimizer.kind, OptimizerKind::SGD);
  EXPECT_DOUBLE_EQ(c.optimizer.momentum, 0.9);
  EXPECT_TRUE(c.optimizer.nesterov);
  const LearningRateSchedule &lr = c.optimizer.learningRate;
  EXPECT_EQ(lr.kind, ScheduleKind::ExponentialDecay);
  EXPECT_DOUBLE_EQ(lr.initial, 1.0);
  EXPECT_EQ(lr.decaySteps, 1000);
  EXPECT_DOUBLE_EQ(lr.decayRate, 0.5);
  EXPECT_TRUE(lr.staircase);
  EXPECT_DOUBLE_EQ(lr.at(2999), 0.25);
  EXPECT_EQ(c.metrics, std::vector<std::string>{"accuracy"});
  EXPECT_EQ(c.epochs, 12);
  EXPECT_EQ(c.batchSize, 128);
  EXPECT_TRUE(c.validate);
  ASSERT_TRUE(c.earlyStopping);
  EXPECT_EQ(c.earlyStopping->monitor, "val_accuracy");
  EXPECT_EQ(c.earlyStopping->patience, 3);
  EXPECT_DOUBLE_EQ(c.earlyStopping->minDelta, 0.01);
  EXPECT_TRUE(c.earlyStopping->restoreBestWeights);
}

TEST_F(TrainConfigTest, EarlyStoppingDefaults) {
  TrainingConfig c = parse(
      R"(weir.train_config @m {loss = #weir.loss<mean_squared_error>, )"
      R"(optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, )"
      R"(batch_size = 32 : i64, validate = "test", )"
      R"(early_stopping = #weir.early_stopping<>})");
  ASSERT_TRUE(c.earlyStopping);
  EXPECT_EQ(c.earlyStopping->monitor, "val_loss");
  EXPECT_EQ(c.earlyStopping->patience, 0);
  EXPECT_DOUBLE_EQ(c.earlyStopping->minDelta, 0.0);
  EXPECT_FALSE(c.earlyStopping->restoreBestWeights);
}

// The typed attributes built from C++ (as the front end builds them) are
// checked by the same verifiers as the parsed ones.
TEST_F(TrainConfigTest, AttributesVerifyFromCpp) {
  std::string messages;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
    messages += d.str() + "\n";
    return success();
  });
  auto emit = [&] { return emitError(UnknownLoc::get(&context)); };
  Builder b(&context);
  auto options = [&](StringRef key, Attribute value) {
    return b.getDictionaryAttr({b.getNamedAttr(key, value)});
  };
  EXPECT_FALSE(OptimizerAttr::fromOptions(
      &context, OptimizerKind::Adam,
      options("momentum", b.getF64FloatAttr(0.9)), emit));
  EXPECT_FALSE(ScheduleAttr::fromOptions(&context, ScheduleKind::Constant,
                                         b.getDictionaryAttr({}), emit));
  EXPECT_FALSE(ScheduleAttr::fromOptions(&context, ScheduleKind::CosineDecay,
                                         b.getDictionaryAttr({}), emit));
  EXPECT_FALSE(EarlyStoppingAttr::fromOptions(
      &context, options("patience", b.getI64IntegerAttr(-1)), emit));
  EXPECT_EQ(messages,
            "unknown option 'momentum' for adam (expected: learning_rate, "
            "beta_1, beta_2, epsilon)\n"
            "a schedule is one of exponential_decay, cosine_decay (a "
            "constant rate has none)\n"
            "cosine_decay needs decay_steps\n"
            "patience of early_stopping must be an integer >= 0, got -1\n");
  // An integer learning rate is stored as the number it is.
  OptimizerAttr sgd = OptimizerAttr::fromOptions(
      &context, OptimizerKind::SGD,
      options("learning_rate", b.getI64IntegerAttr(1)), emit);
  ASSERT_TRUE(sgd && sgd.getLearningRate());
  EXPECT_TRUE(sgd.getLearningRate().getType().isF64());
  EXPECT_DOUBLE_EQ(sgd.getLearningRate().getValueAsDouble(), 1.0);
}

TEST_F(TrainConfigTest, NoConfig) {
  module = parseSourceString<ModuleOp>("func.func @m() { return }", &context);
  ASSERT_TRUE(module);
  EXPECT_FALSE(findTrainConfig(*module));
}

TEST(TrainConfigTablesTest, KeysInKerasOrder) {
  EXPECT_EQ(keysOf("adamw").vec(),
            (std::vector<StringRef>{"learning_rate", "weight_decay", "beta_1",
                                    "beta_2", "epsilon"}));
  EXPECT_TRUE(keysOf("adagrad").empty());
  EXPECT_TRUE(isRequiredKey("exponential_decay", "decay_rate"));
  EXPECT_FALSE(isRequiredKey("cosine_decay", "alpha"));
  EXPECT_EQ(describeKeyValue("sgd", "momentum"), "a number in [0, 1)");
  EXPECT_EQ(describeKeyValue("cosine_decay", "decay_steps"), "an integer >= 1");
}

} // namespace
