// RUN: weir-opt %s --pass-pipeline='builtin.module(func.func(weir-emulate-bf16{rounding=expand}))' | FileCheck %s
// RUN: weir-opt %s --pass-pipeline='builtin.module(func.func(weir-emulate-bf16{rounding=keep}))' | FileCheck %s --check-prefix=KEEP

// f32 -> bf16 rounds to nearest even in integer ops: add 0x7fff plus the
// lowest kept bit, keep the high half; NaN becomes 0x7fc0 (32704).
// CHECK-LABEL: func.func @round
// CHECK-NOT: arith.truncf
// CHECK-DAG: %[[NAN:.*]] = arith.cmpf une, %[[X:.*]], %[[X]] : vector<8xf32>
// CHECK-DAG: arith.constant dense<32767> : vector<8xi32>
// CHECK-DAG: arith.constant dense<32704> : vector<8xi16>
// CHECK-DAG: %[[U:.*]] = arith.bitcast %[[X]] : vector<8xf32> to vector<8xi32>
// CHECK: arith.shrui %[[U]]
// CHECK: arith.andi
// CHECK: arith.addi
// CHECK: %[[SUM:.*]] = arith.addi %[[U]]
// CHECK: %[[HI:.*]] = arith.shrui %[[SUM]]
// CHECK: %[[H:.*]] = arith.trunci %[[HI]] : vector<8xi32> to vector<8xi16>
// CHECK: %[[R:.*]] = arith.select %[[NAN]], {{.*}}, %[[H]]
// CHECK: arith.bitcast %[[R]] : vector<8xi16> to vector<8xbf16>
// KEEP-LABEL: func.func @round
// KEEP: arith.truncf %{{.*}} : vector<8xf32> to vector<8xbf16>
func.func @round(%x: vector<8xf32>) -> vector<8xbf16> {
  %0 = arith.truncf %x : vector<8xf32> to vector<8xbf16>
  return %0 : vector<8xbf16>
}

// bf16 -> f32 is exact: the bits move to the high half.
// CHECK-LABEL: func.func @widen
// CHECK-NOT: arith.extf
// CHECK: arith.bitcast %{{.*}} : bf16 to i16
// CHECK: arith.extui %{{.*}} : i16 to i32
// CHECK: arith.shli
// CHECK: arith.bitcast %{{.*}} : i32 to f32
// KEEP-LABEL: func.func @widen
// KEEP: arith.extf
func.func @widen(%x: bf16) -> f32 {
  %0 = arith.extf %x : bf16 to f32
  return %0 : f32
}

// Arithmetic on bf16 runs in f32 and rounds once; comparisons need no
// rounding, and the max (a bf16 value) feeds the product unrounded-again. With rounding=keep the casts stay for LLVM.
// KEEP-LABEL: func.func @relu_mask
// KEEP-DAG: %[[A:.*]] = arith.extf %arg0 {{.*}}: vector<8xbf16> to vector<8xf32>
// KEEP-DAG: %[[Z:.*]] = arith.extf %arg1 {{.*}}: vector<8xbf16> to vector<8xf32>
// KEEP: %[[M:.*]] = arith.maximumf %[[A]], %[[Z]] : vector<8xf32>
// KEEP: %[[MR:.*]] = arith.truncf %[[M]] {{.*}}: vector<8xf32> to vector<8xbf16>
// KEEP: %[[C:.*]] = arith.cmpf ogt, %[[A]], %[[Z]] : vector<8xf32>
// KEEP: %[[P:.*]] = arith.mulf %[[M]], %[[A]] : vector<8xf32>
// KEEP: arith.truncf %[[P]] {{.*}}: vector<8xf32> to vector<8xbf16>
// CHECK-LABEL: func.func @relu_mask
// CHECK-NOT: arith.extf
// CHECK-NOT: arith.truncf
// CHECK: return
func.func @relu_mask(%x: vector<8xbf16>, %zero: vector<8xbf16>) -> (vector<8xbf16>, vector<8xi1>, vector<8xbf16>) {
  %0 = arith.maximumf %x, %zero : vector<8xbf16>
  %1 = arith.cmpf ogt, %x, %zero : vector<8xbf16>
  %2 = arith.mulf %0, %x : vector<8xbf16>
  return %0, %1, %2 : vector<8xbf16>, vector<8xi1>, vector<8xbf16>
}

// Each op of a chain rounds: the widened product is rounded to bf16 and
// widened again before the sum, not added unrounded.
// KEEP-LABEL: func.func @chain
// KEEP: %[[P:.*]] = arith.mulf %{{.*}}, %{{.*}} : vector<8xf32>
// KEEP: %[[PR:.*]] = arith.truncf %[[P]] {{.*}}: vector<8xf32> to vector<8xbf16>
// KEEP: %[[PW:.*]] = arith.extf %[[PR]] {{.*}}: vector<8xbf16> to vector<8xf32>
// KEEP: arith.addf %[[PW]], %{{.*}} : vector<8xf32>
// CHECK-LABEL: func.func @chain
// CHECK: %[[P:.*]] = arith.mulf %{{.*}}, %{{.*}} : vector<8xf32>
// CHECK: arith.bitcast %[[P]] : vector<8xf32> to vector<8xi32>
// CHECK: %[[PR:.*]] = arith.bitcast %{{.*}} : vector<8xi16> to vector<8xbf16>
// CHECK: arith.bitcast %[[PR]] : vector<8xbf16> to vector<8xi16>
// CHECK: arith.addf
func.func @chain(%x: vector<8xbf16>, %y: vector<8xbf16>) -> vector<8xbf16> {
  %0 = arith.mulf %x, %y : vector<8xbf16>
  %1 = arith.addf %0, %y : vector<8xbf16>
  return %1 : vector<8xbf16>
}

// f16 is not this pass's business (F16C and LLVM handle it).
// CHECK-LABEL: func.func @half
// CHECK: arith.truncf %{{.*}} : vector<8xf32> to vector<8xf16>
// CHECK: arith.addf %{{.*}} : vector<8xf16>
func.func @half(%x: vector<8xf32>) -> vector<8xf16> {
  %0 = arith.truncf %x : vector<8xf32> to vector<8xf16>
  %1 = arith.addf %0, %0 : vector<8xf16>
  return %1 : vector<8xf16>
}


// A max of bf16 values is a bf16 value: the window chain of a max pool
// stays in f32 between its steps (one rounding at the end), and a choice
// between bf16 vectors is a blend of their bits.
// KEEP-LABEL: func.func @pool_and_route
// KEEP: %[[M1:.*]] = arith.maximumf
// KEEP-NOT: arith.truncf
// KEEP: %[[M2:.*]] = arith.maximumf %[[M1]],
// KEEP: arith.truncf %[[M2]]
// KEEP: %[[T:.*]] = arith.bitcast %arg0 : vector<8xbf16> to vector<8xi16>
// KEEP: %[[F:.*]] = arith.bitcast %arg1 : vector<8xbf16> to vector<8xi16>
// KEEP: %[[S:.*]] = arith.select %{{.*}}, %[[T]], %[[F]] : vector<8xi1>, vector<8xi16>
// KEEP: arith.bitcast %[[S]] : vector<8xi16> to vector<8xbf16>
func.func @pool_and_route(%a: vector<8xbf16>, %b: vector<8xbf16>, %c: vector<8xbf16>, %m: vector<8xi1>) -> (vector<8xbf16>, vector<8xbf16>) {
  %0 = arith.maximumf %a, %b : vector<8xbf16>
  %1 = arith.maximumf %0, %c : vector<8xbf16>
  %2 = arith.select %m, %a, %b : vector<8xi1>, vector<8xbf16>
  return %1, %2 : vector<8xbf16>, vector<8xbf16>
}
