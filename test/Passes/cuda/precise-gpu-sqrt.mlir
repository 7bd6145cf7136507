// RUN: weir-opt %s --weir-precise-gpu-sqrt | FileCheck %s
// Square roots in kernels become libdevice's correctly rounded ones
// (sqrt.rn), vectors element by element; f16 and host code are left alone.

// CHECK-LABEL: gpu.module @kernels
// CHECK-DAG: llvm.func @__nv_fsqrt_rn(f32) -> f32
// CHECK-DAG: llvm.func @__nv_dsqrt_rn(f64) -> f64
gpu.module @kernels {
  // CHECK-LABEL: gpu.func @scalar
  // CHECK: llvm.call @__nv_fsqrt_rn(%{{.*}}) : (f32) -> f32
  // CHECK: llvm.call @__nv_dsqrt_rn(%{{.*}}) : (f64) -> f64
  // CHECK: math.sqrt %{{.*}} : f16
  gpu.func @scalar(%x: f32, %y: f64, %h: f16, %out: memref<f32>, %out64: memref<f64>, %out16: memref<f16>) kernel {
    %a = math.sqrt %x : f32
    %b = math.sqrt %y : f64
    %c = math.sqrt %h : f16
    memref.store %a, %out[] : memref<f32>
    memref.store %b, %out64[] : memref<f64>
    memref.store %c, %out16[] : memref<f16>
    gpu.return
  }
  // CHECK-LABEL: gpu.func @vector
  // CHECK-COUNT-4: llvm.call @__nv_fsqrt_rn
  // CHECK-NOT: math.sqrt
  gpu.func @vector(%v: vector<4xf32>, %out: memref<4xf32>) kernel {
    %c0 = arith.constant 0 : index
    %r = math.sqrt %v : vector<4xf32>
    vector.store %r, %out[%c0] : memref<4xf32>, vector<4xf32>
    gpu.return
  }
}

// CHECK-LABEL: func.func @host
// CHECK: math.sqrt
func.func @host(%x: f32) -> f32 {
  %r = math.sqrt %x : f32
  return %r : f32
}
