// RUN: weir-opt %s -split-input-file -weir-lower-to-linalg | FileCheck %s
// One function per lowering pattern (passes/LowerToLinalg.cpp).

// CHECK-LABEL: func @dense
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[W:.*]]: tensor<4x2xf32>, %[[B:.*]]: tensor<2xf32>)
// CHECK: %[[INIT:.*]] = linalg.generic {{.*}} ins(%[[B]] : tensor<2xf32>)
// CHECK: linalg.matmul ins(%[[X]], %[[W]] : {{.*}}) outs(%[[INIT]] : tensor<?x2xf32>)
func.func @dense(%x: tensor<?x4xf32>, %w: tensor<4x2xf32>, %b: tensor<2xf32>) -> tensor<?x2xf32> {
  %0 = weir.dense %x, %w, %b : (tensor<?x4xf32>, tensor<4x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// CHECK-LABEL: func @conv_same
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 1, 1, 0]
// CHECK: linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : vector<2xi64>, strides = dense<2> : vector<2xi64>}
// CHECK-SAME: -> tensor<?x4x4x8xf32>
func.func @conv_same(%x: tensor<?x8x8x3xf32>, %k: tensor<3x3x3x8xf32>) -> tensor<?x4x4x8xf32> {
  %0 = weir.conv2d %x, %k strides [2, 2] padding same : (tensor<?x8x8x3xf32>, tensor<3x3x3x8xf32>) -> tensor<?x4x4x8xf32>
  return %0 : tensor<?x4x4x8xf32>
}

// -----

// Windows that tile the input: one strided slice per window position and
// an elementwise max (it vectorizes; a pooling op with a dynamic batch
// does not).
// CHECK-LABEL: func @max_pool
// CHECK-COUNT-4: tensor.extract_slice %{{.*}}[0, {{[01]}}, {{[01]}}, 0] [%{{.*}}, 4, 4, 3] [1, 2, 2, 1]
// CHECK: linalg.generic
// CHECK-COUNT-3: arith.maximumf
func.func @max_pool(%x: tensor<?x8x8x3xf32>) -> tensor<?x4x4x3xf32> {
  %0 = weir.max_pool2d %x : tensor<?x8x8x3xf32> -> tensor<?x4x4x3xf32>
  return %0 : tensor<?x4x4x3xf32>
}

// -----

// Overlapping windows: a pooling op over the input padded with -inf.
// CHECK-LABEL: func @max_pool_overlap
// CHECK: %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad
// CHECK: tensor.yield %[[NEG]] : f32
// CHECK: linalg.fill ins(%{{.*}} : f32)
// CHECK: linalg.pooling_nhwc_max {dilations = dense<1> : vector<2xi64>, strides = dense<1> : vector<2xi64>}
func.func @max_pool_overlap(%x: tensor<?x8x8x3xf32>) -> tensor<?x8x8x3xf32> {
  %0 = weir.max_pool2d %x pool_size [3, 3] strides [1, 1] padding same : tensor<?x8x8x3xf32> -> tensor<?x8x8x3xf32>
  return %0 : tensor<?x8x8x3xf32>
}

// -----

// Same padding: the average divides by the in-bounds count per position.
// CHECK-LABEL: func @avg_pool_same
// CHECK: linalg.pooling_nhwc_sum
// CHECK: arith.constant dense<{{\[\[}}2.500000e-01, 5.000000e-01], [5.000000e-01, 1.000000e+00]]> : tensor<2x2xf32>
// CHECK: linalg.generic
// CHECK: arith.mulf
func.func @avg_pool_same(%x: tensor<?x3x3x1xf32>) -> tensor<?x2x2x1xf32> {
  %0 = weir.avg_pool2d %x padding same : tensor<?x3x3x1xf32> -> tensor<?x2x2x1xf32>
  return %0 : tensor<?x2x2x1xf32>
}

// -----

// CHECK-LABEL: func @global_avg_pool
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction", "parallel"]
// CHECK: arith.constant 2.500000e-01 : f32
func.func @global_avg_pool(%x: tensor<?x2x2x5xf32>) -> tensor<?x5xf32> {
  %0 = weir.global_avg_pool2d %x : tensor<?x2x2x5xf32> -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// CHECK-LABEL: func @batch_norm
// CHECK: linalg.generic
// CHECK: math.rsqrt
func.func @batch_norm(%x: tensor<?x4xf32>, %s: tensor<4xf32>) -> tensor<?x4xf32> {
  %0 = weir.batch_norm %x, %s, %s, %s, %s : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// Inference: dropout is the identity.
// CHECK-LABEL: func @dropout
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @dropout(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = weir.dropout %x rate 0.5 : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func @reshapes
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]] : tensor<?x2x3x4xf32> into tensor<?x24xf32>
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3]]
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]]{{.*}} : tensor<?x24xf32> into tensor<?x6x4xf32>
func.func @reshapes(%x: tensor<?x2x3x4xf32>) -> (tensor<?x24xf32>, tensor<?x6x4xf32>) {
  %0 = weir.flatten %x : tensor<?x2x3x4xf32> -> tensor<?x24xf32>
  %1 = weir.reshape %x [6, 4] : tensor<?x2x3x4xf32> -> tensor<?x6x4xf32>
  return %0, %1 : tensor<?x24xf32>, tensor<?x6x4xf32>
}

// -----

// CHECK-LABEL: func @concat
// CHECK: %[[E:.*]] = tensor.empty(%{{.*}}) : tensor<?x5xf32>
// CHECK: %[[A:.*]] = tensor.insert_slice %{{.*}} into %[[E]][0, 0] [%{{.*}}, 2] [1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %[[A]][0, 2] [%{{.*}}, 3] [1, 1]
func.func @concat(%a: tensor<?x2xf32>, %b: tensor<?x3xf32>) -> tensor<?x5xf32> {
  %0 = weir.concat %a, %b : (tensor<?x2xf32>, tensor<?x3xf32>) -> tensor<?x5xf32>
  return %0 : tensor<?x5xf32>
}

// -----

// Unsigned inputs become signless at the boundary; conversions read them
// unsigned.
// CHECK-LABEL: func @rescale_u8
// CHECK-SAME: (%{{.*}}: tensor<?x4xi8>)
// CHECK: arith.uitofp %{{.*}} : i8 to f32
// CHECK: arith.mulf
// CHECK: arith.addf
func.func @rescale_u8(%x: tensor<?x4xui8>) -> tensor<?x4xf32> {
  %0 = weir.rescale %x scale 0.5 offset 1.0 : tensor<?x4xui8> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func @casts
// CHECK: arith.fptosi %{{.*}} : f32 to i32
// CHECK: arith.extf %{{.*}} : f32 to f64
// CHECK: arith.truncf %{{.*}} : f32 to bf16
func.func @casts(%x: tensor<?x4xf32>) -> (tensor<?x4xi32>, tensor<?x4xf64>, tensor<?x4xbf16>) {
  %0 = weir.cast %x to i32 : tensor<?x4xf32> -> tensor<?x4xi32>
  %1 = weir.cast %x to f64 : tensor<?x4xf32> -> tensor<?x4xf64>
  %2 = weir.cast %x to bf16 : tensor<?x4xf32> -> tensor<?x4xbf16>
  return %0, %1, %2 : tensor<?x4xi32>, tensor<?x4xf64>, tensor<?x4xbf16>
}

// -----

// CHECK-LABEL: func @activations
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: math.tanh
// CHECK: math.erf
// CHECK: math.tanh
// CHECK: arith.addf
func.func @activations(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = weir.relu %x : tensor<?x4xf32> -> tensor<?x4xf32>
  %1 = weir.sigmoid %x : tensor<?x4xf32> -> tensor<?x4xf32>
  %2 = weir.tanh %x : tensor<?x4xf32> -> tensor<?x4xf32>
  %3 = weir.gelu %x : tensor<?x4xf32> -> tensor<?x4xf32>
  %4 = weir.gelu %x approximate : tensor<?x4xf32> -> tensor<?x4xf32>
  %5 = weir.add %x, %x : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// Softmax: max-reduce, exp of the difference, sum-reduce, divide.
// CHECK-LABEL: func @softmax
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.addf
// CHECK: arith.divf
func.func @softmax(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %0 = weir.softmax %x : tensor<?x10xf32> -> tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// -----

// Parameter declarations carry no code and are erased.
// CHECK-NOT: weir.parameter
weir.parameter @p : tensor<2xf32> init <zeros>

// -----

// Cross-entropy from logits is a stable log-sum-exp (max first) minus the
// label's logit, never log(softmax); then a mean over the batch, whose size
// is read at run time.
// CHECK-LABEL: func @sparse_ce
// CHECK: arith.cmpi eq
// CHECK: arith.select
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: math.log
// CHECK-NOT: arith.divf {{.*}} : f32{{$}}
// CHECK: arith.subf
// CHECK: tensor.dim
// CHECK: arith.divf
func.func @sparse_ce(%x: tensor<?x10xf32>, %y: tensor<?xi32>) -> tensor<f32> {
  %0 = weir.sparse_categorical_crossentropy %x, %y from_logits : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Probabilities are clipped to [1e-7, 1 - 1e-7] before the log.
// CHECK-LABEL: func @binary_ce_probs
// CHECK: arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK: arith.minimumf
// CHECK: math.log
func.func @binary_ce_probs(%p: tensor<?x1xf32>, %t: tensor<?x1xf32>) -> tensor<f32> {
  %0 = weir.binary_crossentropy %p, %t : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}
