// RUN: weir-opt %s --split-input-file --weir-emulate-gpu-launches --verify-diagnostics | weir-opt --cse | FileCheck %s

// The launch becomes blocks z, y, x then threads z, y, x; ids and sizes,
// as region arguments or as gpu ops, become the loop variables and the
// launch's operands.
// CHECK-LABEL: func.func @scale
// CHECK-SAME: (%[[X:.*]]: memref<?xf32>, %[[G:.*]]: index)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK: scf.for %{{.*}} = %[[C0]] to %[[C1]] step %[[C1]] {
// CHECK: scf.for %{{.*}} = %[[C0]] to %[[C1]] step %[[C1]] {
// CHECK: scf.for %[[BX:.*]] = %[[C0]] to %[[G]] step %[[C1]] {
// CHECK: scf.for %{{.*}} = %[[C0]] to %[[C1]] step %[[C1]] {
// CHECK: scf.for %{{.*}} = %[[C0]] to %[[C1]] step %[[C1]] {
// CHECK: scf.for %[[TX:.*]] = %[[C0]] to %[[C64]] step %[[C1]] {
// CHECK: %[[BASE:.*]] = arith.muli %[[BX]], %[[C64]] : index
// CHECK: %[[I:.*]] = arith.addi %[[BASE]], %[[TX]] : index
// CHECK: %[[N:.*]] = arith.muli %[[G]], %[[C64]] : index
// CHECK: arith.cmpi ult, %[[I]], %[[N]]
// CHECK: memref.load %[[X]][%[[I]]]
// CHECK-NOT: gpu.
func.func @scale(%x: memref<?xf32>, %g: index) {
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %g, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c64, %sy = %c1, %sz = %c1) {
    %dim = gpu.block_dim x
    %base = arith.muli %bx, %dim : index
    %tid = gpu.thread_id x
    %i = arith.addi %base, %tid : index
    %grid = gpu.grid_dim x
    %n = arith.muli %grid, %sx : index
    %in = arith.cmpi ult, %i, %n : index
    scf.if %in {
      %v = memref.load %x[%i] : memref<?xf32>
      %two = arith.constant 2.0 : f32
      %w = arith.mulf %v, %two : f32
      memref.store %w, %x[%i] : memref<?xf32>
    }
    gpu.terminator
  }
  return
}

// -----

// Threads that synchronize cannot run one after the other.
func.func @barrier(%x: memref<?xf32>) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{cannot be emulated on the CPU: its threads synchronize or communicate ('gpu.barrier')}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    gpu.barrier
    gpu.terminator
  }
  return
}

// -----

func.func @shared(%x: memref<?xf32>) {
  %c1 = arith.constant 1 : index
  // expected-error @+1 {{cannot be emulated on the CPU: it uses shared or private memory attributions}}
  gpu.launch blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1)
             workgroup(%tile : memref<32xf32, #gpu.address_space<workgroup>>) {
    gpu.terminator
  }
  return
}

// -----

func.func @async(%x: memref<?xf32>) {
  %c1 = arith.constant 1 : index
  %t0 = gpu.wait async
  // expected-error @+1 {{cannot be emulated on the CPU: it is asynchronous}}
  %t1 = gpu.launch async [%t0] blocks(%bx, %by, %bz) in (%gx = %c1, %gy = %c1, %gz = %c1)
             threads(%tx, %ty, %tz) in (%sx = %c1, %sy = %c1, %sz = %c1) {
    gpu.terminator
  }
  return
}
