// RUN: weir-opt %s -weir-managed-allocs | FileCheck %s
// RUN: weir-opt %s --pass-pipeline="builtin.module(weir-managed-allocs,gpu.module(convert-gpu-to-nvvm),gpu-to-llvm,finalize-memref-to-llvm,convert-func-to-llvm,reconcile-unrealized-casts)" | FileCheck %s --check-prefix=LLVM
// LLVM-LABEL: llvm.func @step
// LLVM: llvm.call @mgpuMemAlloc({{.*}}) : (i64, !llvm.ptr, i8) -> !llvm.ptr
// LLVM: llvm.call @mgpuMemAlloc({{.*}}) : (i64, !llvm.ptr, i8) -> !llvm.ptr
// LLVM: llvm.call @mgpuMemFree
// LLVM-NOT: unrealized_conversion_cast

// Host buffers that kernels and library calls touch become managed
// allocations; their deallocations a stream-ordered gpu.dealloc the host
// waits for. Nothing inside the gpu.module changes. The host code lowers
// to LLVM (gpu-to-llvm takes only the asynchronous dealloc).
// CHECK-LABEL: func @step
// CHECK: %[[A:.*]] = gpu.alloc  host_shared (%{{.*}}) : memref<?x64xf32>
// CHECK: %[[B:.*]] = gpu.alloc  host_shared () : memref<10xf32>
// CHECK-NOT: memref.alloc
// CHECK: gpu.launch_func @kernels::@fill {{.*}} args(%[[A]] : memref<?x64xf32>)
// CHECK: %[[T:.*]] = gpu.wait async
// CHECK: %[[F:.*]] = gpu.dealloc async [%[[T]]] %[[A]] : memref<?x64xf32>
// CHECK: gpu.wait [%[[F]]]
// CHECK-NOT: memref.dealloc
// CHECK: return %[[B]]
module attributes {gpu.container_module} {
  func.func @step(%n: index) -> memref<10xf32> {
    %c1 = arith.constant 1 : index
    %a = memref.alloc(%n) {alignment = 64 : i64} : memref<?x64xf32>
    %b = memref.alloc() {alignment = 64 : i64} : memref<10xf32>
    gpu.launch_func @kernels::@fill blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%a : memref<?x64xf32>)
    memref.dealloc %a : memref<?x64xf32>
    return %b : memref<10xf32>
  }
  gpu.module @kernels {
    gpu.func @fill(%a: memref<?x64xf32>) kernel {
      gpu.return
    }
  }
}
