// RUN: weir-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(weir-early-deallocs))' | FileCheck %s

// A buffer is freed right after its last use, not at the end of the block.
// CHECK-LABEL: func.func @after_last_use
// CHECK: %[[A:.*]] = memref.alloc
// CHECK: memref.store %{{.*}}, %[[A]]
// CHECK: memref.load %[[A]]
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK: %[[B:.*]] = memref.alloc
// CHECK: memref.load %[[B]]
// CHECK-NEXT: memref.dealloc %[[B]]
// CHECK-NEXT: return
func.func @after_last_use(%x: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<4xf32>
  memref.store %x, %a[%c0] : memref<4xf32>
  %v = memref.load %a[%c0] : memref<4xf32>
  %b = memref.alloc() : memref<4xf32>
  memref.store %v, %b[%c0] : memref<4xf32>
  %w = memref.load %b[%c0] : memref<4xf32>
  memref.dealloc %a : memref<4xf32>
  memref.dealloc %b : memref<4xf32>
  return %w : f32
}

// -----

// A use through a view, and a use inside a loop, count: the free goes after
// the last of them.
// CHECK-LABEL: func.func @views_and_loops
// CHECK: %[[A:.*]] = memref.alloc
// CHECK: %[[S:.*]] = memref.subview %[[A]]
// CHECK: scf.for
// CHECK: memref.load %[[S]]
// CHECK: }
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK: arith.addf
func.func @views_and_loops(%x: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %a = memref.alloc() : memref<8xf32>
  %s = memref.subview %a[4] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1], offset: 4>>
  %sum = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %x) -> f32 {
    %v = memref.load %s[%i] : memref<4xf32, strided<[1], offset: 4>>
    %n = arith.addf %acc, %v : f32
    scf.yield %n : f32
  }
  %r = arith.addf %sum, %x : f32
  memref.dealloc %a : memref<8xf32>
  return %r : f32
}

// -----

// A loop that carries the buffer makes its result an alias: the free waits
// for the result's last use. The address taken as an index is an alias too.
// CHECK-LABEL: func.func @loop_results_and_pointers
// CHECK: %[[A:.*]] = memref.alloc
// CHECK: %[[L:.*]] = scf.for
// CHECK: %[[P:.*]] = memref.extract_aligned_pointer_as_index %[[L]]
// CHECK: %[[I:.*]] = arith.index_cast %[[P]]
// CHECK-NEXT: call @use(%[[I]])
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK-NEXT: return
func.func private @use(i64)
func.func @loop_results_and_pointers() {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %a = memref.alloc() : memref<4xf32>
  %l = scf.for %i = %c0 to %c4 step %c1 iter_args(%b = %a) -> memref<4xf32> {
    scf.yield %b : memref<4xf32>
  }
  %p = memref.extract_aligned_pointer_as_index %l : memref<4xf32> -> index
  %i = arith.index_cast %p : index to i64
  call @use(%i) : (i64) -> ()
  memref.dealloc %a : memref<4xf32>
  return
}

// -----

// A buffer whose alias is returned is left alone, and so is a dealloc of
// a buffer from another block.
// CHECK-LABEL: func.func @escapes
// CHECK: memref.cast
// CHECK-NEXT: memref.dealloc
// CHECK-NEXT: return
func.func @escapes(%x: f32) -> memref<?xf32> {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<4xf32>
  memref.store %x, %a[%c0] : memref<4xf32>
  %c = memref.cast %a : memref<4xf32> to memref<?xf32>
  memref.dealloc %a : memref<4xf32>
  return %c : memref<?xf32>
}

// CHECK-LABEL: func.func @other_block
// CHECK: scf.if
// CHECK-NEXT: memref.dealloc
// CHECK-NEXT: }
func.func @other_block(%x: f32, %cond: i1) {
  %c0 = arith.constant 0 : index
  %a = memref.alloc() : memref<4xf32>
  memref.store %x, %a[%c0] : memref<4xf32>
  %y = arith.addf %x, %x : f32
  scf.if %cond {
    memref.dealloc %a : memref<4xf32>
  }
  return
}
