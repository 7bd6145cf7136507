// RUN: weir-opt %s --weir-linalg-to-gpu --canonicalize | FileCheck %s

// Elementwise, innermost 64 (divisible by 4): 4 floats per thread, the bias
// broadcast along rows loaded as a vector too, 16-byte aligned.
// CHECK-LABEL: func.func @bias_relu
// CHECK: gpu.launch
// CHECK-DAG: vector.load %{{.*}} {alignment = 16 : i64} : memref<?x64xf32>, vector<4xf32>
// CHECK-DAG: vector.load %{{.*}} {alignment = 16 : i64} : memref<64xf32>, vector<4xf32>
// CHECK: arith.maximumf {{.*}} : vector<4xf32>
// CHECK: vector.store {{.*}} {alignment = 16 : i64} : memref<?x64xf32>, vector<4xf32>
// CHECK-NOT: linalg.generic
func.func @bias_relu(%x: memref<?x64xf32>, %b: memref<64xf32>, %y: memref<?x64xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>,
                                   affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%x, %b : memref<?x64xf32>, memref<64xf32>) outs(%y : memref<?x64xf32>) {
  ^bb0(%a: f32, %c: f32, %o: f32):
    %s = arith.addf %a, %c : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  return
}

// Innermost 10: two floats per thread (8-byte aligned); a value per row is
// loaded once and broadcast.
// CHECK-LABEL: func.func @softmax_div
// CHECK: vector.load %{{.*}} {alignment = 8 : i64} : memref<?x10xf32>, vector<2xf32>
// CHECK: memref.load %{{.*}} : memref<?xf32>
// CHECK: vector.broadcast
// CHECK: arith.divf {{.*}} : vector<2xf32>
func.func @softmax_div(%e: memref<?x10xf32>, %s: memref<?xf32>, %y: memref<?x10xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>,
                                   affine_map<(d0, d1) -> (d0, d1)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%e, %s : memref<?x10xf32>, memref<?xf32>) outs(%y : memref<?x10xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.divf %a, %b : f32
    linalg.yield %d : f32
  }
  return
}

// A row reduction after a fill: one thread per row, the fill value starts
// the register accumulator, one store; the fill is no kernel of its own.
// CHECK-LABEL: func.func @row_max
// CHECK-COUNT-1: gpu.launch
// CHECK: scf.for {{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (f32)
// CHECK: memref.load
// CHECK: arith.maximumf
// CHECK: memref.store
// CHECK-NOT: linalg.
func.func @row_max(%x: memref<?x10xf32>, %m: memref<?xf32>) {
  %ninf = arith.constant 0xFF800000 : f32
  linalg.fill ins(%ninf : f32) outs(%m : memref<?xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x10xf32>) outs(%m : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.maximumf %in, %out : f32
    linalg.yield %0 : f32
  }
  return
}

// A subview whose offset is not a multiple of 4 gets no alignment claim;
// the output does.
// CHECK-LABEL: func.func @unaligned
// CHECK: vector.load %{{.*}}[%{{.*}}] : memref<8xf32, strided<[1], offset: 1>>, vector<4xf32>
// CHECK: vector.store %{{.*}}[%{{.*}}] {alignment = 16 : i64} : memref<8xf32>
func.func @unaligned(%x: memref<9xf32>, %y: memref<8xf32>) {
  %v = memref.subview %x[1] [8] [1] : memref<9xf32> to memref<8xf32, strided<[1], offset: 1>>
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>],
                  iterator_types = ["parallel"]}
      ins(%v : memref<8xf32, strided<[1], offset: 1>>) outs(%y : memref<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %n = arith.negf %a : f32
    linalg.yield %n : f32
  }
  return
}

// A bias gradient: 32 sums over the dynamic N*26*26 rows. One thread per
// output would leave the GPU idle, so it is split: launch 1 has K*32
// threads, thread (k, p) summing chunk k (at least 32 rows, at most
// 65536/32 chunks) from 0 into partial[k*32 + p]; launch 2 has one thread
// per output folding its K partials into the fill value. The partials are
// freed after.
// CHECK-LABEL: func.func @bias_grad
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[MAXK:.*]] = arith.constant 1024 : index
// CHECK: %[[LEN:.*]] = arith.muli
// CHECK: %[[T0:.*]] = arith.ceildivui %[[LEN]], %[[MAXK]]
// CHECK: %[[T:.*]] = arith.maxui %[[T0]], %[[C32]]
// CHECK: %[[K0:.*]] = arith.ceildivui %[[LEN]], %[[T]]
// CHECK: %[[K:.*]] = arith.maxui %[[K0]]
// CHECK: %[[SLOTS:.*]] = arith.muli %[[K]], %[[C32]]
// CHECK: %[[PART:.*]] = memref.alloc(%[[SLOTS]]) : memref<?xf32>
// CHECK: gpu.launch
// CHECK: %[[P:.*]] = arith.remui %{{.*}}, %[[C32]]
// CHECK: %[[SUM:.*]] = scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}) -> (f32)
// CHECK: memref.load %{{.*}} : memref<?x26x26x32xf32>
// CHECK: arith.addf
// CHECK: memref.store %[[SUM]], %[[PART]]
// CHECK: gpu.launch
// CHECK: %[[TOTAL:.*]] = scf.for %{{.*}} = %{{.*}} to %[[K]] {{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (f32)
// CHECK: %[[V:.*]] = memref.load %[[PART]]
// CHECK: arith.addf %[[ACC]], %[[V]]
// CHECK: memref.store %[[TOTAL]], %{{.*}} : memref<32xf32>
// CHECK: memref.dealloc %[[PART]]
// CHECK-NOT: linalg.
func.func @bias_grad(%dy: memref<?x26x26x32xf32>, %db: memref<32xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%db : memref<32xf32>)
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>,
                                   affine_map<(d0, d1, d2, d3) -> (d3)>],
                  iterator_types = ["reduction", "reduction", "reduction", "parallel"]}
      ins(%dy : memref<?x26x26x32xf32>) outs(%db : memref<32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %s = arith.addf %o, %a : f32
    linalg.yield %s : f32
  }
  return
}

// A max starts its chunks from -inf; a short static reduction (100) or an
// output that is not a plain fold stays one thread per output.
// CHECK-LABEL: func.func @global_max
// CHECK: arith.constant 0xFF800000 : f32
// CHECK-COUNT-2: gpu.launch
func.func @global_max(%x: memref<?x512xf32>, %m: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> ()>],
                  iterator_types = ["reduction", "reduction"]}
      ins(%x : memref<?x512xf32>) outs(%m : memref<f32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.maximumf %o, %a : f32
    linalg.yield %r : f32
  }
  return
}
// CHECK-LABEL: func.func @short
// CHECK-COUNT-1: gpu.launch
// CHECK-NOT: gpu.launch
func.func @short(%x: memref<100x8xf32>, %s: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>],
                  iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<100x8xf32>) outs(%s : memref<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %r = arith.addf %o, %a : f32
    linalg.yield %r : f32
  }
  return
}
// CHECK-LABEL: func.func @not_a_fold
// CHECK-COUNT-1: gpu.launch
// CHECK-NOT: gpu.launch
func.func @not_a_fold(%x: memref<?x8xf32>, %s: memref<8xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d1)>],
                  iterator_types = ["reduction", "parallel"]}
      ins(%x : memref<?x8xf32>) outs(%s : memref<8xf32>) {
  ^bb0(%a: f32, %o: f32):
    %h = arith.mulf %o, %a : f32
    %r = arith.subf %h, %o : f32
    linalg.yield %r : f32
  }
  return
}
