// RUN: weir-opt %s -split-input-file -verify-diagnostics --pass-pipeline='builtin.module(func.func(weir-infer-shapes))' | FileCheck %s

// A Keras-style CNN written with unranked intermediates becomes fully typed,
// and the function signature follows its result.
weir.parameter @c1.kernel : tensor<3x3x1x32xf32> init <he_normal>
weir.parameter @c1.bias : tensor<32xf32> init <zeros>
weir.parameter @d.kernel : tensor<5408x10xf32> init <glorot_uniform>

// CHECK-LABEL: func @cnn
// CHECK-SAME: -> tensor<?x10xf32>
func.func @cnn(%x: tensor<?x28x28x1xui8>) -> tensor<*xf32> {
  // CHECK: weir.rescale {{.*}} -> tensor<?x28x28x1xf32>
  %0 = weir.rescale %x scale 0.00392156862745098 : tensor<?x28x28x1xui8> -> tensor<*xf32>
  %k = weir.load_param @c1.kernel : tensor<3x3x1x32xf32>
  %b = weir.load_param @c1.bias : tensor<32xf32>
  // CHECK: weir.conv2d {{.*}} -> tensor<?x26x26x32xf32>
  %1 = weir.conv2d %0, %k, %b : (tensor<*xf32>, tensor<3x3x1x32xf32>, tensor<32xf32>) -> tensor<*xf32>
  // CHECK: weir.relu {{.*}} -> tensor<?x26x26x32xf32>
  %2 = weir.relu %1 : tensor<*xf32> -> tensor<*xf32>
  // CHECK: weir.max_pool2d {{.*}} -> tensor<?x13x13x32xf32>
  %3 = weir.max_pool2d %2 : tensor<*xf32> -> tensor<*xf32>
  // CHECK: weir.flatten {{.*}} -> tensor<?x5408xf32>
  %4 = weir.flatten %3 : tensor<*xf32> -> tensor<*xf32>
  %w = weir.load_param @d.kernel : tensor<5408x10xf32>
  // CHECK: weir.dense {{.*}} -> tensor<?x10xf32>
  %5 = weir.dense %4, %w : (tensor<*xf32>, tensor<5408x10xf32>) -> tensor<*xf32>
  // CHECK: weir.softmax {{.*}} -> tensor<?x10xf32>
  %6 = weir.softmax %5 : tensor<*xf32> -> tensor<*xf32>
  // CHECK: return {{.*}} : tensor<?x10xf32>
  return %6 : tensor<*xf32>
}

// -----

// Residual and Inception-style merges; a declared static batch wins over a
// dynamic one.
// CHECK-LABEL: func @merges
// CHECK-SAME: -> (tensor<8x4x4x24xf32>, tensor<8x4x4x8xf32>)
func.func @merges(%x: tensor<?x4x4x8xf32>, %y: tensor<8x4x4x?xf32>) -> (tensor<8x4x4x24xf32>, tensor<*xf32>) {
  // CHECK: weir.concat {{.*}} -> tensor<?x4x4x24xf32>
  %0 = weir.concat %x, %x, %x : (tensor<?x4x4x8xf32>, tensor<?x4x4x8xf32>, tensor<?x4x4x8xf32>) -> tensor<*xf32>
  // CHECK: weir.add {{.*}} -> tensor<8x4x4x8xf32>
  %1 = weir.add %x, %y : (tensor<?x4x4x8xf32>, tensor<8x4x4x?xf32>) -> tensor<*xf32>
  // CHECK: weir.concat {{.*}} -> tensor<8x4x4x24xf32>
  %2 = weir.concat %0 : (tensor<*xf32>) -> tensor<8x4x4x24xf32>
  return %2, %1 : tensor<8x4x4x24xf32>, tensor<*xf32>
}

// -----

// Batch norm (both forms), dropout, reshape with -1, cast, gelu.
// CHECK-LABEL: func @misc
func.func @misc(%x: tensor<?x64xf32>, %s: tensor<64xf32>, %i: tensor<?x4xi32>) {
  // CHECK: weir.batch_norm {{.*}} -> tensor<?x64xf32>
  %0 = weir.batch_norm %x, %s, %s, %s, %s : (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<*xf32>
  // CHECK: weir.batch_norm_train {{.*}} -> (tensor<?x64xf32>, tensor<64xf32>, tensor<64xf32>)
  %1:3 = weir.batch_norm_train %0, %s, %s, %s, %s : (tensor<*xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  // CHECK: weir.dropout {{.*}} -> tensor<?x64xf32>
  %2 = weir.dropout %1#0 rate 0.5 : (tensor<*xf32>) -> tensor<*xf32>
  // CHECK: weir.reshape {{.*}} -> tensor<?x4x4x4xf32>
  %3 = weir.reshape %2 [4, -1, 4] : tensor<*xf32> -> tensor<*xf32>
  // CHECK: weir.gelu {{.*}} -> tensor<?x4x4x4xf32>
  %4 = weir.gelu %3 approximate : tensor<*xf32> -> tensor<*xf32>
  // CHECK: weir.cast {{.*}} -> tensor<?x4xbf16>
  %5 = weir.cast %i to bf16 : tensor<?x4xi32> -> tensor<*xbf16>
  return
}

// -----

// A use outside the weir dialect keeps its operand type through a cast.
// CHECK-LABEL: func @foreign_user
// CHECK: %[[R:.*]] = weir.tanh {{.*}} -> tensor<2x3xf32>
// CHECK: %[[C:.*]] = tensor.cast %[[R]] : tensor<2x3xf32> to tensor<*xf32>
// CHECK: tensor.rank %[[C]]
func.func @foreign_user(%x: tensor<2x3xf32>) -> index {
  %0 = weir.tanh %x : tensor<2x3xf32> -> tensor<*xf32>
  %1 = tensor.rank %0 : tensor<*xf32>
  return %1 : index
}

// -----

// A mismatch hidden behind an unranked value is found during inference and
// reported at the op.
weir.parameter @w : tensor<100x10xf32> init <zeros>
func.func @late_mismatch(%x: tensor<?x28x28xf32>) -> tensor<*xf32> {
  %0 = weir.flatten %x : tensor<?x28x28xf32> -> tensor<*xf32>
  %w = weir.load_param @w : tensor<100x10xf32>
  // expected-error @+1 {{kernel expects 100 input features, but the input has 784}}
  %1 = weir.dense %0, %w : (tensor<*xf32>, tensor<100x10xf32>) -> tensor<*xf32>
  return %1 : tensor<*xf32>
}

// -----

// A declared result that contradicts what the operands become.
func.func @declared_conflict(%x: tensor<?x4x5xf32>) -> tensor<?x7xf32> {
  %0 = weir.flatten %x : tensor<?x4x5xf32> -> tensor<*xf32>
  // expected-error @+1 {{'weir.relu' op result #0 is declared 'tensor<?x7xf32>', but its operands give 'tensor<?x20xf32>'}}
  %1 = weir.relu %0 : tensor<*xf32> -> tensor<?x7xf32>
  return %1 : tensor<?x7xf32>
}
