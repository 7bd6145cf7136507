// The small Fashion-MNIST CNN: conv3x3 32, pool, conv3x3 64, pool, dense 10.
//   weir compile examples/cnn.mlir --print-ir-after-all
weir.parameter @conv2d.kernel : tensor<3x3x1x32xf32> init <glorot_uniform>
weir.parameter @conv2d.bias : tensor<32xf32> init <zeros>
weir.parameter @conv2d_1.kernel : tensor<3x3x32x64xf32> init <glorot_uniform>
weir.parameter @conv2d_1.bias : tensor<64xf32> init <zeros>
weir.parameter @dense.kernel : tensor<1600x10xf32> init <glorot_uniform>
weir.parameter @dense.bias : tensor<10xf32> init <zeros>

func.func @cnn(%x: tensor<?x28x28x1xui8>) -> tensor<*xf32> {
  %0 = weir.rescale %x scale 0.00392156862745098 : tensor<?x28x28x1xui8> -> tensor<*xf32>
  %k0 = weir.load_param @conv2d.kernel : tensor<3x3x1x32xf32>
  %b0 = weir.load_param @conv2d.bias : tensor<32xf32>
  %1 = weir.conv2d %0, %k0, %b0 : (tensor<*xf32>, tensor<3x3x1x32xf32>, tensor<32xf32>) -> tensor<*xf32>
  %2 = weir.relu %1 : tensor<*xf32> -> tensor<*xf32>
  %3 = weir.max_pool2d %2 : tensor<*xf32> -> tensor<*xf32>
  %k1 = weir.load_param @conv2d_1.kernel : tensor<3x3x32x64xf32>
  %b1 = weir.load_param @conv2d_1.bias : tensor<64xf32>
  %4 = weir.conv2d %3, %k1, %b1 : (tensor<*xf32>, tensor<3x3x32x64xf32>, tensor<64xf32>) -> tensor<*xf32>
  %5 = weir.relu %4 : tensor<*xf32> -> tensor<*xf32>
  %6 = weir.max_pool2d %5 : tensor<*xf32> -> tensor<*xf32>
  %7 = weir.flatten %6 : tensor<*xf32> -> tensor<*xf32>
  %8 = weir.dropout %7 rate 0.5 seed 1 : (tensor<*xf32>) -> tensor<*xf32>
  %k2 = weir.load_param @dense.kernel : tensor<1600x10xf32>
  %b2 = weir.load_param @dense.bias : tensor<10xf32>
  %9 = weir.dense %8, %k2, %b2 : (tensor<*xf32>, tensor<1600x10xf32>, tensor<10xf32>) -> tensor<*xf32>
  %10 = weir.softmax %9 : tensor<*xf32> -> tensor<*xf32>
  return %10 : tensor<*xf32>
}
