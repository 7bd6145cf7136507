//===- WeirAugmentOps.td - Keras image augmentation layers --*- tablegen -*-===//
//
// Keras' random image preprocessing layers (RandomFlip, RandomRotation,
// RandomZoom, RandomTranslation, RandomCrop, RandomContrast) on NHWC float
// images. Without `key` and `offset` an op is its inference form (the
// identity; random_crop center-crops and resizes). weir-build-train-step
// gives the training step's copies the step's `augment_key` and
// `example_offset` arguments, and the op then draws its parameters from a
// counter-based hash of the key, its `seed` and the example's index in the
// whole batch. Semantics and constraints (augment_c*): docs/spec.md;
// verifiers and shape rules: AugmentOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef WEIR_AUGMENT_OPS_TD
#define WEIR_AUGMENT_OPS_TD

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Weir_FlipHorizontal : I32EnumAttrCase<"horizontal", 0>;
def Weir_FlipVertical : I32EnumAttrCase<"vertical", 1>;
def Weir_FlipBoth : I32EnumAttrCase<"horizontal_and_vertical", 2>;
def Weir_FlipMode : I32EnumAttr<"FlipMode", "axes random_flip may flip",
    [Weir_FlipHorizontal, Weir_FlipVertical, Weir_FlipBoth]> {
  let cppNamespace = "::weir";
  let genSpecializedAttr = 0;
}
def Weir_FlipModeAttr : EnumAttr<Weir_Dialect, Weir_FlipMode, "flip_mode">;

def Weir_FillReflect : I32EnumAttrCase<"reflect", 0>;
def Weir_FillWrap : I32EnumAttrCase<"wrap", 1>;
def Weir_FillConstant : I32EnumAttrCase<"constant", 2>;
def Weir_FillNearest : I32EnumAttrCase<"nearest", 3>;
def Weir_FillMode : I32EnumAttr<"FillMode",
    "how points outside the image are filled (Keras fill_mode)",
    [Weir_FillReflect, Weir_FillWrap, Weir_FillConstant, Weir_FillNearest]> {
  let cppNamespace = "::weir";
  let genSpecializedAttr = 0;
}
def Weir_FillModeAttr : EnumAttr<Weir_Dialect, Weir_FillMode, "fill_mode">;

def Weir_InterpBilinear : I32EnumAttrCase<"bilinear", 0>;
def Weir_InterpNearest : I32EnumAttrCase<"nearest", 1>;
def Weir_Interpolation : I32EnumAttr<"Interpolation",
    "how a transformed image is sampled",
    [Weir_InterpBilinear, Weir_InterpNearest]> {
  let cppNamespace = "::weir";
  let genSpecializedAttr = 0;
}
def Weir_InterpolationAttr
    : EnumAttr<Weir_Dialect, Weir_Interpolation, "interpolation">;

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

// An augmentation: an NHWC float `input`, the optional training-step
// operands, the op's own attributes, then the seed.
class Weir_AugmentOp<string mnemonic, dag attrs, string format>
    : Weir_ShapedOp<mnemonic, [AttrSizedOperandSegments]> {
  let arguments = !con(
      (ins Weir_FloatTensor:$input, Optional<Weir_SeedTensor>:$key,
           Optional<Weir_SeedTensor>:$offset),
      attrs, (ins OptionalAttr<I64Attr>:$seed));
  let results = (outs Weir_FloatTensor:$output);
  let assemblyFormat = "$input (`,` $key^ `,` $offset)? " # format #
      " (`seed` $seed^)? attr-dict `:` functional-type(operands, results)";
}

// The attributes of the ops that resample through an affine map.
defvar Weir_AffineAttrs = (ins
    DefaultValuedAttr<Weir_FillModeAttr, "::weir::FillMode::reflect">:$fill_mode,
    DefaultValuedAttr<Weir_InterpolationAttr,
                      "::weir::Interpolation::bilinear">:$interpolation,
    DefaultValuedAttr<F64Attr, "0.0">:$fill_value);

def Weir_RandomFlipOp : Weir_AugmentOp<"random_flip",
    (ins DefaultValuedAttr<Weir_FlipModeAttr,
                           "::weir::FlipMode::horizontal_and_vertical">:$mode),
    "(`mode` `` $mode^)?"> {
  let summary = "Flips each image with probability 1/2 (training only).";
  let description = [{
    Keras `RandomFlip`: one draw per image decides whether it is mirrored
    left-right (`horizontal`), top-bottom (`vertical`) or both
    (`horizontal_and_vertical`, one draw for both axes, as Keras 3).

    ```mlir
    %y = weir.random_flip %x mode horizontal seed 3 : (tensor<?x28x28x1xf32>) -> tensor<?x28x28x1xf32>
    %t = weir.random_flip %x, %key, %offset mode horizontal seed 3 : (tensor<?x28x28x1xf32>, tensor<i64>, tensor<i64>) -> tensor<?x28x28x1xf32>
    ```
  }];
}

def Weir_RandomRotationOp : Weir_AugmentOp<"random_rotation",
    !con((ins DenseF64ArrayAttr:$factor), Weir_AffineAttrs),
    "`factor` $factor " #
    "(`fill_mode` `` $fill_mode^)? (`interpolation` `` $interpolation^)? (`fill_value` $fill_value^)?"> {
  let summary = "Rotates each image by a random angle (training only).";
  let description = [{
    Keras `RandomRotation`: the angle is uniform in
    `[factor[0] * 2pi, factor[1] * 2pi]`, about the image center, and the
    image is resampled with `interpolation`, filling from outside it by
    `fill_mode` (or `fill_value` for `constant`).

    ```mlir
    %y = weir.random_rotation %x factor [-1.000000e-01, 1.000000e-01] : (tensor<?x28x28x1xf32>) -> tensor<?x28x28x1xf32>
    ```
  }];
}

def Weir_RandomZoomOp : Weir_AugmentOp<"random_zoom",
    !con((ins DenseF64ArrayAttr:$height_factor,
              OptionalAttr<DenseF64ArrayAttr>:$width_factor),
         Weir_AffineAttrs),
    "`height_factor` $height_factor (`width_factor` $width_factor^)? " #
    "(`fill_mode` `` $fill_mode^)? (`interpolation` `` $interpolation^)? (`fill_value` $fill_value^)?"> {
  let summary = "Zooms each image by a random factor (training only).";
  let description = [{
    Keras `RandomZoom`: the vertical zoom is `1 + u`, `u` uniform in
    `height_factor`; a positive `u` zooms out. Without `width_factor` the
    horizontal zoom equals the vertical one.

    ```mlir
    %y = weir.random_zoom %x height_factor [-2.000000e-01, 2.000000e-01] fill_mode constant : (tensor<?x28x28x1xf32>) -> tensor<?x28x28x1xf32>
    ```
  }];
}

def Weir_RandomTranslationOp : Weir_AugmentOp<"random_translation",
    !con((ins DenseF64ArrayAttr:$height_factor,
              DenseF64ArrayAttr:$width_factor),
         Weir_AffineAttrs),
    "`height_factor` $height_factor `width_factor` $width_factor " #
    "(`fill_mode` `` $fill_mode^)? (`interpolation` `` $interpolation^)? (`fill_value` $fill_value^)?"> {
  let summary = "Shifts each image by a random offset (training only).";
  let description = [{
    Keras `RandomTranslation`: the image moves down by `u * H` and right by
    `v * W` pixels, `u` uniform in `height_factor`, `v` in `width_factor`.

    ```mlir
    %y = weir.random_translation %x height_factor [-1.000000e-01, 1.000000e-01] width_factor [-1.000000e-01, 1.000000e-01] : (tensor<?x28x28x1xf32>) -> tensor<?x28x28x1xf32>
    ```
  }];
}

def Weir_RandomCropOp : Weir_AugmentOp<"random_crop",
    (ins I64Attr:$height, I64Attr:$width),
    "`height` $height `width` $width"> {
  let summary = "A random height x width window of each image.";
  let description = [{
    Keras `RandomCrop`. In training, when the image is larger than the
    window in both axes, each image gets a window at a random position.
    Otherwise, and in inference, the largest centered window with the
    target aspect ratio is taken and resized (bilinear) to the target size.

    ```mlir
    %y = weir.random_crop %x height 24 width 24 : (tensor<?x28x28x1xf32>) -> tensor<?x24x24x1xf32>
    ```
  }];
}

def Weir_RandomContrastOp : Weir_AugmentOp<"random_contrast",
    (ins DenseF64ArrayAttr:$factor,
         DefaultValuedAttr<DenseF64ArrayAttr, "{0.0, 255.0}">:$value_range),
    "`factor` $factor (`value_range` $value_range^)?"> {
  let summary = "Scales each image's contrast by a random factor.";
  let description = [{
    Keras `RandomContrast`: with `f` uniform in
    `[1 - factor[0], 1 + factor[1]]` per image, every pixel becomes
    `(x - m) * f + m`, where `m` is the mean of its channel over the image,
    clipped to `value_range`.

    ```mlir
    %y = weir.random_contrast %x factor [2.000000e-01, 2.000000e-01] value_range [0.000000e+00, 1.000000e+00] : (tensor<?x28x28x1xf32>) -> tensor<?x28x28x1xf32>
    ```
  }];
}

#endif // WEIR_AUGMENT_OPS_TD
