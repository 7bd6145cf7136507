// RUN: weir-opt %s -split-input-file -weir-auto-mixed-precision=precision=mixed_bfloat16 -verify-diagnostics | FileCheck %s
// RUN: weir-opt %s -split-input-file -weir-auto-mixed-precision=precision=mixed_float16 -verify-diagnostics | FileCheck %s --check-prefix=F16
// RUN: weir-opt %s -split-input-file -weir-auto-mixed-precision=precision=float32 -verify-diagnostics | FileCheck %s --check-prefix=F32

weir.parameter @k : tensor<4x3xf32> init <zeros>
weir.parameter @b : tensor<3xf32> init <zeros>
weir.parameter @k2 : tensor<3x3xf32> init <zeros>

// Products and what follows them compute in the low type; the master
// weights stay f32 and are cast once each, even when read twice; softmax
// and the loss are f32 islands; the function keeps its signature.
// CHECK-LABEL: func.func @mlp
// CHECK-SAME: (%[[X:.*]]: tensor<?x4xf32>, %{{.*}}: tensor<?xi32>) -> (tensor<f32>, tensor<?x3xf32>)
// CHECK-DAG: %[[XL:.*]] = weir.cast %[[X]] to bf16 : tensor<?x4xf32> -> tensor<?x4xbf16>
// CHECK-DAG: %[[K:.*]] = weir.load_param @k : tensor<4x3xf32>
// CHECK-DAG: %[[KL:.*]] = weir.cast %[[K]] to bf16 : tensor<4x3xf32> -> tensor<4x3xbf16>
// CHECK-DAG: %[[BL:.*]] = weir.cast %{{.*}} to bf16 : tensor<3xf32> -> tensor<3xbf16>
// CHECK: %[[D:.*]] = weir.dense %[[XL]], %[[KL]], %[[BL]] : (tensor<?x4xbf16>, tensor<4x3xbf16>, tensor<3xbf16>) -> tensor<?x3xbf16>
// CHECK: %[[R:.*]] = weir.relu %[[D]] : tensor<?x3xbf16> -> tensor<?x3xbf16>
// CHECK-NOT: weir.cast %[[K]]
// CHECK: %[[D2:.*]] = weir.dense %[[XL]], %[[KL]] : {{.*}} -> tensor<?x3xbf16>
// CHECK: %[[A:.*]] = weir.add %[[R]], %[[D2]] : {{.*}} -> tensor<?x3xbf16>
// CHECK: %[[AF:.*]] = weir.cast %[[A]] to f32 : tensor<?x3xbf16> -> tensor<?x3xf32>
// CHECK: %[[S:.*]] = weir.softmax %[[AF]] {{.*}} -> tensor<?x3xf32>
// CHECK: %[[L:.*]] = weir.sparse_categorical_crossentropy %[[AF]], %{{.*}} from_logits {{.*}} -> tensor<f32>
// CHECK: return %[[L]], %[[S]] : tensor<f32>, tensor<?x3xf32>
// F16-LABEL: func.func @mlp
// F16: weir.dense {{.*}} -> tensor<?x3xf16>
// F32-LABEL: func.func @mlp
// F32-NOT: weir.cast
// F32: return
func.func @mlp(%x: tensor<?x4xf32>, %t: tensor<?xi32>) -> (tensor<f32>, tensor<?x3xf32>) {
  %k = weir.load_param @k : tensor<4x3xf32>
  %b = weir.load_param @b : tensor<3xf32>
  %0 = weir.dense %x, %k, %b : (tensor<?x4xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %1 = weir.relu %0 : tensor<?x3xf32> -> tensor<?x3xf32>
  %2 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %3 = weir.add %1, %2 : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  %4 = weir.softmax %3 : tensor<?x3xf32> -> tensor<?x3xf32>
  %l = weir.sparse_categorical_crossentropy %3, %t from_logits : (tensor<?x3xf32>, tensor<?xi32>) -> tensor<f32>
  return %l, %4 : tensor<f32>, tensor<?x3xf32>
}

// -----

weir.parameter @k : tensor<4x3xf32> init <zeros>
weir.parameter @k2 : tensor<3x3xf32> init <zeros>

// A layer's weir.compute_type (Keras' layer dtype) wins over the policy;
// an f32 result that leaves the function is cast back to f32 where the
// low type reached it.
// CHECK-LABEL: func.func @override
// CHECK: %[[D:.*]] = weir.dense {{.*}} -> tensor<?x3xbf16>
// CHECK: %[[DF:.*]] = weir.cast %[[D]] to f32
// CHECK: %[[E:.*]] = weir.dense %[[DF]], %{{.*}} {weir.compute_type = f32} : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32>
// CHECK: %[[T:.*]] = weir.tanh %[[D]] : tensor<?x3xbf16> -> tensor<?x3xbf16>
// CHECK: %[[TF:.*]] = weir.cast %[[T]] to f32
// CHECK: return %[[E]], %[[TF]]
func.func @override(%x: tensor<?x4xf32>) -> (tensor<?x3xf32>, tensor<?x3xf32>) {
  %k = weir.load_param @k : tensor<4x3xf32>
  %k2 = weir.load_param @k2 : tensor<3x3xf32>
  %0 = weir.dense %x, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  %1 = weir.dense %0, %k2 {weir.compute_type = f32} : (tensor<?x3xf32>, tensor<3x3xf32>) -> tensor<?x3xf32>
  %2 = weir.tanh %0 : tensor<?x3xf32> -> tensor<?x3xf32>
  return %1, %2 : tensor<?x3xf32>, tensor<?x3xf32>
}

// -----

// Integer pixels stay integers; rescale follows its (integer) input and
// keeps its f32 result until a product reads it.
// CHECK-LABEL: func.func @pixels
// CHECK: %[[R:.*]] = weir.rescale %{{.*}} scale {{.*}} : tensor<?x4xui8> -> tensor<?x4xf32>
// CHECK: weir.cast %[[R]] to bf16
weir.parameter @k : tensor<4x3xf32> init <zeros>
func.func @pixels(%x: tensor<?x4xui8>) -> tensor<?x3xf32> {
  %k = weir.load_param @k : tensor<4x3xf32>
  %0 = weir.rescale %x scale 0.0039215686274509803 : tensor<?x4xui8> -> tensor<?x4xf32>
  %1 = weir.dense %0, %k : (tensor<?x4xf32>, tensor<4x3xf32>) -> tensor<?x3xf32>
  return %1 : tensor<?x3xf32>
}
