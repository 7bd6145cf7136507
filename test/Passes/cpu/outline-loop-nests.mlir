// RUN: weir-opt %s -weir-outline-loop-nests="min-ops=5" | FileCheck %s

// The same nest on two different buffers is one function, called from both
// places, out of line; a nest at another bound is another function; the
// loop's operands and the buffers it uses become arguments in order of
// first use, its constants are cloned in.
// CHECK-LABEL: func.func @step
// CHECK-SAME: (%[[A:.*]]: memref<?x16xf32>, %[[B:.*]]: memref<?x16xf32>, %[[N:.*]]: index)
// CHECK-NOT: scf.for
// CHECK: call @step_nest0(%[[N]], %[[A]]) : (index, memref<?x16xf32>) -> ()
// CHECK: call @step_nest0(%[[N]], %[[B]]) : (index, memref<?x16xf32>) -> ()
// CHECK: call @step_nest2(%[[A]]) : (memref<?x16xf32>) -> ()
// CHECK-NOT: scf.for
// CHECK: return
func.func @step(%a: memref<?x16xf32>, %b: memref<?x16xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %two = arith.constant 2.0 : f32
  scf.for %i = %c0 to %n step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      %x = memref.load %a[%i, %j] : memref<?x16xf32>
      %y = arith.mulf %x, %two : f32
      memref.store %y, %a[%i, %j] : memref<?x16xf32>
    }
  }
  scf.for %i = %c0 to %n step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      %x = memref.load %b[%i, %j] : memref<?x16xf32>
      %y = arith.mulf %x, %two : f32
      memref.store %y, %b[%i, %j] : memref<?x16xf32>
    }
  }
  scf.for %i = %c0 to %c8 step %c1 {
    scf.for %j = %c0 to %c8 step %c1 {
      %x = memref.load %a[%i, %j] : memref<?x16xf32>
      %y = arith.mulf %x, %two : f32
      memref.store %y, %a[%i, %j] : memref<?x16xf32>
    }
  }
  return
}

// A loop with results returns them; a loop smaller than min-ops stays.
// CHECK-LABEL: func.func @sum
// CHECK: %[[S:.*]] = call @sum_nest3(%{{.*}}) : (memref<8xf32>) -> f32
// CHECK: scf.for
// CHECK: return %[[S]]
func.func @sum(%a: memref<8xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %zero = arith.constant 0.0 : f32
  %s = scf.for %i = %c0 to %c8 step %c1 iter_args(%acc = %zero) -> f32 {
    %x = memref.load %a[%i] : memref<8xf32>
    %y = arith.mulf %x, %x : f32
    %t = arith.addf %acc, %y : f32
    scf.yield %t : f32
  }
  scf.for %i = %c0 to %c8 step %c1 {
    memref.store %zero, %a[%i] : memref<8xf32>
  }
  return %s : f32
}

// CHECK: func.func private @step_nest0(%{{.*}}: index, %{{.*}}: memref<?x16xf32>)
// CHECK-SAME: attributes {llvm.linkage = #llvm.linkage<internal>, passthrough = ["noinline"]}
// CHECK: arith.constant 2.000000e+00 : f32
// CHECK: scf.for
// CHECK: return
// CHECK: func.func private @step_nest2(%{{.*}}: memref<?x16xf32>)
// CHECK-SAME: attributes {llvm.linkage = #llvm.linkage<internal>}
// CHECK: func.func private @sum_nest3(%{{.*}}: memref<8xf32>) -> f32
// CHECK: %[[R:.*]] = scf.for
// CHECK: return %[[R]] : f32
