// RUN: weir-opt %s | weir-opt | FileCheck %s
// Every backward-graph and optimizer op prints and parses back.

// CHECK-LABEL: func.func @backward
func.func @backward(%x: tensor<?x28x28x1xf32>, %dy: tensor<?x26x26x32xf32>, %k: tensor<3x3x1x32xf32>,
                    %a: tensor<?x4xf32>, %w: tensor<3x4xf32>, %key: tensor<i64>, %l: tensor<?xi32>,
                    %p: tensor<?x10xf32>, %pm: tensor<?x4x4x2xf32>, %pd: tensor<?x2x2x2xf32>,
                    %g: tensor<4xf32>, %s: tensor<f32>) {
  // CHECK: weir.matmul %{{.*}}, %{{.*}} transpose_b
  %0 = weir.matmul %a, %w transpose_b : (tensor<?x4xf32>, tensor<3x4xf32>) -> tensor<?x3xf32>
  // CHECK: weir.matmul %{{.*}}, %{{.*}} transpose_a
  %1 = weir.matmul %a, %a transpose_a : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<4x4xf32>
  // CHECK: weir.reduce_sum %{{.*}} axes [0, 1, 2]
  %2 = weir.reduce_sum %dy axes [0, 1, 2] : tensor<?x26x26x32xf32> -> tensor<32xf32>
  // CHECK: weir.mul
  %3 = weir.mul %a, %a : tensor<?x4xf32>
  // CHECK: weir.mul_scalar %{{.*}}, %{{.*}} : tensor<?x4xf32>, tensor<f32>
  %ms = weir.mul_scalar %a, %s : tensor<?x4xf32>, tensor<f32>
  // CHECK: weir.slice %{{.*}} axis 1 offset 2
  %4 = weir.slice %a axis 1 offset 2 : tensor<?x4xf32> -> tensor<?x2xf32>
  // CHECK: weir.dropout_mask %{{.*}}, %{{.*}} rate 2.500000e-01 salt 3
  %5 = weir.dropout_mask %a, %key rate 0.25 salt 3 : (tensor<?x4xf32>, tensor<i64>) -> tensor<?x4xf32>
  // CHECK: weir.conv2d_backprop_input %{{.*}}, %{{.*}} :
  %6 = weir.conv2d_backprop_input %dy, %k : (tensor<?x26x26x32xf32>, tensor<3x3x1x32xf32>) -> tensor<?x28x28x1xf32>
  // CHECK: weir.conv2d_backprop_filter %{{.*}}, %{{.*}} :
  %7 = weir.conv2d_backprop_filter %x, %dy : (tensor<?x28x28x1xf32>, tensor<?x26x26x32xf32>) -> tensor<3x3x1x32xf32>
  // CHECK: weir.max_pool2d_grad %{{.*}}, %{{.*}} pool_size [2, 2] strides [2, 2]
  %8 = weir.max_pool2d_grad %pm, %pd pool_size [2, 2] strides [2, 2] : (tensor<?x4x4x2xf32>, tensor<?x2x2x2xf32>) -> tensor<?x4x4x2xf32>
  // CHECK: weir.avg_pool2d_grad %{{.*}}, %{{.*}} pool_size [2, 2] strides [2, 2] padding same
  %9 = weir.avg_pool2d_grad %pm, %pd pool_size [2, 2] strides [2, 2] padding same : (tensor<?x4x4x2xf32>, tensor<?x2x2x2xf32>) -> tensor<?x4x4x2xf32>
  // CHECK: weir.relu_grad
  %10 = weir.relu_grad %a, %a : tensor<?x4xf32>
  // CHECK: weir.gelu_grad %{{.*}}, %{{.*}} {approximate}
  %11 = weir.gelu_grad %a, %a {approximate} : tensor<?x4xf32>
  // CHECK: weir.softmax_grad
  %12 = weir.softmax_grad %a, %a : tensor<?x4xf32>
  // CHECK: weir.batch_norm_train_grad
  %13:3 = weir.batch_norm_train_grad %a, %g, %a : (tensor<?x4xf32>, tensor<4xf32>, tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>)
  // CHECK: weir.sparse_categorical_crossentropy_grad %{{.*}}, %{{.*}} from_logits
  %14 = weir.sparse_categorical_crossentropy_grad %p, %l from_logits : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<?x10xf32>
  // CHECK: weir.correct_count
  %15 = weir.correct_count %p, %l : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  return
}

// CHECK-LABEL: func.func @updates
func.func @updates(%p: tensor<4xf32>, %lr: tensor<f32>) {
  // CHECK: weir.apply_sgd %{{.*}}, %{{.*}}, %{{.*}} :
  %0 = weir.apply_sgd %p, %p, %lr : (tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  // CHECK: weir.apply_sgd %{{.*}}, %{{.*}}, %{{.*}} velocity %{{.*}} momentum 9.000000e-01 nesterov
  %1:2 = weir.apply_sgd %p, %p, %lr velocity %p momentum 0.9 nesterov : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>)
  // CHECK: weir.apply_adam {{.*}} {weight_decay = 4.000000e-03 : f64}
  %2:3 = weir.apply_adam %p, %p, %p, %p, %lr, %lr {weight_decay = 0.004 : f64} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  // CHECK: weir.apply_rmsprop %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} velocity %{{.*}} {momentum = 5.000000e-01 : f64}
  %3:3 = weir.apply_rmsprop %p, %p, %p, %lr velocity %p {momentum = 0.5 : f64} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<f32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}
