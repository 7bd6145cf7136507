// RUN: weir-opt %s --weir-cpu-pipeline | FileCheck %s
// RUN: weir-opt %s --weir-model-pipeline --weir-to-linalg-pipeline | FileCheck %s --check-prefix=LINALG

// The whole CPU pipeline ends in the LLVM dialect with a C interface.
// Parameter names survive as argument attributes; no weir op does.
// CHECK: llvm.func @_mlir_ciface_dense_relu({{.*}} {weir.slot = #weir.slot<param, "w">}
// CHECK-NOT: linalg.
// CHECK-NOT: = weir.

// dense + bias + relu are one loop nest over batch tiles after the
// to-linalg pipeline: matmul and relu share the scf.for.
// LINALG-LABEL: func.func @dense_relu
// LINALG: scf.for
// LINALG: linalg.matmul
// LINALG: arith.maximumf
// LINALG: scf.yield
weir.parameter @w : tensor<4x2xf32> init <zeros>
weir.parameter @b : tensor<2xf32> init <zeros>
func.func @dense_relu(%x: tensor<?x4xf32>) -> tensor<*xf32> {
  %w = weir.load_param @w : tensor<4x2xf32>
  %b = weir.load_param @b : tensor<2xf32>
  %0 = weir.dense %x, %w, %b : (tensor<?x4xf32>, tensor<4x2xf32>, tensor<2xf32>) -> tensor<*xf32>
  %1 = weir.relu %0 : tensor<*xf32> -> tensor<*xf32>
  return %1 : tensor<*xf32>
}
