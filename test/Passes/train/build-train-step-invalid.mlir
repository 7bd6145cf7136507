// RUN: weir-opt %s -split-input-file -weir-build-train-step -verify-diagnostics
// The models weir-build-train-step cannot train, each reported at the model.

weir.parameter @k : tensor<4x3xf32> init <zeros>
// expected-error @+1 {{training needs a model with one output, this one has 2}}
func.func @two(%x: tensor<?x4xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  %k = weir.load_param @k : tensor<4x3xf32>
  %0 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %0, %0 : tensor<?x3xf32>, tensor<?x3xf32>
}
weir.train_config @two {loss = #weir.loss<mean_squared_error>, optimizer = #weir.optimizer<sgd>, metrics = [], epochs = 1 : i64, batch_size = 8 : i64}

// -----

weir.parameter @k : tensor<4x3xf32> init <zeros> non_trainable
// expected-error @+1 {{the model has no trainable parameter}}
func.func @frozen(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
  %k = weir.load_param @k : tensor<4x3xf32>
  %0 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
weir.train_config @frozen {loss = #weir.loss<mean_squared_error>, optimizer = #weir.optimizer<sgd>, metrics = [], epochs = 1 : i64, batch_size = 8 : i64}

// -----

// Pipeline order: after weir-lift-parameters the parameters are arguments,
// and the training step can no longer be built.
weir.parameter @k : tensor<4x3xf32> init <zeros>
// expected-error @+1 {{the model's parameters are already arguments (weir-lift-parameters ran): build the training step before weir-to-linalg-pipeline}}
func.func @lifted(%x: tensor<?x4xf32>, %k: tensor<4x3xf32> {weir.slot = #weir.slot<param, "k">}) -> tensor<?x3xf32> {
  %0 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
weir.train_config @lifted {loss = #weir.loss<mean_squared_error>, optimizer = #weir.optimizer<sgd>, metrics = [], epochs = 1 : i64, batch_size = 8 : i64}

// -----

// Pipeline order: the data pipeline's maps move into the model
// (weir-place-pipeline) before the training step is built.
weir.parameter @k : tensor<4x3xf32> init <zeros>
func.func @unplaced(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
  %k = weir.load_param @k : tensor<4x3xf32>
  %0 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
weir.pipeline @train {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 2, 2>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<2x2x1xui8>, tensor<i32>>
  %3 = weir.map %2 {parallel = 1 : i64} : !weir.dataset<tensor<2x2x1xui8>, tensor<i32>> -> !weir.dataset<tensor<4xf32>, tensor<i32>> {
  ^bb0(%a: tensor<?x2x2x1xui8>, %y: tensor<?xi32>):
    %c = weir.cast %a to f32 : tensor<?x2x2x1xui8> -> tensor<?x2x2x1xf32>
    %f = weir.flatten %c : tensor<?x2x2x1xf32> -> tensor<?x4xf32>
    weir.map_yield %f, %y : tensor<?x4xf32>, tensor<?xi32>
  }
  %4 = weir.batch %3 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<4xf32>, tensor<i32>> -> !weir.dataset<tensor<?x4xf32>, tensor<?xi32>>
  weir.pipeline_yield %4 : !weir.dataset<tensor<?x4xf32>, tensor<?xi32>>
}
// expected-error @+1 {{'weir.train_config' op trains on @train, whose maps are not placed yet: run weir-place-pipeline (weir-model-pipeline) before the training step}}
weir.train_config @unplaced {loss = #weir.loss<mean_squared_error>, optimizer = #weir.optimizer<sgd>, metrics = [], epochs = 1 : i64, batch_size = 8 : i64, data = @train}
