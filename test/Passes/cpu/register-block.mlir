// RUN: weir-opt %s -weir-register-block="vector-lanes=16 vector-registers=32 bf16-dot=0" -canonicalize -cse | FileCheck %s
// RUN: weir-opt %s -weir-register-block="vector-lanes=8 vector-registers=16 bf16-dot=0" -canonicalize -cse | FileCheck %s --check-prefix=AVX2
// RUN: weir-opt %s -weir-register-block="vector-lanes=16 vector-registers=32 bf16-dot=1" -canonicalize -cse | FileCheck %s --check-prefix=BF16

// The second convolution of the Fashion-MNIST CNN. With 32 registers of 16
// lanes the block is 11 output pixels x 2 vectors of filters: 22
// accumulators carried through the (kh, kw, c) reduction, each step 2
// kernel rows loaded, 11 input scalars broadcast and 22 FMAs; the block is
// read and written once. No convolution op is left.
// CHECK-LABEL: func @conv
// CHECK: scf.for {{.*}} to %c64 step %c32
// CHECK-COUNT-22: vector.transfer_read {{.*}} : tensor<?x11x11x64xf32>, vector<16xf32>
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK: scf.for
// CHECK: scf.for {{.*}} to %c32 step %c1
// CHECK-COUNT-2: vector.transfer_read %arg1{{.*}} : tensor<3x3x32x64xf32>, vector<16xf32>
// CHECK-COUNT-22: vector.fma
// CHECK-NOT: vector.fma
// CHECK: scf.yield
// CHECK-COUNT-22: vector.transfer_write
// CHECK-NOT: linalg.conv
// With 16 registers of 8 lanes: 10 accumulators at most, so the 11
// pixels cannot share a block; one pixel x 8 vectors (all 64 filters).
// AVX2-LABEL: func @conv
// AVX2: scf.for {{.*}} to %c11 step %c1
// AVX2: scf.for {{.*}} to %c3 step %c1 iter_args{{.*}} -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// AVX2-COUNT-8: vector.fma
// AVX2-NOT: vector.fma
func.func @conv(%x: tensor<?x13x13x32xf32>, %k: tensor<3x3x32x64xf32>, %o: tensor<?x11x11x64xf32>) -> tensor<?x11x11x64xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf ins(%x, %k : tensor<?x13x13x32xf32>, tensor<3x3x32x64xf32>) outs(%o : tensor<?x11x11x64xf32>) -> tensor<?x11x11x64xf32>
  return %0 : tensor<?x11x11x64xf32>
}

// One kernel tap of the first convolution's weight gradient (one input
// channel, 32 filters): only 2 accumulators, too few to hide the FMA
// latency, so the innermost reduction (26 columns) is split into 13
// partial sums that are added at the end. The batch, a dynamic
// reduction, is the outermost loop.
// CHECK-LABEL: func @filter_grad
// CHECK: scf.for {{.*}} to %dim step %c1 iter_args({{.*}}) -> (tensor<1x32xf32>)
// CHECK-COUNT-2: vector.transfer_read {{.*}} : tensor<1x32xf32>, vector<16xf32>
// CHECK: scf.for {{.*}} to %c26 step %c1
// CHECK: scf.for {{.*}} to %c26 step %c13
// CHECK-COUNT-26: vector.fma
// CHECK-NOT: vector.fma
// CHECK-COUNT-24: arith.addf {{.*}} : vector<16xf32>
// CHECK-COUNT-2: vector.transfer_write
// AVX2-LABEL: func @filter_grad
#xs = affine_map<(n, h, w, c, f) -> (n, h, w, c)>
#dy = affine_map<(n, h, w, c, f) -> (n, h, w, f)>
#dk = affine_map<(n, h, w, c, f) -> (c, f)>
func.func @filter_grad(%x: tensor<?x26x26x1xf32>, %dy: tensor<?x26x26x32xf32>, %dk: tensor<1x32xf32>) -> tensor<1x32xf32> {
  %0 = linalg.generic {indexing_maps = [#xs, #dy, #dk], iterator_types = ["reduction", "reduction", "reduction", "parallel", "parallel"]}
      ins(%x, %dy : tensor<?x26x26x1xf32>, tensor<?x26x26x32xf32>) outs(%dk : tensor<1x32xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x32xf32>
  return %0 : tensor<1x32xf32>
}

// Filters fewer than a vector: one partial vector per row.
// CHECK-LABEL: func @few_filters
// CHECK: vector.fma {{.*}} : vector<5xf32>
// CHECK-NOT: linalg.conv
func.func @few_filters(%x: tensor<?x9x8x3xf32>, %k: tensor<3x3x3x5xf32>, %o: tensor<?x4x3x5xf32>) -> tensor<?x4x3x5xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf {strides = dense<2> : tensor<2xi64>, dilations = dense<1> : tensor<2xi64>} ins(%x, %k : tensor<?x9x8x3xf32>, tensor<3x3x3x5xf32>) outs(%o : tensor<?x4x3x5xf32>) -> tensor<?x4x3x5xf32>
  return %0 : tensor<?x4x3x5xf32>
}

// A dense layer (batch rows dynamic): blocks of 6 rows x 4 vectors (24
// accumulators) up to the last multiple of 6, then the remaining rows one
// at a time (4 accumulators).
// CHECK-LABEL: func @dense
// CHECK: %[[ROWS:.*]] = tensor.dim
// CHECK: %[[Q:.*]] = arith.divui %[[ROWS]], %c6
// CHECK: %[[WHOLE:.*]] = arith.muli %[[Q]], %c6
// CHECK: scf.for {{.*}} = %c0 to %[[WHOLE]] step %c6
// CHECK: scf.for {{.*}} to %c784 step %c1
// CHECK-COUNT-24: vector.fma
// CHECK-NOT: vector.fma
// CHECK: scf.for {{.*}} = %[[WHOLE]] to %[[ROWS]] step %c1
// CHECK: scf.for {{.*}} to %c784 step %c1
// CHECK-COUNT-4: vector.fma
// CHECK-NOT: vector.fma
// CHECK-NOT: linalg.matmul
func.func @dense(%a: tensor<?x784xf32>, %b: tensor<784x64xf32>, %c: tensor<?x64xf32>) -> tensor<?x64xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<?x784xf32>, tensor<784x64xf32>) outs(%c : tensor<?x64xf32>) -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// The weight gradient of that layer, a product over the batch alone: the
// batch stays the inner reduction; blocks of 4 input features (the
// largest block up to 6 that divides 784) x 64 filters.
// CHECK-LABEL: func @dense_weight_grad
// CHECK: scf.for {{.*}} to %c784 step %c4
// CHECK: scf.for {{.*}} to %dim step %c1
// CHECK-COUNT-16: vector.fma
// CHECK-NOT: vector.fma
#xt = affine_map<(k, j, i) -> (i, k)>
#dyt = affine_map<(k, j, i) -> (i, j)>
#dwt = affine_map<(k, j, i) -> (k, j)>
func.func @dense_weight_grad(%x: tensor<?x784xf32>, %dy: tensor<?x64xf32>, %dw: tensor<784x64xf32>) -> tensor<784x64xf32> {
  %0 = linalg.generic {indexing_maps = [#xt, #dyt, #dwt], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%x, %dy : tensor<?x784xf32>, tensor<?x64xf32>) outs(%dw : tensor<784x64xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<784x64xf32>
  return %0 : tensor<784x64xf32>
}

// bf16 operands, f32 accumulation: each operand is widened once, by an
// elementwise op before the nest, and the nest is the f32 one (no
// widening inside it).
// CHECK-LABEL: func @mixed
// CHECK: %[[A:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<?x32xbf16>) outs(%{{.*}} : tensor<?x32xf32>)
// CHECK: arith.extf {{.*}} : bf16 to f32
// CHECK: %[[B:.*]] = linalg.generic {{.*}} ins(%arg1 : tensor<32x16xbf16>) outs(%{{.*}} : tensor<32x16xf32>)
// CHECK: arith.extf {{.*}} : bf16 to f32
// CHECK-NOT: arith.extf
// CHECK: vector.transfer_read %[[B]]{{.*}} : tensor<32x16xf32>, vector<16xf32>
// CHECK-NOT: arith.extf
// CHECK: tensor.extract %[[A]]
// CHECK-NOT: arith.extf
// CHECK: vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT: linalg.matmul
// With AVX512_BF16 (bf16-dot=1) the operands are not widened: each step
// of the reduction takes a pair (k, k + 1). The two rows of the weights
// are interleaved into one vector of 32 bf16 (a vector.shuffle,
// canonicalized to vector.interleave), the two scalars of %a
// broadcast as one 32-bit pair, and one vdpbf16ps per accumulator does two
// products per lane.
// BF16-LABEL: func @mixed
// BF16-NOT: arith.extf
// BF16: scf.for {{.*}} to %c32 step %c2
// BF16-COUNT-2: vector.transfer_read %arg1{{.*}} : tensor<32x16xbf16>, vector<16xbf16>
// BF16: vector.interleave {{.*}} : vector<16xbf16> -> vector<32xbf16>
// BF16: tensor.extract %arg0
// BF16: tensor.extract %arg0
// BF16: vector.from_elements {{.*}} : vector<2xbf16>
// BF16: vector.bitcast {{.*}} : vector<2xbf16> to vector<1xi32>
// BF16: vector.broadcast {{.*}} : i32 to vector<16xi32>
// BF16: vector.bitcast {{.*}} : vector<16xi32> to vector<32xbf16>
// BF16: x86vector.avx512.dot {{.*}} : vector<32xbf16> -> vector<16xf32>
// BF16-NOT: vector.fma
func.func @mixed(%a: tensor<?x32xbf16>, %b: tensor<32x16xbf16>, %c: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<?x32xbf16>, tensor<32x16xbf16>) outs(%c : tensor<?x16xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

// An odd reduction has no whole pairs: widened, as without AVX512_BF16.
// BF16-LABEL: func @mixed_odd
// BF16: arith.extf {{.*}} : bf16 to f32
// BF16-NOT: x86vector.avx512.dot
// BF16: vector.fma {{.*}} : vector<16xf32>
func.func @mixed_odd(%a: tensor<?x33xbf16>, %b: tensor<33x16xbf16>, %c: tensor<?x16xf32>) -> tensor<?x16xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<?x33xbf16>, tensor<33x16xbf16>) outs(%c : tensor<?x16xf32>) -> tensor<?x16xf32>
  return %0 : tensor<?x16xf32>
}

// Not a product-accumulate (a max), and a row operand whose contiguous
// axis is not the output's: left alone.
// CHECK-LABEL: func @not_a_contraction
// CHECK: linalg.generic
// CHECK-NOT: vector.fma
#a2 = affine_map<(i, j, k) -> (i, k)>
#b2 = affine_map<(i, j, k) -> (k, j)>
#c2 = affine_map<(i, j, k) -> (i, j)>
func.func @not_a_contraction(%a: tensor<4x8xf32>, %b: tensor<8x16xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = linalg.generic {indexing_maps = [#a2, #b2, #c2], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<8x16xf32>) outs(%c : tensor<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.maximumf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// CHECK-LABEL: func @transposed_rows
// CHECK: linalg.generic
// CHECK-NOT: vector.fma
#bt = affine_map<(i, j, k) -> (j, k)>
func.func @transposed_rows(%a: tensor<4x8xf32>, %b: tensor<16x8xf32>, %c: tensor<4x16xf32>) -> tensor<4x16xf32> {
  %0 = linalg.generic {indexing_maps = [#a2, #bt, #c2], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<4x8xf32>, tensor<16x8xf32>) outs(%c : tensor<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %m = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

