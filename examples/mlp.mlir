// The Fashion-MNIST MLP (784-64-10, relu/softmax) in the weir dialect, as the
// .weir front end will emit it: intermediates untyped until weir-infer-shapes.
//   weir compile examples/mlp.mlir --print-ir-after-all
weir.parameter @dense.kernel : tensor<784x64xf32> init <glorot_uniform>
weir.parameter @dense.bias : tensor<64xf32> init <zeros>
weir.parameter @dense_1.kernel : tensor<64x10xf32> init <glorot_uniform>
weir.parameter @dense_1.bias : tensor<10xf32> init <zeros>

func.func @mlp(%x: tensor<?x28x28x1xui8>) -> tensor<*xf32> {
  %0 = weir.rescale %x scale 0.00392156862745098 : tensor<?x28x28x1xui8> -> tensor<*xf32>
  %1 = weir.flatten %0 : tensor<*xf32> -> tensor<*xf32>
  %k0 = weir.load_param @dense.kernel : tensor<784x64xf32>
  %b0 = weir.load_param @dense.bias : tensor<64xf32>
  %2 = weir.dense %1, %k0, %b0 : (tensor<*xf32>, tensor<784x64xf32>, tensor<64xf32>) -> tensor<*xf32>
  %3 = weir.relu %2 : tensor<*xf32> -> tensor<*xf32>
  %k1 = weir.load_param @dense_1.kernel : tensor<64x10xf32>
  %b1 = weir.load_param @dense_1.bias : tensor<10xf32>
  %4 = weir.dense %3, %k1, %b1 : (tensor<*xf32>, tensor<64x10xf32>, tensor<10xf32>) -> tensor<*xf32>
  %5 = weir.softmax %4 : tensor<*xf32> -> tensor<*xf32>
  return %5 : tensor<*xf32>
}
