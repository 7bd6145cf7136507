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
  // weir.manifest on a function: its slots are checked (dialect/Manifest.h).
  let hasOperationAttrVerify = 1;
  let useDefaultTypePrinterParser = 1;
  // The discardable attributes that passes leave for later passes and for
  // the runtime, each reached through its generated helper
  // (WeirDialect::PlacementAttrHelper, ...), never by its spelled name.
  let discardableAttrs = (ins
    // On a pipeline stage: "host" or "device" (weir-place-pipeline).
    "::mlir::StringAttr":$placement,
    // On a module: the results weir-drop-in-place-results removed, per
    // function (the runtime reads them to call the function).
    "::mlir::DictionaryAttr":$dropped_results,
    // On a function whose parameter updates may alias their inputs.
    "::mlir::UnitAttr":$in_place_updates,
    // On a function weir-differentiate is to give a gradient.
    "::mlir::UnitAttr":$differentiate,
    // On a linalg op weir-vectorize-contractions tiles and vectorizes.
    "::mlir::UnitAttr":$vectorize,
    // On a layer op: the float type weir-auto-mixed-precision computes it
    // in, whatever the policy (Keras' layer `dtype` argument).
    "::mlir::TypeAttr":$compute_type,
    // On a training function: the non-trainable parameter weir-differentiate
    // multiplies the loss gradient by (mixed_float16 loss scaling).
    "::mlir::FlatSymbolRefAttr":$loss_scale
  );
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
def Weir_InitConstant : I32EnumAttrCase<"constant", 6>;
def Weir_InitKind : I32EnumAttr<"InitKind",
    "how a parameter is initialized (Keras initializer names)",
    [Weir_InitGlorotUniform, Weir_InitGlorotNormal, Weir_InitHeNormal,
     Weir_InitHeUniform, Weir_InitZeros, Weir_InitOnes, Weir_InitConstant]> {
  let cppNamespace = "::weir";
  let genSpecializedAttr = 0;
}


// The roles of a compiled function's arguments and results: the contract
// between the compiler (weir-build-train-step, weir-lift-parameters,
// weir-differentiate) and the runtime (api/Manifest.cpp). docs/spec.md,
// "Function manifests".
def Weir_RoleInput : I32EnumAttrCase<"input", 0>;
def Weir_RoleTarget : I32EnumAttrCase<"target", 1>;
def Weir_RoleRng : I32EnumAttrCase<"rng", 2>;
def Weir_RoleLearningRate : I32EnumAttrCase<"learning_rate", 3>;
def Weir_RoleIteration : I32EnumAttrCase<"iteration", 4>;
def Weir_RoleParam : I32EnumAttrCase<"param", 5>;
def Weir_RoleGrad : I32EnumAttrCase<"grad", 6>;
def Weir_RoleLoss : I32EnumAttrCase<"loss", 7>;
def Weir_RoleCorrect : I32EnumAttrCase<"correct", 8>;
def Weir_RoleUpdates : I32EnumAttrCase<"updates", 9>;
def Weir_RoleLayer : I32EnumAttrCase<"layer", 10>;
def Weir_RoleAugmentKey : I32EnumAttrCase<"augment_key", 11>;
def Weir_RoleExampleOffset : I32EnumAttrCase<"example_offset", 12>;
def Weir_SlotRole : I32EnumAttr<"SlotRole",
    "what an argument or result of a compiled function holds",
    [Weir_RoleInput, Weir_RoleTarget, Weir_RoleRng, Weir_RoleLearningRate,
     Weir_RoleIteration, Weir_RoleParam, Weir_RoleGrad, Weir_RoleLoss,
     Weir_RoleCorrect, Weir_RoleUpdates, Weir_RoleLayer, Weir_RoleAugmentKey,
     Weir_RoleExampleOffset]> {
  let cppNamespace = "::weir";
  let genSpecializedAttr = 0;
}

// The functions weir-build-train-step makes, each with a manifest.
def Weir_StepTrain : I32EnumAttrCase<"train", 0>;
def Weir_StepApply : I32EnumAttrCase<"apply", 1>;
def Weir_StepEval : I32EnumAttrCase<"eval", 2>;
def Weir_StepProbe : I32EnumAttrCase<"probe", 3>;
def Weir_StepKind : I32EnumAttr<"StepKind",
    "which training function a manifest describes",
    [Weir_StepTrain, Weir_StepApply, Weir_StepEval, Weir_StepProbe]> {
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
    `constant` (Keras' `Constant`) fills every element with its `value`
    (the training step's loss scale starts this way); the other kinds take
    no value.

    ```mlir
    #weir.init<glorot_uniform, seed = 7>
    #weir.init<zeros>
    #weir.init<constant(3.276800e+04 : f64)>
    ```
  }];
  let parameters = (ins
    EnumParameter<Weir_InitKind>:$kind,
    OptionalParameter<"std::optional<int64_t>">:$seed,
    OptionalParameter<"::mlir::FloatAttr">:$value);
  let assemblyFormat =
      "`<` $kind (`(` $value^ `)`)? (`,` `seed` `=` $seed^)? `>`";
  let builders = [AttrBuilder<(ins "InitKind":$kind,
                                   "std::optional<int64_t>":$seed), [{
    return $_get($_ctxt, kind, seed, ::mlir::FloatAttr());
  }]>];
  let genVerifyDecl = 1;
}


def Weir_SlotAttr : AttrDef<Weir_Dialect, "Slot"> {
  let mnemonic = "slot";
  let summary = "The role of one argument or result of a compiled function.";
  let description = [{
    Set on a function's argument or result under the key `weir.slot`: what
    the runtime passes there or reads from there. Parameters and optimizer
    state (`param`), their gradients (`grad`), their new values (`updates`)
    and the probe's layer outputs (`layer`) carry a name: the parameter's
    symbol (optimizer slots are `<param>/<slot>`, e.g. `k/adam_m`), or the
    layer's op and source place. The other roles carry none. A function
    with a `weir.manifest` has a slot on every argument and result, and
    the constraints of docs/spec.md ("Function manifests", M1-M6) hold.

    ```mlir
    func.func @m_train(%x: tensor<?x4xf32> {weir.slot = #weir.slot<input>},
                       %k: tensor<4x3xf32> {weir.slot = #weir.slot<param, "k">})
    ```
  }];
  let parameters = (ins
    EnumParameter<Weir_SlotRole>:$role,
    OptionalParameter<"::mlir::StringAttr">:$name);
  let assemblyFormat = "`<` $role (`,` $name^)? `>`";
  let genVerifyDecl = 1;
}

def Weir_ManifestAttr : AttrDef<Weir_Dialect, "Manifest"> {
  let mnemonic = "manifest";
  let summary = "Marks a function whose signature is a runtime contract.";
  let description = [{
    Set on a function under the key `weir.manifest` by
    weir-build-train-step: the function is the `kind` training function
    of its model, and the dialect verifies its slots against
    docs/spec.md's manifest constraints.

    ```mlir
    func.func @m_train(...) attributes {weir.manifest = #weir.manifest<train>}
    ```
  }];
  let parameters = (ins EnumParameter<Weir_StepKind>:$kind);
  let assemblyFormat = "`<` $kind `>`";
}

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Weir_FloatTensor : TensorOf<[AnyFloat]>;
def Weir_NumericTensor : TensorOf<[AnyFloat, AnyInteger]>;
def Weir_SeedTensor : 0DTensorOf<[I64]>;
def Weir_IntTensor : TensorOf<[AnyInteger]>;

#endif // WEIR_BASE_TD
