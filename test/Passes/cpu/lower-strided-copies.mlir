// RUN: weir-opt %s --pass-pipeline='builtin.module(func.func(weir-lower-strided-copies))' | FileCheck %s
// A copy into (or out of) a strided view becomes linalg.copy, which lowers
// to vectorizable loops; a copy between identity layouts stays a
// memref.copy (a memcpy).

// CHECK-LABEL: func.func @into_padding
// CHECK: linalg.copy ins(%{{.*}} : memref<?x11x11x64xf32>) outs(%{{.*}} : memref<?x11x11x64xf32, strided<[14400, 960, 64, 1], offset: 2048>>)
// CHECK-NOT: memref.copy
func.func @into_padding(%a: memref<?x11x11x64xf32>, %b: memref<?x11x11x64xf32, strided<[14400, 960, 64, 1], offset: 2048>>) {
  memref.copy %a, %b : memref<?x11x11x64xf32> to memref<?x11x11x64xf32, strided<[14400, 960, 64, 1], offset: 2048>>
  return
}

// CHECK-LABEL: func.func @out_of_view
// CHECK: linalg.copy
func.func @out_of_view(%a: memref<4x8xf32, strided<[16, 1], offset: ?>>, %b: memref<4x8xf32>) {
  memref.copy %a, %b : memref<4x8xf32, strided<[16, 1], offset: ?>> to memref<4x8xf32>
  return
}

// CHECK-LABEL: func.func @contiguous
// CHECK: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%a: memref<32x64xf32>, %b: memref<32x64xf32>) {
  memref.copy %a, %b : memref<32x64xf32> to memref<32x64xf32>
  return
}
