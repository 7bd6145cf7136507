weir.parameter @w : tensor<4x2xf32> init <glorot_uniform>
func.func @tiny(%x: tensor<?x4xf32>) -> tensor<*xf32> {
  %w = weir.load_param @w : tensor<4x2xf32>
  %0 = weir.dense %x, %w : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
