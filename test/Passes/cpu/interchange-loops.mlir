// RUN: weir-opt %s -split-input-file --pass-pipeline='builtin.module(func.func(weir-interchange-loops))' | FileCheck %s

// matmul (i, j, k) -> generic with loops (i, k, j): the column loop, which
// is contiguous in the output and the kernel, ends up innermost.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func @matmul
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "reduction", "parallel"]}
func.func @matmul(%a: tensor<?x4xf32>, %b: tensor<4x8xf32>, %c: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<?x4xf32>, tensor<4x8xf32>) outs(%c : tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

// conv (n, oh, ow, f, kh, kw, c) -> (n, oh, ow, kh, kw, c, f).
// CHECK-LABEL: func @conv
// CHECK: iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]
func.func @conv(%x: tensor<?x8x8x3xf32>, %k: tensor<3x3x3x16xf32>, %o: tensor<?x6x6x16xf32>) -> tensor<?x6x6x16xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf ins(%x, %k : tensor<?x8x8x3xf32>, tensor<3x3x3x16xf32>) outs(%o : tensor<?x6x6x16xf32>) -> tensor<?x6x6x16xf32>
  return %0 : tensor<?x6x6x16xf32>
}

// -----

// Elementwise generics and reductions that are not contractions or
// convolutions stay as they are.
// CHECK-LABEL: func @untouched
// CHECK: iterator_types = ["parallel", "reduction"]
func.func @untouched(%x: tensor<?x8xf32>, %o: tensor<?xf32>) -> tensor<?xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>], iterator_types = ["parallel", "reduction"]} ins(%x : tensor<?x8xf32>) outs(%o : tensor<?xf32>) {
  ^bb0(%a: f32, %b: f32):
    %s = arith.addf %a, %b : f32
    linalg.yield %s : f32
  } -> tensor<?xf32>
  return %0 : tensor<?xf32>
}
