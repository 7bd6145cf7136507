//===- WeirOps.td - weir model ops ------------------------*- tablegen -*-===//
//
// Parameters and the forward-graph ops of a model. Every op that has a
// shape rule implements it once, in ShapeFns.cpp; the verifier and
// InferShapedTypeOpInterface both call that rule (see Weir_ShapedOp).
//
//===----------------------------------------------------------------------===//

#ifndef WEIR_OPS_TD
#define WEIR_OPS_TD

include "dialect/WeirBase.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

// An op whose result shapes follow from its operands and attributes. The op
// defines `inferShape`; verification checks the declared result types
// against it, and weir-infer-shapes refines result types with it.
class Weir_ShapedOp<string mnemonic, list<Trait> traits = []>
    : Weir_Op<mnemonic, !listconcat(traits, [InferShapedTypeOpAdaptor])> {
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    static ::llvm::LogicalResult inferShape(Adaptor adaptor,
        ::weir::EmitFn emitError,
        ::llvm::SmallVectorImpl<::mlir::ShapedTypeComponents> &shapes);
  }];
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypeComponents(
        ::mlir::MLIRContext *, std::optional<::mlir::Location> location,
        Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::ShapedTypeComponents> &shapes) {
      return inferShape(adaptor, ::weir::diagnoseAt(location), shapes);
    }
    ::llvm::LogicalResult $cppClass::verify() {
      return ::weir::verifyInferredShapes(*this);
    }
  }];
}

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

def Weir_ParameterOp : Weir_Op<"parameter",
    [Symbol, HasParent<"::mlir::ModuleOp">]> {
  let summary = "A named, initialized model parameter (a weight).";
  let description = [{
    Declares one tensor of model state at module level: its name (the
    symbol, which is also its name in checkpoints), its static shape and
    float dtype, and its initializer. `non_trainable` marks state that the
    optimizer does not update, such as batch-norm moving statistics.

    ```mlir
    weir.parameter @"dense.kernel" : tensor<784x64xf32> init <glorot_uniform, seed = 7>
    weir.parameter @"bn.moving_mean" : tensor<64xf32> init <zeros> non_trainable
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name,
                       TypeAttrOf<Weir_FloatTensor>:$type,
                       Weir_InitializerAttr:$init,
                       UnitAttr:$non_trainable);
  let assemblyFormat = [{
    $sym_name `:` $type `init` $init (`non_trainable` $non_trainable^)?
    attr-dict
  }];
  let hasVerifier = 1;
}

def Weir_LoadParamOp : Weir_Op<"load_param",
    [Pure, DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "Reads the current value of a parameter.";
  let description = [{
    Yields the value of the `weir.parameter` named by `param`. The result
    type is exactly the parameter's type.

    ```mlir
    %w = weir.load_param @"dense.kernel" : tensor<784x64xf32>
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$param);
  let results = (outs Weir_FloatTensor:$value);
  let assemblyFormat = "$param attr-dict `:` type($value)";
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

def Weir_DenseOp : Weir_ShapedOp<"dense", [Pure]> {
  let summary = "Fully connected layer: input x kernel (+ bias).";
  let description = [{
    `output[b, n] = sum_k input[b, k] * kernel[k, n] + bias[n]`, with the
    bias optional. The activation of a Keras `Dense` is a separate op.

    ```mlir
    %y = weir.dense %x, %w, %b : (tensor<?x784xf32>, tensor<784x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$input, Weir_FloatTensor:$kernel,
                       Optional<Weir_FloatTensor>:$bias);
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $kernel (`,` $bias^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Weir_Conv2DOp : Weir_ShapedOp<"conv2d", [Pure]> {
  let summary = "2-D convolution, NHWC input, HWIO kernel (+ bias).";
  let description = [{
    Cross-correlates the NHWC `input` with the `kernel` of shape
    `[KH, KW, C, F]`, with `strides`, `dilation` and Keras `padding`
    (`valid`: no padding; `same`: output size `ceil(H / stride)`, padding split
    with the extra row or column at the bottom or right), then adds the
    optional `bias` of shape `[F]`.

    ```mlir
    %y = weir.conv2d %x, %k, %b strides [2, 2] padding same : (tensor<?x28x28x1xf32>, tensor<3x3x1x32xf32>, tensor<32xf32>) -> tensor<?x14x14x32xf32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$input, Weir_FloatTensor:$kernel,
                       Optional<Weir_FloatTensor>:$bias,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
                       DefaultValuedAttr<Weir_PaddingAttr,
                                         "::weir::Padding::valid">:$padding,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilation);
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $kernel (`,` $bias^)? (`strides` $strides^)?
    (`padding` `` $padding^)? (`dilation` $dilation^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

class Weir_Pool2DOp<string mnemonic, string what> : Weir_ShapedOp<mnemonic, [Pure]> {
  let summary = what # " pooling over NHWC windows.";
  let arguments = (ins Weir_FloatTensor:$input,
                       DefaultValuedAttr<DenseI64ArrayAttr, "{2, 2}">:$pool_size,
                       OptionalAttr<DenseI64ArrayAttr>:$strides,
                       DefaultValuedAttr<Weir_PaddingAttr,
                                         "::weir::Padding::valid">:$padding);
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = [{
    $input (`pool_size` $pool_size^)? (`strides` $strides^)?
    (`padding` `` $padding^)? attr-dict `:` type($input) `->` type($output)
  }];
  let extraClassDeclaration = [{
    static ::llvm::LogicalResult inferShape(Adaptor adaptor,
        ::weir::EmitFn emitError,
        ::llvm::SmallVectorImpl<::mlir::ShapedTypeComponents> &shapes);
    /// Strides default to the pool size, as in Keras.
    ::llvm::SmallVector<int64_t> getEffectiveStrides() {
      return ::llvm::SmallVector<int64_t>(getStrides() ? *getStrides()
                                                       : getPoolSize());
    }
  }];
}

def Weir_MaxPool2DOp : Weir_Pool2DOp<"max_pool2d", "Max"> {
  let description = [{
    Takes the maximum of each `pool_size` window, moving by `strides`
    (default: `pool_size`). With `padding same`, padded positions never win.

    ```mlir
    %y = weir.max_pool2d %x pool_size [2, 2] : tensor<?x28x28x32xf32> -> tensor<?x14x14x32xf32>
    ```
  }];
}

def Weir_AvgPool2DOp : Weir_Pool2DOp<"avg_pool2d", "Average"> {
  let description = [{
    Averages each `pool_size` window, moving by `strides` (default:
    `pool_size`). With `padding same`, the average counts only the positions
    inside the input, as Keras does.

    ```mlir
    %y = weir.avg_pool2d %x pool_size [3, 3] strides [1, 1] padding same : tensor<?x8x8x16xf32> -> tensor<?x8x8x16xf32>
    ```
  }];
}

def Weir_GlobalAvgPool2DOp : Weir_ShapedOp<"global_avg_pool2d", [Pure]> {
  let summary = "Average over the spatial dimensions of an NHWC tensor.";
  let description = [{
    Reduces `[N, H, W, C]` to `[N, C]` by averaging over H and W, or to
    `[N, 1, 1, C]` with `keepdims`.

    ```mlir
    %y = weir.global_avg_pool2d %x : tensor<?x7x7x64xf32> -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$input, UnitAttr:$keepdims);
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = [{
    $input (`keepdims` $keepdims^)? attr-dict `:` type($input) `->`
    type($output)
  }];
}

def Weir_BatchNormOp : Weir_ShapedOp<"batch_norm", [Pure]> {
  let summary = "Batch normalization, inference form (moving statistics).";
  let description = [{
    Normalizes over the last axis with the moving statistics:
    `output = gamma * (input - mean) / sqrt(variance + epsilon) + beta`.
    This is what a model function holds; the training step replaces it with
    `weir.batch_norm_train`, which takes its `momentum` (Keras' default
    0.99) from here.

    ```mlir
    %y = weir.batch_norm %x, %gamma, %beta, %mean, %var : (tensor<?x8x8x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x8x8x16xf32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$input, Weir_FloatTensor:$gamma,
                       Weir_FloatTensor:$beta, Weir_FloatTensor:$mean,
                       Weir_FloatTensor:$variance,
                       DefaultValuedAttr<F64Attr, "1e-3">:$epsilon,
                       DefaultValuedAttr<F64Attr, "0.99">:$momentum);
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta `,` $mean `,` $variance attr-dict `:`
    functional-type(operands, results)
  }];
}

def Weir_BatchNormTrainOp : Weir_ShapedOp<"batch_norm_train", [Pure]> {
  let summary = "Batch normalization, training form (batch statistics).";
  let description = [{
    Normalizes over the last axis with the mean and the biased variance of
    the current batch (all axes but the last), and returns the updated
    moving statistics:
    `new_mean = momentum * moving_mean + (1 - momentum) * batch_mean`, and
    likewise for the variance, using the unbiased batch variance as Keras
    does.

    ```mlir
    %y, %m, %v = weir.batch_norm_train %x, %gamma, %beta, %mean, %var {momentum = 0.99 : f64} : (tensor<?x16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> (tensor<?x16xf32>, tensor<16xf32>, tensor<16xf32>)
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$input, Weir_FloatTensor:$gamma,
                       Weir_FloatTensor:$beta, Weir_FloatTensor:$moving_mean,
                       Weir_FloatTensor:$moving_variance,
                       DefaultValuedAttr<F64Attr, "1e-3">:$epsilon,
                       DefaultValuedAttr<F64Attr, "0.99">:$momentum);
  let results = (outs Weir_FloatTensor:$output, Weir_FloatTensor:$new_mean,
                      Weir_FloatTensor:$new_variance);
  let assemblyFormat = [{
    $input `,` $gamma `,` $beta `,` $moving_mean `,` $moving_variance
    attr-dict `:` functional-type(operands, results)
  }];
}

def Weir_DropoutOp : Weir_ShapedOp<"dropout"> {
  let summary = "Inverted dropout, active in the training step only.";
  let description = [{
    In the training step, zeroes each element with probability `rate` and
    scales the others by `1 / (1 - rate)`. In evaluation and prediction it
    is the identity. The mask comes from `seed`, or from the `rng` operand
    (a 0-d i64 tensor) when the seed is a value; with neither, the training
    step derives a seed from the run seed and the op's position.

    ```mlir
    %y = weir.dropout %x rate 5.000000e-01 seed 7 : (tensor<?x64xf32>) -> tensor<?x64xf32>
    %z = weir.dropout %x, %key rate 2.000000e-01 : (tensor<?x64xf32>, tensor<i64>) -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$input, Optional<Weir_SeedTensor>:$rng,
                       F64Attr:$rate, OptionalAttr<I64Attr>:$seed);
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = [{
    $input (`,` $rng^)? `rate` $rate (`seed` $seed^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Structure
//===----------------------------------------------------------------------===//

def Weir_FlattenOp : Weir_ShapedOp<"flatten", [Pure]> {
  let summary = "Collapses all dimensions but the batch into one.";
  let description = [{
    `[N, d1, ..., dk]` becomes `[N, d1 * ... * dk]`; a rank-1 input becomes
    `[N, 1]`, as in Keras.

    ```mlir
    %y = weir.flatten %x : tensor<?x7x7x64xf32> -> tensor<?x3136xf32>
    ```
  }];
  let arguments = (ins Weir_NumericTensor:$input);
  let results = (outs Weir_NumericTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Weir_ReshapeOp : Weir_ShapedOp<"reshape", [Pure]> {
  let summary = "Reshapes every example, keeping the batch dimension.";
  let description = [{
    `shape` is the new shape of one example, without the batch dimension,
    as Keras' `Reshape(target_shape)`. One entry may be -1 and is then
    computed from the others.

    ```mlir
    %y = weir.reshape %x [7, 7, -1] : tensor<?x784xf32> -> tensor<?x7x7x16xf32>
    ```
  }];
  let arguments = (ins Weir_NumericTensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Weir_NumericTensor:$output);
  let assemblyFormat = [{
    $input $shape attr-dict `:` type($input) `->` type($output)
  }];
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def Weir_AddOp : Weir_ShapedOp<"add", [Pure, Commutative]> {
  let summary = "Elementwise sum of two or more tensors of the same shape.";
  let description = [{
    The Keras `Add` merge layer, used for residual connections.

    ```mlir
    %y = weir.add %a, %b : (tensor<?x8x8x16xf32>, tensor<?x8x8x16xf32>) -> tensor<?x8x8x16xf32>
    ```
  }];
  let arguments = (ins Variadic<Weir_FloatTensor>:$inputs);
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = [{
    $inputs attr-dict `:` functional-type($inputs, results)
  }];
}

def Weir_ConcatOp : Weir_ShapedOp<"concat", [Pure]> {
  let summary = "Joins tensors along one axis.";
  let description = [{
    The Keras `Concatenate` layer (Inception blocks). `axis` may be negative
    and counts from the end; the default -1 is the channel axis.

    ```mlir
    %y = weir.concat %a, %b axis -1 : (tensor<?x8x8x16xf32>, tensor<?x8x8x32xf32>) -> tensor<?x8x8x48xf32>
    ```
  }];
  let arguments = (ins Variadic<Weir_NumericTensor>:$inputs,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Weir_NumericTensor:$output);
  let assemblyFormat = [{
    $inputs (`axis` $axis^)? attr-dict `:` functional-type($inputs, results)
  }];
  let hasFolder = 1;
}

def Weir_CastOp : Weir_ShapedOp<"cast", [Pure]> {
  let summary = "Converts the element type.";
  let description = [{
    Converts each element to `dtype`: integer to float exactly as
    `sitofp`/`uitofp` (unsigned for `ui` types), float to float by rounding
    to nearest even, float to integer by truncation toward zero.

    ```mlir
    %y = weir.cast %x to f32 : tensor<?x28x28x1xui8> -> tensor<?x28x28x1xf32>
    ```
  }];
  let arguments = (ins Weir_NumericTensor:$input, TypeAttr:$dtype);
  let results = (outs Weir_NumericTensor:$output);
  let assemblyFormat = [{
    $input `to` $dtype attr-dict `:` type($input) `->` type($output)
  }];
  let hasFolder = 1;
}

def Weir_RescaleOp : Weir_ShapedOp<"rescale", [Pure]> {
  let summary = "output = input * scale + offset, in floating point.";
  let description = [{
    The Keras `Rescaling` layer. An integer input is converted to f32 first,
    so `rescale(x, 1/255)` turns uint8 pixels into floats in [0, 1].

    ```mlir
    %y = weir.rescale %x scale 0.0039215686274509803 : tensor<?x28x28x1xui8> -> tensor<?x28x28x1xf32>
    ```
  }];
  let arguments = (ins Weir_NumericTensor:$input, F64Attr:$scale,
                       DefaultValuedAttr<F64Attr, "0.0">:$offset);
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = [{
    $input `scale` $scale (`offset` $offset^)? attr-dict `:` type($input)
    `->` type($output)
  }];
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

class Weir_ActivationOp<string mnemonic, string formula>
    : Weir_ShapedOp<mnemonic, [Pure]> {
  let summary = "Elementwise " # mnemonic # ": " # formula # ".";
  let description = [{
    Applied to each element; the result has the input's type.

    ```mlir
    %y = weir.}] # mnemonic # [{ %x : tensor<?x64xf32> -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$input);
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
}

def Weir_ReluOp : Weir_ActivationOp<"relu", "max(x, 0)"> {
  let hasFolder = 1;
}
def Weir_SigmoidOp : Weir_ActivationOp<"sigmoid", "1 / (1 + exp(-x))">;
def Weir_TanhOp : Weir_ActivationOp<"tanh", "tanh(x)">;

def Weir_GeluOp : Weir_ShapedOp<"gelu", [Pure]> {
  let summary = "Gaussian error linear unit.";
  let description = [{
    `x * Phi(x)` with the exact normal CDF, or, with `approximate`, the tanh
    form `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`, as Keras' `gelu`.

    ```mlir
    %y = weir.gelu %x approximate : tensor<?x64xf32> -> tensor<?x64xf32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$input, UnitAttr:$approximate);
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = [{
    $input (`approximate` $approximate^)? attr-dict `:` type($input) `->`
    type($output)
  }];
}

def Weir_SoftmaxOp : Weir_ShapedOp<"softmax", [Pure]> {
  let summary = "Softmax along one axis.";
  let description = [{
    `exp(x - max) / sum(exp(x - max))` along `axis` (default -1), computed
    stably by subtracting the maximum.

    ```mlir
    %y = weir.softmax %x : tensor<?x10xf32> -> tensor<?x10xf32>
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$input,
                       DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = [{
    $input (`axis` $axis^)? attr-dict `:` type($input) `->` type($output)
  }];
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

class Weir_LossOp<string mnemonic, string what, Type targetType>
    : Weir_ShapedOp<mnemonic, [Pure]> {
  let summary = what # ", averaged over the batch.";
  let arguments = (ins Weir_FloatTensor:$prediction, targetType:$target,
                       UnitAttr:$from_logits);
  let results = (outs Weir_FloatTensor:$loss);
  let assemblyFormat = [{
    $prediction `,` $target (`from_logits` $from_logits^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Weir_SparseCategoricalCrossentropyOp
    : Weir_LossOp<"sparse_categorical_crossentropy",
                  "Cross-entropy against integer class labels",
                  Weir_IntTensor> {
  let description = [{
    `prediction` is `[B, C]`: class probabilities, or logits with
    `from_logits`; `target` is `[B]` integer labels in `[0, C)`. The loss is
    `mean_b(-log p[b, target[b]])`, with logits through a stable
    log-softmax (`x - max - log(sum(exp(x - max)))`, never `log(softmax)`),
    and probabilities clipped to `[1e-7, 1 - 1e-7]` as Keras does.

    ```mlir
    %l = weir.sparse_categorical_crossentropy %logits, %labels from_logits : (tensor<?x10xf32>, tensor<?xui8>) -> tensor<f32>
    ```
  }];
}

def Weir_CategoricalCrossentropyOp
    : Weir_LossOp<"categorical_crossentropy",
                  "Cross-entropy against one-hot or soft targets",
                  Weir_FloatTensor> {
  let description = [{
    `prediction` and `target` are `[B, C]`; the loss is
    `mean_b(-sum_c target[b, c] * log p[b, c])`, with logits through a
    stable log-softmax and probabilities clipped to `[1e-7, 1 - 1e-7]`.

    ```mlir
    %l = weir.categorical_crossentropy %p, %t : (tensor<?x10xf32>, tensor<?x10xf32>) -> tensor<f32>
    ```
  }];
}

def Weir_BinaryCrossentropyOp
    : Weir_LossOp<"binary_crossentropy",
                  "Binary cross-entropy, element by element",
                  Weir_FloatTensor> {
  let description = [{
    `prediction` and `target` have one shape; the loss is the mean over all
    elements of `-(t log p + (1 - t) log(1 - p))`, with probabilities
    clipped to `[1e-7, 1 - 1e-7]`, or, with `from_logits`, the stable form
    `max(x, 0) - x t + log(1 + exp(-|x|))`.

    ```mlir
    %l = weir.binary_crossentropy %x, %t from_logits : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
    ```
  }];
}

def Weir_MeanSquaredErrorOp
    : Weir_LossOp<"mean_squared_error", "Mean squared error",
                  Weir_FloatTensor> {
  let description = [{
    `prediction` and `target` have one shape; the loss is the mean over all
    elements of `(prediction - target)^2`. `from_logits` is not allowed.

    ```mlir
    %l = weir.mean_squared_error %y, %t : (tensor<?x1xf32>, tensor<?x1xf32>) -> tensor<f32>
    ```
  }];
}

// Backward-graph ops (weir-differentiate), optimizer updates and the
// training configuration live in their own files.
include "dialect/WeirGradOps.td"
include "dialect/WeirAugmentOps.td"
include "dialect/WeirOptimizerOps.td"
include "dialect/WeirTrainConfig.td"
include "dialect/WeirDataOps.td"

#endif // WEIR_OPS_TD
