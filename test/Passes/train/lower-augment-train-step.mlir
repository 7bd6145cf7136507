// RUN: weir-opt %s -weir-build-train-step | FileCheck %s
// weir-build-train-step gives the training and probe functions of a model
// with augmentations two more arguments, the unmixed step key and the
// replica's first row in the batch, and makes every augmentation read them
// (with a salt: its seed, or its position). @m and @m_eval keep the
// inference form.

weir.parameter @k : tensor<128x3xf32> init <glorot_uniform>

func.func @m(%x: tensor<?x8x8x2xf32>) -> tensor<?x3xf32> {
  %0 = weir.random_flip %x mode horizontal seed 7 : (tensor<?x8x8x2xf32>) -> tensor<?x8x8x2xf32>
  %1 = weir.random_zoom %0 height_factor [-0.1, 0.1] : (tensor<?x8x8x2xf32>) -> tensor<?x8x8x2xf32>
  %2 = weir.flatten %1 : tensor<?x8x8x2xf32> -> tensor<?x128xf32>
  %k = weir.load_param @k : tensor<128x3xf32>
  %3 = weir.dense %2, %k : (tensor<?x128xf32>, tensor<128x3xf32>) -> tensor<?x3xf32>
  return %3 : tensor<?x3xf32>
}
weir.train_config @m {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<sgd>, metrics = [], epochs = 1 : i64, batch_size = 8 : i64}

// CHECK-LABEL: func.func @m(
// CHECK: weir.random_flip %{{.*}} mode horizontal seed 7 : (tensor<?x8x8x2xf32>)

// CHECK-LABEL: func.func @m_train(
// CHECK-SAME: {weir.slot = #weir.slot<target>}, %{{.*}}: tensor<i64> {weir.slot = #weir.slot<rng>}, %[[K:.*]]: tensor<i64> {weir.slot = #weir.slot<augment_key>}, %[[O:.*]]: tensor<i64> {weir.slot = #weir.slot<example_offset>})
// CHECK: weir.random_flip %{{.*}}, %[[K]], %[[O]] mode horizontal seed 7 :
// CHECK: weir.random_zoom %{{.*}}, %[[K]], %[[O]] height_factor [-1.000000e-01, 1.000000e-01] seed 2 :
// CHECK: weir.sparse_categorical_crossentropy

// CHECK-LABEL: func.func @m_probe(
// CHECK-SAME: {weir.slot = #weir.slot<rng>}, %[[PK:.*]]: tensor<i64> {weir.slot = #weir.slot<augment_key>}, %[[PO:.*]]: tensor<i64> {weir.slot = #weir.slot<example_offset>})
// CHECK: weir.random_flip %{{.*}}, %[[PK]], %[[PO]]

// CHECK-LABEL: func.func @m_eval(
// CHECK-NOT: augment_key
// CHECK: weir.random_flip %{{.*}} mode horizontal seed 7 : (tensor<?x8x8x2xf32>)
