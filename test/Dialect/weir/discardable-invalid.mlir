// RUN: weir-opt %s -split-input-file -verify-diagnostics -allow-unregistered-dialect
// The discardable attributes that passes leave for later passes and the
// runtime hold what their generated helpers read (docs/spec.md,
// "Discardable attributes").

// expected-error @+1 {{weir.placement must be a string}}
func.func @placement() attributes {weir.placement = 1 : i64} {
  return
}

// -----

// expected-error @+1 {{weir.dropped_results must be a dictionary on a module}}
func.func @dropped() attributes {weir.dropped_results = {}} {
  return
}

// -----

// expected-error @+1 {{weir.differentiate must be a unit attribute on a function}}
module attributes {weir.differentiate} {
}

// -----

// expected-error @+1 {{weir.in_place_updates must be a unit attribute on a function}}
func.func @in_place() attributes {weir.in_place_updates = true} {
  return
}

// -----

func.func @vectorize() {
  // expected-error @+1 {{weir.vectorize must be a unit attribute}}
  "test.op"() {weir.vectorize = "yes"} : () -> ()
  return
}

// -----

// The well-formed ones verify.
module attributes {weir.dropped_results = {f = array<i64: 0>}} {
  func.func @f() attributes {weir.differentiate, weir.in_place_updates, weir.placement = "host"} {
    return
  }
}

// -----

func.func @compute_type(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{weir.compute_type must be f32, bf16 or f16 on a weir op}}
  %0 = weir.relu %x {weir.compute_type = i32} : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{weir.compute_type must be f32, bf16 or f16 on a weir op}}
func.func @compute_type_on_function() attributes {weir.compute_type = f32} {
  return
}

// -----

// expected-error @+1 {{weir.loss_scale must be a parameter's symbol on a function}}
func.func @loss_scale_not_a_symbol() attributes {weir.loss_scale = 1.0} {
  return
}
