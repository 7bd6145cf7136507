// Plain host loops for GEMM and 2-D convolution: the CPU device's
// implementation and the reference the GPU tests compare against.
#pragma once

#include "runtime/device/Device.h"

namespace weir::device {

/// GemmArgs on host memory (checked with checkGemm first).
void hostGemm(const GemmArgs &args);
/// Conv2dArgs on host memory (checked with checkConv2d first).
void hostConv2d(ConvKind kind, const Conv2dArgs &args);

} // namespace weir::device
