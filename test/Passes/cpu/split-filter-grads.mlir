// RUN: weir-opt %s -split-input-file -weir-split-filter-grads | FileCheck %s

// A 3x3 filter gradient, strides 2, dilation 1: nine [C, F] contractions,
// offset (y, x) reading the input from row y, column x with strides 2; each
// block comes out of the gradient so far and goes back into it.
#x = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5 * 2 + d0, d6 * 2 + d1, d2)>
#dy = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>
#dk = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[XS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[DYS:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d3, d4)>
// CHECK-LABEL: func.func @strided
// CHECK-SAME: (%[[X:.*]]: tensor<?x28x28x2xf32>, %[[DY:.*]]: tensor<?x13x13x4xf32>, %[[INIT:.*]]: tensor<3x3x2x4xf32>)
// CHECK: %[[XS0:.*]] = tensor.extract_slice %[[X]][0, 0, 0, 0] [%{{.*}}, 13, 13, 2] [1, 2, 2, 1]
// CHECK: %[[B0:.*]] = tensor.extract_slice %[[INIT]][0, 0, 0, 0] [1, 1, 2, 4] [1, 1, 1, 1] : tensor<3x3x2x4xf32> to tensor<2x4xf32>
// CHECK: %[[G0:.*]] = linalg.generic {indexing_maps = [#[[XS]], #[[DYS]], #[[OUT]]], iterator_types = ["reduction", "reduction", "reduction", "parallel", "parallel"]} ins(%[[XS0]], %[[DY]] : {{.*}}) outs(%[[B0]] : tensor<2x4xf32>)
// CHECK: %[[DK0:.*]] = tensor.insert_slice %[[G0]] into %[[INIT]][0, 0, 0, 0] [1, 1, 2, 4]
// CHECK: tensor.extract_slice %[[X]][0, 0, 1, 0] [%{{.*}}, 13, 13, 2] [1, 2, 2, 1]
// CHECK: tensor.extract_slice %[[DK0]][0, 1, 0, 0] [1, 1, 2, 4]
// CHECK-COUNT-7: tensor.insert_slice
// CHECK: %[[XS8:.*]] = tensor.extract_slice %[[X]][0, 2, 2, 0] [%{{.*}}, 13, 13, 2] [1, 2, 2, 1]
// CHECK: linalg.generic {{.*}} ins(%[[XS8]], %[[DY]]
// CHECK: %[[LAST:.*]] = tensor.insert_slice %{{.*}}[2, 2, 0, 0] [1, 1, 2, 4]
// CHECK: return %[[LAST]]
func.func @strided(%x: tensor<?x28x28x2xf32>, %dy: tensor<?x13x13x4xf32>, %init: tensor<3x3x2x4xf32>) -> tensor<3x3x2x4xf32> {
  %0 = linalg.generic {indexing_maps = [#x, #dy, #dk], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %dy : tensor<?x28x28x2xf32>, tensor<?x13x13x4xf32>) outs(%init : tensor<3x3x2x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<3x3x2x4xf32>
  return %0 : tensor<3x3x2x4xf32>
}

// -----

// Dilation 2 (strides 1): offset (y, x) starts at row 2y, column 2x.
#x = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5 + d0 * 2, d6 + d1 * 2, d2)>
#dy = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>
#dk = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @dilated
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [%{{.*}}, 6, 6, 1] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 2, 0] [%{{.*}}, 6, 6, 1] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 2, 0, 0] [%{{.*}}, 6, 6, 1] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %{{.*}}[0, 2, 2, 0] [%{{.*}}, 6, 6, 1] [1, 1, 1, 1]
// CHECK-NOT: linalg.generic {{.*}}"parallel", "parallel", "parallel", "parallel", "reduction"
func.func @dilated(%x: tensor<?x8x8x1xf32>, %dy: tensor<?x6x6x3xf32>, %init: tensor<2x2x1x3xf32>) -> tensor<2x2x1x3xf32> {
  %0 = linalg.generic {indexing_maps = [#x, #dy, #dk], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %dy : tensor<?x8x8x1xf32>, tensor<?x6x6x3xf32>) outs(%init : tensor<2x2x1x3xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x2x1x3xf32>
  return %0 : tensor<2x2x1x3xf32>
}

// -----

// Anything else is left alone: here the body is not a multiply-add.
#x = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5 + d0, d6 + d1, d2)>
#dy = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>
#dk = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @max_not_sum
// CHECK-NOT: tensor.extract_slice
// CHECK: arith.maximumf
func.func @max_not_sum(%x: tensor<?x4x4x1xf32>, %dy: tensor<?x3x3x1xf32>, %init: tensor<2x2x1x1xf32>) -> tensor<2x2x1x1xf32> {
  %0 = linalg.generic {indexing_maps = [#x, #dy, #dk], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %dy : tensor<?x4x4x1xf32>, tensor<?x3x3x1xf32>) outs(%init : tensor<2x2x1x1xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.maximumf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x2x1x1xf32>
  return %0 : tensor<2x2x1x1xf32>
}
