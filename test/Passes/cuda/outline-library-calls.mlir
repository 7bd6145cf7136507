// RUN: weir-opt %s --weir-outline-library-calls="dtypes=f32,f16_f16_f32" --cse | FileCheck %s
// RUN: weir-opt %s --weir-outline-library-calls --cse | FileCheck %s --check-prefix=DEFAULT
// The calls follow runtime/device/DeviceCalls.h: descriptors, i32 flags,
// f32 alpha and beta, i64 geometry, an i32 status.

// CHECK-DAG: func.func private @weir_cublas_gemm_f32(memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, memref<?x?xf32, strided<[?, ?], offset: ?>>, i32, i32, f32, f32) -> i32 attributes {llvm.emit_c_interface}
// CHECK-DAG: func.func private @weir_cublas_gemm_f16_f16_f32(
// CHECK-DAG: func.func private @weir_cudnn_conv2d_fwd_f32(memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64, i64, f32, f32) -> i32
// CHECK-DAG: func.func private @weir_cudnn_conv2d_bwd_filter_f32(memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64, i64, f32, f32) -> i32

// CHECK-LABEL: func.func @matmul
// CHECK-DAG: %[[F:.*]] = arith.constant 0 : i32
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: call @weir_cublas_gemm_f32(%{{.*}}, %{{.*}}, %{{.*}}, %[[F]], %[[F]], %[[ONE]], %[[ONE]])
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: memref<?x784xf32>, %b: memref<784x64xf32>, %c: memref<?x64xf32>) {
  linalg.matmul ins(%a, %b : memref<?x784xf32>, memref<784x64xf32>) outs(%c : memref<?x64xf32>)
  return
}

// Mixed precision names each operand's type; only dtypes the runtime has
// entry points for are outlined (by default f32 alone).
// CHECK-LABEL: func.func @matmul_mixed
// CHECK: call @weir_cublas_gemm_f16_f16_f32(
// DEFAULT-LABEL: func.func @matmul_mixed
// DEFAULT-NOT: call
// DEFAULT: linalg.matmul
func.func @matmul_mixed(%a: memref<8x16xf16>, %b: memref<16x32xf16>, %c: memref<8x32xf32>) {
  linalg.matmul ins(%a, %b : memref<8x16xf16>, memref<16x32xf16>) outs(%c : memref<8x32xf32>)
  return
}

// The backward pass's products: dW = x^T dy reads x down its columns.
// CHECK-LABEL: func.func @transposed_a
// CHECK-DAG: %[[T:.*]] = arith.constant 1 : i32
// CHECK-DAG: %[[F:.*]] = arith.constant 0 : i32
// CHECK: call @weir_cublas_gemm_f32(%{{.*}}, %{{.*}}, %{{.*}}, %[[T]], %[[F]],
// CHECK-NOT: linalg.generic
func.func @transposed_a(%x: memref<?x64xf32>, %dy: memref<?x10xf32>, %dw: memref<64x10xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1, d2) -> (d1, d0)>,
                                   affine_map<(d0, d1, d2) -> (d1, d2)>,
                                   affine_map<(d0, d1, d2) -> (d0, d2)>],
                  iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%x, %dy : memref<?x64xf32>, memref<?x10xf32>) outs(%dw : memref<64x10xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// CHECK-LABEL: func.func @conv
// CHECK-DAG: %[[S:.*]] = arith.constant 2 : i64
// CHECK-DAG: %[[P:.*]] = arith.constant 0 : i64
// CHECK-DAG: %[[D:.*]] = arith.constant 1 : i64
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// The output holds the bias or zeros: alpha = beta = 1 adds to it.
// CHECK: call @weir_cudnn_conv2d_fwd_f32(%{{.*}}, %{{.*}}, %{{.*}}, %[[S]], %[[S]], %[[P]], %[[P]], %[[D]], %[[D]], %[[ONE]], %[[ONE]])
func.func @conv(%x: memref<?x28x28x1xf32>, %k: memref<3x3x1x32xf32>, %y: memref<?x13x13x32xf32>) {
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}
      ins(%x, %k : memref<?x28x28x1xf32>, memref<3x3x1x32xf32>) outs(%y : memref<?x13x13x32xf32>)
  return
}

// A convolution's filter gradient (passes/FilterGradConv.h) is one cuDNN
// backward-filter call: (x, dk, dy) in the runtime's (x, w, y) order,
// strides and dilations from the input's map, accumulating into dk.
#fx = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5 * 2 + d0 * 3, d6 + d1, d2)>
#fdy = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d5, d6, d3)>
#fdk = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @bwd_filter
// CHECK-SAME: (%[[X:.*]]: memref<?x28x28x1xf32>, %[[DY:.*]]: memref<?x10x26x32xf32>, %[[DK:.*]]: memref<3x3x1x32xf32>)
// CHECK-DAG: %[[CX:.*]] = memref.cast %[[X]]
// CHECK-DAG: %[[CDY:.*]] = memref.cast %[[DY]]
// CHECK-DAG: %[[CDK:.*]] = memref.cast %[[DK]]
// CHECK-DAG: %[[TWO:.*]] = arith.constant 2 : i64
// CHECK-DAG: %[[THREE:.*]] = arith.constant 3 : i64
// CHECK-DAG: %[[I1:.*]] = arith.constant 1 : i64
// CHECK-DAG: %[[I0:.*]] = arith.constant 0 : i64
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK: call @weir_cudnn_conv2d_bwd_filter_f32(%[[CX]], %[[CDK]], %[[CDY]], %[[TWO]], %[[I1]], %[[I0]], %[[I0]], %[[THREE]], %[[I1]], %[[ONE]], %[[ONE]])
// CHECK-NOT: linalg.generic
func.func @bwd_filter(%x: memref<?x28x28x1xf32>, %dy: memref<?x10x26x32xf32>, %dk: memref<3x3x1x32xf32>) {
  linalg.generic {indexing_maps = [#fx, #fdy, #fdk],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %dy : memref<?x28x28x1xf32>, memref<?x10x26x32xf32>) outs(%dk : memref<3x3x1x32xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// cuDNN reads dense tensors only: a strided view stays for the kernel
// emitter.
// CHECK-LABEL: func.func @bwd_filter_strided_view
// CHECK-NOT: call
// CHECK: linalg.generic
func.func @bwd_filter_strided_view(%x: memref<?x28x28x1xf32, strided<[1568, 56, 2, 1]>>, %dy: memref<?x10x26x32xf32>, %dk: memref<3x3x1x32xf32>) {
  linalg.generic {indexing_maps = [#fx, #fdy, #fdk],
                  iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%x, %dy : memref<?x28x28x1xf32, strided<[1568, 56, 2, 1]>>, memref<?x10x26x32xf32>) outs(%dk : memref<3x3x1x32xf32>) {
  ^bb0(%in: f32, %in_0: f32, %out: f32):
    %0 = arith.mulf %in, %in_0 : f32
    %1 = arith.addf %out, %0 : f32
    linalg.yield %1 : f32
  }
  return
}

// A reduction that is no product stays for the kernel emitter.
// CHECK-LABEL: func.func @row_sum
// CHECK-NOT: call
// CHECK: linalg.generic
func.func @row_sum(%x: memref<?x10xf32>, %s: memref<?xf32>) {
  linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>, affine_map<(d0, d1) -> (d0)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<?x10xf32>) outs(%s : memref<?xf32>) {
  ^bb0(%in: f32, %out: f32):
    %0 = arith.addf %in, %out : f32
    linalg.yield %0 : f32
  }
  return
}

// f64 has no entry point: the matmul stays for the kernel emitter.
// CHECK-LABEL: func.func @matmul_f64
// CHECK-NOT: call
// CHECK: linalg.matmul
func.func @matmul_f64(%a: memref<8x16xf64>, %b: memref<16x32xf64>, %c: memref<8x32xf64>) {
  linalg.matmul ins(%a, %b : memref<8x16xf64>, memref<16x32xf64>) outs(%c : memref<8x32xf64>)
  return
}

// One phase of a stride-2 convolution's input gradient writes every other
// pixel of the gradient: a strided output, which the runtime's dense
// convolutions cannot take (they failed, and the gradient stayed zero), so
// it stays a linalg op for the kernel emitter.
// CHECK-LABEL: func.func @conv_strided_output
// CHECK-NOT: call @weir_cudnn
// CHECK: linalg.conv_2d_nhwc_hwcf
func.func @conv_strided_output(%x: memref<?x9x9x16xf32>, %w: memref<2x2x16x16xf32>, %g: memref<?x16x16x16xf32>) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %g, %c0 : memref<?x16x16x16xf32>
  %y = memref.subview %g[0, 0, 0, 0] [%n, 8, 8, 16] [1, 2, 2, 1] : memref<?x16x16x16xf32> to memref<?x8x8x16xf32, strided<[4096, 512, 32, 1]>>
  linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>} ins(%x, %w : memref<?x9x9x16xf32>, memref<2x2x16x16xf32>) outs(%y : memref<?x8x8x16xf32, strided<[4096, 512, 32, 1]>>)
  return
}
