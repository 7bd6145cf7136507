// The epoch summary line, rates, the progress bar and when it draws.
#include "runtime/train/Progress.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

using namespace weir;

namespace {
/// Everything written to `f` so far.
std::string contents(FILE *f) {
  std::fflush(f);
  long end = std::ftell(f);
  std::string out(size_t(end), '\0');
  std::rewind(f);
  size_t n = std::fread(out.data(), 1, out.size(), f);
  out.resize(n);
  std::fseek(f, 0, SEEK_END);
  return out;
}
} // namespace

TEST(Progress, FormatRate) {
  EXPECT_EQ(formatRate(812), "812");
  EXPECT_EQ(formatRate(81.23), "81.2");
  EXPECT_EQ(formatRate(8.123), "8.12");
  EXPECT_EQ(formatRate(61234), "61.2k");
  EXPECT_EQ(formatRate(1049000), "1.05M");
  EXPECT_EQ(formatRate(999.6), "1.00k");
  EXPECT_EQ(formatRate(999400), "999k");
  EXPECT_EQ(formatRate(999999), "1.00M");
  EXPECT_EQ(formatRate(123456789), "123M");
  EXPECT_EQ(formatRate(2.5e9), "2.50G");
  EXPECT_EQ(formatRate(0), "0.00");
  EXPECT_EQ(formatRate(NAN), "-");
}

TEST(Progress, EpochSummary) {
  EpochStats s;
  s.epoch = 3;
  s.epochs = 10;
  s.loss = 0.41213;
  s.accuracy = 0.8531;
  s.valLoss = 0.4368;
  s.valAccuracy = 0.8461;
  s.samplesPerSec = 61234;
  s.seconds = 2.08;
  EXPECT_EQ(formatEpochSummary(s),
            "epoch 3/10  loss 0.412  acc 0.853  val_loss 0.437  val_acc 0.846  "
            "61.2k samples/s  2.1 s");
  s.valLoss.reset();
  s.valAccuracy.reset();
  EXPECT_EQ(formatEpochSummary(s),
            "epoch 3/10  loss 0.412  acc 0.853  61.2k samples/s  2.1 s");
  s.accuracy.reset();
  s.samplesPerSec = 812.3;
  s.seconds = 73.96;
  EXPECT_EQ(formatEpochSummary(s), "epoch 3/10  loss 0.412  812 samples/s  74.0 s");
  s.loss = NAN;
  s.samplesPerSec = 1.05e6;
  EXPECT_EQ(formatEpochSummary(s), "epoch 3/10  loss nan  1.05M samples/s  74.0 s");
  s.lossScale = 16384;
  s.skippedSteps = 3;
  EXPECT_EQ(formatEpochSummary(s), "epoch 3/10  loss nan  loss_scale 16384 (3 "
                                   "skipped)  1.05M samples/s  74.0 s");
}

TEST(Progress, RenderBar) {
  ProgressBar bar(nullptr, false);
  EXPECT_EQ(bar.render(120, 469, 58100, 0.51214, 0.81226, 1.23),
            "  120/469 [======>.......................]  58.1k samples/s  "
            "loss 0.5121  acc 0.8123  ETA 1.2 s");
  EXPECT_EQ(bar.render(5, 469, 58100, 0.5, std::nullopt, 10),
            "    5/469 [..............................]  58.1k samples/s  "
            "loss 0.5000  ETA 10.0 s");
  EXPECT_EQ(bar.render(469, 469, 60000, 0.25, std::nullopt, NAN),
            "  469/469 [==============================]  60.0k samples/s  "
            "loss 0.2500");
  ProgressBar narrow(nullptr, false, 10);
  EXPECT_EQ(narrow.render(5, 10, 100, 1, 0.5, 0),
            "   5/10 [====>.....]  100 samples/s  loss 1.0000  acc 0.5000  "
            "ETA 0.0 s");
}

TEST(Progress, SilentWhenNotATerminal) {
  FILE *f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ProgressBar bar(f); // a regular file is not a TTY
  EXPECT_FALSE(bar.isTerminal());
  for (int64_t step = 1; step <= 10; ++step)
    bar.update(step, 10, 1000, 0.5, 0.5, 1);
  bar.clear();
  EXPECT_EQ(contents(f), "");
  std::fclose(f);
}

TEST(Progress, TerminalRedrawsAtMostEvery100ms) {
  FILE *f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  ProgressBar bar(f, /*isTerminal=*/true, 10);
  auto t0 = std::chrono::steady_clock::time_point() + std::chrono::hours(1);
  using std::chrono::milliseconds;
  bar.updateAt(t0, 1, 100, 1000, 0.5, std::nullopt, 9.9);
  std::string first = contents(f);
  EXPECT_EQ(first, "\r" + bar.render(1, 100, 1000, 0.5, std::nullopt, 9.9));
  bar.updateAt(t0 + milliseconds(50), 2, 100, 1000, 0.5, std::nullopt, 9.8);
  EXPECT_EQ(contents(f), first); // too soon
  bar.updateAt(t0 + milliseconds(99), 3, 100, 1000, 0.5, std::nullopt, 9.7);
  EXPECT_EQ(contents(f), first);
  bar.updateAt(t0 + milliseconds(100), 4, 100, 1000, 0.5, std::nullopt, 9.6);
  std::string second = contents(f);
  EXPECT_EQ(second, first + "\r" + bar.render(4, 100, 1000, 0.5, std::nullopt, 9.6));
  // The last step always draws, and pads over a longer previous line.
  bar.updateAt(t0 + milliseconds(101), 100, 100, 1000, 0.5, std::nullopt, NAN);
  std::string last = bar.render(100, 100, 1000, 0.5, std::nullopt, NAN);
  std::string previous = bar.render(4, 100, 1000, 0.5, std::nullopt, 9.6);
  ASSERT_LT(last.size(), previous.size());
  EXPECT_EQ(contents(f), second + "\r" + last +
                             std::string(previous.size() - last.size(), ' '));
  // clear() blanks the line and returns the cursor.
  bar.clear();
  EXPECT_EQ(contents(f), second + "\r" + last +
                             std::string(previous.size() - last.size(), ' ') +
                             "\r" + std::string(last.size(), ' ') + "\r");
  std::fclose(f);
}
