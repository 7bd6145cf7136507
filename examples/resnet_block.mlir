// One ResNet basic block with batch norm on a 32x32x16 input, then a
// global-average-pool classifier.
//   weir compile examples/resnet_block.mlir --print-ir-after-all
weir.parameter @conv_a.kernel : tensor<3x3x16x16xf32> init <he_normal>
weir.parameter @bn_a.gamma : tensor<16xf32> init <ones>
weir.parameter @bn_a.beta : tensor<16xf32> init <zeros>
weir.parameter @bn_a.moving_mean : tensor<16xf32> init <zeros> non_trainable
weir.parameter @bn_a.moving_variance : tensor<16xf32> init <ones> non_trainable
weir.parameter @conv_b.kernel : tensor<3x3x16x16xf32> init <he_normal>
weir.parameter @bn_b.gamma : tensor<16xf32> init <ones>
weir.parameter @bn_b.beta : tensor<16xf32> init <zeros>
weir.parameter @bn_b.moving_mean : tensor<16xf32> init <zeros> non_trainable
weir.parameter @bn_b.moving_variance : tensor<16xf32> init <ones> non_trainable
weir.parameter @head.kernel : tensor<16x10xf32> init <glorot_uniform>
weir.parameter @head.bias : tensor<10xf32> init <zeros>

func.func @resnet_block(%x: tensor<?x32x32x16xf32>) -> tensor<*xf32> {
  %ka = weir.load_param @conv_a.kernel : tensor<3x3x16x16xf32>
  %0 = weir.conv2d %x, %ka padding same : (tensor<?x32x32x16xf32>, tensor<3x3x16x16xf32>) -> tensor<*xf32>
  %ga = weir.load_param @bn_a.gamma : tensor<16xf32>
  %ba = weir.load_param @bn_a.beta : tensor<16xf32>
  %ma = weir.load_param @bn_a.moving_mean : tensor<16xf32>
  %va = weir.load_param @bn_a.moving_variance : tensor<16xf32>
  %1 = weir.batch_norm %0, %ga, %ba, %ma, %va : (tensor<*xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<*xf32>
  %2 = weir.relu %1 : tensor<*xf32> -> tensor<*xf32>
  %kb = weir.load_param @conv_b.kernel : tensor<3x3x16x16xf32>
  %3 = weir.conv2d %2, %kb padding same : (tensor<*xf32>, tensor<3x3x16x16xf32>) -> tensor<*xf32>
  %gb = weir.load_param @bn_b.gamma : tensor<16xf32>
  %bb = weir.load_param @bn_b.beta : tensor<16xf32>
  %mb = weir.load_param @bn_b.moving_mean : tensor<16xf32>
  %vb = weir.load_param @bn_b.moving_variance : tensor<16xf32>
  %4 = weir.batch_norm %3, %gb, %bb, %mb, %vb : (tensor<*xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<*xf32>
  %5 = weir.add %4, %x : (tensor<*xf32>, tensor<?x32x32x16xf32>) -> tensor<*xf32>
  %6 = weir.relu %5 : tensor<*xf32> -> tensor<*xf32>
  %7 = weir.global_avg_pool2d %6 : tensor<*xf32> -> tensor<*xf32>
  %kh = weir.load_param @head.kernel : tensor<16x10xf32>
  %bh = weir.load_param @head.bias : tensor<10xf32>
  %8 = weir.dense %7, %kh, %bh : (tensor<*xf32>, tensor<16x10xf32>, tensor<10xf32>) -> tensor<*xf32>
  %9 = weir.softmax %8 : tensor<*xf32> -> tensor<*xf32>
  return %9 : tensor<*xf32>
}
