// RUN: weir-opt %s -split-input-file -verify-diagnostics
// One case per manifest diagnostic, named after the constraint of
// docs/spec.md ("Function manifests") it breaks.

// expected-error @+1 {{'func.func' op has a train manifest, but argument 1 has no weir.slot}}
func.func @manifest_m1(%x: tensor<?x4xf32> {weir.slot = #weir.slot<input>},
                       %t: tensor<?xi32>)
    attributes {weir.manifest = #weir.manifest<train>} {
  return
}

// -----

// expected-error @+1 {{a 'param' slot needs a name}}
func.func @manifest_m2_name(%k: tensor<4xf32> {weir.slot = #weir.slot<param>}) {
  return
}

// -----

// expected-error @+1 {{a 'rng' slot has no name}}
func.func @manifest_m2_none(%r: tensor<i64> {weir.slot = #weir.slot<rng, "r">}) {
  return
}

// -----

// expected-error @+1 {{'func.func' op has more than one 'target' argument}}
func.func @manifest_m3(%a: tensor<?xi32> {weir.slot = #weir.slot<target>},
                       %b: tensor<?xi32> {weir.slot = #weir.slot<target>})
    attributes {weir.manifest = #weir.manifest<eval>} {
  return
}

// -----

// expected-error @+1 {{'func.func' op has a 'loss' slot on argument 0; it belongs on the results}}
func.func @manifest_m4(%l: tensor<f32> {weir.slot = #weir.slot<loss>})
    attributes {weir.manifest = #weir.manifest<eval>} {
  return
}

// -----

// expected-error @+1 {{'func.func' op has two 'param' arguments named 'k'}}
func.func @manifest_m5(%a: tensor<4xf32> {weir.slot = #weir.slot<param, "k">},
                       %b: tensor<4xf32> {weir.slot = #weir.slot<param, "k">})
    attributes {weir.manifest = #weir.manifest<probe>} {
  return
}

// -----

// expected-error @+1 {{'func.func' op has a 'learning_rate' argument of rank 1; it is a 0-d tensor}}
func.func @manifest_m6(%lr: tensor<1xf32> {weir.slot = #weir.slot<learning_rate>})
    attributes {weir.manifest = #weir.manifest<apply>} {
  return
}

// -----

// expected-error @+1 {{'func.func' op has a 'updates' slot for 'b', which is not a parameter argument}}
func.func @manifest_m7(%k: tensor<4xf32> {weir.slot = #weir.slot<param, "k">})
    -> (tensor<4xf32> {weir.slot = #weir.slot<updates, "b">})
    attributes {weir.manifest = #weir.manifest<apply>} {
  return %k : tensor<4xf32>
}

// -----

// expected-error @+1 {{weir.manifest is a #weir.manifest on a function}}
func.func @manifest_kind() attributes {weir.manifest = 1 : i64} {
  return
}
