// RUN: weir-opt %s -split-input-file -weir-lower-to-linalg | FileCheck %s
// The lowering of the augmentation ops (passes/LowerAugment.cpp); their
// numerics are checked against numpy in test/e2e/augment.test.

// Inference form: the identity.
// CHECK-LABEL: func.func @inference
// CHECK-SAME: (%[[X:.*]]: tensor<?x8x8x1xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @inference(%x: tensor<?x8x8x1xf32>) -> (tensor<?x8x8x1xf32>, tensor<?x8x8x1xf32>, tensor<?x8x8x1xf32>, tensor<?x8x8x1xf32>, tensor<?x8x8x1xf32>) {
  %0 = weir.random_flip %x : (tensor<?x8x8x1xf32>) -> tensor<?x8x8x1xf32>
  %1 = weir.random_rotation %x factor [-0.1, 0.1] : (tensor<?x8x8x1xf32>) -> tensor<?x8x8x1xf32>
  %2 = weir.random_zoom %x height_factor [-0.1, 0.1] : (tensor<?x8x8x1xf32>) -> tensor<?x8x8x1xf32>
  %3 = weir.random_translation %x height_factor [-0.1, 0.1] width_factor [-0.1, 0.1] : (tensor<?x8x8x1xf32>) -> tensor<?x8x8x1xf32>
  %4 = weir.random_contrast %x factor [0.1, 0.1] : (tensor<?x8x8x1xf32>) -> tensor<?x8x8x1xf32>
  return %0, %1, %2, %3, %4 : tensor<?x8x8x1xf32>, tensor<?x8x8x1xf32>, tensor<?x8x8x1xf32>, tensor<?x8x8x1xf32>, tensor<?x8x8x1xf32>
}

// -----

// random_crop's inference form: a centered window of the target aspect
// ratio; a slice when it has the target size, else resized.
// CHECK-LABEL: func.func @crop_inference
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 1, 0] [%{{.*}}, 8, 6, 1] [1, 1, 1, 1] : tensor<?x8x8x1xf32> to tensor<?x8x6x1xf32>
// CHECK: linalg.generic
// CHECK: math.floor
// CHECK: tensor.extract
func.func @crop_inference(%x: tensor<?x8x8x1xf32>) -> (tensor<?x8x6x1xf32>, tensor<?x4x4x1xf32>) {
  %0 = weir.random_crop %x height 8 width 6 : (tensor<?x8x8x1xf32>) -> tensor<?x8x6x1xf32>
  %1 = weir.random_crop %x height 4 width 4 : (tensor<?x8x8x1xf32>) -> tensor<?x4x4x1xf32>
  return %0, %1 : tensor<?x8x6x1xf32>, tensor<?x4x4x1xf32>
}

// -----

// Training form: the draws are one generic over the batch (once per
// image), the pixels a gather that reads them per example.
// CHECK-DAG: #[[N:.*]] = affine_map<(d0, d1, d2, d3) -> (d0)>
// CHECK-LABEL: func.func @rotation
// CHECK: %[[K:.*]] = tensor.extract %{{.*}}[] : tensor<i64>
// CHECK: %[[C:.*]]:6 = linalg.generic {{.*}} iterator_types = ["parallel"]} outs(
// CHECK: math.cos
// CHECK: linalg.generic {indexing_maps = [#[[N]], #[[N]], #[[N]], #[[N]], #[[N]], #[[N]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%[[C]]#0, %[[C]]#1, %[[C]]#2, %[[C]]#3, %[[C]]#4, %[[C]]#5 :
// CHECK: math.floor
// CHECK-COUNT-4: tensor.extract %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : tensor<?x8x8x1xf32>
func.func @rotation(%x: tensor<?x8x8x1xf32>, %key: tensor<i64>, %off: tensor<i64>) -> tensor<?x8x8x1xf32> {
  %0 = weir.random_rotation %x, %key, %off factor [-0.1, 0.1] seed 2 : (tensor<?x8x8x1xf32>, tensor<i64>, tensor<i64>) -> tensor<?x8x8x1xf32>
  return %0 : tensor<?x8x8x1xf32>
}

// -----

// Contrast: the channel means are a reduction over (h, w), then one
// elementwise clip((x - m) f + m).
// CHECK-LABEL: func.func @contrast
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel"]}
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction", "parallel"]}
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
// CHECK: arith.maximumf
// CHECK: arith.minimumf
func.func @contrast(%x: tensor<?x8x8x3xf32>, %key: tensor<i64>, %off: tensor<i64>) -> tensor<?x8x8x3xf32> {
  %0 = weir.random_contrast %x, %key, %off factor [0.2, 0.2] seed 1 : (tensor<?x8x8x3xf32>, tensor<i64>, tensor<i64>) -> tensor<?x8x8x3xf32>
  return %0 : tensor<?x8x8x3xf32>
}
