// RUN: weir-opt %s | weir-opt | FileCheck %s
// A training function's manifest and slots round-trip, and a valid lifted
// train/apply pair verifies (docs/spec.md, "Function manifests").

// CHECK-LABEL: func.func @m_train(
// CHECK-SAME: {weir.slot = #weir.slot<input>}
// CHECK-SAME: {weir.slot = #weir.slot<param, "k">}
// CHECK-SAME: -> (tensor<f32> {weir.slot = #weir.slot<loss>}, tensor<f32> {weir.slot = #weir.slot<correct>}, tensor<4x3xf32> {weir.slot = #weir.slot<grad, "k">})
// CHECK-SAME: attributes {weir.manifest = #weir.manifest<train>}
func.func @m_train(%x: tensor<?x4xf32> {weir.slot = #weir.slot<input>},
                   %t: tensor<?xi32> {weir.slot = #weir.slot<target>},
                   %r: tensor<i64> {weir.slot = #weir.slot<rng>},
                   %k: tensor<4x3xf32> {weir.slot = #weir.slot<param, "k">})
    -> (tensor<f32> {weir.slot = #weir.slot<loss>},
        tensor<f32> {weir.slot = #weir.slot<correct>},
        tensor<4x3xf32> {weir.slot = #weir.slot<grad, "k">})
    attributes {weir.manifest = #weir.manifest<train>} {
  %z = arith.constant dense<0.0> : tensor<f32>
  return %z, %z, %k : tensor<f32>, tensor<f32>, tensor<4x3xf32>
}

// CHECK-LABEL: func.func @m_apply(
// CHECK-SAME: #weir.slot<updates, "k/adam_m">
func.func @m_apply(%g: tensor<4x3xf32> {weir.slot = #weir.slot<grad, "k">},
                   %lr: tensor<f32> {weir.slot = #weir.slot<learning_rate>},
                   %it: tensor<f32> {weir.slot = #weir.slot<iteration>},
                   %k: tensor<4x3xf32> {weir.slot = #weir.slot<param, "k">},
                   %m: tensor<4x3xf32> {weir.slot = #weir.slot<param, "k/adam_m">})
    -> (tensor<4x3xf32> {weir.slot = #weir.slot<updates, "k">},
        tensor<4x3xf32> {weir.slot = #weir.slot<updates, "k/adam_m">})
    attributes {weir.manifest = #weir.manifest<apply>} {
  return %k, %m : tensor<4x3xf32>, tensor<4x3xf32>
}
