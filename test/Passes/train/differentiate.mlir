// RUN: weir-opt %s -split-input-file -weir-differentiate -verify-diagnostics | FileCheck %s

weir.parameter @k : tensor<4x3xf32> init <zeros>
weir.parameter @b : tensor<3xf32> init <zeros>
weir.parameter @frozen : tensor<4x3xf32> init <zeros> non_trainable

// A parameter read along two paths gets the sum of both gradients; a
// non-trainable parameter gets none; gradients follow the loss and the
// other results, in declaration order.
// CHECK-LABEL: func.func @two_paths
// CHECK-SAME: -> (tensor<f32>, tensor<4x3xf32> {weir.slot = #weir.slot<grad, "k">}, tensor<3xf32> {weir.slot = #weir.slot<grad, "b">})
// CHECK-NOT: weir.differentiate
// (Gradients of inactive operands, such as the input's, are built and left
// for canonicalization to erase.)
// CHECK: %[[DL:.*]] = weir.sparse_categorical_crossentropy_grad %{{.*}}, %{{.*}} from_logits
// CHECK: %[[G2:.*]] = weir.matmul %{{.*}}, %[[DL]] transpose_a
// CHECK: %[[DY:.*]] = weir.relu_grad %{{.*}}, %[[DL]]
// CHECK: %[[G1:.*]] = weir.matmul %{{.*}}, %[[DY]] transpose_a
// CHECK: %[[DB:.*]] = weir.reduce_sum %[[DY]] axes [0]
// CHECK: %[[GK:.*]] = weir.add %[[G2]], %[[G1]]
// CHECK: return %{{.*}}, %[[GK]], %[[DB]]
func.func @two_paths(%x: tensor<?x4xf32>, %t: tensor<?xi32>) -> tensor<f32> attributes {weir.differentiate} {
  %k = weir.load_param @k : tensor<4x3xf32>
  %b = weir.load_param @b : tensor<3xf32>
  %f = weir.load_param @frozen : tensor<4x3xf32>
  %0 = weir.dense %x, %k, %b : (tensor<?x4xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %1 = weir.relu %0 : tensor<?x3xf32> -> tensor<?x3xf32>
  %2 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %3 = weir.dense %x, %f : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %4 = weir.add %1, %2, %3 : (tensor<?x3xf32>, tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %l = weir.sparse_categorical_crossentropy %4, %t from_logits : (tensor<?x3xf32>, tensor<?xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

weir.parameter @k : tensor<4x3xf32> init <zeros>
// expected-warning @+1 {{the loss does not depend on trainable parameter 'unused'; its gradient is zero}}
weir.parameter @unused : tensor<3xf32> init <zeros>

// CHECK-LABEL: func.func @zero_gradient
// CHECK: %[[Z:.*]] = arith.constant dense<0.000000e+00> : tensor<3xf32>
// CHECK: return %{{.*}}, %{{.*}}, %[[Z]]
func.func @zero_gradient(%x: tensor<?x4xf32>, %t: tensor<?x3xf32>) -> tensor<f32> attributes {weir.differentiate} {
  %k = weir.load_param @k : tensor<4x3xf32>
  %u = weir.load_param @unused : tensor<3xf32>
  %0 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %l = weir.mean_squared_error %0, %t : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

weir.parameter @k : tensor<4x3xf32> init <zeros>
weir.parameter @g : tensor<3xf32> init <ones>

func.func @no_rule(%x: tensor<?x4xf32>, %t: tensor<?x3xf32>) -> tensor<f32> attributes {weir.differentiate} {
  %k = weir.load_param @k : tensor<4x3xf32>
  %g = weir.load_param @g : tensor<3xf32>
  %0 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  // expected-error @+1 {{'weir.batch_norm' op is the inference form and has no gradient rule; the training step uses batch_norm_train}}
  %1 = weir.batch_norm %0, %g, %g, %g, %g : (tensor<?x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %l = weir.mean_squared_error %1, %t : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

weir.parameter @k : tensor<4x3xf32> init <zeros>

// expected-error @+1 {{the first result must be a 0-d float loss, got 'tensor<?x3xf32>'}}
func.func @not_a_loss(%x: tensor<?x4xf32>) -> tensor<?x3xf32> attributes {weir.differentiate} {
  %k = weir.load_param @k : tensor<4x3xf32>
  %0 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

weir.parameter @k : tensor<4x3xf32> init <zeros> non_trainable

// expected-error @+1 {{the loss does not depend on any trainable parameter}}
func.func @nothing_to_train(%x: tensor<?x4xf32>, %t: tensor<?x3xf32>) -> tensor<f32> attributes {weir.differentiate} {
  %k = weir.load_param @k : tensor<4x3xf32>
  %0 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %l = weir.mean_squared_error %0, %t : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

weir.parameter @k : tensor<4x3xf32> init <zeros>

func.func @softmax_axis0(%x: tensor<?x4xf32>, %t: tensor<?x3xf32>) -> tensor<f32> attributes {weir.differentiate} {
  %k = weir.load_param @k : tensor<4x3xf32>
  %0 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  // expected-error @+1 {{'weir.softmax' op has a gradient rule only along the last axis}}
  %1 = weir.softmax %0 axis 0 : tensor<?x3xf32> -> tensor<?x3xf32>
  %l = weir.mean_squared_error %1, %t : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// Loss scaling: the loss gradient is multiplied by the scale, a
// non-trainable parameter read once; the rest of the backward pass
// carries the scaled gradient.
weir.parameter @"loss_scale/scale" : tensor<f32> init <constant(3.276800e+04 : f64)> non_trainable
weir.parameter @k : tensor<4x3xf32> init <zeros>

// CHECK-LABEL: func.func @scaled(
func.func @scaled(%x: tensor<?x4xf32>, %t: tensor<?x3xf32>) -> tensor<f32> attributes {weir.differentiate, weir.loss_scale = @"loss_scale/scale"} {
  %k = weir.load_param @k : tensor<4x3xf32>
  %0 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %l = weir.mean_squared_error %0, %t : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
// CHECK: %[[S:.*]] = weir.load_param @"loss_scale/scale" : tensor<f32>
// CHECK: %[[G:.*]] = weir.mean_squared_error_grad
// CHECK: %[[GS:.*]] = weir.mul_scalar %[[G]], %[[S]] : tensor<?x3xf32>, tensor<f32>
// CHECK: weir.matmul %{{.*}}, %[[GS]] transpose_a

// -----

weir.parameter @k : tensor<4x3xf32> init <zeros>

// expected-error @+1 {{the loss scale @k must be a non-trainable 0-d float weir.parameter}}
func.func @scale_is_trainable(%x: tensor<?x4xf32>, %t: tensor<?x3xf32>) -> tensor<f32> attributes {weir.differentiate, weir.loss_scale = @k} {
  %k = weir.load_param @k : tensor<4x3xf32>
  %0 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %l = weir.mean_squared_error %0, %t : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<f32>
  return %l : tensor<f32>
}
