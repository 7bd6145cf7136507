// RUN: weir-opt %s -split-input-file -verify-diagnostics -weir-verify-model | FileCheck %s

// A fully typed model passes unchanged.
// CHECK-LABEL: func @ok
// CHECK: weir.dense
weir.parameter @w : tensor<4x2xf32> init <zeros>
func.func @ok(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %w = weir.load_param @w : tensor<4x2xf32>
  %0 = weir.dense %x, %w : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// model_c1: only the batch dimension may be dynamic.
func.func @model_c1_result(%x: tensor<?x4x4x1xf32>) -> tensor<?x?xf32> {
  // expected-error @+1 {{result #0 has type 'tensor<?x?xf32>' (only the batch dimension may be dynamic; run weir-infer-shapes, or give the model input a full shape)}}
  %0 = weir.flatten %x : tensor<?x4x4x1xf32> -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Reported once, where the shape is lost, not at each op downstream.
// expected-error @+1 {{model input #0 has type 'tensor<?x?xf32>'}}
func.func @model_c1_input(%x: tensor<?x?xf32>) -> tensor<?x?xf32> {
  %0 = weir.relu %x : tensor<?x?xf32> -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Functions without weir ops are not models and are not checked.
// CHECK-LABEL: func @not_a_model
func.func @not_a_model(%x: tensor<*xf32>) -> tensor<*xf32> {
  return %x : tensor<*xf32>
}

// -----

// model_c2: dropout seeds are distinct within a function.
func.func @model_c2(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-note @+1 {{first used here}}
  %0 = weir.dropout %x rate 0.5 seed 3 : (tensor<?x8xf32>) -> tensor<?x8xf32>
  // expected-warning @+1 {{dropout seed 3 is already used in this function; both ops will drop the same positions}}
  %1 = weir.dropout %0 rate 0.5 seed 3 : (tensor<?x8xf32>) -> tensor<?x8xf32>
  %2 = weir.dropout %1 rate 0.5 seed 4 : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %2 : tensor<?x8xf32>
}

// -----

// model_c3: every parameter is read (a warning that an option turns off).
// expected-warning @+1 {{parameter 'unused' is never read}}
weir.parameter @unused : tensor<2xf32> init <ones>
weir.parameter @used : tensor<2xf32> init <ones>
func.func @model_c3(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %s = weir.load_param @used : tensor<2xf32>
  %0 = weir.batch_norm %x, %s, %s, %s, %s : (tensor<?x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}
