// RUN: weir-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(weir-tile-and-fuse{tile-size=8}))' | FileCheck %s

// dense + bias + relu: one loop over batch tiles holds the bias broadcast,
// the matmul and the relu.
// CHECK-LABEL: func @dense_bias_relu
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %c8
// CHECK:   linalg.generic {{.*}} ins(%{{.*}} : tensor<2xf32>)
// CHECK:   linalg.matmul
// CHECK:   linalg.generic
// CHECK:     arith.maximumf
// CHECK:   tensor.insert_slice
// CHECK: scf.yield
// CHECK-NOT: linalg.
// CHECK: return
func.func @dense_bias_relu(%x: tensor<?x4xf32>, %w: tensor<4x2xf32>, %b: tensor<2xf32>) -> tensor<?x2xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x2xf32>
  %bias = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%b : tensor<2xf32>) outs(%e : tensor<?x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  } -> tensor<?x2xf32>
  %mm = linalg.matmul ins(%x, %w : tensor<?x4xf32>, tensor<4x2xf32>) outs(%bias : tensor<?x2xf32>) -> tensor<?x2xf32>
  %e2 = tensor.empty(%n) : tensor<?x2xf32>
  %zero = arith.constant 0.0 : f32
  %r = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0, d1)>], iterator_types = ["parallel", "parallel"]} ins(%mm : tensor<?x2xf32>) outs(%e2 : tensor<?x2xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %zero : f32
    linalg.yield %m : f32
  } -> tensor<?x2xf32>
  return %r : tensor<?x2xf32>
}

// -----

// A reduction over the batch cannot be split into batch tiles: untouched.
// CHECK-LABEL: func @batch_reduction
// CHECK-NOT: scf.for
// CHECK: linalg.generic
func.func @batch_reduction(%x: tensor<?x4xf32>, %o: tensor<4xf32>) -> tensor<4xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>], iterator_types = ["reduction", "parallel"]} ins(%x : tensor<?x4xf32>) outs(%o : tensor<4xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
