// RUN: weir-opt %s | weir-opt | FileCheck %s
// Every pipeline stage parses, verifies and prints back; the dataset types
// follow the stages (decode gives u8 images, batch adds a dynamic batch).

// CHECK-LABEL: weir.pipeline @train
// CHECK: weir.list_files "data/train" {labels = "inferred", seed = 3 : i64, subset = "training", validation_split = 2.500000e-01 : f64} : <!weir.string, tensor<i32>>
// CHECK: weir.interleave {{.*}} -> <!weir.string, tensor<i32>>
// CHECK: weir.read_file
// CHECK: weir.decode_png {{.*}} -> <tensor<?x?x3xui8>, tensor<i32>>
// CHECK: weir.resize {{.*}} -> <tensor<32x32x3xui8>, tensor<i32>>
// CHECK: weir.cache
// CHECK: weir.map {{.*}} -> <tensor<32x32x3xf32>, tensor<i32>>
// CHECK: weir.map_yield
// CHECK: weir.shuffle
// CHECK: weir.repeat
// CHECK: weir.batch {{.*}} -> <tensor<?x32x32x3xf32>, tensor<?xi32>>
// CHECK: weir.prefetch
// CHECK: weir.pipeline_yield
weir.pipeline @train {
  %0 = weir.list_files "data/train" {labels = "inferred", seed = 3 : i64, subset = "training", validation_split = 2.500000e-01 : f64} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.interleave %0 {block_length = 4 : i64, cycle_length = 2 : i64} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.read_file %1 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %3 = weir.decode_png %2 {color = "rgb"} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<?x?x3xui8>, tensor<i32>>
  %4 = weir.resize %3 {interpolation = "nearest", size = array<i64: 32, 32>} : !weir.dataset<tensor<?x?x3xui8>, tensor<i32>> -> !weir.dataset<tensor<32x32x3xui8>, tensor<i32>>
  %5 = weir.cache %4 {filename = "/tmp/c.cache"} : !weir.dataset<tensor<32x32x3xui8>, tensor<i32>> -> !weir.dataset<tensor<32x32x3xui8>, tensor<i32>>
  %6 = weir.map %5 {parallel = 2 : i64} : !weir.dataset<tensor<32x32x3xui8>, tensor<i32>> -> !weir.dataset<tensor<32x32x3xf32>, tensor<i32>> {
  ^bb0(%arg0: tensor<?x32x32x3xui8>, %arg1: tensor<?xi32>):
    %11 = weir.cast %arg0 to f32 : tensor<?x32x32x3xui8> -> tensor<?x32x32x3xf32>
    weir.map_yield %11, %arg1 : tensor<?x32x32x3xf32>, tensor<?xi32>
  }
  %7 = weir.shuffle %6 {buffer_size = 1000 : i64, reshuffle_each_epoch = false, seed = 7 : i64} : !weir.dataset<tensor<32x32x3xf32>, tensor<i32>> -> !weir.dataset<tensor<32x32x3xf32>, tensor<i32>>
  %8 = weir.repeat %7 {count = 2 : i64} : !weir.dataset<tensor<32x32x3xf32>, tensor<i32>> -> !weir.dataset<tensor<32x32x3xf32>, tensor<i32>>
  %9 = weir.batch %8 {batch_size = 64 : i64, drop_remainder = true} : !weir.dataset<tensor<32x32x3xf32>, tensor<i32>> -> !weir.dataset<tensor<?x32x32x3xf32>, tensor<?xi32>>
  %10 = weir.prefetch %9 {buffer_size = 3 : i64} : !weir.dataset<tensor<?x32x32x3xf32>, tensor<?xi32>> -> !weir.dataset<tensor<?x32x32x3xf32>, tensor<?xi32>>
  weir.pipeline_yield %10 : !weir.dataset<tensor<?x32x32x3xf32>, tensor<?xi32>>
}

// Unlabelled images, exact size (no resize).
// CHECK-LABEL: weir.pipeline @unlabelled
// CHECK: weir.list_files "images" {labels = "none"} : <!weir.string>
// CHECK: weir.decode_png {{.*}} -> <tensor<28x28x1xui8>>
weir.pipeline @unlabelled {
  %0 = weir.list_files "images" {labels = "none"} : !weir.dataset<!weir.string>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string> -> !weir.dataset<!weir.string>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>, parallel = 2 : i64} : !weir.dataset<!weir.string> -> !weir.dataset<tensor<28x28x1xui8>>
  %3 = weir.batch %2 {batch_size = 32 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xui8>> -> !weir.dataset<tensor<?x28x28x1xui8>>
  weir.pipeline_yield %3 : !weir.dataset<tensor<?x28x28x1xui8>>
}
