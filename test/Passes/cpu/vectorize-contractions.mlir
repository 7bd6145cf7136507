// RUN: weir-opt %s -weir-vectorize-contractions="vector-lanes=16 vector-registers=32" | FileCheck %s

// Convolutions go through weir-register-block first (register-block.mlir
// tests the blocks): here 3 x 3 output pixels x 16 filters, 9 FMAs per
// reduction step, no convolution op left.
// CHECK-LABEL: func @conv
// CHECK: scf.for
// CHECK-COUNT-9: vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT: vector.fma
// CHECK-NOT: linalg.conv
func.func @conv(%x: tensor<4x5x5x2xf32>, %k: tensor<3x3x2x16xf32>, %o: tensor<4x3x3x16xf32>) -> tensor<4x3x3x16xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf ins(%x, %k : tensor<4x5x5x2xf32>, tensor<3x3x2x16xf32>) outs(%o : tensor<4x3x3x16xf32>) -> tensor<4x3x3x16xf32>
  return %0 : tensor<4x3x3x16xf32>
}

// Float matmuls go through weir-register-block (register-block.mlir); the
// recipe takes the others: an integer matmul gets one row of 16
// accumulators, updated over reduction blocks of 8.
// CHECK-LABEL: func @matmul
// CHECK: scf.for
// CHECK: scf.for {{.*}} step %c8
// CHECK-COUNT-8: arith.muli {{.*}} : vector<16xi32>
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<?x32xi32>, %b: tensor<32x16xi32>, %c: tensor<?x16xi32>) -> tensor<?x16xi32> {
  %0 = linalg.matmul ins(%a, %b : tensor<?x32xi32>, tensor<32x16xi32>) outs(%c : tensor<?x16xi32>) -> tensor<?x16xi32>
  return %0 : tensor<?x16xi32>
}

// One whose reduction 8 does not divide keeps its loops.
// CHECK-LABEL: func @matmul_odd
// CHECK: linalg.matmul
func.func @matmul_odd(%a: tensor<?x12xi32>, %b: tensor<12x16xi32>, %c: tensor<?x16xi32>) -> tensor<?x16xi32> {
  %0 = linalg.matmul ins(%a, %b : tensor<?x12xi32>, tensor<12x16xi32>) outs(%c : tensor<?x16xi32>) -> tensor<?x16xi32>
  return %0 : tensor<?x16xi32>
}
