// RUN: weir-opt %s -split-input-file -weir-differentiate -verify-diagnostics | FileCheck %s
// Augmentations on the input path are inactive (no gradient is built);
// behind a parameter, random_flip's gradient is the same flip of dy, and
// the other augmentations have no gradient rule.

weir.parameter @k : tensor<32x3xf32> init <glorot_uniform>

// CHECK-LABEL: func.func @input_path
// CHECK: weir.random_rotation
// CHECK-NOT: weir.random_rotation
// CHECK: return
func.func @input_path(%x: tensor<?x4x4x2xf32>, %t: tensor<?xi32>, %key: tensor<i64>, %off: tensor<i64>) -> tensor<f32> attributes {weir.differentiate} {
  %0 = weir.random_rotation %x, %key, %off factor [-0.1, 0.1] seed 1 : (tensor<?x4x4x2xf32>, tensor<i64>, tensor<i64>) -> tensor<?x4x4x2xf32>
  %1 = weir.flatten %0 : tensor<?x4x4x2xf32> -> tensor<?x32xf32>
  %k = weir.load_param @k : tensor<32x3xf32>
  %2 = weir.dense %1, %k : (tensor<?x32xf32>, tensor<32x3xf32>) -> tensor<?x3xf32>
  %l = weir.sparse_categorical_crossentropy %2, %t from_logits : (tensor<?x3xf32>, tensor<?xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

weir.parameter @k : tensor<32x32xf32> init <glorot_uniform>

// CHECK-LABEL: func.func @behind_a_parameter
// CHECK: %[[Y:.*]] = weir.reshape
// CHECK: weir.random_flip %[[Y]], %[[K:.*]], %[[O:.*]] mode vertical seed 4 :
// CHECK: %[[DY:.*]] = weir.sparse_categorical_crossentropy_grad
// CHECK: weir.random_flip %{{.*}}, %[[K]], %[[O]] mode vertical seed 4 :
func.func @behind_a_parameter(%x: tensor<?x32xf32>, %t: tensor<?xi32>, %key: tensor<i64>, %off: tensor<i64>) -> tensor<f32> attributes {weir.differentiate} {
  %k = weir.load_param @k : tensor<32x32xf32>
  %0 = weir.dense %x, %k : (tensor<?x32xf32>, tensor<32x32xf32>) -> tensor<?x32xf32>
  %1 = weir.reshape %0 [4, 4, 2] : tensor<?x32xf32> -> tensor<?x4x4x2xf32>
  %2 = weir.random_flip %1, %key, %off mode vertical seed 4 : (tensor<?x4x4x2xf32>, tensor<i64>, tensor<i64>) -> tensor<?x4x4x2xf32>
  %3 = weir.flatten %2 : tensor<?x4x4x2xf32> -> tensor<?x32xf32>
  %l = weir.sparse_categorical_crossentropy %3, %t from_logits : (tensor<?x32xf32>, tensor<?xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

weir.parameter @k : tensor<32x32xf32> init <glorot_uniform>

func.func @no_rule(%x: tensor<?x32xf32>, %t: tensor<?xi32>, %key: tensor<i64>, %off: tensor<i64>) -> tensor<f32> attributes {weir.differentiate} {
  %k = weir.load_param @k : tensor<32x32xf32>
  %0 = weir.dense %x, %k : (tensor<?x32xf32>, tensor<32x32xf32>) -> tensor<?x32xf32>
  %1 = weir.reshape %0 [4, 4, 2] : tensor<?x32xf32> -> tensor<?x4x4x2xf32>
  // expected-error @+1 {{'weir.random_zoom' op has no gradient rule, but a trainable parameter reaches the loss through it}}
  %2 = weir.random_zoom %1, %key, %off height_factor [-0.1, 0.1] seed 4 : (tensor<?x4x4x2xf32>, tensor<i64>, tensor<i64>) -> tensor<?x4x4x2xf32>
  %3 = weir.flatten %2 : tensor<?x4x4x2xf32> -> tensor<?x32xf32>
  %l = weir.sparse_categorical_crossentropy %3, %t from_logits : (tensor<?x32xf32>, tensor<?xi32>) -> tensor<f32>
  return %l : tensor<f32>
}
