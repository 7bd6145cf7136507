// RUN: weir-opt %s -weir-managed-allocs | FileCheck %s
// RUN: weir-opt %s --pass-pipeline="builtin.module(weir-managed-allocs,gpu.module(convert-gpu-to-nvvm),expand-strided-metadata,gpu-to-llvm,finalize-memref-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts)" | FileCheck %s --check-prefix=LLVM
// The host code lowers to the LLVM dialect: a device allocation (flag 0), a
// managed one (1), a library call, the launch, and a free that nothing
// waits for (no mgpuStreamSynchronize).
// LLVM-LABEL: llvm.func @step
// LLVM: %[[DEV:.*]] = llvm.mlir.constant(0 : i8) : i8
// LLVM: llvm.call @mgpuMemAlloc({{.*}}, %[[DEV]]) : (i64, !llvm.ptr, i8) -> !llvm.ptr
// LLVM: %[[MAN:.*]] = llvm.mlir.constant(1 : i8) : i8
// LLVM: llvm.call @mgpuMemAlloc({{.*}}, %[[MAN]]) : (i64, !llvm.ptr, i8) -> !llvm.ptr
// LLVM: llvm.call @mgpuMemFree
// LLVM-NOT: mgpuStreamSynchronize
// LLVM-NOT: unrealized_conversion_cast

// A buffer only kernels and library calls touch (through views too) is
// device memory from the runtime's pool; one the host may read (returned
// here) is managed. Deallocations are stream-ordered gpu.deallocs the host
// does not wait for. Nothing inside the gpu.module changes.
// CHECK-LABEL: func @step
// CHECK: %[[T0:.*]] = gpu.wait async
// CHECK: %[[A:.*]], %{{.*}} = gpu.alloc async [%[[T0]]] (%{{.*}}) : memref<?x64xf32>
// CHECK: %[[B:.*]] = gpu.alloc  host_shared () : memref<10xf32>
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch_func @kernels::@fill {{.*}} args(%[[A]] : memref<?x64xf32>)
// CHECK: call @weir_cublas_gemm_f32(
// CHECK: %[[T:.*]] = gpu.wait async
// CHECK: gpu.dealloc async [%[[T]]] %[[A]] : memref<?x64xf32>
// CHECK-NOT: gpu.wait
// CHECK-NOT: memref.dealloc
// CHECK: return %[[B]]
module attributes {gpu.container_module} {
  func.func private @weir_cublas_gemm_f32(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, i32, i32, f32, f32) -> i32
  func.func @step(%n: index, %w: memref<64x10xf32>) -> memref<10xf32> {
    %c1 = arith.constant 1 : index
    %f = arith.constant 0 : i32
    %one = arith.constant 1.0 : f32
    %a = memref.alloc(%n) {alignment = 64 : i64} : memref<?x64xf32>
    %b = memref.alloc() {alignment = 64 : i64} : memref<10xf32>
    gpu.launch_func @kernels::@fill blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<?x64xf32>)
    %row = memref.subview %a[0, 0] [1, 64] [1, 1] : memref<?x64xf32> to memref<1x64xf32, strided<[64, 1]>>
    %ca = memref.cast %row : memref<1x64xf32, strided<[64, 1]>> to memref<?x?xf32, strided<[?, ?], offset: ?>>
    %cw = memref.cast %w : memref<64x10xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
    %b2 = memref.expand_shape %b [[0, 1]] output_shape [1, 10] : memref<10xf32> into memref<1x10xf32>
    %cb = memref.cast %b2 : memref<1x10xf32> to memref<?x?xf32, strided<[?, ?], offset: ?>>
    %s = func.call @weir_cublas_gemm_f32(%ca, %cw, %cb, %f, %f, %one, %one) : (memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, i32, i32, f32, f32) -> i32
    memref.dealloc %a : memref<?x64xf32>
    return %b : memref<10xf32>
  }
  gpu.module @kernels {
    gpu.func @fill(%a: memref<?x64xf32>) kernel {
      gpu.return
    }
  }
}
