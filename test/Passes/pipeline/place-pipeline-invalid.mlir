// RUN: weir-opt %s -split-input-file -weir-place-pipeline -verify-diagnostics
// One case per diagnostic of weir-place-pipeline.

func.func @m(%x: tensor<?x28x28x1xf32>) -> tensor<?x28x28x1xf32> {
  %0 = weir.relu %x : tensor<?x28x28x1xf32> -> tensor<?x28x28x1xf32>
  return %0 : tensor<?x28x28x1xf32>
}
// expected-note @+1 {{the training data}}
weir.pipeline @train {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  %3 = weir.map %2 {parallel = 3 : i64} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<28x28x1xf32>, tensor<i32>> {
  ^bb0(%x: tensor<?x28x28x1xui8>, %y: tensor<?xi32>):
    %c = weir.cast %x to f32 : tensor<?x28x28x1xui8> -> tensor<?x28x28x1xf32>
    %r = weir.rescale %c scale 0.5 : tensor<?x28x28x1xf32> -> tensor<?x28x28x1xf32>
    weir.map_yield %r, %y : tensor<?x28x28x1xf32>, tensor<?xi32>
  }
  %4 = weir.shuffle %3 {buffer_size = 100 : i64, reshuffle_each_epoch = true} : !weir.dataset<tensor<28x28x1xf32>, tensor<i32>> -> !weir.dataset<tensor<28x28x1xf32>, tensor<i32>>
  %5 = weir.batch %4 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xf32>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xf32>, tensor<?xi32>>
  weir.pipeline_yield %5 : !weir.dataset<tensor<?x28x28x1xf32>, tensor<?xi32>>
}
// expected-error @+1 {{the training and validation data feed the same model, so they must map their images alike (their maps are compiled into it); put the preprocessing in the model instead}}
weir.pipeline @test {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  %3 = weir.map %2 {parallel = 3 : i64} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<28x28x1xf32>, tensor<i32>> {
  ^bb0(%x: tensor<?x28x28x1xui8>, %y: tensor<?xi32>):
    %c = weir.cast %x to f32 : tensor<?x28x28x1xui8> -> tensor<?x28x28x1xf32>
    %r = weir.rescale %c scale 0.25 : tensor<?x28x28x1xf32> -> tensor<?x28x28x1xf32>
    weir.map_yield %r, %y : tensor<?x28x28x1xf32>, tensor<?xi32>
  }
  %4 = weir.shuffle %3 {buffer_size = 100 : i64, reshuffle_each_epoch = true} : !weir.dataset<tensor<28x28x1xf32>, tensor<i32>> -> !weir.dataset<tensor<28x28x1xf32>, tensor<i32>>
  %5 = weir.batch %4 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xf32>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xf32>, tensor<?xi32>>
  weir.pipeline_yield %5 : !weir.dataset<tensor<?x28x28x1xf32>, tensor<?xi32>>
}
weir.train_config @m {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, data = @train, validate = "test"}

// -----

func.func @m(%x: tensor<?x28x28x1xf32>) -> tensor<?x28x28x1xf32> {
  %0 = weir.relu %x : tensor<?x28x28x1xf32> -> tensor<?x28x28x1xf32>
  return %0 : tensor<?x28x28x1xf32>
}
// expected-error @+1 {{data 'train' yields 'tensor<?x28x28x1xui8>', but model 'm' takes 'tensor<?x28x28x1xf32>' (declare the input u8, as the decoded images are, or add map(cast(f32)))}}
weir.pipeline @train {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  %5 = weir.batch %2 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %5 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
}
weir.train_config @m {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, data = @train}

// -----

func.func @m(%x: tensor<?x28x28x1xui8>) -> tensor<?x28x28x1xf32> {
  %0 = weir.cast %x to f32 : tensor<?x28x28x1xui8> -> tensor<?x28x28x1xf32>
  return %0 : tensor<?x28x28x1xf32>
}
weir.pipeline @train {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  // expected-error @+1 {{the maps yield 'tensor<?x28x28x1xf32>', but model 'm' takes 'tensor<?x28x28x1xui8>'}}
  %3 = weir.map %2 {parallel = 0 : i64} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<28x28x1xf32>, tensor<i32>> {
  ^bb0(%x: tensor<?x28x28x1xui8>, %y: tensor<?xi32>):
    %c = weir.cast %x to f32 : tensor<?x28x28x1xui8> -> tensor<?x28x28x1xf32>
    weir.map_yield %c, %y : tensor<?x28x28x1xf32>, tensor<?xi32>
  }
  %5 = weir.batch %3 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xf32>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xf32>, tensor<?xi32>>
  weir.pipeline_yield %5 : !weir.dataset<tensor<?x28x28x1xf32>, tensor<?xi32>>
}
weir.train_config @m {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, data = @train}

// -----

func.func @m(%x: tensor<?x28x28x1xui8>) -> tensor<?x28x28x1xui8> {
  return %x : tensor<?x28x28x1xui8>
}
weir.pipeline @train {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  %5 = weir.batch %2 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %5 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
}
// expected-error @+1 {{data pipelines yield integer class labels, which sparse_categorical_crossentropy takes; the loss is mean_squared_error}}
weir.train_config @m {loss = #weir.loss<mean_squared_error>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, data = @train}

// -----

func.func @m(%x: tensor<?x28x28x1xui8>) -> tensor<?x28x28x1xui8> {
  return %x : tensor<?x28x28x1xui8>
}
// expected-error @+1 {{data 'train' has no labels (labels: none), so it cannot train or validate a model}}
weir.pipeline @train {
  %0 = weir.list_files "d" {labels = "none"} : !weir.dataset<!weir.string>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string> -> !weir.dataset<!weir.string>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string> -> !weir.dataset<tensor<28x28x1xui8>>
  %3 = weir.batch %2 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>> -> !weir.dataset<tensor<?x28x28x1xui8>>
  weir.pipeline_yield %3 : !weir.dataset<tensor<?x28x28x1xui8>>
}
weir.train_config @m {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, data = @train}

// -----

func.func @m(%x: tensor<?x28x28x1xui8>, %z: tensor<?x4xf32>) -> tensor<?x28x28x1xui8> {
  return %x : tensor<?x28x28x1xui8>
}
weir.pipeline @train {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  %5 = weir.batch %2 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %5 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
}
// expected-error @+1 {{a model trained on a data pipeline takes one input (the images); 'm' takes 2}}
weir.train_config @m {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, data = @train}

// -----

func.func @m(%x: tensor<?x28x28x1xui8>) -> tensor<?x28x28x1xui8> {
  return %x : tensor<?x28x28x1xui8>
}
weir.pipeline @train {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  // expected-error @+1 {{this map changes the labels; only the images can be mapped}}
  %3 = weir.map %2 {parallel = 0 : i64} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<28x28x1xui8>> {
  ^bb0(%x: tensor<?x28x28x1xui8>, %y: tensor<?xi32>):
    weir.map_yield %x, %x : tensor<?x28x28x1xui8>, tensor<?x28x28x1xui8>
  }
  %5 = weir.batch %3 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>, tensor<28x28x1xui8>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?x28x28x1xui8>>
  weir.pipeline_yield %5 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?x28x28x1xui8>>
}
weir.train_config @m {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, data = @train}
