// RUN: weir-opt %s -split-input-file -verify-diagnostics
// One case per diagnostic of the augmentation ops; each is named after its
// constraint in docs/spec.md ("Augmentation").

func.func @augment_c1_rank(%x: tensor<?x28x28xf32>) {
  // expected-error @+1 {{'weir.random_flip' op expects NHWC images (rank 4), got 'tensor<?x28x28xf32>'}}
  %0 = weir.random_flip %x : (tensor<?x28x28xf32>) -> tensor<?x28x28xf32>
  return
}

// -----

func.func @augment_c1_float(%x: tensor<?x28x28x1xi8>) {
  // expected-error @+1 {{'weir.random_flip' op operand #0 must be tensor of floating-point values}}
  %0 = weir.random_flip %x : (tensor<?x28x28x1xi8>) -> tensor<?x28x28x1xi8>
  return
}

// -----

func.func @augment_c2_key_and_offset(%x: tensor<?x8x8x1xf32>, %key: tensor<i64>) {
  // expected-error @+1 {{'weir.random_flip' op takes both key and offset, or neither}}
  %0 = "weir.random_flip"(%x, %key) {operandSegmentSizes = array<i32: 1, 1, 0>} : (tensor<?x8x8x1xf32>, tensor<i64>) -> tensor<?x8x8x1xf32>
  return
}

// -----

func.func @augment_c3_pair(%x: tensor<?x8x8x1xf32>) {
  // expected-error @+1 {{'weir.random_rotation' op factor must be a (lower, upper) pair, got 1 values}}
  %0 = weir.random_rotation %x factor [0.1] : (tensor<?x8x8x1xf32>) -> tensor<?x8x8x1xf32>
  return
}

// -----

func.func @augment_c3_rotation_range(%x: tensor<?x8x8x1xf32>) {
  // expected-error @+1 {{'weir.random_rotation' op factor must have -1 <= lower <= upper <= 1, got [-0.5, 1.5]}}
  %0 = weir.random_rotation %x factor [-0.5, 1.5] : (tensor<?x8x8x1xf32>) -> tensor<?x8x8x1xf32>
  return
}

// -----

func.func @augment_c3_order(%x: tensor<?x8x8x1xf32>) {
  // expected-error @+1 {{'weir.random_translation' op width_factor must have -1 <= lower <= upper <= 1, got [0.2, 0.1]}}
  %0 = weir.random_translation %x height_factor [0.0, 0.1] width_factor [0.2, 0.1] : (tensor<?x8x8x1xf32>) -> tensor<?x8x8x1xf32>
  return
}

// -----

func.func @augment_c3_zoom(%x: tensor<?x8x8x1xf32>) {
  // expected-error @+1 {{'weir.random_zoom' op height_factor must have -1 < lower <= upper <= 1, got [-1, 0.5]}}
  %0 = weir.random_zoom %x height_factor [-1.0, 0.5] : (tensor<?x8x8x1xf32>) -> tensor<?x8x8x1xf32>
  return
}

// -----

func.func @augment_c3_contrast(%x: tensor<?x8x8x1xf32>) {
  // expected-error @+1 {{'weir.random_contrast' op factor must have 0 <= lower <= upper <= 1, got [-0.1, 0.1]}}
  %0 = weir.random_contrast %x factor [-0.1, 0.1] : (tensor<?x8x8x1xf32>) -> tensor<?x8x8x1xf32>
  return
}

// -----

func.func @augment_c4_window(%x: tensor<?x8x8x1xf32>) {
  // expected-error @+1 {{'weir.random_crop' op window must be positive, got 0x4}}
  %0 = weir.random_crop %x height 0 width 4 : (tensor<?x8x8x1xf32>) -> tensor<?x0x4x1xf32>
  return
}

// -----

func.func @augment_c5_result(%x: tensor<?x8x8x1xf32>) {
  // expected-error @+1 {{'weir.random_crop' op result #0 has type 'tensor<?x8x8x1xf32>', but its operands give 'tensor<?x4x4x1xf32>'}}
  %0 = weir.random_crop %x height 4 width 4 : (tensor<?x8x8x1xf32>) -> tensor<?x8x8x1xf32>
  return
}

// -----

func.func @augment_c6_value_range(%x: tensor<?x8x8x1xf32>) {
  // expected-error @+1 {{'weir.random_contrast' op value_range must be (low, high) with low < high}}
  %0 = weir.random_contrast %x factor [0.1, 0.1] value_range [1.0, 0.0] : (tensor<?x8x8x1xf32>) -> tensor<?x8x8x1xf32>
  return
}

// -----

func.func @augment_c1_same_type(%x: tensor<?x8x8x1xf32>) {
  // expected-error @+1 {{'weir.random_flip' op result #0 has type 'tensor<?x8x8x2xf32>', but its operands give 'tensor<?x8x8x1xf32>'}}
  %0 = weir.random_flip %x : (tensor<?x8x8x1xf32>) -> tensor<?x8x8x2xf32>
  return
}
