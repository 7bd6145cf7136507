// RUN: weir-opt %s -weir-drop-pipelines | FileCheck %s
// The data pipelines leave the module (the runtime has its copy); the train
// configuration stops naming them (train_config_c14); the model stays.

// CHECK-NOT: weir.pipeline
// CHECK-LABEL: func.func @m(
// CHECK: weir.train_config @m
// CHECK-NOT: data = @train
// CHECK-NOT: weir.pipeline
func.func @m(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = weir.relu %x : tensor<?x4xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
weir.pipeline @train {
  %0 = weir.list_files "d" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
  %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
  %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 2, 2>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<2x2x1xui8>, tensor<i32>>
  %3 = weir.batch %2 {batch_size = 8 : i64, drop_remainder = false} : !weir.dataset<tensor<2x2x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x2x2x1xui8>, tensor<?xi32>>
  weir.pipeline_yield %3 : !weir.dataset<tensor<?x2x2x1xui8>, tensor<?xi32>>
}
weir.train_config @m {loss = #weir.loss<mean_squared_error>, optimizer = #weir.optimizer<sgd, learning_rate = 1.000000e-02>, metrics = [], epochs = 1 : i64, batch_size = 8 : i64, data = @train}
