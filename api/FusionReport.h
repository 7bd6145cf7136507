//===- FusionReport.h - which layers the compiler put in which loop nest -*- C++ -*-===//
//
// `weir summary --fusion`: the training step as the compiler made it, one
// row per loop nest (CPU: after weir-to-linalg-pipeline's elementwise
// fusion and batch tiling) or per kernel and library call (CUDA: after
// weir-cuda-kernel-pipeline), with the layers whose ops it computes (read
// from the ops' locations, loc("<layer>"(file:line:col))) and, for a loop
// nest nothing was fused with, why.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_API_FUSIONREPORT_H
#define WEIR_API_FUSIONREPORT_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace weir {

class Session;

/// One loop nest (CPU) or one kernel launch or library call (CUDA).
struct FusedUnit {
  /// "matmul", "conv_2d_nhwc_hwcf", "elementwise", "reduction", "fill",
  /// "batch-tile loop"; CUDA: "kernel", or the library entry point
  /// ("weir_cublas_gemm_f32").
  std::string kind;
  /// The kernel's symbol (CUDA), else empty.
  std::string symbol;
  /// The layers whose ops it computes, in the order their ops appear.
  std::vector<std::string> layers;
  /// Linalg ops inside (a batch-tile loop holds several; else 1).
  int64_t linalgOps = 1;
  /// CPU, for a loop nest that is one linalg op: why elementwise fusion
  /// joined nothing to it, and why batch tiling did not take it.
  std::string notFused, notTiled;
};

struct FusionReport {
  std::string function; ///< the training step, e.g. "mlp_train"
  std::string target;   ///< "cpu" or "cuda"
  std::vector<FusedUnit> units;
};

/// The fusion report of `session`'s training step for `target` ("cpu" or
/// "cuda"). Builds the training step and lowers the session (to linalg,
/// and for CUDA through weir-cuda-kernel-pipeline): use a fresh session.
Result<FusionReport> reportFusion(Session &session, const std::string &target);

/// The report as `weir summary --fusion` prints it: a table of the units,
/// then how many were fused and why the rest were left alone.
std::string formatFusionReport(const FusionReport &report);

} // namespace weir

#endif // WEIR_API_FUSIONREPORT_H
