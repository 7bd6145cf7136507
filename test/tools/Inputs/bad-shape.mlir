weir.parameter @w : tensor<100x10xf32> init <zeros>
func.func @m(%x: tensor<?x28x28xf32>) -> tensor<*xf32> {
  %0 = weir.flatten %x : tensor<?x28x28xf32> -> tensor<*xf32>
  %w = weir.load_param @w : tensor<100x10xf32>
  %1 = weir.dense %0, %w : (tensor<*xf32>, tensor<100x10xf32>) -> tensor<*xf32>
  return %1 : tensor<*xf32>
}
