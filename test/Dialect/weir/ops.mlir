// RUN: weir-opt %s | weir-opt | FileCheck %s
// RUN: weir-opt %s --mlir-print-op-generic | weir-opt | FileCheck %s
// Round trip of every weir op, in its custom and its generic form.

// CHECK: weir.parameter @dense.kernel : tensor<784x64xf32> init <glorot_uniform, seed = 7>
weir.parameter @dense.kernel : tensor<784x64xf32> init <glorot_uniform, seed = 7>
// CHECK: weir.parameter @bn.moving_mean : tensor<16xf32> init <zeros> non_trainable
weir.parameter @bn.moving_mean : tensor<16xf32> init <zeros> non_trainable
// CHECK: weir.parameter @bn.gamma : tensor<16xf32> init <ones>
weir.parameter @bn.gamma : tensor<16xf32> init <ones>
// CHECK: weir.parameter @scale : tensor<f32> init <constant(1.024000e+03 : f64)> non_trainable
weir.parameter @scale : tensor<f32> init <constant(1024.0 : f64)> non_trainable
// CHECK: weir.parameter @conv.kernel : tensor<3x3x1x32xbf16> init <he_normal>
weir.parameter @conv.kernel : tensor<3x3x1x32xbf16> init <he_normal>
// CHECK: weir.parameter @a : tensor<2xf64> init <he_uniform, seed = 0>
weir.parameter @a : tensor<2xf64> init <he_uniform, seed = 0>
// CHECK: weir.parameter @b : tensor<2xf16> init <glorot_normal>
weir.parameter @b : tensor<2xf16> init <glorot_normal>

// CHECK-LABEL: func @load_param
func.func @load_param() -> tensor<784x64xf32> {
  // CHECK: weir.load_param @dense.kernel : tensor<784x64xf32>
  %w = weir.load_param @dense.kernel : tensor<784x64xf32>
  return %w : tensor<784x64xf32>
}

// CHECK-LABEL: func @dense
func.func @dense(%x: tensor<?x784xf32>, %w: tensor<784x64xf32>, %b: tensor<64xf32>) {
  // CHECK: weir.dense %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x784xf32>, tensor<784x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  %0 = weir.dense %x, %w, %b : (tensor<?x784xf32>, tensor<784x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
  // CHECK: weir.dense %{{.*}}, %{{.*}} : (tensor<?x784xf32>, tensor<784x64xf32>) -> tensor<?x64xf32>
  %1 = weir.dense %x, %w : (tensor<?x784xf32>, tensor<784x64xf32>) -> tensor<?x64xf32>
  return
}

// CHECK-LABEL: func @conv2d
func.func @conv2d(%x: tensor<?x28x28x1xf32>, %k: tensor<3x3x1x32xf32>, %b: tensor<32xf32>) {
  // Attributes equal to their defaults are elided.
  // CHECK: weir.conv2d %{{.*}}, %{{.*}}, %{{.*}} strides [2, 2] padding same : {{.*}} -> tensor<?x14x14x32xf32>
  %0 = weir.conv2d %x, %k, %b strides [2, 2] padding same dilation [1, 1] : (tensor<?x28x28x1xf32>, tensor<3x3x1x32xf32>, tensor<32xf32>) -> tensor<?x14x14x32xf32>
  // CHECK: weir.conv2d %{{.*}}, %{{.*}} : (tensor<?x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<?x26x26x32xf32>
  %1 = weir.conv2d %x, %k : (tensor<?x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<?x26x26x32xf32>
  // CHECK: weir.conv2d %{{.*}}, %{{.*}} dilation [2, 2] : {{.*}} -> tensor<?x24x24x32xf32>
  %2 = weir.conv2d %x, %k dilation [2, 2] : (tensor<?x28x28x1xf32>, tensor<3x3x1x32xf32>) -> tensor<?x24x24x32xf32>
  return
}

// CHECK-LABEL: func @pools
func.func @pools(%x: tensor<?x28x28x32xf32>) {
  // CHECK: weir.max_pool2d %{{.*}} : tensor<?x28x28x32xf32> -> tensor<?x14x14x32xf32>
  %0 = weir.max_pool2d %x : tensor<?x28x28x32xf32> -> tensor<?x14x14x32xf32>
  // CHECK: weir.max_pool2d %{{.*}} pool_size [3, 3] strides [2, 2] padding same : tensor<?x28x28x32xf32> -> tensor<?x14x14x32xf32>
  %1 = weir.max_pool2d %x pool_size [3, 3] strides [2, 2] padding same : tensor<?x28x28x32xf32> -> tensor<?x14x14x32xf32>
  // CHECK: weir.avg_pool2d %{{.*}} pool_size [3, 3] strides [1, 1] : tensor<?x28x28x32xf32> -> tensor<?x26x26x32xf32>
  %2 = weir.avg_pool2d %x pool_size [3, 3] strides [1, 1] : tensor<?x28x28x32xf32> -> tensor<?x26x26x32xf32>
  // CHECK: weir.global_avg_pool2d %{{.*}} : tensor<?x28x28x32xf32> -> tensor<?x32xf32>
  %3 = weir.global_avg_pool2d %x : tensor<?x28x28x32xf32> -> tensor<?x32xf32>
  // CHECK: weir.global_avg_pool2d %{{.*}} keepdims : tensor<?x28x28x32xf32> -> tensor<?x1x1x32xf32>
  %4 = weir.global_avg_pool2d %x keepdims : tensor<?x28x28x32xf32> -> tensor<?x1x1x32xf32>
  return
}

// CHECK-LABEL: func @batch_norm
func.func @batch_norm(%x: tensor<?x8x8x16xf32>, %g: tensor<16xf32>, %b: tensor<16xf32>, %m: tensor<16xf32>, %v: tensor<16xf32>) {
  // CHECK: weir.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-05 : f64} : {{.*}} -> tensor<?x8x8x16xf32>
  %0 = weir.batch_norm %x, %g, %b, %m, %v {epsilon = 1.0e-5 : f64} : (tensor<?x8x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x8x8x16xf32>
  // CHECK: weir.batch_norm_train %{{.*}} {momentum = 9.000000e-01 : f64} : {{.*}} -> (tensor<?x8x8x16xf32>, tensor<16xf32>, tensor<16xf32>)
  %1:3 = weir.batch_norm_train %x, %g, %b, %m, %v {momentum = 0.9 : f64} : (tensor<?x8x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<?x8x8x16xf32>, tensor<16xf32>, tensor<16xf32>)
  return
}

// CHECK-LABEL: func @dropout
func.func @dropout(%x: tensor<?x64xf32>, %key: tensor<i64>) {
  // CHECK: weir.dropout %{{.*}} rate 5.000000e-01 seed 7 : (tensor<?x64xf32>) -> tensor<?x64xf32>
  %0 = weir.dropout %x rate 0.5 seed 7 : (tensor<?x64xf32>) -> tensor<?x64xf32>
  // CHECK: weir.dropout %{{.*}}, %{{.*}} rate 2.000000e-01 : (tensor<?x64xf32>, tensor<i64>) -> tensor<?x64xf32>
  %1 = weir.dropout %x, %key rate 0.2 : (tensor<?x64xf32>, tensor<i64>) -> tensor<?x64xf32>
  return
}

// CHECK-LABEL: func @structure
func.func @structure(%x: tensor<?x7x7x64xf32>, %y: tensor<?x7x7x32xf32>, %i: tensor<?x28x28x1xui8>) {
  // CHECK: weir.flatten %{{.*}} : tensor<?x7x7x64xf32> -> tensor<?x3136xf32>
  %0 = weir.flatten %x : tensor<?x7x7x64xf32> -> tensor<?x3136xf32>
  // CHECK: weir.reshape %{{.*}} [49, -1] : tensor<?x7x7x64xf32> -> tensor<?x49x64xf32>
  %1 = weir.reshape %x [49, -1] : tensor<?x7x7x64xf32> -> tensor<?x49x64xf32>
  // CHECK: weir.add %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x7x7x64xf32>, tensor<?x7x7x64xf32>, tensor<?x7x7x64xf32>) -> tensor<?x7x7x64xf32>
  %2 = weir.add %x, %x, %x : (tensor<?x7x7x64xf32>, tensor<?x7x7x64xf32>, tensor<?x7x7x64xf32>) -> tensor<?x7x7x64xf32>
  // CHECK: weir.concat %{{.*}}, %{{.*}} : (tensor<?x7x7x64xf32>, tensor<?x7x7x32xf32>) -> tensor<?x7x7x96xf32>
  %3 = weir.concat %x, %y : (tensor<?x7x7x64xf32>, tensor<?x7x7x32xf32>) -> tensor<?x7x7x96xf32>
  // CHECK: weir.concat %{{.*}}, %{{.*}} axis 1 : (tensor<?x7x7x64xf32>, tensor<?x7x7x64xf32>) -> tensor<?x14x7x64xf32>
  %4 = weir.concat %x, %x axis 1 : (tensor<?x7x7x64xf32>, tensor<?x7x7x64xf32>) -> tensor<?x14x7x64xf32>
  // CHECK: weir.cast %{{.*}} to f32 : tensor<?x28x28x1xui8> -> tensor<?x28x28x1xf32>
  %5 = weir.cast %i to f32 : tensor<?x28x28x1xui8> -> tensor<?x28x28x1xf32>
  // CHECK: weir.rescale %{{.*}} scale 0.0039215686274509803 : tensor<?x28x28x1xui8> -> tensor<?x28x28x1xf32>
  %6 = weir.rescale %i scale 0.0039215686274509803 : tensor<?x28x28x1xui8> -> tensor<?x28x28x1xf32>
  // CHECK: weir.rescale %{{.*}} scale 2.000000e+00 offset -1.000000e+00 : tensor<?x28x28x1xf32> -> tensor<?x28x28x1xf32>
  %7 = weir.rescale %5 scale 2.0 offset -1.0 : tensor<?x28x28x1xf32> -> tensor<?x28x28x1xf32>
  return
}

// CHECK-LABEL: func @activations
func.func @activations(%x: tensor<?x10xf32>) {
  // CHECK: weir.relu %{{.*}} : tensor<?x10xf32> -> tensor<?x10xf32>
  %0 = weir.relu %x : tensor<?x10xf32> -> tensor<?x10xf32>
  // CHECK: weir.sigmoid %{{.*}} : tensor<?x10xf32> -> tensor<?x10xf32>
  %1 = weir.sigmoid %x : tensor<?x10xf32> -> tensor<?x10xf32>
  // CHECK: weir.tanh %{{.*}} : tensor<?x10xf32> -> tensor<?x10xf32>
  %2 = weir.tanh %x : tensor<?x10xf32> -> tensor<?x10xf32>
  // CHECK: weir.gelu %{{.*}} : tensor<?x10xf32> -> tensor<?x10xf32>
  %3 = weir.gelu %x : tensor<?x10xf32> -> tensor<?x10xf32>
  // CHECK: weir.gelu %{{.*}} approximate : tensor<?x10xf32> -> tensor<?x10xf32>
  %4 = weir.gelu %x approximate : tensor<?x10xf32> -> tensor<?x10xf32>
  // CHECK: weir.softmax %{{.*}} : tensor<?x10xf32> -> tensor<?x10xf32>
  %5 = weir.softmax %x : tensor<?x10xf32> -> tensor<?x10xf32>
  // CHECK: weir.softmax %{{.*}} axis 0 : tensor<?x10xf32> -> tensor<?x10xf32>
  %6 = weir.softmax %x axis 0 : tensor<?x10xf32> -> tensor<?x10xf32>
  return
}

// Results may be less refined than their rule allows until weir-infer-shapes.
// CHECK-LABEL: func @unrefined
func.func @unrefined(%x: tensor<*xf32>, %k: tensor<3x3x1x8xf32>) {
  // CHECK: weir.conv2d %{{.*}}, %{{.*}} : (tensor<*xf32>, tensor<3x3x1x8xf32>) -> tensor<*xf32>
  %0 = weir.conv2d %x, %k : (tensor<*xf32>, tensor<3x3x1x8xf32>) -> tensor<*xf32>
  // CHECK: weir.flatten %{{.*}} : tensor<*xf32> -> tensor<?x?xf32>
  %1 = weir.flatten %0 : tensor<*xf32> -> tensor<?x?xf32>
  return
}

// CHECK-LABEL: func @losses
func.func @losses(%x: tensor<?x10xf32>, %y: tensor<?xui8>, %t: tensor<?x10xf32>) {
  // CHECK: weir.sparse_categorical_crossentropy %{{.*}}, %{{.*}} from_logits : (tensor<?x10xf32>, tensor<?xui8>) -> tensor<f32>
  %0 = weir.sparse_categorical_crossentropy %x, %y from_logits : (tensor<?x10xf32>, tensor<?xui8>) -> tensor<f32>
  // CHECK: weir.categorical_crossentropy %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
  %1 = weir.categorical_crossentropy %x, %t : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
  // CHECK: weir.binary_crossentropy %{{.*}}, %{{.*}} from_logits : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
  %2 = weir.binary_crossentropy %x, %t from_logits : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
  // CHECK: weir.mean_squared_error %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
  %3 = weir.mean_squared_error %x, %t : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
  return
}
