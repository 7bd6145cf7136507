// RUN: weir-opt %s -weir-vectorize-convolutions | FileCheck %s

// Tiled to one output pixel and one kernel row, decomposed to a 1-D
// convolution and vectorized: the 16 filter accumulators of the pixel are
// one vector, updated by one FMA per kernel column and input channel
// (3 x 2 = 6 here), with no convolution op left.
// CHECK-LABEL: func @conv
// CHECK: scf.for
// CHECK-COUNT-6: vector.fma {{.*}} : vector<16xf32>
// CHECK-NOT: linalg.conv
func.func @conv(%x: tensor<4x5x5x2xf32>, %k: tensor<3x3x2x16xf32>, %o: tensor<4x3x3x16xf32>) -> tensor<4x3x3x16xf32> {
  %0 = linalg.conv_2d_nhwc_hwcf ins(%x, %k : tensor<4x5x5x2xf32>, tensor<3x3x2x16xf32>) outs(%o : tensor<4x3x3x16xf32>) -> tensor<4x3x3x16xf32>
  return %0 : tensor<4x3x3x16xf32>
}
