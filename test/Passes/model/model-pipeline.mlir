// RUN: weir-opt %s -split-input-file -verify-diagnostics -weir-model-pipeline | FileCheck %s
// RUN: weir-opt %s -split-input-file -weir-model-pipeline='warn-unused-parameters=false' 2>&1 | FileCheck %s --check-prefix=QUIET
// weir-model-pipeline is what `weir compile --emit=weir` runs: infer shapes,
// canonicalize, verify the model.

// CHECK-LABEL: func @mlp
// CHECK-SAME: (%[[X:.*]]: tensor<?x28x28x1xui8>) -> tensor<?x10xf32>
// The flatten moves before the rescale (canonicalization).
// CHECK: %[[S:.*]] = weir.flatten %[[X]] : tensor<?x28x28x1xui8> -> tensor<?x784xui8>
// CHECK: %[[F:.*]] = weir.rescale %[[S]] {{.*}} -> tensor<?x784xf32>
// CHECK: weir.dense %[[F]], {{.*}} -> tensor<?x64xf32>
// The rate-0 dropout folds away.
// CHECK-NOT: weir.dropout
// CHECK: weir.softmax {{.*}} -> tensor<?x10xf32>
// QUIET-LABEL: func @mlp
weir.parameter @d1.kernel : tensor<784x64xf32> init <glorot_uniform, seed = 1>
weir.parameter @d1.bias : tensor<64xf32> init <zeros>
weir.parameter @d2.kernel : tensor<64x10xf32> init <glorot_uniform, seed = 2>
weir.parameter @d2.bias : tensor<10xf32> init <zeros>
func.func @mlp(%x: tensor<?x28x28x1xui8>) -> tensor<*xf32> {
  %0 = weir.rescale %x scale 0.00392156862745098 : tensor<?x28x28x1xui8> -> tensor<*xf32>
  %1 = weir.flatten %0 : tensor<*xf32> -> tensor<*xf32>
  %k1 = weir.load_param @d1.kernel : tensor<784x64xf32>
  %b1 = weir.load_param @d1.bias : tensor<64xf32>
  %2 = weir.dense %1, %k1, %b1 : (tensor<*xf32>, tensor<784x64xf32>, tensor<64xf32>) -> tensor<*xf32>
  %3 = weir.relu %2 : tensor<*xf32> -> tensor<*xf32>
  %4 = weir.dropout %3 rate 0.0 : (tensor<*xf32>) -> tensor<*xf32>
  %k2 = weir.load_param @d2.kernel : tensor<64x10xf32>
  %b2 = weir.load_param @d2.bias : tensor<10xf32>
  %5 = weir.dense %4, %k2, %b2 : (tensor<*xf32>, tensor<64x10xf32>, tensor<10xf32>) -> tensor<*xf32>
  %6 = weir.softmax %5 : tensor<*xf32> -> tensor<*xf32>
  return %6 : tensor<*xf32>
}

// -----

// By default an unused parameter is a warning; warn-unused-parameters=false
// silences it.
// CHECK-LABEL: func @unused_parameter
// CHECK-SAME: -> tensor<?x3xf32>
// QUIET-NOT: never read
// QUIET-LABEL: func @unused_parameter
// expected-warning @+1 {{parameter 'spare' is never read}}
weir.parameter @spare : tensor<3xf32> init <ones>
func.func @unused_parameter(%x: tensor<?x3xf32>) -> tensor<*xf32> {
  %0 = weir.sigmoid %x : tensor<?x3xf32> -> tensor<*xf32>
  return %0 : tensor<*xf32>
}
