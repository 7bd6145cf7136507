//===- WeirBase.td - weir dialect, enums and attributes ---*- tablegen -*-===//
//
// The dialect definition, the enums shared by several ops, and the
// initializer attribute carried by parameters. Semantics: docs/spec.md.
//
//===----------------------------------------------------------------------===//

#ifndef WEIR_BASE_TD
#define WEIR_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def Weir_Dialect : Dialect {
  let name = "weir";
  let cppNamespace = "::weir";
  let summary = "Dataflow graphs for deep-learning training.";
  let description = [{
    The `weir` dialect holds the forward graph of a model as a user wrote it
    in a `.weir` file: Keras-level layers (`dense`, `conv2d`, pooling,
    `batch_norm`, `dropout`, ...) over tensors, and first-class parameters
    (`weir.parameter`) that name every trainable tensor. Passes refine the
    shapes, derive the training step and lower it to linalg, LLVM and CUDA.

    Layouts follow Keras: images are NHWC and convolution kernels HWIO
    (height, width, input channels, filters). Dimension 0 of an activation is
    the batch and may be dynamic; every other dimension is static once
    `weir-infer-shapes` has run. The numbered constraints cited by verifiers
    and tests (`dense_c2`, ...) are defined in `docs/spec.md`.
  }];
  let useDefaultAttributePrinterParser = 1;
  let useDefaultTypePrinterParser = 1;
}

class Weir_Op<string mnemonic, list<Trait> traits = []>
    : Op<Weir_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def Weir_PaddingValid : I32EnumAttrCase<"valid", 0>;
def Weir_PaddingSame : I32EnumAttrCase<"same", 1>;
def Weir_Padding : I32EnumAttr<"Padding",
    "spatial padding mode (Keras semantics)",
    [Weir_PaddingValid, Weir_PaddingSame]> {
  let cppNamespace = "::weir";
  let genSpecializedAttr = 0;
}
def Weir_PaddingAttr : EnumAttr<Weir_Dialect, Weir_Padding, "padding">;

def Weir_InitGlorotUniform : I32EnumAttrCase<"glorot_uniform", 0>;
def Weir_InitGlorotNormal : I32EnumAttrCase<"glorot_normal", 1>;
def Weir_InitHeNormal : I32EnumAttrCase<"he_normal", 2>;
def Weir_InitHeUniform : I32EnumAttrCase<"he_uniform", 3>;
def Weir_InitZeros : I32EnumAttrCase<"zeros", 4>;
def Weir_InitOnes : I32EnumAttrCase<"ones", 5>;
def Weir_InitKind : I32EnumAttr<"InitKind",
    "how a parameter is initialized (Keras initializer names)",
    [Weir_InitGlorotUniform, Weir_InitGlorotNormal, Weir_InitHeNormal,
     Weir_InitHeUniform, Weir_InitZeros, Weir_InitOnes]> {
  let cppNamespace = "::weir";
  let genSpecializedAttr = 0;
}

//===----------------------------------------------------------------------===//
// Attributes
//===----------------------------------------------------------------------===//

def Weir_InitializerAttr : AttrDef<Weir_Dialect, "Initializer"> {
  let mnemonic = "init";
  let summary = "A parameter initializer with an optional seed.";
  let description = [{
    Names a Keras initializer and, optionally, the seed of its random stream.
    Without a seed, `weir init` derives one from the run seed and the
    parameter's name, so every parameter gets an independent stream and the
    same run seed always gives the same weights.

    ```mlir
    #weir.init<glorot_uniform, seed = 7>
    #weir.init<zeros>
    ```
  }];
  let parameters = (ins
    EnumParameter<Weir_InitKind>:$kind,
    OptionalParameter<"std::optional<int64_t>">:$seed);
  let assemblyFormat = "`<` $kind (`,` `seed` `=` $seed^)? `>`";
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Weir_FloatTensor : TensorOf<[AnyFloat]>;
def Weir_NumericTensor : TensorOf<[AnyFloat, AnyInteger]>;
def Weir_SeedTensor : 0DTensorOf<[I64]>;
def Weir_IntTensor : TensorOf<[AnyInteger]>;

#endif // WEIR_BASE_TD
