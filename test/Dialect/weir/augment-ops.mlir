// RUN: weir-opt %s | weir-opt | FileCheck %s
// Every augmentation op prints and parses back, in its inference form (no
// key) and its training form (key and offset); defaults are not printed.

// CHECK-LABEL: func.func @inference
func.func @inference(%x: tensor<?x28x28x1xf32>) {
  // CHECK: weir.random_flip %{{.*}} : (tensor<?x28x28x1xf32>)
  %0 = weir.random_flip %x : (tensor<?x28x28x1xf32>) -> tensor<?x28x28x1xf32>
  // CHECK: weir.random_flip %{{.*}} mode horizontal seed 3 :
  %1 = weir.random_flip %x mode horizontal seed 3 : (tensor<?x28x28x1xf32>) -> tensor<?x28x28x1xf32>
  // CHECK: weir.random_rotation %{{.*}} factor [-1.000000e-01, 1.000000e-01] :
  %2 = weir.random_rotation %x factor [-0.1, 0.1] fill_mode reflect interpolation bilinear : (tensor<?x28x28x1xf32>) -> tensor<?x28x28x1xf32>
  // CHECK: weir.random_rotation %{{.*}} factor [0.000000e+00, 2.500000e-01] fill_mode constant interpolation nearest fill_value 5.000000e-01 :
  %3 = weir.random_rotation %x factor [0.0, 0.25] fill_mode constant interpolation nearest fill_value 0.5 : (tensor<?x28x28x1xf32>) -> tensor<?x28x28x1xf32>
  // CHECK: weir.random_zoom %{{.*}} height_factor [-2.000000e-01, 3.000000e-01] fill_mode wrap :
  %4 = weir.random_zoom %x height_factor [-0.2, 0.3] fill_mode wrap : (tensor<?x28x28x1xf32>) -> tensor<?x28x28x1xf32>
  // CHECK: weir.random_zoom %{{.*}} height_factor [-2.000000e-01, 2.000000e-01] width_factor [0.000000e+00, 1.000000e-01] fill_mode nearest :
  %5 = weir.random_zoom %x height_factor [-0.2, 0.2] width_factor [0.0, 0.1] fill_mode nearest : (tensor<?x28x28x1xf32>) -> tensor<?x28x28x1xf32>
  // CHECK: weir.random_translation %{{.*}} height_factor [-1.000000e-01, 1.000000e-01] width_factor [-2.000000e-01, 0.000000e+00] :
  %6 = weir.random_translation %x height_factor [-0.1, 0.1] width_factor [-0.2, 0.0] : (tensor<?x28x28x1xf32>) -> tensor<?x28x28x1xf32>
  // CHECK: weir.random_crop %{{.*}} height 24 width 20 : (tensor<?x28x28x1xf32>) -> tensor<?x24x20x1xf32>
  %7 = weir.random_crop %x height 24 width 20 : (tensor<?x28x28x1xf32>) -> tensor<?x24x20x1xf32>
  // CHECK: weir.random_contrast %{{.*}} factor [2.000000e-01, 2.000000e-01] value_range [0.000000e+00, 1.000000e+00] :
  %8 = weir.random_contrast %x factor [0.2, 0.2] value_range [0.0, 1.0] : (tensor<?x28x28x1xf32>) -> tensor<?x28x28x1xf32>
  // CHECK: weir.random_contrast %{{.*}} factor [0.000000e+00, 5.000000e-01] :
  %9 = weir.random_contrast %x factor [0.0, 0.5] value_range [0.0, 255.0] : (tensor<?x28x28x1xf32>) -> tensor<?x28x28x1xf32>
  return
}

// CHECK-LABEL: func.func @training
func.func @training(%x: tensor<?x8x8x3xf64>, %key: tensor<i64>, %off: tensor<i64>) {
  // CHECK: weir.random_flip %{{.*}}, %{{.*}}, %{{.*}} mode vertical seed 1 : (tensor<?x8x8x3xf64>, tensor<i64>, tensor<i64>) -> tensor<?x8x8x3xf64>
  %0 = weir.random_flip %x, %key, %off mode vertical seed 1 : (tensor<?x8x8x3xf64>, tensor<i64>, tensor<i64>) -> tensor<?x8x8x3xf64>
  // CHECK: weir.random_crop %{{.*}}, %{{.*}}, %{{.*}} height 4 width 6 seed 2 :
  %1 = weir.random_crop %x, %key, %off height 4 width 6 seed 2 : (tensor<?x8x8x3xf64>, tensor<i64>, tensor<i64>) -> tensor<?x4x6x3xf64>
  // CHECK: weir.random_translation %{{.*}}, %{{.*}}, %{{.*}} height_factor
  %2 = weir.random_translation %x, %key, %off height_factor [-0.5, 0.5] width_factor [-0.5, 0.5] fill_mode constant : (tensor<?x8x8x3xf64>, tensor<i64>, tensor<i64>) -> tensor<?x8x8x3xf64>
  return
}
