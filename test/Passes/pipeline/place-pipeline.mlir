// RUN: weir-opt %s -split-input-file -weir-place-pipeline | FileCheck %s
// The maps of the pipelines that feed the trained model move into it; the
// model then takes the decoded u8 images, the pipelines lose their maps, and
// the datasets after them are retyped. Everything left is host work.

// CHECK-LABEL: func.func @m(
// CHECK-SAME: %[[X:.*]]: tensor<?x28x28x1xui8>) -> tensor<?x28x28x1xf32>
// CHECK-NEXT: %[[C:.*]] = weir.cast %[[X]] to f32 {weir.placement = "step"}
// CHECK-NEXT: %[[R:.*]] = weir.rescale %[[C]] scale 5.000000e-01 {weir.placement = "step"}
// CHECK-NEXT: weir.relu %[[R]]
// CHECK-LABEL: weir.pipeline @train
// CHECK: weir.decode_png {{.*}}parallel = 3 : i64{{.*}}weir.placement = "host"
// CHECK-NOT: weir.map
// CHECK: weir.shuffle {{.*}} : <tensor<28x28x1xui8>, tensor<i32>> -> <tensor<28x28x1xui8>, tensor<i32>>
// CHECK: weir.batch {{.*}} -> <tensor<?x28x28x1xui8>, tensor<?xi32>>
// CHECK-LABEL: weir.pipeline @test
// CHECK-NOT: weir.map
// CHECK: weir.batch {{.*}} -> <tensor<?x28x28x1xui8>, tensor<?xi32>>
func.func @m(%x: tensor<?x28x28x1xf32>) -> tensor<?x28x28x1xf32> {
  %0 = weir.relu %x : tensor<?x28x28x1xf32> -> tensor<?x28x28x1xf32>
  return %0 : tensor<?x28x28x1xf32>
}
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
weir.pipeline @test {
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
  %5 = weir.batch %4 {batch_size = 64 : i64, drop_remainder = false} : !weir.dataset<tensor<28x28x1xf32>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xf32>, tensor<?xi32>>
  weir.pipeline_yield %5 : !weir.dataset<tensor<?x28x28x1xf32>, tensor<?xi32>>
}
weir.train_config @m {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, data = @train, validate = "test"}

// -----

// Without maps, nothing moves; a pipeline no model trains on keeps its map,
// marked unused.
// CHECK-LABEL: func.func @m(
// CHECK-SAME: tensor<?x28x28x1xui8>
// CHECK-LABEL: weir.pipeline @train
// CHECK: weir.batch {{.*}}weir.placement = "host"
// CHECK-LABEL: weir.pipeline @other
// CHECK: weir.map {{.*}}weir.placement = "unused"
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
weir.pipeline @other {
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
weir.train_config @m {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, data = @train}
