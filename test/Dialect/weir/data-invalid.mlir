// RUN: weir-opt %s -split-input-file -verify-diagnostics -allow-unregistered-dialect
// One case per diagnostic of the input-pipeline ops; each is named after the
// constraint in docs/spec.md (## Input pipelines) that it breaks.

weir.pipeline @data_c1_labels {
  // expected-error @+1 {{labels must be "inferred" or "none", got "maybe"}}
  %0 = weir.list_files "d" {labels = "maybe"} : !weir.dataset<!weir.string, tensor<i32>>
  weir.pipeline_yield %0 : !weir.dataset<!weir.string, tensor<i32>>
}

// -----

weir.pipeline @data_c1_split_range {
  // expected-error @+1 {{validation_split must be in (0, 1), got 1.5}}
  %0 = weir.list_files "d" {labels = "inferred", validation_split = 1.5 : f64, subset = "training", seed = 1 : i64} : !weir.dataset<!weir.string, tensor<i32>>
  weir.pipeline_yield %0 : !weir.dataset<!weir.string, tensor<i32>>
}

// -----

weir.pipeline @data_c1_split_needs_subset {
  // expected-error @+1 {{validation_split needs a subset}}
  %0 = weir.list_files "d" {labels = "inferred", validation_split = 0.5 : f64} : !weir.dataset<!weir.string, tensor<i32>>
  weir.pipeline_yield %0 : !weir.dataset<!weir.string, tensor<i32>>
}

// -----

weir.pipeline @data_c1_subset_needs_split {
  // expected-error @+1 {{subset needs a validation_split}}
  %0 = weir.list_files "d" {labels = "inferred", subset = "training"} : !weir.dataset<!weir.string, tensor<i32>>
  weir.pipeline_yield %0 : !weir.dataset<!weir.string, tensor<i32>>
}

// -----

weir.pipeline @data_c1_subset_name {
  // expected-error @+1 {{subset must be "training" or "validation", got "test"}}
  %0 = weir.list_files "d" {labels = "inferred", validation_split = 0.5 : f64, subset = "test", seed = 1 : i64} : !weir.dataset<!weir.string, tensor<i32>>
  weir.pipeline_yield %0 : !weir.dataset<!weir.string, tensor<i32>>
}

// -----

weir.pipeline @data_c1_directory {
  // expected-error @+1 {{needs a directory}}
  %0 = weir.list_files "" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  weir.pipeline_yield %0 : !weir.dataset<!weir.string, tensor<i32>>
}

// -----

weir.pipeline @data_c2 {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  // expected-error @+1 {{needs file paths (!weir.string) as its first component, got 'tensor<28x28x1xui8>'}}
  %3 = weir.read_file %2 : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  %9 = weir.batch %3 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %9 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
}

// -----

weir.pipeline @data_c3_color {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  // expected-error @+1 {{color must be "grayscale", "rgb" or "rgba", got "cmyk"}}
  %2 = weir.decode_png %1 {color = "cmyk"} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  %9 = weir.batch %2 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %9 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
}

// -----

weir.pipeline @data_c3_size {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  // expected-error @+1 {{size must be [height, width], both positive}}
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 0, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  %9 = weir.batch %2 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %9 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
}

// -----

weir.pipeline @data_c3_type {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  // expected-error @+1 {{result type '!weir.dataset<tensor<28x28x3xui8>, tensor<i32>>' differs from the computed '!weir.dataset<tensor<28x28x1xui8>, tensor<i32>>'}}
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x3xui8>, tensor<i32>>
  weir.pipeline_yield %2 : !weir.dataset<tensor<28x28x3xui8>, tensor<i32>>
}

// -----

weir.pipeline @data_c4_interpolation {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  // expected-error @+1 {{interpolation must be "bilinear" or "nearest", got "cubic"}}
  %3 = weir.resize %2 {interpolation = "cubic", size = array<i64: 28, 28>} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  %9 = weir.batch %3 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %9 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
}

// -----

weir.pipeline @data_c4_images {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  // expected-error @+1 {{resize needs decoded images (u8 [height, width, channels]) as its first component, got '!weir.string'}}
  %1 = weir.resize %0 {interpolation = "nearest", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  weir.pipeline_yield %1 : !weir.dataset<!weir.string, tensor<i32>>
}

// -----

weir.pipeline @data_c5_args {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  // expected-error @+1 {{body argument #0 must be the batched component 'tensor<?x28x28x1xui8>', got 'tensor<28x28x1xui8>'}}
  %3 = weir.map %2 {parallel = 0 : i64} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> {
  ^bb0(%a: tensor<28x28x1xui8>, %b: tensor<?xi32>):
    weir.map_yield %a, %b : tensor<28x28x1xui8>, tensor<?xi32>
  }
  %9 = weir.batch %3 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %9 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
}

// -----

weir.pipeline @data_c5_parallel {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  // expected-error @+1 {{parallel must be auto (0) or a positive number of threads, got -1}}
  %3 = weir.map %2 {parallel = -1 : i64} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> {
  ^bb0(%a: tensor<?x28x28x1xui8>, %b: tensor<?xi32>):
    weir.map_yield %a, %b : tensor<?x28x28x1xui8>, tensor<?xi32>
  }
  %9 = weir.batch %3 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %9 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
}

// -----

weir.pipeline @data_c6 {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  // expected-error @+1 {{a map applies to each example alone; 'weir.load_param' uses parameters or batch statistics and belongs in the model}}
  %3 = weir.map %2 {parallel = 0 : i64} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> {
  ^bb0(%a: tensor<?x28x28x1xui8>, %b: tensor<?xi32>):
    %p = weir.load_param @w : tensor<1xf32>
    weir.map_yield %a, %b : tensor<?x28x28x1xui8>, tensor<?xi32>
  }
  %9 = weir.batch %3 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %9 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
}

// -----

weir.pipeline @data_c7_size {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  // expected-error @+1 {{batch_size must be positive, got 0}}
  %9 = weir.batch %2 {batch_size = 0 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %9 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
}

// -----

weir.pipeline @data_c7_static {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale"} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<?x?x1xui8>, tensor<i32>>
  // expected-error @+1 {{can only batch tensors with a static shape (decode, and resize images of varying size, first), got 'tensor<?x?x1xui8>'}}
  %9 = weir.batch %2 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<?x?x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %9 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
}

// -----

weir.pipeline @data_c8_shuffle {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  // expected-error @+1 {{buffer_size must be positive, got 0}}
  %3 = weir.shuffle %2 {buffer_size = 0 : i64, reshuffle_each_epoch = true} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  %9 = weir.batch %3 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %9 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
}

// -----

weir.pipeline @data_c8_repeat {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  // expected-error @+1 {{count must be positive, got 0}}
  %3 = weir.repeat %2 {count = 0 : i64} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  %9 = weir.batch %3 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %9 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
}

// -----

weir.pipeline @data_c8_prefetch {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  // expected-error @+1 {{buffer_size must be auto (0) or positive, got -2}}
  %3 = weir.prefetch %2 {buffer_size = -2 : i64} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  %9 = weir.batch %3 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %9 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
}

// -----

weir.pipeline @data_c8_cache {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  // expected-error @+1 {{filename must not be empty (omit it to cache in memory)}}
  %3 = weir.cache %2 {filename = ""} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  %9 = weir.batch %3 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %9 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
}

// -----

weir.pipeline @data_c8_interleave {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  // expected-error @+1 {{cycle_length must be auto (0) or positive, and block_length positive}}
  %1 = weir.interleave %0 {block_length = 0 : i64, cycle_length = 1 : i64} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  weir.pipeline_yield %1 : !weir.dataset<!weir.string, tensor<i32>>
}

// -----

// expected-error @+1 {{must start with weir.list_files}}
weir.pipeline @data_c9_start {
  %0 = "test.source"() : () -> !weir.dataset<!weir.string, tensor<i32>>
  weir.pipeline_yield %0 : !weir.dataset<!weir.string, tensor<i32>>
}

// -----

// expected-error @+1 {{must batch its examples exactly once, found 0 weir.batch stages}}
weir.pipeline @data_c9_batch {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  weir.pipeline_yield %2 : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
}

// -----

weir.pipeline @data_c9_interleave {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  // expected-error @+1 {{interleaves the listed files, so it must come right after the listing}}
  %3 = weir.interleave %2 {block_length = 1 : i64, cycle_length = 1 : i64} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  %9 = weir.batch %3 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %9 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
}

// -----

weir.pipeline @data_c9_chain {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
  // expected-error @+1 {{must read the dataset of the stage before it}}
  %3 = weir.shuffle %1 {buffer_size = 4 : i64, reshuffle_each_epoch = true} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  weir.pipeline_yield %3 : !weir.dataset<!weir.string, tensor<i32>>
}

// -----

func.func @m(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
// expected-error @+1 {{data '@nowhere' does not name a weir.pipeline}}
weir.train_config @m {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, data = @nowhere}
