// RUN: weir-opt %s -canonicalize -split-input-file | FileCheck %s
// One function per fold or pattern in WeirFolds.cpp.

// CHECK-LABEL: func @dropout_rate_zero
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>)
// CHECK-NEXT: return %[[X]]
func.func @dropout_rate_zero(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = weir.dropout %x rate 0.0 seed 1 : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// CHECK-LABEL: func @dropout_kept
// CHECK: weir.dropout
func.func @dropout_kept(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = weir.dropout %x rate 0.1 seed 1 : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// CHECK-LABEL: func @flatten_rank2
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>)
// CHECK-NEXT: return %[[X]]
func.func @flatten_rank2(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = weir.flatten %x : tensor<?x8xf32> -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// A fold never changes a type: this flatten refines ?x? to ?x8 and stays.
// CHECK-LABEL: func @flatten_refines
// CHECK: weir.flatten
func.func @flatten_refines(%x: tensor<?x?xf32>) -> tensor<?x8xf32> {
  %0 = weir.flatten %x : tensor<?x?xf32> -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// CHECK-LABEL: func @reshape_same
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x2xf32>)
// CHECK-NEXT: return %[[X]]
func.func @reshape_same(%x: tensor<?x4x2xf32>) -> tensor<?x4x2xf32> {
  %0 = weir.reshape %x [4, -1] : tensor<?x4x2xf32> -> tensor<?x4x2xf32>
  return %0 : tensor<?x4x2xf32>
}

// CHECK-LABEL: func @reshape_of_reshape
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>)
// CHECK-NEXT: %[[R:.*]] = weir.reshape %[[X]] [2, 2, 2] : tensor<?x8xf32> -> tensor<?x2x2x2xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_of_reshape(%x: tensor<?x8xf32>) -> tensor<?x2x2x2xf32> {
  %0 = weir.reshape %x [4, 2] : tensor<?x8xf32> -> tensor<?x4x2xf32>
  %1 = weir.reshape %0 [2, 2, 2] : tensor<?x4x2xf32> -> tensor<?x2x2x2xf32>
  return %1 : tensor<?x2x2x2xf32>
}

// CHECK-LABEL: func @concat_single
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>)
// CHECK-NEXT: return %[[X]]
func.func @concat_single(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = weir.concat %x : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// CHECK-LABEL: func @cast_same_type
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>)
// CHECK-NEXT: return %[[X]]
func.func @cast_same_type(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = weir.cast %x to f32 : tensor<?x8xf32> -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// CHECK-LABEL: func @cast_kept
// CHECK: weir.cast
func.func @cast_kept(%x: tensor<?x8xui8>) -> tensor<?x8xf32> {
  %0 = weir.cast %x to f32 : tensor<?x8xui8> -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// CHECK-LABEL: func @rescale_identity
// CHECK-SAME: (%[[X:.*]]: tensor<?x8xf32>)
// CHECK-NEXT: return %[[X]]
func.func @rescale_identity(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = weir.rescale %x scale 1.0 : tensor<?x8xf32> -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// An integer input still needs its conversion to float.
// CHECK-LABEL: func @rescale_of_int_kept
// CHECK: weir.rescale
func.func @rescale_of_int_kept(%x: tensor<?x8xui8>) -> tensor<?x8xf32> {
  %0 = weir.rescale %x scale 1.0 : tensor<?x8xui8> -> tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// CHECK-LABEL: func @relu_relu
// CHECK-NEXT: %[[R:.*]] = weir.relu
// CHECK-NEXT: return %[[R]]
func.func @relu_relu(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %0 = weir.relu %x : tensor<?x8xf32> -> tensor<?x8xf32>
  %1 = weir.relu %0 : tensor<?x8xf32> -> tensor<?x8xf32>
  return %1 : tensor<?x8xf32>
}

// flatten(rescale(x)) -> rescale(flatten(x)): the elementwise op then fuses
// with the dense layer after it.
// CHECK-LABEL: func @flatten_of_rescale
// CHECK-SAME: (%[[X:.*]]: tensor<?x2x2xui8>)
// CHECK-NEXT: %[[F:.*]] = weir.flatten %[[X]] : tensor<?x2x2xui8> -> tensor<?x4xui8>
// CHECK-NEXT: %[[R:.*]] = weir.rescale %[[F]] scale 5.000000e-01 : tensor<?x4xui8> -> tensor<?x4xf32>
// CHECK-NEXT: return %[[R]]
func.func @flatten_of_rescale(%x: tensor<?x2x2xui8>) -> tensor<?x4xf32> {
  %0 = weir.rescale %x scale 0.5 : tensor<?x2x2xui8> -> tensor<?x2x2xf32>
  %1 = weir.flatten %0 : tensor<?x2x2xf32> -> tensor<?x4xf32>
  return %1 : tensor<?x4xf32>
}

// A rescale with another user stays where it is.
// CHECK-LABEL: func @flatten_of_shared_rescale
// CHECK: weir.rescale
// CHECK: weir.flatten
func.func @flatten_of_shared_rescale(%x: tensor<?x2x2xui8>) -> (tensor<?x4xf32>, tensor<?x2x2xf32>) {
  %0 = weir.rescale %x scale 0.5 : tensor<?x2x2xui8> -> tensor<?x2x2xf32>
  %1 = weir.flatten %0 : tensor<?x2x2xf32> -> tensor<?x4xf32>
  return %1, %0 : tensor<?x4xf32>, tensor<?x2x2xf32>
}
