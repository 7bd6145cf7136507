//===- WeirGradOps.td - backward-graph ops -----------------*- tablegen -*-===//
//
// The ops weir-differentiate emits: the derivatives of the forward ops that
// are not themselves forward ops, plus the few generic tensor ops (matmul,
// reduce_sum, mul, slice) the gradient rules compose. Their result types are
// set by the rule that creates them; verifiers check them (grad_c* in
// docs/spec.md).
//
//===----------------------------------------------------------------------===//

#ifndef WEIR_GRAD_OPS_TD
#define WEIR_GRAD_OPS_TD

class Weir_GradOp<string mnemonic, list<Trait> traits = []>
    : Weir_Op<mnemonic, !listconcat(traits, [Pure])> {
  let hasVerifier = 1;
}

def Weir_MatmulOp : Weir_GradOp<"matmul"> {
  let summary = "Rank-2 matrix product with optional transposes.";
  let description = [{
    `op(a) x op(b)`, where `op` transposes when `transpose_a` or
    `transpose_b` is set. The dense gradients are `dx = dy x kernel^T` and
    `dkernel = x^T x dy`.

    ```mlir
    %dk = weir.matmul %x, %dy transpose_a : (tensor<?x784xf32>, tensor<?x64xf32>) -> tensor<784x64xf32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$a, Weir_FloatTensor:$b,
                       UnitAttr:$transpose_a, UnitAttr:$transpose_b);
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = [{
    $a `,` $b (`transpose_a` $transpose_a^)? (`transpose_b` $transpose_b^)?
    attr-dict `:` functional-type(operands, results)
  }];
}

def Weir_ReduceSumOp : Weir_GradOp<"reduce_sum"> {
  let summary = "Sums a tensor over the listed axes, dropping them.";
  let description = [{
    Bias gradients sum the output gradient over every axis but the last.

    ```mlir
    %db = weir.reduce_sum %dy axes [0, 1, 2] : tensor<?x26x26x32xf32> -> tensor<32xf32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = [{
    $input `axes` $axes attr-dict `:` type($input) `->` type($output)
  }];
}

def Weir_MulOp : Weir_GradOp<"mul", [SameOperandsAndResultType]> {
  let summary = "Elementwise product of two tensors of one type.";
  let description = [{
    ```mlir
    %y = weir.mul %x, %mask : tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$lhs, Weir_FloatTensor:$rhs);
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($output)";
  let hasVerifier = 0;
}

def Weir_MulScalarOp : Weir_GradOp<"mul_scalar",
    [AllTypesMatch<["input", "output"]>]> {
  let summary = "Multiplies every element of a tensor by a 0-d tensor.";
  let description = [{
    Loss scaling (`precision: mixed_float16`): weir-differentiate multiplies
    the loss gradient by the loss scale, a non-trainable parameter, before
    it flows back through the float16 layers.

    ```mlir
    %dz = weir.mul_scalar %g, %scale : tensor<?x10xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$input, Weir_FloatTensor:$scale);
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale attr-dict `:` type($input) `,` type($scale)
  }];
}

def Weir_SliceOp : Weir_GradOp<"slice"> {
  let summary = "The slice [offset, offset + size) of one axis.";
  let description = [{
    The gradient of `concat` slices the output gradient back into the
    inputs' pieces.

    ```mlir
    %a = weir.slice %dy axis 3 offset 16 : tensor<?x8x8x64xf32> -> tensor<?x8x8x32xf32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$input, I64Attr:$axis, I64Attr:$offset);
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = [{
    $input `axis` $axis `offset` $offset attr-dict `:` type($input) `->`
    type($output)
  }];
}

def Weir_DropoutMaskOp : Weir_GradOp<"dropout_mask"> {
  let summary = "The training-mode dropout mask: 0 or 1 / (1 - rate).";
  let description = [{
    Each element is 0 with probability `rate` and `1 / (1 - rate)`
    otherwise, from a counter-based hash of the 0-d `rng` key and the
    element's linear index, so the mask depends only on the key (`salt`
    tells apart the masks of different dropout ops under one key). The
    training step multiplies the input by it; the gradient is the same
    product.

    ```mlir
    %m = weir.dropout_mask %x, %key rate 5.000000e-01 : (tensor<?x64xf32>, tensor<i64>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$like, Weir_SeedTensor:$rng,
                       F64Attr:$rate, DefaultValuedAttr<I64Attr, "0">:$salt);
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = [{
    $like `,` $rng `rate` $rate (`salt` $salt^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Weir_Conv2DBackpropInputOp : Weir_GradOp<"conv2d_backprop_input"> {
  let summary = "Gradient of conv2d with respect to its input.";
  let description = [{
    Given the output gradient `dy` (NHWC) and the HWIO `kernel` of a
    `weir.conv2d` with these `strides`, `padding` and `dilation`, returns the
    input gradient, of the result type (the conv input's type).

    ```mlir
    %dx = weir.conv2d_backprop_input %dy, %k : (tensor<?x26x26x32xf32>, tensor<3x3x1x32xf32>) -> tensor<?x28x28x1xf32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$output_grad, Weir_FloatTensor:$kernel,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
                       DefaultValuedAttr<Weir_PaddingAttr,
                                         "::weir::Padding::valid">:$padding,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation);
  let results = (outs Weir_FloatTensor:$input_grad);
  let assemblyFormat = [{
    $output_grad `,` $kernel (`strides` $strides^)? (`padding` `` $padding^)?
    (`dilation` $dilation^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Weir_Conv2DBackpropFilterOp : Weir_GradOp<"conv2d_backprop_filter"> {
  let summary = "Gradient of conv2d with respect to its kernel.";
  let description = [{
    Given the conv `input` and the output gradient `dy`, returns the HWIO
    kernel gradient, summed over the batch.

    ```mlir
    %dk = weir.conv2d_backprop_filter %x, %dy : (tensor<?x28x28x1xf32>, tensor<?x26x26x32xf32>) -> tensor<3x3x1x32xf32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$input, Weir_FloatTensor:$output_grad,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
                       DefaultValuedAttr<Weir_PaddingAttr,
                                         "::weir::Padding::valid">:$padding,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation);
  let results = (outs Weir_FloatTensor:$kernel_grad);
  let assemblyFormat = [{
    $input `,` $output_grad (`strides` $strides^)? (`padding` `` $padding^)?
    (`dilation` $dilation^)? attr-dict `:` functional-type(operands, results)
  }];
}

class Weir_PoolGradOp<string mnemonic, string what>
    : Weir_GradOp<mnemonic> {
  let summary = "Gradient of " # what # " pooling with respect to its input.";
  let arguments = (ins Weir_FloatTensor:$input, Weir_FloatTensor:$output_grad,
                       DenseI64ArrayAttr:$pool_size, DenseI64ArrayAttr:$strides,
                       DefaultValuedAttr<Weir_PaddingAttr,
                                         "::weir::Padding::valid">:$padding);
  let results = (outs Weir_FloatTensor:$input_grad);
  let assemblyFormat = [{
    $input `,` $output_grad `pool_size` $pool_size `strides` $strides
    (`padding` `` $padding^)? attr-dict `:` functional-type(operands, results)
  }];
}

def Weir_MaxPool2DGradOp : Weir_PoolGradOp<"max_pool2d_grad", "max"> {
  let description = [{
    Routes each window's output gradient to the first position (in
    row-major window order) that holds the window's maximum, as TensorFlow
    does; overlapping windows accumulate.

    ```mlir
    %dx = weir.max_pool2d_grad %x, %dy pool_size [2, 2] strides [2, 2] : (tensor<?x26x26x32xf32>, tensor<?x13x13x32xf32>) -> tensor<?x26x26x32xf32>
    ```
  }];
}

def Weir_AvgPool2DGradOp : Weir_PoolGradOp<"avg_pool2d_grad", "average"> {
  let description = [{
    Spreads each window's output gradient evenly over the window's
    positions inside the input (the count `avg_pool2d` divided by). `input`
    only supplies the shape.

    ```mlir
    %dx = weir.avg_pool2d_grad %x, %dy pool_size [2, 2] strides [2, 2] : (tensor<?x8x8x16xf32>, tensor<?x4x4x16xf32>) -> tensor<?x8x8x16xf32>
    ```
  }];
}

class Weir_ActivationGradOp<string mnemonic, string formula>
    : Weir_GradOp<mnemonic, [SameOperandsAndResultType]> {
  let summary = "Gradient of " # formula;
  let description = [{
    Takes the forward value named below and the output gradient `dy`, and
    returns the input gradient.

    ```mlir
    %dx = weir.}] # mnemonic # [{ %v, %dy : tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$value, Weir_FloatTensor:$output_grad);
  let results = (outs Weir_FloatTensor:$input_grad);
  let assemblyFormat = "$value `,` $output_grad attr-dict `:` type($input_grad)";
  let hasVerifier = 0;
}

def Weir_ReluGradOp : Weir_ActivationGradOp<"relu_grad",
    "relu, from its output y: dy where y > 0, else 0.">;
def Weir_SigmoidGradOp : Weir_ActivationGradOp<"sigmoid_grad",
    "sigmoid, from its output y: dy * y * (1 - y).">;
def Weir_TanhGradOp : Weir_ActivationGradOp<"tanh_grad",
    "tanh, from its output y: dy * (1 - y^2).">;
def Weir_GeluGradOp : Weir_ActivationGradOp<"gelu_grad",
    "gelu, from its input x (exact form unless `approximate`).">{
  let arguments = (ins Weir_FloatTensor:$value, Weir_FloatTensor:$output_grad,
                       UnitAttr:$approximate);
}
def Weir_SoftmaxGradOp : Weir_ActivationGradOp<"softmax_grad",
    "softmax along the last axis, from its output y: y * (dy - sum(dy * y)).">;

def Weir_BatchNormTrainGradOp : Weir_GradOp<"batch_norm_train_grad"> {
  let summary = "Gradient of batch_norm_train (batch statistics).";
  let description = [{
    From the input `x`, `gamma` and the output gradient `dy`, returns the
    gradients of the input, gamma and beta, with the batch mean and
    variance treated as functions of `x`.

    ```mlir
    %dx, %dg, %db = weir.batch_norm_train_grad %x, %gamma, %dy : (tensor<?x16xf32>, tensor<16xf32>, tensor<?x16xf32>) -> (tensor<?x16xf32>, tensor<16xf32>, tensor<16xf32>)
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$input, Weir_FloatTensor:$gamma,
                       Weir_FloatTensor:$output_grad,
                       DefaultValuedAttr<F64Attr, "1e-3">:$epsilon);
  let results = (outs Weir_FloatTensor:$input_grad,
                      Weir_FloatTensor:$gamma_grad, Weir_FloatTensor:$beta_grad);
  let assemblyFormat = [{
    $input `,` $gamma `,` $output_grad attr-dict `:`
    functional-type(operands, results)
  }];
}

class Weir_LossGradOp<string mnemonic, string loss, Type targetType>
    : Weir_GradOp<mnemonic> {
  let summary = "Gradient of the batch-mean " # loss # " in its prediction.";
  let description = [{
    The derivative of the loss op of the same name (with the same
    `from_logits`) with respect to `prediction`, including the 1/batch (or
    1/element count) of the mean. With logits it is computed directly,
    `softmax(x) - onehot(t)` over the batch, never through log(softmax).

    ```mlir
    %dp = weir.}] # mnemonic # [{ %logits, %t from_logits : (tensor<?x10xf32>, tensor<?xi32>) -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$prediction, targetType:$target,
                       UnitAttr:$from_logits);
  let results = (outs Weir_FloatTensor:$prediction_grad);
  let assemblyFormat = [{
    $prediction `,` $target (`from_logits` $from_logits^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Weir_SparseCategoricalCrossentropyGradOp : Weir_LossGradOp<
    "sparse_categorical_crossentropy_grad", "sparse categorical cross-entropy",
    Weir_IntTensor>;
def Weir_CategoricalCrossentropyGradOp : Weir_LossGradOp<
    "categorical_crossentropy_grad", "categorical cross-entropy",
    Weir_FloatTensor>;
def Weir_BinaryCrossentropyGradOp : Weir_LossGradOp<
    "binary_crossentropy_grad", "binary cross-entropy", Weir_FloatTensor>;
def Weir_MeanSquaredErrorGradOp : Weir_LossGradOp<
    "mean_squared_error_grad", "mean squared error", Weir_FloatTensor>;

def Weir_CorrectCountOp : Weir_GradOp<"correct_count"> {
  let summary = "How many predictions in the batch are right (accuracy).";
  let description = [{
    With integer `target` `[B]`: how many rows have `argmax(prediction)`
    equal to the label (sparse categorical accuracy). With a float `target`
    of the prediction's shape `[B, C]`, C > 1: argmax against argmax
    (categorical accuracy). With `[B, 1]` float targets: `p > threshold`
    against `t > 0.5` (binary accuracy; the threshold is 0.5, or 0 for
    logits). The first maximum wins ties. The result is a 0-d f32 count.

    ```mlir
    %n = weir.correct_count %p, %labels : (tensor<?x10xf32>, tensor<?xui8>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$prediction, Weir_NumericTensor:$target,
                       UnitAttr:$from_logits);
  let results = (outs 0DTensorOf<[F32]>:$count);
  let assemblyFormat = [{
    $prediction `,` $target (`from_logits` $from_logits^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

#endif // WEIR_GRAD_OPS_TD
