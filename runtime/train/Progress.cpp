// Formatting the epoch summary and the progress bar; drawing the bar.
#include "runtime/train/Progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>

using namespace weir;

namespace {
std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char *fmt, ...) {
  char buf[256];
  va_list args;
  va_start(args, fmt);
  int n = std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return n < 0 ? std::string() : std::string(buf, std::min<size_t>(n, sizeof buf - 1));
}
} // namespace

std::string weir::formatRate(double v) {
  if (!std::isfinite(v))
    return "-";
  static const char *kSuffix[] = {"", "k", "M", "G", "T"};
  int unit = 0;
  double scaled = v;
  while (std::fabs(scaled) >= 1000 && unit < 4) {
    scaled /= 1000;
    ++unit;
  }
  // 3 significant digits; rounding may carry into the next unit
  // (999.6 -> "1.00k").
  for (;;) {
    double a = std::fabs(scaled);
    int decimals = a >= 99.95 ? 0 : a >= 9.995 ? 1 : 2;
    if (unit < 4 && a >= 999.5) {
      scaled /= 1000;
      ++unit;
      continue;
    }
    return format("%.*f%s", decimals, scaled, kSuffix[unit]);
  }
}

std::string weir::formatEpochSummary(const EpochStats &s) {
  std::string line = format("epoch %lld/%lld  loss %.3f", (long long)s.epoch,
                            (long long)s.epochs, s.loss);
  if (s.accuracy)
    line += format("  acc %.3f", *s.accuracy);
  if (s.valLoss)
    line += format("  val_loss %.3f", *s.valLoss);
  if (s.valAccuracy)
    line += format("  val_acc %.3f", *s.valAccuracy);
  if (s.lossScale)
    line += format("  loss_scale %g (%lld skipped)", *s.lossScale,
                   (long long)s.skippedSteps);
  line += "  " + formatRate(s.samplesPerSec) + " samples/s";
  line += format("  %.1f s", s.seconds);
  return line;
}

ProgressBar::ProgressBar(FILE *out, int width)
    : ProgressBar(out, out && ::isatty(::fileno(out)), width) {}

ProgressBar::ProgressBar(FILE *out, bool isTerminal, int width)
    : out_(out), tty_(isTerminal && out), width_(width > 0 ? width : 1) {}

std::string ProgressBar::render(int64_t step, int64_t total,
                                double samplesPerSec, double loss,
                                std::optional<double> acc,
                                double etaSeconds) const {
  int digits = int(std::to_string(total > 0 ? total : 0).size());
  std::string line = format("  %*lld/%lld [", digits, (long long)step,
                            (long long)total);
  // As Keras draws it: filled = floor(width * step / total); if filled > 0,
  // '=' * (filled - 1) and then '>' while unfinished ('=' when done); then
  // '.' up to the width.
  int filled = total > 0 ? int(double(width_) * double(step) / double(total))
                         : width_;
  filled = std::max(0, std::min(filled, width_));
  if (filled > 0) {
    line.append(size_t(filled - 1), '=');
    line += step < total ? '>' : '=';
  }
  line.append(size_t(width_ - filled), '.');
  line += "]  " + formatRate(samplesPerSec) + " samples/s";
  line += format("  loss %.4f", loss);
  if (acc)
    line += format("  acc %.4f", *acc);
  if (std::isfinite(etaSeconds) && etaSeconds >= 0)
    line += format("  ETA %.1f s", etaSeconds);
  return line;
}

void ProgressBar::update(int64_t step, int64_t total, double samplesPerSec,
                         double loss, std::optional<double> acc,
                         double etaSeconds) {
  if (!tty_) // Cheap: no clock read, no formatting.
    return;
  updateAt(std::chrono::steady_clock::now(), step, total, samplesPerSec, loss,
           acc, etaSeconds);
}

void ProgressBar::updateAt(std::chrono::steady_clock::time_point now,
                           int64_t step, int64_t total, double samplesPerSec,
                           double loss, std::optional<double> acc,
                           double etaSeconds) {
  if (!tty_)
    return;
  bool last = step >= total;
  if (!last && lastDraw_ && now - *lastDraw_ < std::chrono::milliseconds(100))
    return;
  lastDraw_ = now;
  std::string line = render(step, total, samplesPerSec, loss, acc, etaSeconds);
  size_t length = line.size();
  // Blank out what a longer previous line left behind.
  if (length < drawnLength_)
    line.append(drawnLength_ - length, ' ');
  std::fputc('\r', out_);
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
  drawnLength_ = length;
}

void ProgressBar::clear() {
  if (!tty_ || drawnLength_ == 0)
    return;
  std::fputc('\r', out_);
  std::fputs(std::string(drawnLength_, ' ').c_str(), out_);
  std::fputc('\r', out_);
  std::fflush(out_);
  drawnLength_ = 0;
  lastDraw_.reset();
}
