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

// A 16 x 16 block written into the first kernel offset of a 3 x 3 x 16 x 16
// filter gradient: the rank-reduced write at offset 0 becomes a full-rank
// write of a 1 x 1 x 16 x 16 vector, which bufferization sees as partial
// (it keeps the other offsets' zeros; ResNet-20's NaN gradients came from
// MLIR 22 taking the rank-reduced form for a full overwrite).
// CHECK-LABEL: func @first_offset
// CHECK: %[[ZERO:.*]] = vector.transfer_write {{.*}} : vector<3x3x16x16xf32>, tensor<3x3x16x16xf32>
// CHECK: %[[FULL:.*]] = vector.shape_cast %{{.*}} : vector<16x16xf32> to vector<1x1x16x16xf32>
// CHECK: vector.transfer_write %[[FULL]], %[[ZERO]][%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] {in_bounds = [true, true, true, true]} : vector<1x1x16x16xf32>, tensor<3x3x16x16xf32>
func.func @first_offset(%block: tensor<16x16xf32>) -> tensor<3x3x16x16xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x3x16x16xf32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<3x3x16x16xf32>) -> tensor<3x3x16x16xf32>
  %0 = tensor.insert_slice %block into %z[0, 0, 0, 0] [1, 1, 16, 16] [1, 1, 1, 1] : tensor<16x16xf32> into tensor<3x3x16x16xf32>
  return %0 : tensor<3x3x16x16xf32>
}

// The filter flip of a convolution's backward-data step reads mirrored
// indices (2 - d0): tiling would take the slice of a tile's first and last
// index as its bounding box, which is wrong for a decreasing index, so the
// op is not row-tiled (it is vectorized whole, or left as a generic).
// CHECK-LABEL: func @flip
// CHECK-NOT: scf.for
// CHECK: linalg.generic
// CHECK-NOT: scf.for
// CHECK: return
func.func @flip(%k: tensor<3x3x16x16xf32>) -> tensor<3x3x16x16xf32> {
  %e = tensor.empty() : tensor<3x3x16x16xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (-d0 + 2, -d1 + 2, d3, d2)>, affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%k : tensor<3x3x16x16xf32>) outs(%e : tensor<3x3x16x16xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<3x3x16x16xf32>
  return %0 : tensor<3x3x16x16xf32>
}
