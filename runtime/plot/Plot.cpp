// Plot: training curves rasterized into an RGB image, written as PNG.
#include "runtime/plot/Plot.h"

#include "runtime/FileIO.h"
#include "runtime/HostTensor.h"
#include "runtime/data/Png.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

using namespace weir;

namespace {
struct Rgb {
  uint8_t r, g, b;
};
// matplotlib's first two colors, and greys for the frame.
constexpr Rgb kTrain{31, 119, 180}, kValidation{255, 127, 14};
constexpr Rgb kInk{40, 40, 40}, kGrid{225, 225, 225}, kWhite{255, 255, 255};

/// 5x7 glyphs, one row per byte, bit 4 leftmost.
struct Glyph {
  char c;
  uint8_t rows[7];
};
const Glyph kFont[] = {
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}},
    {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}},
    {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}},
    {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}},
    {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}},
    {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {'.', {0, 0, 0, 0, 0, 0x0C, 0x0C}},
    {'-', {0, 0, 0, 0x1F, 0, 0, 0}},
    {'+', {0, 0x04, 0x04, 0x1F, 0x04, 0x04, 0}},
    {'_', {0, 0, 0, 0, 0, 0, 0x1F}},
    {'%', {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03}},
    {':', {0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0}},
    {'a', {0, 0, 0x0E, 0x01, 0x0F, 0x11, 0x0F}},
    {'b', {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E}},
    {'c', {0, 0, 0x0E, 0x10, 0x10, 0x11, 0x0E}},
    {'d', {0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F}},
    {'e', {0, 0, 0x0E, 0x11, 0x1F, 0x10, 0x0E}},
    {'f', {0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08}},
    {'g', {0, 0x0F, 0x11, 0x11, 0x0F, 0x01, 0x0E}},
    {'h', {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11}},
    {'i', {0x04, 0, 0x0C, 0x04, 0x04, 0x04, 0x0E}},
    {'j', {0x02, 0, 0x06, 0x02, 0x02, 0x12, 0x0C}},
    {'k', {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12}},
    {'l', {0x0C, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'m', {0, 0, 0x1A, 0x15, 0x15, 0x11, 0x11}},
    {'n', {0, 0, 0x16, 0x19, 0x11, 0x11, 0x11}},
    {'o', {0, 0, 0x0E, 0x11, 0x11, 0x11, 0x0E}},
    {'p', {0, 0, 0x1E, 0x11, 0x1E, 0x10, 0x10}},
    {'q', {0, 0, 0x0D, 0x13, 0x0F, 0x01, 0x01}},
    {'r', {0, 0, 0x16, 0x19, 0x10, 0x10, 0x10}},
    {'s', {0, 0, 0x0E, 0x10, 0x0E, 0x01, 0x1E}},
    {'t', {0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06}},
    {'u', {0, 0, 0x11, 0x11, 0x11, 0x13, 0x0D}},
    {'v', {0, 0, 0x11, 0x11, 0x11, 0x0A, 0x04}},
    {'w', {0, 0, 0x11, 0x11, 0x15, 0x15, 0x0A}},
    {'x', {0, 0, 0x11, 0x0A, 0x04, 0x0A, 0x11}},
    {'y', {0, 0, 0x11, 0x11, 0x0F, 0x01, 0x0E}},
    {'z', {0, 0, 0x1F, 0x02, 0x04, 0x08, 0x1F}},
};

class Canvas {
public:
  Canvas(int w, int h) : w_(w), h_(h), px_(size_t(w) * h * 3, 255) {}
  int width() const { return w_; }
  int height() const { return h_; }
  void set(int x, int y, Rgb c) {
    if (x < 0 || y < 0 || x >= w_ || y >= h_)
      return;
    uint8_t *p = &px_[(size_t(y) * w_ + x) * 3];
    p[0] = c.r;
    p[1] = c.g;
    p[2] = c.b;
  }
  void fill(int x0, int y0, int x1, int y1, Rgb c) {
    for (int y = y0; y <= y1; ++y)
      for (int x = x0; x <= x1; ++x)
        set(x, y, c);
  }
  /// A line `thick` pixels wide (Bresenham, each point a square).
  void line(int x0, int y0, int x1, int y1, Rgb c, int thick) {
    int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
    int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
    int lo = -(thick - 1) / 2, hi = thick / 2;
    while (true) {
      fill(x0 + lo, y0 + lo, x0 + hi, y0 + hi, c);
      if (x0 == x1 && y0 == y1)
        break;
      int e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x0 += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y0 += sy;
      }
    }
  }
  /// Text at scale `s` (glyphs 5s x 7s, 1s apart), top-left at (x, y).
  void text(int x, int y, const std::string &s, Rgb c, int scale) {
    for (char ch : s) {
      char lower = ch >= 'A' && ch <= 'Z' ? char(ch - 'A' + 'a') : ch;
      for (const Glyph &g : kFont)
        if (g.c == lower)
          for (int r = 0; r < 7; ++r)
            for (int col = 0; col < 5; ++col)
              if (g.rows[r] & (0x10 >> col))
                fill(x + col * scale, y + r * scale, x + col * scale + scale - 1,
                     y + r * scale + scale - 1, c);
      x += 6 * scale;
    }
  }
  static int textWidth(const std::string &s, int scale) {
    return s.empty() ? 0 : int(s.size()) * 6 * scale - scale;
  }
  const std::vector<uint8_t> &pixels() const { return px_; }

private:
  int w_, h_;
  std::vector<uint8_t> px_;
};

/// Tick positions: about `target` round steps (1, 2 or 5 times a power of
/// ten) covering [lo, hi].
std::vector<double> ticks(double lo, double hi, int target, double &step) {
  double raw = (hi - lo) / target;
  double p = std::pow(10.0, std::floor(std::log10(raw)));
  double m = raw / p;
  step = (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
  std::vector<double> out;
  for (double t = std::ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9;
       t += step)
    out.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  return out;
}

std::string tickLabel(double v, double step) {
  int decimals = std::max(0, int(-std::floor(std::log10(step) + 1e-9)));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", std::min(decimals, 6), v);
  return buf;
}

void drawPanel(Canvas &canvas, int x0, int width, const History &h,
               const std::string &metric) {
  const int top = 44, bottom = canvas.height() - 48, left = x0 + 72,
            right = x0 + width - 16;
  const std::vector<double> *train = &h.values.at(metric);
  auto valIt = h.values.find("val_" + metric);
  const std::vector<double> *val =
      valIt == h.values.end() ? nullptr : &valIt->second;

  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const std::vector<double> *series : {train, val})
    if (series)
      for (double v : *series)
        if (std::isfinite(v)) {
          lo = std::min(lo, v);
          hi = std::max(hi, v);
        }
  if (!std::isfinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (hi - lo < 1e-12) {
    double pad = std::max(std::abs(hi) * 0.05, 1e-3);
    lo -= pad;
    hi += pad;
  }
  double pad = (hi - lo) * 0.06;
  lo -= pad;
  hi += pad;
  int64_t e0 = h.epochs.front(), e1 = h.epochs.back();
  double xlo = double(e0), xhi = double(std::max(e1, e0 + 1));
  auto X = [&](double e) {
    return left + int(std::lround((e - xlo) / (xhi - xlo) * (right - left)));
  };
  auto Y = [&](double v) {
    return bottom - int(std::lround((v - lo) / (hi - lo) * (bottom - top)));
  };

  // Grid, ticks and labels.
  double step;
  for (double t : ticks(lo, hi, 5, step)) {
    int y = Y(t);
    canvas.line(left, y, right, y, kGrid, 1);
    std::string label = tickLabel(t, step);
    canvas.text(left - 8 - Canvas::textWidth(label, 1), y - 3, label, kInk, 1);
  }
  double xstep;
  for (double t : ticks(xlo, xhi, std::min<int64_t>(8, e1 - e0 + 1), xstep)) {
    if (xstep < 1)
      continue;
    int x = X(t);
    canvas.line(x, top, x, bottom, kGrid, 1);
    std::string label = tickLabel(t, std::max(xstep, 1.0));
    canvas.text(x - Canvas::textWidth(label, 1) / 2, bottom + 8, label, kInk, 1);
  }
  canvas.line(left, top, left, bottom, kInk, 1);
  canvas.line(left, bottom, right, bottom, kInk, 1);
  canvas.line(right, top, right, bottom, kInk, 1);
  canvas.line(left, top, right, top, kInk, 1);
  canvas.text((left + right - Canvas::textWidth(metric, 2)) / 2, 14, metric,
              kInk, 2);
  canvas.text((left + right - Canvas::textWidth("epoch", 1)) / 2, bottom + 26,
              "epoch", kInk, 1);

  // The curves: segments between epochs that both have a value, and a
  // square marker at each point.
  auto curve = [&](const std::vector<double> &series, Rgb color) {
    for (size_t i = 0; i < series.size(); ++i) {
      if (!std::isfinite(series[i]))
        continue;
      int x = X(double(h.epochs[i])), y = Y(series[i]);
      canvas.fill(x - 2, y - 2, x + 2, y + 2, color);
      if (i + 1 < series.size() && std::isfinite(series[i + 1]))
        canvas.line(x, y, X(double(h.epochs[i + 1])), Y(series[i + 1]), color,
                    2);
    }
  };
  curve(*train, kTrain);
  if (val)
    curve(*val, kValidation);

  // The legend, inside the frame at the right: at the top unless the
  // curves end in the upper half there (a rising accuracy), then at the
  // bottom.
  double endSum = 0;
  int endCount = 0;
  for (const std::vector<double> *series : {train, val})
    if (series)
      for (size_t i = series->size() * 2 / 3; i < series->size(); ++i)
        if (std::isfinite((*series)[i])) {
          endSum += (*series)[i];
          ++endCount;
        }
  bool atTop = !endCount || endSum / endCount < (lo + hi) / 2;
  int lx = right - 12 - Canvas::textWidth("validation", 1) - 26;
  int ly = atTop ? top + 10 : bottom - (val ? 30 : 16);
  canvas.fill(lx - 6, ly - 6, right - 6, ly + (val ? 24 : 10), kWhite);
  canvas.line(lx, ly + 3, lx + 18, ly + 3, kTrain, 2);
  canvas.text(lx + 24, ly, "train", kInk, 1);
  if (val) {
    canvas.line(lx, ly + 17, lx + 18, ly + 17, kValidation, 2);
    canvas.text(lx + 24, ly + 14, "validation", kInk, 1);
  }
}

bool parseNumber(const std::string &cell, double &out) {
  if (cell.empty()) {
    out = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  char *end = nullptr;
  out = std::strtod(cell.c_str(), &end);
  return end && *end == '\0';
}

std::vector<std::string> splitCsv(const std::string &line) {
  std::vector<std::string> cells(1);
  for (char c : line) {
    if (c == ',')
      cells.emplace_back();
    else if (c != '\r')
      cells.back() += c;
  }
  return cells;
}
} // namespace

Result<History> weir::readHistoryCsv(const std::string &path) {
  Result<std::string> text = readFileToString(path, size_t(64) << 20);
  if (!text.ok())
    return text.status();
  History h;
  std::vector<std::string> keys;
  size_t start = 0;
  int line = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos)
      end = text->size();
    std::string row = text->substr(start, end - start);
    start = end + 1;
    ++line;
    if (row.empty() || row == "\r")
      continue;
    std::vector<std::string> cells = splitCsv(row);
    auto where = path + ":" + std::to_string(line) + ": ";
    if (keys.empty()) {
      if (cells.front() != "epoch")
        return Status::error(where + "the header must start with 'epoch' "
                                     "(a history written by weir train "
                                     "--history or Keras' CSVLogger)");
      keys.assign(cells.begin() + 1, cells.end());
      for (const std::string &k : keys)
        h.values[k];
      continue;
    }
    if (cells.size() != keys.size() + 1)
      return Status::error(where + "expected " +
                           std::to_string(keys.size() + 1) + " cells, got " +
                           std::to_string(cells.size()));
    double epoch;
    if (!parseNumber(cells[0], epoch) || !std::isfinite(epoch))
      return Status::error(where + "the epoch '" + cells[0] +
                           "' is not a number");
    h.epochs.push_back(int64_t(epoch));
    for (size_t i = 0; i < keys.size(); ++i) {
      double v;
      if (!parseNumber(cells[i + 1], v))
        return Status::error(where + keys[i] + " '" + cells[i + 1] +
                             "' is not a number");
      h.values[keys[i]].push_back(v);
    }
  }
  if (keys.empty())
    return Status::error(path + ": empty: no header, no epochs");
  return h;
}

Status weir::plotHistory(const History &history, const std::string &path,
                         const PlotOptions &options) {
  std::vector<std::string> metrics;
  for (const auto &[key, values] : history.values)
    if (key.rfind("val_", 0) != 0)
      metrics.push_back(key);
  // Loss first, as Keras' plots put it.
  std::stable_partition(metrics.begin(), metrics.end(),
                        [](const std::string &k) { return k == "loss"; });
  if (history.epochs.empty())
    return Status::error("the history has no epochs to plot");
  if (metrics.empty())
    return Status::error("the history has no metrics to plot");
  Canvas canvas(options.panelWidth * int(metrics.size()), options.height);
  for (size_t i = 0; i < metrics.size(); ++i)
    drawPanel(canvas, int(i) * options.panelWidth, options.panelWidth, history,
              metrics[i]);
  Result<HostTensor> image = HostTensor::create(
      DType::U8, {canvas.height(), canvas.width(), 3});
  if (!image.ok())
    return image.status();
  std::memcpy(image->bytes(), canvas.pixels().data(), canvas.pixels().size());
  return writePngFile(path, *image);
}
