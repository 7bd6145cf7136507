// RUN: weir-opt %s -weir-async-launches | FileCheck %s
// RUN: weir-opt %s --pass-pipeline="builtin.module(weir-async-launches,gpu.module(convert-gpu-to-nvvm),gpu-to-llvm,finalize-memref-to-llvm,convert-scf-to-cf,convert-cf-to-llvm,convert-func-to-llvm,convert-arith-to-llvm,reconcile-unrealized-casts)" | FileCheck %s --check-prefix=LOWERED

// Launches and library calls are queued on the compute stream back to
// back; the host waits once, before it reads memory itself.
// CHECK-LABEL: func.func @step
// CHECK: %[[T0:.*]] = gpu.wait async
// CHECK: gpu.launch_func async [%[[T0]]] @kernels::@k
// CHECK-NOT: gpu.wait [
// CHECK: call @weir_cublas_gemm_f32
// CHECK: %[[T1:.*]] = gpu.wait async
// CHECK: gpu.launch_func async [%[[T1]]] @kernels::@k
// CHECK: %[[S:.*]] = gpu.wait async
// CHECK-NEXT: gpu.wait [%[[S]]]
// CHECK-NEXT: memref.load
// CHECK-NOT: gpu.wait
// CHECK: return
// One stream synchronize in all; launches do not synchronize.
// (The launches themselves become mgpuLaunchKernel calls when the module
// is translated, with the gpu.binary.)
// LOWERED-LABEL: llvm.func @step
// LOWERED: gpu.launch_func <%{{.*}} : !llvm.ptr> @kernels::@k
// LOWERED-NOT: mgpuStreamSynchronize
// LOWERED: gpu.launch_func <%{{.*}} : !llvm.ptr> @kernels::@k
// LOWERED: llvm.call @mgpuStreamSynchronize
// LOWERED-NOT: mgpuStreamSynchronize
// LOWERED: llvm.return
module attributes {gpu.container_module} {
  func.func private @weir_cublas_gemm_f32(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, i32, i32, f32, f32) -> i32
  func.func @step(%a: memref<?x?xf32, strided<[?, ?], offset: ?>>, %x: memref<4xf32>) -> f32 {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %f = arith.constant 0 : i32
    %one = arith.constant 1.0 : f32
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    %s = func.call @weir_cublas_gemm_f32(%a, %a, %a, %f, %f, %one, %one) : (memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, i32, i32, f32, f32) -> i32
    gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    %v = memref.load %x[%c0] : memref<4xf32>
    return %v : f32
  }

  // The host waits before returning, so results are ready; in a loop,
  // work is pending at every iteration's start.
  // CHECK-LABEL: func.func @loop
  // CHECK: scf.for
  // CHECK: gpu.launch_func async
  // CHECK: }
  // CHECK: %[[R:.*]] = gpu.wait async
  // CHECK-NEXT: gpu.wait [%[[R]]]
  // CHECK-NEXT: return
  func.func @loop(%x: memref<4xf32>, %n: index) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    scf.for %i = %c0 to %n step %c1 {
      gpu.launch_func @kernels::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    }
    return
  }

  // Nothing queued: nothing to wait for.
  // CHECK-LABEL: func.func @host_only
  // CHECK-NOT: gpu.wait
  // CHECK: return
  func.func @host_only(%x: memref<4xf32>) -> f32 {
    %c0 = arith.constant 0 : index
    %v = memref.load %x[%c0] : memref<4xf32>
    return %v : f32
  }

  gpu.module @kernels {
    gpu.func @k(%x: memref<4xf32>) kernel {
      gpu.return
    }
  }
}
