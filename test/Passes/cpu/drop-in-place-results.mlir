// RUN: weir-opt %s -weir-drop-in-place-results | FileCheck %s

// Results that are the function's own arguments (directly, through a cast,
// or carried unchanged through a loop) were updated in place and are
// dropped; a fresh buffer stays. The dropped indices go on the module.
// CHECK: module attributes {weir.dropped_results = {apply = array<i64: 0, 1, 3>}}
// CHECK-LABEL: func.func @apply
// CHECK-SAME: -> memref<4xf32>
// CHECK-NOT: weir.in_place_updates
// CHECK: return %{{.*}} : memref<4xf32>
func.func @apply(%p: memref<4xf32>, %q: memref<4xf32>, %r: memref<8xf32>) -> (memref<4xf32>, memref<?xf32>, memref<4xf32>, memref<8xf32>) attributes {weir.in_place_updates} {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %fresh = memref.alloc() : memref<4xf32>
  %cast = memref.cast %q : memref<4xf32> to memref<?xf32>
  %loop = scf.for %i = %c0 to %c8 step %c1 iter_args(%b = %r) -> (memref<8xf32>) {
    scf.yield %b : memref<8xf32>
  }
  return %p, %cast, %fresh, %loop : memref<4xf32>, memref<?xf32>, memref<4xf32>, memref<8xf32>
}

// Functions without the attribute keep their results.
// CHECK-LABEL: func.func @other
// CHECK-SAME: -> memref<4xf32>
func.func @other(%p: memref<4xf32>) -> memref<4xf32> {
  return %p : memref<4xf32>
}
