// RUN: weir-opt %s -split-input-file -verify-diagnostics
// One case per verifier diagnostic; each is named after the constraint in
// docs/spec.md that it breaks.

// expected-error @+1 {{'weir.parameter' op needs a static shape, got 'tensor<?x10xf32>'}}
weir.parameter @parameter_c1 : tensor<?x10xf32> init <zeros>

// -----

// expected-error @+1 {{'weir.parameter' op attribute 'type' failed to satisfy constraint: type attribute of tensor of floating-point values}}
weir.parameter @parameter_c2 : tensor<2xi32> init <zeros>

// -----

// expected-note @+1 {{see existing symbol definition here}}
weir.parameter @twice : tensor<2xf32> init <zeros>
// expected-error @+1 {{redefinition of symbol named 'twice'}}
weir.parameter @twice : tensor<2xf32> init <ones>

// -----

func.func @load_param_c1() {
  // expected-error @+1 {{'@nowhere' does not name a weir.parameter}}
  %0 = weir.load_param @nowhere : tensor<2xf32>
  return
}

// -----

weir.parameter @w : tensor<2x3xf32> init <zeros>
func.func @load_param_c2() {
  // expected-error @+1 {{result type 'tensor<3x2xf32>' differs from the type of parameter '@w', 'tensor<2x3xf32>'}}
  %0 = weir.load_param @w : tensor<3x2xf32>
  return
}

// -----

func.func @result_type(%x: tensor<?x784xf32>, %w: tensor<784x64xf32>) {
  // expected-error @+1 {{result #0 has type 'tensor<?x32xf32>', but its operands give 'tensor<?x64xf32>'}}
  %0 = weir.dense %x, %w : (tensor<?x784xf32>, tensor<784x64xf32>) -> tensor<?x32xf32>
  return
}

// -----

func.func @dense_c1(%x: tensor<?x784xf32>, %w: tensor<784x64xf16>) {
  // expected-error @+1 {{input, kernel and bias must all have element type 'f32', got 'tensor<784x64xf16>'}}
  %0 = weir.dense %x, %w : (tensor<?x784xf32>, tensor<784x64xf16>) -> tensor<?x64xf32>
  return
}

// -----

func.func @dense_c2(%x: tensor<128x28x28xf32>, %w: tensor<784x64xf32>) {
  // expected-error @+1 {{expects a rank-2 input [batch, features], got 'tensor<128x28x28xf32>' (add flatten before it?)}}
  %0 = weir.dense %x, %w : (tensor<128x28x28xf32>, tensor<784x64xf32>) -> tensor<128x64xf32>
  return
}

// -----

func.func @dense_c3_rank(%x: tensor<?x784xf32>, %w: tensor<784xf32>) {
  // expected-error @+1 {{expects a rank-2 kernel [features, units], got 'tensor<784xf32>'}}
  %0 = weir.dense %x, %w : (tensor<?x784xf32>, tensor<784xf32>) -> tensor<?x64xf32>
  return
}

// -----

func.func @dense_c3(%x: tensor<?x100xf32>, %w: tensor<784x64xf32>) {
  // expected-error @+1 {{kernel expects 784 input features, but the input has 100}}
  %0 = weir.dense %x, %w : (tensor<?x100xf32>, tensor<784x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

func.func @dense_c4(%x: tensor<?x784xf32>, %w: tensor<784x64xf32>, %b: tensor<10xf32>) {
  // expected-error @+1 {{bias must have shape [64], got 'tensor<10xf32>'}}
  %0 = weir.dense %x, %w, %b : (tensor<?x784xf32>, tensor<784x64xf32>, tensor<10xf32>) -> tensor<?x64xf32>
  return
}

// -----

func.func @conv2d_c1(%x: tensor<?x28x28x1xf32>, %k: tensor<3x3x1x8xbf16>) {
  // expected-error @+1 {{input, kernel and bias must all have element type 'f32', got 'tensor<3x3x1x8xbf16>'}}
  %0 = weir.conv2d %x, %k : (tensor<?x28x28x1xf32>, tensor<3x3x1x8xbf16>) -> tensor<?x26x26x8xf32>
  return
}

// -----

func.func @conv2d_c2(%x: tensor<?x28x28xf32>, %k: tensor<3x3x1x8xf32>) {
  // expected-error @+1 {{expects a rank-4 NHWC input, got 'tensor<?x28x28xf32>'}}
  %0 = weir.conv2d %x, %k : (tensor<?x28x28xf32>, tensor<3x3x1x8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @conv2d_c3_rank(%x: tensor<?x28x28x1xf32>, %k: tensor<3x3x8xf32>) {
  // expected-error @+1 {{expects a rank-4 kernel [height, width, in_channels, filters], got 'tensor<3x3x8xf32>'}}
  %0 = weir.conv2d %x, %k : (tensor<?x28x28x1xf32>, tensor<3x3x8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @conv2d_c3(%x: tensor<?x28x28x3xf32>, %k: tensor<3x3x1x8xf32>) {
  // expected-error @+1 {{kernel expects 1 input channels, but the input has 3}}
  %0 = weir.conv2d %x, %k : (tensor<?x28x28x3xf32>, tensor<3x3x1x8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @conv2d_c4_strides(%x: tensor<?x28x28x1xf32>, %k: tensor<3x3x1x8xf32>) {
  // expected-error @+1 {{strides must be two positive integers}}
  %0 = weir.conv2d %x, %k strides [0, 1] : (tensor<?x28x28x1xf32>, tensor<3x3x1x8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @conv2d_c4_dilation(%x: tensor<?x28x28x1xf32>, %k: tensor<3x3x1x8xf32>) {
  // expected-error @+1 {{dilation must be two positive integers}}
  %0 = weir.conv2d %x, %k dilation [2] : (tensor<?x28x28x1xf32>, tensor<3x3x1x8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @conv2d_c5(%x: tensor<?x28x28x1xf32>, %k: tensor<3x3x1x8xf32>, %b: tensor<1x8xf32>) {
  // expected-error @+1 {{bias must have shape [8], got 'tensor<1x8xf32>'}}
  %0 = weir.conv2d %x, %k, %b : (tensor<?x28x28x1xf32>, tensor<3x3x1x8xf32>, tensor<1x8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @conv2d_c6(%x: tensor<?x4x4x1xf32>, %k: tensor<3x3x1x8xf32>) {
  // expected-error @+1 {{window of 5 does not fit in input height 4 with padding valid (use padding same?)}}
  %0 = weir.conv2d %x, %k dilation [2, 2] : (tensor<?x4x4x1xf32>, tensor<3x3x1x8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @pool2d_c1(%x: tensor<?x28x28xf32>) {
  // expected-error @+1 {{expects a rank-4 NHWC input, got 'tensor<?x28x28xf32>'}}
  %0 = weir.max_pool2d %x : tensor<?x28x28xf32> -> tensor<*xf32>
  return
}

// -----

func.func @pool2d_c2_pool_size(%x: tensor<?x28x28x1xf32>) {
  // expected-error @+1 {{pool_size must be two positive integers}}
  %0 = weir.avg_pool2d %x pool_size [2, 2, 2] : tensor<?x28x28x1xf32> -> tensor<*xf32>
  return
}

// -----

func.func @pool2d_c2_strides(%x: tensor<?x28x28x1xf32>) {
  // expected-error @+1 {{strides must be two positive integers}}
  %0 = weir.max_pool2d %x strides [-1, 1] : tensor<?x28x28x1xf32> -> tensor<*xf32>
  return
}

// -----

func.func @pool2d_c3(%x: tensor<?x28x1x1xf32>) {
  // expected-error @+1 {{window of 2 does not fit in input width 1 with padding valid (use padding same?)}}
  %0 = weir.max_pool2d %x : tensor<?x28x1x1xf32> -> tensor<*xf32>
  return
}

// -----

func.func @global_avg_pool2d_c1(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{expects a rank-4 NHWC input, got 'tensor<?x64xf32>'}}
  %0 = weir.global_avg_pool2d %x : tensor<?x64xf32> -> tensor<*xf32>
  return
}

// -----

func.func @batch_norm_c1(%x: tensor<?x16xf32>, %g: tensor<16xf16>, %v: tensor<16xf32>) {
  // expected-error @+1 {{operands must all have element type 'f32', got 'tensor<16xf16>'}}
  %0 = weir.batch_norm %x, %g, %v, %v, %v : (tensor<?x16xf32>, tensor<16xf16>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @batch_norm_c2(%x: tensor<16xf32>, %v: tensor<16xf32>) {
  // expected-error @+1 {{expects an input of rank 2 or more, got 'tensor<16xf32>'}}
  %0 = weir.batch_norm %x, %v, %v, %v, %v : (tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<16xf32>
  return
}

// -----

func.func @batch_norm_c3(%x: tensor<?x16xf32>, %v: tensor<16xf32>, %m: tensor<8xf32>) {
  // expected-error @+1 {{mean must have shape [16], got 'tensor<8xf32>'}}
  %0 = weir.batch_norm %x, %v, %v, %m, %v : (tensor<?x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<8xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @batch_norm_c4(%x: tensor<?x16xf32>, %v: tensor<16xf32>) {
  // expected-error @+1 {{epsilon must be positive, got 0}}
  %0 = weir.batch_norm %x, %v, %v, %v, %v {epsilon = 0.0 : f64} : (tensor<?x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @batch_norm_c5(%x: tensor<?x16xf32>, %v: tensor<16xf32>) {
  // expected-error @+1 {{momentum must be in [0, 1], got -5.000000e-01}}
  %0 = weir.batch_norm %x, %v, %v, %v, %v {momentum = -0.5 : f64} : (tensor<?x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @batch_norm_train_c1(%x: tensor<?x16xf32>, %v: tensor<16xf32>) {
  // expected-error @+1 {{momentum must be in [0, 1], got 1.5}}
  %0:3 = weir.batch_norm_train %x, %v, %v, %v, %v {momentum = 1.5 : f64} : (tensor<?x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<?x16xf32>, tensor<16xf32>, tensor<16xf32>)
  return
}

// -----

func.func @dropout_c1(%x: tensor<?x64xf32>) {
  // expected-error @+1 {{rate must be in [0, 1), got 1}}
  %0 = weir.dropout %x rate 1.0 : (tensor<?x64xf32>) -> tensor<?x64xf32>
  return
}

// -----

func.func @dropout_c2(%x: tensor<?x64xf32>, %key: tensor<i64>) {
  // expected-error @+1 {{takes a seed attribute or an rng operand, not both}}
  %0 = weir.dropout %x, %key rate 0.5 seed 3 : (tensor<?x64xf32>, tensor<i64>) -> tensor<?x64xf32>
  return
}

// -----

func.func @flatten_c1(%x: tensor<f32>) {
  // expected-error @+1 {{expects an input with a batch dimension, got 'tensor<f32>'}}
  %0 = weir.flatten %x : tensor<f32> -> tensor<*xf32>
  return
}

// -----

func.func @reshape_c1(%x: tensor<?x784xf32>) {
  // expected-error @+1 {{shape entries must be positive, with at most one -1, got -1 at position 1}}
  %0 = weir.reshape %x [-1, -1] : tensor<?x784xf32> -> tensor<*xf32>
  return
}

// -----

func.func @reshape_c2(%x: tensor<f32>) {
  // expected-error @+1 {{expects an input with a batch dimension, got 'tensor<f32>'}}
  %0 = weir.reshape %x [1] : tensor<f32> -> tensor<*xf32>
  return
}

// -----

func.func @reshape_c3(%x: tensor<?x784xf32>) {
  // expected-error @+1 {{cannot reshape examples of 784 elements to [27, -1]}}
  %0 = weir.reshape %x [27, -1] : tensor<?x784xf32> -> tensor<*xf32>
  return
}

// -----

func.func @add_c1(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{expects at least two operands, got 1}}
  %0 = weir.add %x : (tensor<?x8xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @add_c2(%x: tensor<?x8xf32>, %y: tensor<?x8xf64>) {
  // expected-error @+1 {{operands must all have element type 'f32', got 'tensor<?x8xf64>'}}
  %0 = weir.add %x, %y : (tensor<?x8xf32>, tensor<?x8xf64>) -> tensor<?x8xf32>
  return
}

// -----

func.func @add_c3_rank(%x: tensor<?x8xf32>, %y: tensor<?x8x1xf32>) {
  // expected-error @+1 {{operand shapes differ: 'tensor<?x8xf32>' and 'tensor<?x8x1xf32>'}}
  %0 = weir.add %x, %y : (tensor<?x8xf32>, tensor<?x8x1xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @add_c3(%x: tensor<?x8xf32>, %y: tensor<?x4xf32>) {
  // expected-error @+1 {{operand shapes differ in dimension 1: 8 and 4}}
  %0 = weir.add %x, %y : (tensor<?x8xf32>, tensor<?x4xf32>) -> tensor<?x8xf32>
  return
}

// -----

func.func @concat_c1() {
  // expected-error @+1 {{expects at least one operand}}
  %0 = weir.concat : () -> tensor<?x8xf32>
  return
}

// -----

func.func @concat_c2(%x: tensor<?x8xf32>, %y: tensor<?x8xi32>) {
  // expected-error @+1 {{operands must all have element type 'f32', got 'tensor<?x8xi32>'}}
  %0 = weir.concat %x, %y : (tensor<?x8xf32>, tensor<?x8xi32>) -> tensor<?x16xf32>
  return
}

// -----

func.func @concat_c3(%x: tensor<?x8xf32>, %y: tensor<?x8x2xf32>) {
  // expected-error @+1 {{operands must have one rank, got 'tensor<?x8xf32>' and 'tensor<?x8x2xf32>'}}
  %0 = weir.concat %x, %y : (tensor<?x8xf32>, tensor<?x8x2xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @concat_c4(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = weir.concat %x, %x axis 2 : (tensor<?x8xf32>, tensor<?x8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @concat_c5(%x: tensor<?x8x8xf32>, %y: tensor<?x4x8xf32>) {
  // expected-error @+1 {{operands differ in dimension 1 (not the concatenation axis): 8 and 4}}
  %0 = weir.concat %x, %y : (tensor<?x8x8xf32>, tensor<?x4x8xf32>) -> tensor<*xf32>
  return
}

// -----

func.func @cast_c1(%x: tensor<?x8xf32>) {
  // expected-error @+1 {{dtype must be an integer or float type, got 'index'}}
  %0 = weir.cast %x to index : tensor<?x8xf32> -> tensor<?x8xf32>
  return
}

// -----

func.func @softmax_c1(%x: tensor<?x10xf32>) {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0 = weir.softmax %x axis -3 : tensor<?x10xf32> -> tensor<?x10xf32>
  return
}

// -----

func.func @sparse_categorical_crossentropy_c1(%x: tensor<?x4x10xf32>, %y: tensor<?xi32>) {
  // expected-error @+1 {{expects a prediction [batch, classes], got 'tensor<?x4x10xf32>'}}
  %0 = weir.sparse_categorical_crossentropy %x, %y : (tensor<?x4x10xf32>, tensor<?xi32>) -> tensor<f32>
  return
}

// -----

func.func @sparse_categorical_crossentropy_c1_labels(%x: tensor<?x10xf32>, %y: tensor<?x10xi32>) {
  // expected-error @+1 {{expects integer labels [batch], got 'tensor<?x10xi32>'}}
  %0 = weir.sparse_categorical_crossentropy %x, %y : (tensor<?x10xf32>, tensor<?x10xi32>) -> tensor<f32>
  return
}

// -----

func.func @sparse_categorical_crossentropy_c1_batch(%x: tensor<8x10xf32>, %y: tensor<4xi32>) {
  // expected-error @+1 {{has 8 predictions but 4 labels}}
  %0 = weir.sparse_categorical_crossentropy %x, %y : (tensor<8x10xf32>, tensor<4xi32>) -> tensor<f32>
  return
}

// -----

func.func @categorical_crossentropy_c1(%x: tensor<?x10xf32>, %t: tensor<?x9xf32>) {
  // expected-error @+1 {{prediction 'tensor<?x10xf32>' and target 'tensor<?x9xf32>' differ in dimension 1}}
  %0 = weir.categorical_crossentropy %x, %t : (tensor<?x10xf32>, tensor<?x9xf32>) -> tensor<f32>
  return
}

// -----

func.func @binary_crossentropy_c1(%x: tensor<?x1xf32>, %t: tensor<?x1xf64>) {
  // expected-error @+1 {{prediction and target must have one element type, got 'tensor<?x1xf32>' and 'tensor<?x1xf64>'}}
  %0 = weir.binary_crossentropy %x, %t : (tensor<?x1xf32>, tensor<?x1xf64>) -> tensor<f32>
  return
}

// -----

func.func @binary_crossentropy_c1_rank(%x: tensor<?x1xf32>, %t: tensor<?xf32>) {
  // expected-error @+1 {{prediction 'tensor<?x1xf32>' and target 'tensor<?xf32>' differ in rank}}
  %0 = weir.binary_crossentropy %x, %t : (tensor<?x1xf32>, tensor<?xf32>) -> tensor<f32>
  return
}

// -----

func.func @mean_squared_error_c2(%x: tensor<?x1xf32>) {
  // expected-error @+1 {{does not take from_logits}}
  %0 = weir.mean_squared_error %x, %x from_logits : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
  return
}

// -----

func.func @loss_result(%x: tensor<?x1xf32>) {
  // expected-error @+1 {{result #0 has type 'tensor<?xf32>', but its operands give 'tensor<f32>'}}
  %0 = weir.mean_squared_error %x, %x : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<?xf32>
  return
}

// -----

// expected-error @+1 {{a constant initializer needs a value}}
weir.parameter @init_constant : tensor<f32> init <constant>

// -----

// expected-error @+1 {{only a constant initializer has a value}}
weir.parameter @init_value : tensor<f32> init <zeros(1.0 : f64)>
