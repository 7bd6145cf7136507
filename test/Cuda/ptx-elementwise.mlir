// The PTX of representative fused groups: every input read once per
// element, 128-bit loads and stores where the innermost dimension allows,
// outputs written once. LLVM 22's NVPTX spells 32-bit moves `.b32`
// (`ld.global.v4.b32` is four floats).
// RUN: weir compile %s --target=cuda --emit=ptx --cuda-arch=sm_80 | FileCheck %s

// x and the bias are each loaded once as 4 floats, the sum stored once.
// CHECK-LABEL: .entry bias_relu_kernel(
// CHECK-COUNT-2: ld.global.v4.b32
// CHECK-NOT:     ld.global
// CHECK:         max.NaN.f32
// CHECK:         st.global.v4.b32
// CHECK-NOT:     {{ld|st}}.global

// Adam: parameter, gradient and both moments read once, three outputs
// written once, all 128-bit.
// CHECK-LABEL: .entry adam_kernel(
// CHECK-COUNT-4: ld.global.v4.b32
// CHECK-NOT:     ld.global
// CHECK-NOT:     sqrt.approx
// CHECK-COUNT-4: sqrt.rn.f32
// CHECK-NOT:     sqrt.approx
// CHECK-COUNT-3: st.global.v4.b32
// CHECK-NOT:     {{ld|st}}.global

// The loss: the zero fill folds into the reduction, whose accumulator stays
// in a register; the scalar is stored once, never read back.
// CHECK-LABEL: .entry loss_kernel(
// CHECK-NOT:     ld.global.b32 {{.*}}[%rd3]
// CHECK:         st.global.b32 [%rd3]
// CHECK-NOT:     {{ld|st}}.global

// A bias gradient (32 outputs, a dynamic reduction) is split in two
// kernels: each thread of the first loads its chunk of dy one float per
// iteration and stores one partial; the second loads partials (unrolled)
// and stores each output once.
// CHECK-LABEL: .entry bias_grad_kernel(
// CHECK:         ld.global.b32
// CHECK-NOT:     ld.global
// CHECK:         st.global.b32
// CHECK-NOT:     {{ld|st}}.global
// CHECK-LABEL: .entry bias_grad_kernel_0(
// CHECK:         ld.global.b32
// CHECK:         st.global.b32
// CHECK-NOT:     st.global
// CHECK-NOT:     .entry
// Representative fused groups of a training step, in linalg on tensors:
// dense bias + relu, the Adam update (three outputs), the mean loss, a
// bias gradient.
#row = affine_map<(d0, d1) -> (d0, d1)>
#bias = affine_map<(d0, d1) -> (d1)>
#id1 = affine_map<(d0) -> (d0)>
#all = affine_map<(d0, d1) -> ()>
module {
  func.func @bias_relu(%x: tensor<?x64xf32>, %b: tensor<64xf32>) -> tensor<?x64xf32> {
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.0 : f32
    %n = tensor.dim %x, %c0 : tensor<?x64xf32>
    %init = tensor.empty(%n) : tensor<?x64xf32>
    %y = linalg.generic {indexing_maps = [#row, #bias, #row],
                         iterator_types = ["parallel", "parallel"]}
        ins(%x, %b : tensor<?x64xf32>, tensor<64xf32>) outs(%init : tensor<?x64xf32>) {
    ^bb0(%a: f32, %c: f32, %o: f32):
      %s = arith.addf %a, %c : f32
      %r = arith.maximumf %s, %zero : f32
      linalg.yield %r : f32
    } -> tensor<?x64xf32>
    return %y : tensor<?x64xf32>
  }

  func.func @adam(%p: tensor<4096xf32>, %g: tensor<4096xf32>, %m: tensor<4096xf32>,
                  %v: tensor<4096xf32>) -> (tensor<4096xf32>, tensor<4096xf32>, tensor<4096xf32>) {
    %b1 = arith.constant 0.9 : f32
    %b1c = arith.constant 0.1 : f32
    %b2 = arith.constant 0.999 : f32
    %b2c = arith.constant 0.001 : f32
    %lr = arith.constant 0.001 : f32
    %eps = arith.constant 1.0e-7 : f32
    %e = tensor.empty() : tensor<4096xf32>
    %r:3 = linalg.generic {indexing_maps = [#id1, #id1, #id1, #id1, #id1, #id1, #id1],
                           iterator_types = ["parallel"]}
        ins(%p, %g, %m, %v : tensor<4096xf32>, tensor<4096xf32>, tensor<4096xf32>, tensor<4096xf32>)
        outs(%e, %e, %e : tensor<4096xf32>, tensor<4096xf32>, tensor<4096xf32>) {
    ^bb0(%pi: f32, %gi: f32, %mi: f32, %vi: f32, %o0: f32, %o1: f32, %o2: f32):
      %m1 = arith.mulf %mi, %b1 : f32
      %m2 = arith.mulf %gi, %b1c : f32
      %mn = arith.addf %m1, %m2 : f32
      %v1 = arith.mulf %vi, %b2 : f32
      %gg = arith.mulf %gi, %gi : f32
      %v2 = arith.mulf %gg, %b2c : f32
      %vn = arith.addf %v1, %v2 : f32
      %sq = math.sqrt %vn : f32
      %den = arith.addf %sq, %eps : f32
      %step = arith.divf %mn, %den : f32
      %upd = arith.mulf %step, %lr : f32
      %pn = arith.subf %pi, %upd : f32
      linalg.yield %pn, %mn, %vn : f32, f32, f32
    } -> (tensor<4096xf32>, tensor<4096xf32>, tensor<4096xf32>)
    return %r#0, %r#1, %r#2 : tensor<4096xf32>, tensor<4096xf32>, tensor<4096xf32>
  }

  // Mean squared error over a batch: one reduction to a scalar.
  func.func @loss(%y: tensor<128x10xf32>, %t: tensor<128x10xf32>) -> tensor<f32> {
    %zero = arith.constant 0.0 : f32
    %scale = arith.constant 7.812500e-04 : f32
    %e = tensor.empty() : tensor<f32>
    %init = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
    %l = linalg.generic {indexing_maps = [#row, #row, #all],
                         iterator_types = ["reduction", "reduction"]}
        ins(%y, %t : tensor<128x10xf32>, tensor<128x10xf32>) outs(%init : tensor<f32>) {
    ^bb0(%a: f32, %b: f32, %acc: f32):
      %d = arith.subf %a, %b : f32
      %sq = arith.mulf %d, %d : f32
      %w = arith.mulf %sq, %scale : f32
      %s = arith.addf %acc, %w : f32
      linalg.yield %s : f32
    } -> tensor<f32>
    return %l : tensor<f32>
  }

  // A conv bias gradient: 32 sums over the dynamic N*26*26 rows.
  func.func @bias_grad(%dy: tensor<?x26x26x32xf32>) -> tensor<32xf32> {
    %zero = arith.constant 0.0 : f32
    %e = tensor.empty() : tensor<32xf32>
    %init = linalg.fill ins(%zero : f32) outs(%e : tensor<32xf32>) -> tensor<32xf32>
    %g = linalg.generic {indexing_maps = [affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>,
                                          affine_map<(d0, d1, d2, d3) -> (d3)>],
                         iterator_types = ["reduction", "reduction", "reduction", "parallel"]}
        ins(%dy : tensor<?x26x26x32xf32>) outs(%init : tensor<32xf32>) {
    ^bb0(%a: f32, %acc: f32):
      %s = arith.addf %acc, %a : f32
      linalg.yield %s : f32
    } -> tensor<32xf32>
    return %g : tensor<32xf32>
  }
}
