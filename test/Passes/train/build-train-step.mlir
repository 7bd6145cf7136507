// RUN: weir-opt %s -split-input-file -weir-build-train-step | FileCheck %s

weir.parameter @k : tensor<4x3xf32> init <glorot_uniform>
weir.parameter @b : tensor<3xf32> init <zeros>

func.func @m(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
  %k = weir.load_param @k : tensor<4x3xf32>
  %b = weir.load_param @b : tensor<3xf32>
  %0 = weir.dense %x, %k, %b : (tensor<?x4xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %1 = weir.dropout %0 rate 5.000000e-01 : (tensor<?x3xf32>) -> tensor<?x3xf32>
  %2 = weir.softmax %1 : tensor<?x3xf32> -> tensor<?x3xf32>
  return %2 : tensor<?x3xf32>
}
weir.train_config @m {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [#weir.metric<accuracy>], epochs = 1 : i64, batch_size = 8 : i64}

// Adam's two slots per trainable parameter, declared after it, zeroed,
// non-trainable.
// CHECK: weir.parameter @k :
// CHECK-NEXT: weir.parameter @"k/adam_v" : tensor<4x3xf32> init <zeros> non_trainable
// CHECK-NEXT: weir.parameter @"k/adam_m" : tensor<4x3xf32> init <zeros> non_trainable

// The model itself is unchanged (inference: dropout stays).
// CHECK-LABEL: func.func @m(
// CHECK: weir.dropout

// Training mode: dropout is a mask keyed by the rng argument; the softmax
// output feeds the loss as logits (from_logits), so the softmax is dead.
// CHECK-LABEL: func.func @m_train(
// CHECK-SAME: {weir.slot = #weir.slot<input>}
// CHECK-SAME: %[[T:.*]]: tensor<?xi32> {weir.slot = #weir.slot<target>}
// CHECK-SAME: %[[R:.*]]: tensor<i64> {weir.slot = #weir.slot<rng>}
// CHECK-SAME: -> (tensor<f32> {weir.slot = #weir.slot<loss>}, tensor<f32> {weir.slot = #weir.slot<correct>})
// CHECK-SAME: weir.differentiate, weir.manifest = #weir.manifest<train>
// CHECK: %[[D:.*]] = weir.dense
// CHECK: %[[MASK:.*]] = weir.dropout_mask %[[D]], %[[R]] rate 5.000000e-01 salt 1
// CHECK: %[[Y:.*]] = weir.mul %[[D]], %[[MASK]]
// CHECK: %[[L:.*]] = weir.sparse_categorical_crossentropy %[[Y]], %[[T]] from_logits
// CHECK: %[[C:.*]] = weir.correct_count %[[Y]], %[[T]] from_logits
// CHECK: return %[[L]], %[[C]]

// The probe: the training-mode forward pass returning every layer's output,
// named by op and place, for diagnosing a diverging loss.
// CHECK-LABEL: func.func @m_probe(
// CHECK-SAME: {weir.slot = #weir.slot<rng>}
// CHECK-SAME: -> (tensor<?x3xf32> {weir.slot = #weir.slot<layer, "weir.dense at {{.*}}build-train-step.mlir:9:{{[0-9]+}}">}, tensor<?x3xf32> {weir.slot = #weir.slot<layer, "weir.mul at
// CHECK: weir.dropout_mask

// Evaluation: inference mode, same loss.
// CHECK-LABEL: func.func @m_eval(
// CHECK: weir.dropout
// CHECK: weir.sparse_categorical_crossentropy {{.*}} from_logits

// The update: one op per parameter; results name what they update.
// CHECK-LABEL: func.func @m_apply(
// CHECK-SAME: %[[GK:.*]]: tensor<4x3xf32> {weir.slot = #weir.slot<grad, "k">}, %[[GB:.*]]: tensor<3xf32> {weir.slot = #weir.slot<grad, "b">}, %[[LR:.*]]: tensor<f32> {weir.slot = #weir.slot<learning_rate>}, %[[IT:.*]]: tensor<f32> {weir.slot = #weir.slot<iteration>}
// CHECK-SAME: {weir.slot = #weir.slot<updates, "k">}, {{.*}} {weir.slot = #weir.slot<updates, "k/adam_m">}, {{.*}} {weir.slot = #weir.slot<updates, "k/adam_v">}
// CHECK-SAME: weir.manifest = #weir.manifest<apply>
// CHECK: weir.apply_adam {{.*}}, %[[GK]], {{.*}}, %[[LR]], %[[IT]] :
// CHECK: weir.apply_adam {{.*}}, %[[GB]],

// -----

// SGD with Nesterov momentum keeps one velocity per parameter; without a
// train_config the pass would do nothing.
weir.parameter @w : tensor<2x2xf32> init <zeros>
func.func @lin(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %w = weir.load_param @w : tensor<2x2xf32>
  %0 = weir.dense %x, %w : (tensor<?x2xf32>, tensor<2x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
weir.train_config @lin {loss = #weir.loss<mean_squared_error>, optimizer = #weir.optimizer<sgd, momentum = 9.000000e-01, nesterov = true>, metrics = [], epochs = 1 : i64, batch_size = 8 : i64}

// CHECK: weir.parameter @"w/sgd_velocity" : tensor<2x2xf32> init <zeros> non_trainable
// CHECK-LABEL: func.func @lin_train(
// CHECK-SAME: %{{.*}}: tensor<?x2xf32> {weir.slot = #weir.slot<target>}
// CHECK: weir.mean_squared_error
// CHECK-LABEL: func.func @lin_apply(
// CHECK: weir.apply_sgd {{.*}} momentum 9.000000e-01 nesterov

// -----

// mixed_float16: the loss scale and its counters are non-trainable 0-d f32
// parameters (the dynamic scale starts at 2^15, or at loss_scale), and the
// training function names the scale for weir-differentiate.
weir.parameter @k : tensor<4x3xf32> init <glorot_uniform>

func.func @m(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
  %k = weir.load_param @k : tensor<4x3xf32>
  %0 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
weir.train_config @m {loss = #weir.loss<mean_squared_error>, optimizer = #weir.optimizer<sgd>, metrics = [], epochs = 1 : i64, batch_size = 8 : i64, precision = #weir.precision<mixed_float16>, loss_scale = 1.024000e+03}

// CHECK-DAG: weir.parameter @"loss_scale/scale" : tensor<f32> init <constant(1.024000e+03 : f64)> non_trainable
// CHECK-DAG: weir.parameter @"loss_scale/good_steps" : tensor<f32> init <zeros> non_trainable
// CHECK-DAG: weir.parameter @"loss_scale/skipped_steps" : tensor<f32> init <zeros> non_trainable
// CHECK-LABEL: func.func @m_train(
// CHECK-SAME: weir.loss_scale = @"loss_scale/scale"

// -----

// Other policies have no loss scale.
weir.parameter @k : tensor<4x3xf32> init <glorot_uniform>

func.func @m(%x: tensor<?x4xf32>) -> tensor<?x3xf32> {
  %k = weir.load_param @k : tensor<4x3xf32>
  %0 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
weir.train_config @m {loss = #weir.loss<mean_squared_error>, optimizer = #weir.optimizer<sgd>, metrics = [], epochs = 1 : i64, batch_size = 8 : i64, precision = #weir.precision<mixed_bfloat16>}

// CHECK-NOT: loss_scale
