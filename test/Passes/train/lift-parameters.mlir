// RUN: weir-opt %s -weir-lift-parameters | FileCheck %s

// The declarations stay for later passes to read.
// CHECK: weir.parameter @w
// CHECK: weir.parameter @unused

weir.parameter @w : tensor<4x2xf32> init <zeros>
weir.parameter @unused : tensor<3xf32> init <zeros>
weir.parameter @b : tensor<2xf32> init <zeros>

// Parameters become trailing arguments in declaration order (not in the
// order they are read), named by an argument attribute; one argument per
// parameter however often it is read.
// CHECK-LABEL: func.func @m
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>, %[[W:.*]]: tensor<4x2xf32> {weir.slot = #weir.slot<param, "w">}, %[[B:.*]]: tensor<2xf32> {weir.slot = #weir.slot<param, "b">})
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK-NOT: weir.load_param
// CHECK: weir.dense %[[X]], %[[W]], %[[B]]
// CHECK: weir.dense %[[X]], %[[W]]
func.func @m(%x: tensor<?x4xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>) {
  %b = weir.load_param @b : tensor<2xf32>
  %w = weir.load_param @w : tensor<4x2xf32>
  %0 = weir.dense %x, %w, %b : (tensor<?x4xf32>, tensor<4x2xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  %w2 = weir.load_param @w : tensor<4x2xf32>
  %1 = weir.dense %x, %w2 : (tensor<?x4xf32>, tensor<4x2xf32>) -> tensor<?x2xf32>
  return %0, %1 : tensor<?x2xf32>, tensor<?x2xf32>
}
