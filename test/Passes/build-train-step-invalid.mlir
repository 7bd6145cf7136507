// RUN: weir-opt %s -split-input-file -weir-build-train-step -verify-diagnostics
// The models weir-build-train-step cannot train, each reported at the model.

weir.parameter @k : tensor<4x3xf32> init <zeros>
// expected-error @+1 {{training needs a model with one output, this one has 2}}
func.func @two(%x: tensor<?x4xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  %k = weir.load_param @k : tensor<4x3xf32>
  %0 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %0, %0 : tensor<?x3xf32>, tensor<?x3xf32>
}
weir.train_config @two {loss = "mean_squared_error", optimizer = "sgd", optimizer_options = {}, metrics = [], epochs = 1 : i64, batch_size = 8 : i64}

// -----

weir.parameter @k : tensor<4x3xf32> init <zeros> non_trainable
// expected-error @+1 {{the model has no trainable parameter}}
func.func @frozen(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
  %k = weir.load_param @k : tensor<4x3xf32>
  %0 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
weir.train_config @frozen {loss = "mean_squared_error", optimizer = "sgd", optimizer_options = {}, metrics = [], epochs = 1 : i64, batch_size = 8 : i64}
