// RUN: weir-opt %s -split-input-file -weir-auto-mixed-precision=precision=mixed_bfloat16 -verify-diagnostics
// RUN: not weir-opt %s -weir-auto-mixed-precision=precision=mixed_bf16 2>&1 | FileCheck %s --check-prefix=NAME

// NAME: unknown precision 'mixed_bf16' (expected one of float32, mixed_bfloat16, mixed_float16)

// An op the table does not name is an error, not a silent f32.
func.func @unknown(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{weir-auto-mixed-precision has no rule for 'math.exp'}}
  %0 = math.exp %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

