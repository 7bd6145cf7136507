// RUN: weir-opt %s -split-input-file -verify-diagnostics
// One case per diagnostic of the backward-graph and optimizer ops; each is
// named after its constraint in docs/spec.md.

func.func @grad_c1_rank(%a: tensor<?x4x2xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+1 {{'weir.matmul' op expects rank-2 operands and result}}
  %0 = weir.matmul %a, %b : (tensor<?x4x2xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return
}

// -----

func.func @grad_c1_contraction(%a: tensor<?x4xf32>, %b: tensor<5x3xf32>) {
  // expected-error @+1 {{'weir.matmul' op contracts sizes 4 and 5, which differ}}
  %0 = weir.matmul %a, %b : (tensor<?x4xf32>, tensor<5x3xf32>) -> tensor<?x3xf32>
  return
}

// -----

func.func @grad_c1_result(%a: tensor<?x4xf32>, %b: tensor<3x4xf32>) {
  // expected-error @+1 {{'weir.matmul' op result 'tensor<?x4xf32>' is not [-9223372036854775808, 3]}}
  %0 = weir.matmul %a, %b transpose_b : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func.func @grad_c2_axes(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'weir.reduce_sum' op axes must be increasing and in [0, 2)}}
  %0 = weir.reduce_sum %x axes [1, 0] : tensor<?x4xf32> -> tensor<f32>
  return
}

// -----

func.func @grad_c2_result(%x: tensor<?x4xf32>) {
  // expected-error @+1 {{'weir.reduce_sum' op result 'tensor<5xf32>' should be 'tensor<4xf32>'}}
  %0 = weir.reduce_sum %x axes [0] : tensor<?x4xf32> -> tensor<5xf32>
  return
}

// -----

func.func @grad_c3_fit(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{'weir.slice' op slice [6, +4) does not fit the static axis}}
  %0 = weir.slice %x axis 1 offset 6 : tensor<?x8xf32> -> tensor<?x4xf32>
  return
}

// -----

func.func @grad_c3_other_dims(%x: tensor<?x8x2xf32>) {
  // expected-error @+1 {{'weir.slice' op changes dimension 2, not only the axis}}
  %0 = weir.slice %x axis 1 offset 0 : tensor<?x8x2xf32> -> tensor<?x4x3xf32>
  return
}

// -----

func.func @grad_c4_rate(%x: tensor<?x8xf32>, %k: tensor<i64>) {
  // expected-error @+1 {{'weir.dropout_mask' op rate must be in [0, 1), got 1}}
  %0 = weir.dropout_mask %x, %k rate 1.0 : (tensor<?x8xf32>, tensor<i64>) -> tensor<?x8xf32>
  return
}

// -----

func.func @grad_c5_channels(%dy: tensor<?x26x26x32xf32>, %k: tensor<3x3x2x16xf32>) {
  // expected-error @+1 {{'weir.conv2d_backprop_input' op input 'tensor<?x28x28x2xf32>', kernel 'tensor<3x3x2x16xf32>' and gradient 'tensor<?x26x26x32xf32>' disagree on the batch or channels}}
  %0 = weir.conv2d_backprop_input %dy, %k : (tensor<?x26x26x32xf32>, tensor<3x3x2x16xf32>) -> tensor<?x28x28x2xf32>
  return
}

// -----

func.func @grad_c5_rank(%x: tensor<?x28x28xf32>, %dy: tensor<?x26x26x32xf32>) {
  // expected-error @+1 {{'weir.conv2d_backprop_filter' op expects rank-4 input, kernel and gradient}}
  %0 = weir.conv2d_backprop_filter %x, %dy : (tensor<?x28x28xf32>, tensor<?x26x26x32xf32>) -> tensor<3x3x1x32xf32>
  return
}

// -----

func.func @grad_c5_strides(%x: tensor<?x28x28x1xf32>, %dy: tensor<?x26x26x32xf32>) {
  // expected-error @+1 {{'weir.conv2d_backprop_filter' op strides and dilation are two positive sizes}}
  %0 = weir.conv2d_backprop_filter %x, %dy strides [0, 1] : (tensor<?x28x28x1xf32>, tensor<?x26x26x32xf32>) -> tensor<3x3x1x32xf32>
  return
}

// -----

func.func @grad_c6_result(%x: tensor<?x4x4x2xf32>, %dy: tensor<?x2x2x2xf32>) {
  // expected-error @+1 {{'weir.max_pool2d_grad' op result must have the input's type}}
  %0 = weir.max_pool2d_grad %x, %dy pool_size [2, 2] strides [2, 2] : (tensor<?x4x4x2xf32>, tensor<?x2x2x2xf32>) -> tensor<?x4x4x3xf32>
  return
}

// -----

func.func @grad_c6_window(%x: tensor<?x4x4x2xf32>, %dy: tensor<?x2x2x2xf32>) {
  // expected-error @+1 {{'weir.avg_pool2d_grad' op pool_size and strides are two sizes}}
  %0 = weir.avg_pool2d_grad %x, %dy pool_size [2] strides [2, 2] : (tensor<?x4x4x2xf32>, tensor<?x2x2x2xf32>) -> tensor<?x4x4x2xf32>
  return
}

// -----

func.func @grad_c6_rank(%x: tensor<?x4x2xf32>, %dy: tensor<?x2x2x2xf32>) {
  // expected-error @+1 {{'weir.avg_pool2d_grad' op expects rank-4 input and gradient}}
  %0 = weir.avg_pool2d_grad %x, %dy pool_size [2, 2] strides [2, 2] : (tensor<?x4x2xf32>, tensor<?x2x2x2xf32>) -> tensor<?x4x2xf32>
  return
}

// -----

func.func @grad_c7(%x: tensor<?x4xf32>, %g: tensor<4xf32>, %dy: tensor<?x4xf32>) {
  // expected-error @+1 {{'weir.batch_norm_train_grad' op gradients must have the types of input and gamma}}
  %0:3 = weir.batch_norm_train_grad %x, %g, %dy : (tensor<?x4xf32>, tensor<4xf32>, tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<5xf32>, tensor<4xf32>)
  return
}

// -----

func.func @grad_c8(%p: tensor<?x10xf32>, %t: tensor<?xi32>) {
  // expected-error @+1 {{'weir.sparse_categorical_crossentropy_grad' op result must have the prediction's type}}
  %0 = weir.sparse_categorical_crossentropy_grad %p, %t from_logits : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<?x9xf32>
  return
}

// -----

func.func @grad_c9_rank(%p: tensor<?x10x1xf32>, %t: tensor<?xi32>) {
  // expected-error @+1 {{'weir.correct_count' op expects a rank-2 prediction [batch, classes]}}
  %0 = weir.correct_count %p, %t : (tensor<?x10x1xf32>, tensor<?xi32>) -> tensor<f32>
  return
}

// -----

func.func @grad_c9_sparse(%p: tensor<?x10xf32>, %t: tensor<?x1xi32>) {
  // expected-error @+1 {{'weir.correct_count' op integer targets must be [batch]}}
  %0 = weir.correct_count %p, %t : (tensor<?x10xf32>, tensor<?x1xi32>) -> tensor<f32>
  return
}

// -----

func.func @grad_c9_float(%p: tensor<?x10xf32>, %t: tensor<?x9xf32>) {
  // expected-error @+1 {{'weir.correct_count' op float targets must have the prediction's type}}
  %0 = weir.correct_count %p, %t : (tensor<?x10xf32>, tensor<?x9xf32>) -> tensor<f32>
  return
}

// -----

func.func @optimizer_c1(%p: tensor<4xf32>, %g: tensor<5xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{'weir.apply_sgd' op operands and results must have the parameter's type 'tensor<4xf32>', got 'tensor<5xf32>'}}
  %0 = weir.apply_sgd %p, %g, %lr : (tensor<4xf32>, tensor<5xf32>, tensor<f32>) -> tensor<4xf32>
  return
}

// -----

func.func @optimizer_c2_momentum(%p: tensor<4xf32>, %g: tensor<4xf32>, %v: tensor<4xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{'weir.apply_sgd' op momentum must be in [0, 1), got 1.5}}
  %0:2 = weir.apply_sgd %p, %g, %lr velocity %v momentum 1.5 : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @optimizer_c2_beta(%p: tensor<4xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{'weir.apply_adam' op beta_2 must be in [0, 1), got 1}}
  %0:3 = weir.apply_adam %p, %p, %p, %p, %lr, %lr {beta_2 = 1.0 : f64} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @optimizer_c2_epsilon(%p: tensor<4xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{'weir.apply_adam' op epsilon must be > 0 and weight_decay >= 0}}
  %0:3 = weir.apply_adam %p, %p, %p, %p, %lr, %lr {epsilon = 0.0 : f64} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @optimizer_c3_velocity(%p: tensor<4xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{'weir.apply_sgd' op takes and returns a velocity exactly when momentum > 0}}
  %0 = weir.apply_sgd %p, %p, %lr momentum 0.9 : (tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return
}

// -----

func.func @optimizer_c3_nesterov(%p: tensor<4xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{'weir.apply_sgd' op nesterov needs momentum > 0}}
  %0 = weir.apply_sgd %p, %p, %lr nesterov : (tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  return
}

// -----

func.func @optimizer_c3_rmsprop(%p: tensor<4xf32>, %lr: tensor<f32>) {
  // expected-error @+1 {{'weir.apply_rmsprop' op takes and returns a momentum buffer exactly when momentum > 0}}
  %0:2 = weir.apply_rmsprop %p, %p, %p, %lr {momentum = 0.5 : f64} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func.func @grad_c3_axis(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{'weir.slice' op axis 2 is out of range}}
  %0 = weir.slice %x axis 2 offset 0 : tensor<?x8xf32> -> tensor<?x8xf32>
  return
}

// -----

func.func @grad_c3_rank(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{'weir.slice' op expects ranked input and result of one rank}}
  %0 = weir.slice %x axis 1 offset 0 : tensor<?x8xf32> -> tensor<?x4x2xf32>
  return
}

// -----

func.func @grad_c4_type(%x: tensor<?x8xf32>, %k: tensor<i64>) {
  // expected-error @+1 {{'weir.dropout_mask' op result must have the type of the input}}
  %0 = weir.dropout_mask %x, %k rate 0.5 : (tensor<?x8xf32>, tensor<i64>) -> tensor<?x9xf32>
  return
}

// -----

func.func @grad_c10_rank(%a: tensor<?x4xf32>, %s: tensor<2xf32>) {
  // expected-error @+1 {{'weir.mul_scalar' op scale 'tensor<2xf32>' should be a 0-d tensor of 'f32'}}
  %0 = weir.mul_scalar %a, %s : tensor<?x4xf32>, tensor<2xf32>
  return
}

// -----

func.func @grad_c10_type(%a: tensor<?x4xf32>, %s: tensor<f16>) {
  // expected-error @+1 {{'weir.mul_scalar' op scale 'tensor<f16>' should be a 0-d tensor of 'f32'}}
  %0 = weir.mul_scalar %a, %s : tensor<?x4xf32>, tensor<f16>
  return
}
