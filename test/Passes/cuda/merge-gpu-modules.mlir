// RUN: weir-opt %s -split-input-file -weir-merge-gpu-modules -verify-diagnostics -allow-unregistered-dialect | FileCheck %s
// Every kernel ends up in the first gpu.module; a name that collides is
// renamed, and each launch follows its kernel.

// CHECK: gpu.module @k0
// CHECK-DAG: gpu.func @f(
// CHECK-DAG: gpu.func @g(
// CHECK-DAG: gpu.func @f_0(
// CHECK-NOT: gpu.module
// CHECK-LABEL: func.func @host(
// CHECK: gpu.launch_func @k0::@f
// CHECK: gpu.launch_func @k0::@g
// CHECK: gpu.launch_func @k0::@f_0
module attributes {gpu.container_module} {
  gpu.module @k0 {
    gpu.func @f(%a: memref<4xf32>) kernel { gpu.return }
  }
  gpu.module @k1 {
    gpu.func @g(%a: memref<4xf32>) kernel { gpu.return }
  }
  gpu.module @k2 {
    gpu.func @f(%a: memref<4xf32>) kernel { gpu.return }
  }
  func.func @host(%a: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    gpu.launch_func @k0::@f blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    gpu.launch_func @k1::@g blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    gpu.launch_func @k2::@f blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<4xf32>)
    return
  }
}

// -----

// An op that is neither a symbol nor the terminator cannot be merged.
module attributes {gpu.container_module} {
  gpu.module @a {
    gpu.func @f() kernel { gpu.return }
  }
  gpu.module @b {
    // expected-error @+1 {{cannot merge this op into one gpu.module}}
    "test.unknown"() : () -> ()
  }
}
