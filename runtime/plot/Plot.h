// Plot: a training history (the CSV that `weir train --history` writes) as
// line charts in a PNG, one panel per metric (loss, accuracy, ...), the
// training curve and its validation curve (val_<metric>) together, with
// axes, ticks, a legend and titles in a built-in 5x7 bitmap font. What
// `weir plot` draws. Plain C++17 over runtime/data's PNG writer (libpng).
#pragma once

#include "runtime/Status.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace weir {

/// A history: the epochs (1-based) and each logged key's values per epoch
/// (NaN where an epoch lacks it).
struct History {
  std::vector<int64_t> epochs;
  std::map<std::string, std::vector<double>> values;
};

/// Reads a history CSV: a header `epoch,<key>,...` and one row of numbers
/// per epoch (empty cells are missing values). Errors name the file and
/// line.
Result<History> readHistoryCsv(const std::string &path);

struct PlotOptions {
  int panelWidth = 480, height = 400;
};

/// Draws `history` (metrics without a `val_` prefix get a panel each, their
/// val_ twins drawn in it) and writes it to `path` atomically. Refuses a
/// history without epochs or metrics.
Status plotHistory(const History &history, const std::string &path,
                   const PlotOptions &options = {});

} // namespace weir
