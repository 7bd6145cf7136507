// RUN: weir-opt %s -split-input-file -weir-lower-to-linalg | FileCheck %s
// The lowering of the backward-graph and optimizer ops (passes/
// LowerGradOps.cpp, LowerOptimizers.cpp, LowerBatchNormTrain.cpp); their
// numerics are checked against finite differences in test/e2e/grads.test.

// An optimizer update is one kernel that takes the parameter and its state
// as `outs`, so bufferization can update them in place.
// CHECK-LABEL: func.func @adam
// CHECK-SAME: (%[[P:.*]]: tensor<4x8xf32>, %[[G:.*]]: tensor<4x8xf32>, %[[M:.*]]: tensor<4x8xf32>, %[[V:.*]]: tensor<4x8xf32>
// CHECK: math.powf
// CHECK: linalg.generic
// CHECK-SAME: ins(%[[G]] : tensor<4x8xf32>) outs(%[[P]], %[[M]], %[[V]] :
// CHECK: math.sqrt
// CHECK-NOT: linalg.generic
func.func @adam(%p: tensor<4x8xf32>, %g: tensor<4x8xf32>, %m: tensor<4x8xf32>, %v: tensor<4x8xf32>, %lr: tensor<f32>, %t: tensor<f32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %0:3 = weir.apply_adam %p, %g, %m, %v, %lr, %t : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<f32>, tensor<f32>) -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>)
  return %0#0, %0#1, %0#2 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// -----

// x^T dy reads x in place, down its columns (loops (i, k, j), the output
// row innermost); a transposed right operand is transposed once, then
// multiplied.
// CHECK-DAG: #[[KI:.*]] = affine_map<(d0, d1, d2) -> (d1, d0)>
// CHECK-DAG: #[[KJ:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[IJ:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @matmuls
// CHECK: linalg.generic {indexing_maps = [#[[KI]], #[[KJ]], #[[IJ]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]}
// CHECK: linalg.matmul
func.func @matmuls(%x: tensor<?x16xf32>, %dy: tensor<?x8xf32>, %k: tensor<16x8xf32>) -> (tensor<16x8xf32>, tensor<?x16xf32>) {
  %0 = weir.matmul %x, %dy transpose_a : (tensor<?x16xf32>, tensor<?x8xf32>) -> tensor<16x8xf32>
  %1 = weir.matmul %dy, %k transpose_b : (tensor<?x8xf32>, tensor<16x8xf32>) -> tensor<?x16xf32>
  return %0, %1 : tensor<16x8xf32>, tensor<?x16xf32>
}

// -----

// The kernel gradient of a 3x3 convolution: one target-independent generic
// (passes/FilterGradConv.h) reading the input at oh*2 + kh, ow*2 + kw.
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5 * 2 + d0, d6 * 2 + d1, d2)>
// CHECK-DAG: #[[DY:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>
// CHECK-DAG: #[[DK:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv_filter
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[DY]], #[[DK]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK-SAME: outs(%[[ZERO]] : tensor<3x3x2x4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: tensor.extract_slice
func.func @conv_filter(%x: tensor<?x28x28x2xf32>, %dy: tensor<?x13x13x4xf32>) -> tensor<3x3x2x4xf32> {
  %0 = weir.conv2d_backprop_filter %x, %dy strides [2, 2] : (tensor<?x28x28x2xf32>, tensor<?x13x13x4xf32>) -> tensor<3x3x2x4xf32>
  return %0 : tensor<3x3x2x4xf32>
}

// -----

// Pools whose windows tile the input take the gradient on the input viewed
// as [N, OH, s, OW, s, C]; the row no window covers (11 = 2 * 5 + 1) gets
// zeros.
// CHECK-LABEL: func.func @max_pool_tiles
// CHECK: tensor.expand_shape {{.*}} into tensor<?x5x2x5x2x8xf32>
// CHECK: tensor.collapse_shape {{.*}} into tensor<?x10x10x8xf32>
// CHECK: tensor.pad {{.*}} high[0, 1, 1, 0]
// CHECK-NOT: tensor.extract %
func.func @max_pool_tiles(%x: tensor<?x11x11x8xf32>, %dy: tensor<?x5x5x8xf32>) -> tensor<?x11x11x8xf32> {
  %0 = weir.max_pool2d_grad %x, %dy pool_size [2, 2] strides [2, 2] : (tensor<?x11x11x8xf32>, tensor<?x5x5x8xf32>) -> tensor<?x11x11x8xf32>
  return %0 : tensor<?x11x11x8xf32>
}

// -----

// Overlapping windows: each input position gathers from the windows that
// cover it.
// CHECK-LABEL: func.func @max_pool_overlap
// CHECK: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<?x4x4x2xi32>
func.func @max_pool_overlap(%x: tensor<?x4x4x2xf32>, %dy: tensor<?x4x4x2xf32>) -> tensor<?x4x4x2xf32> {
  %0 = weir.max_pool2d_grad %x, %dy pool_size [3, 3] strides [1, 1] padding same : (tensor<?x4x4x2xf32>, tensor<?x4x4x2xf32>) -> tensor<?x4x4x2xf32>
  return %0 : tensor<?x4x4x2xf32>
}

// -----

// The dropout mask hashes the key and each element's index in 32-bit lanes.
// CHECK-LABEL: func.func @mask
// CHECK: tensor.extract %{{.*}}[] : tensor<i64>
// CHECK: arith.trunci %{{.*}} : i64 to i32
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK: arith.muli %{{.*}} : i32
// CHECK: arith.select
func.func @mask(%x: tensor<?x8xf32>, %key: tensor<i64>) -> tensor<?x8xf32> {
  %0 = weir.dropout_mask %x, %key rate 0.5 : (tensor<?x8xf32>, tensor<i64>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// A strided input gradient is split by phase: 3x3 taps, strides 2, "same"
// padding (top 1) give four stride-1 convolutions of the undilated
// gradient (sub-kernels 2x2, 2x1, 1x2, 1x1: every tap once), each written
// to every other row and column of dx.
// CHECK-LABEL: func.func @conv_input_s2
// CHECK: %[[DY:.*]] = tensor.pad %{{.*}} low[0, 1, 1, 0] high[0, 0, 0, 0]
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} ins(%{{.*}}, %{{.*}} : tensor<?x4x4x8xf32>, tensor<2x2x8x2xf32>) outs(%{{.*}} : tensor<?x3x3x2xf32>)
// CHECK: tensor.insert_slice %{{.*}}[0, 1, 1, 0] [%{{.*}}, 3, 3, 2] [1, 2, 2, 1]
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} tensor<2x1x8x2xf32>) outs(%{{.*}} : tensor<?x3x4x2xf32>)
// CHECK: tensor.insert_slice %{{.*}}[0, 1, 0, 0] [%{{.*}}, 3, 4, 2] [1, 2, 2, 1]
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} tensor<1x2x8x2xf32>) outs(%{{.*}} : tensor<?x4x3x2xf32>)
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 1, 0] [%{{.*}}, 4, 3, 2] [1, 2, 2, 1]
// CHECK: linalg.conv_2d_nhwc_hwcf {{.*}} tensor<1x1x8x2xf32>) outs(%{{.*}} : tensor<?x4x4x2xf32>)
// CHECK: tensor.insert_slice %{{.*}}[0, 0, 0, 0] [%{{.*}}, 4, 4, 2] [1, 2, 2, 1]
// CHECK-NOT: linalg.conv_2d_nhwc_hwcf
func.func @conv_input_s2(%dy: tensor<?x4x4x8xf32>, %k: tensor<3x3x2x8xf32>) -> tensor<?x7x7x2xf32> {
  %0 = weir.conv2d_backprop_input %dy, %k strides [2, 2] padding same : (tensor<?x4x4x8xf32>, tensor<3x3x2x8xf32>) -> tensor<?x7x7x2xf32>
  return %0 : tensor<?x7x7x2xf32>
}
