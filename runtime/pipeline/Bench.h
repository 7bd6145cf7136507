// `weir data bench`: the engine's throughput over an images(dir) tree, and
// the single-thread libpng decode rate of the same files.
#pragma once

#include <string>
#include <vector>

namespace weir::pipeline {

/// Runs the bench with `args` (everything after `weir data bench`):
///   DIR [--batch-size 128] [--threads N (0: auto)] [--prefetch N]
///   [--epochs 2] [--color grayscale|rgb|rgba] [--size 28x28]
///   [--resize none|bilinear|nearest] [--shuffle BUFFER] [--decode-only]
/// Prints one line per epoch (images/s) to stdout; returns the exit code.
/// `program` prefixes the error messages.
int runBench(const std::vector<std::string> &args, const std::string &program);

} // namespace weir::pipeline
