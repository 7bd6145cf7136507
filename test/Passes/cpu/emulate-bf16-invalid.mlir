// RUN: weir-opt %s --pass-pipeline='builtin.module(func.func(weir-emulate-bf16{rounding=fast}))' -verify-diagnostics -o /dev/null

// An unknown rounding mode is an error on each function.
// expected-error @below {{rounding must be expand, keep or host, not 'fast'}}
func.func @bad(%x: f32) -> bf16 {
  %0 = arith.truncf %x : f32 to bf16
  return %0 : bf16
}
