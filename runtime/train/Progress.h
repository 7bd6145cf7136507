// Training progress text: the per-epoch summary line and the per-step bar.
// Formatting is separate from output so that it can be tested.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace weir {

/// What one epoch did, for its summary line.
struct EpochStats {
  int64_t epoch = 1;  // 1-based
  int64_t epochs = 1; // the total planned
  double loss = 0;
  std::optional<double> accuracy;    // when accuracy is tracked
  std::optional<double> valLoss;     // when there is validation data
  std::optional<double> valAccuracy; // both of the above
  double samplesPerSec = 0;
  double seconds = 0;
  /// Loss scaling (mixed_float16): the scale at the epoch's end and the
  /// updates it skipped in the epoch.
  std::optional<double> lossScale;
  int64_t skippedSteps = 0;
};

/// A rate with 3 significant digits and a k/M/G suffix: "812", "81.2",
/// "61.2k", "1.05M".
std::string formatRate(double perSecond);

/// "epoch 3/10  loss 0.412  acc 0.853  val_loss 0.437  val_acc 0.846
/// loss_scale 32768 (2 skipped)  61.2k samples/s  2.1 s" (one line, no newline; fields of absent values
/// are left out; metrics with 3 decimals, seconds with 1).
std::string formatEpochSummary(const EpochStats &stats);

/// Keras-style per-step progress, drawn in place on a terminal.
class ProgressBar {
public:
  /// Draws on `out` when it is a terminal (isatty); otherwise update()
  /// prints nothing, so logs stay clean. `width` is the bar's width.
  explicit ProgressBar(FILE *out, int width = 30);
  /// Like the above with the terminal test decided by the caller (tests).
  ProgressBar(FILE *out, bool isTerminal, int width = 30);

  /// "  120/469 [======>.......................]  58.1k samples/s  loss
  /// 0.5121  acc 0.8123  ETA 1.2 s": the step right-aligned to the width of
  /// the total, the bar filled in proportion (with a '>' head until done),
  /// then the rate, loss, accuracy if given, and the ETA when it is
  /// finite and non-negative.
  std::string render(int64_t step, int64_t total, double samplesPerSec,
                     double loss, std::optional<double> acc,
                     double etaSeconds) const;

  /// On a terminal, redraws the line ("\r" + render) if 100 ms have passed
  /// since the last draw, or if this is the last step; else does nothing.
  void update(int64_t step, int64_t total, double samplesPerSec, double loss,
              std::optional<double> acc, double etaSeconds);
  /// update() at a given time (for tests).
  void updateAt(std::chrono::steady_clock::time_point now, int64_t step,
                int64_t total, double samplesPerSec, double loss,
                std::optional<double> acc, double etaSeconds);
  /// Erases the drawn line, if any, so that the epoch summary replaces it.
  void clear();

  bool isTerminal() const { return tty_; }

private:
  FILE *out_;
  bool tty_;
  int width_;
  size_t drawnLength_ = 0; // characters on the line now; 0 when none
  std::optional<std::chrono::steady_clock::time_point> lastDraw_;
};

} // namespace weir
