// RUN: weir compile %s | FileCheck %s
// RUN: weir compile %s -o %t.mlir && FileCheck %s < %t.mlir
// RUN: weir compile %s --print-ir-after-all | FileCheck %s --check-prefix=STAGES
// RUN: weir compile %s --timing 2>&1 >/dev/null | FileCheck %s --check-prefix=TIMING
// RUN: not weir compile %S/Inputs/bad-shape.mlir 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: not weir compile %S/Inputs/truncated.mlir 2>&1 | FileCheck %s --check-prefix=SYNTAX
// RUN: not weir compile %t.does-not-exist.mlir 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not weir compile %s --emit=cubin 2>&1 | FileCheck %s --check-prefix=EMIT
// RUN: not weir 2>&1 | FileCheck %s --check-prefix=NOCMD
// RUN: weir compile %s --emit=linalg | FileCheck %s --check-prefix=LINALG
// RUN: weir compile %s --emit=llvm | FileCheck %s --check-prefix=LLVM

weir.parameter @k : tensor<3x3x1x4xf32> init <he_normal, seed = 1>
func.func @tiny(%x: tensor<?x8x8x1xf32>) -> tensor<*xf32> {
  %k = weir.load_param @k : tensor<3x3x1x4xf32>
  %0 = weir.conv2d %x, %k padding same : (tensor<?x8x8x1xf32>, tensor<3x3x1x4xf32>) -> tensor<*xf32>
  %1 = weir.global_avg_pool2d %0 : tensor<*xf32> -> tensor<*xf32>
  return %1 : tensor<*xf32>
}

// CHECK-LABEL: func.func @tiny
// CHECK-SAME: -> tensor<?x4xf32>
// CHECK: weir.conv2d {{.*}} -> tensor<?x8x8x4xf32>

// STAGES: IR Dump After InferShapes
// STAGES: weir.conv2d {{.*}} -> tensor<?x8x8x4xf32>
// STAGES: IR Dump After Canonicalizer
// STAGES: IR Dump After VerifyModel
// STAGES: module

// TIMING: Execution time report
// TIMING: InferShapes
// TIMING: VerifyModel

// SHAPE: bad-shape.mlir:5:8: error: kernel expects 100 input features, but the input has 784
// SHAPE-NEXT: %1 = weir.dense
// SHAPE-NEXT: ^

// SYNTAX: truncated.mlir:2:41: error: expected non-function type

// MISSING: weir: cannot open input file '{{.*}}does-not-exist.mlir'

// EMIT: unknown --emit=cubin (available: weir, pipeline, train, linalg, llvm, obj, lib)

// NOCMD: weir: no subcommand given; see `weir --help`

// LINALG-LABEL: func.func @tiny
// LINALG-SAME: {weir.slot = #weir.slot<param, "k">}
// LINALG: linalg.conv_2d_nhwc_hwcf

// LLVM: llvm.func @_mlir_ciface_tiny
