//===- WeirDataOps.td - input pipelines -------------------*- tablegen -*-===//
//
// A `data` pipeline of a .weir file: a weir.pipeline symbol whose body is a
// chain of stages over !weir.dataset values, from a file listing to batches,
// as tf.data writes it. weir-place-pipeline decides which stages run on the
// host (the runtime's pipeline engine) and which are compiled into the
// training step. Semantics and the numbered constraints (data_c*) are in
// docs/spec.md; verifiers in DataOps.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef WEIR_DATA_OPS_TD
#define WEIR_DATA_OPS_TD

include "mlir/IR/RegionKindInterface.td"

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

class Weir_Type<string name, string typeMnemonic>
    : TypeDef<Weir_Dialect, name> {
  let mnemonic = typeMnemonic;
}

def Weir_StringType : Weir_Type<"String", "string"> {
  let summary = "A byte string: a file path, or a file's contents.";
}

def Weir_DatasetType : Weir_Type<"Dataset", "dataset"> {
  let summary = "A sequence of examples, each a tuple of components.";
  let description = [{
    The element types of one example, e.g. an image and its label
    `!weir.dataset<tensor<28x28x1xui8>, tensor<i32>>`. After `weir.batch`
    every tensor component gains a leading dynamic batch dimension:
    `!weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>`.
  }];
  let parameters = (ins ArrayRefParameter<"::mlir::Type">:$elementTypes);
  let assemblyFormat = "`<` $elementTypes `>`";
}

def Weir_Dataset : Type<CPred<"::llvm::isa<::weir::DatasetType>($_self)">,
                        "a !weir.dataset", "::weir::DatasetType">;

//===----------------------------------------------------------------------===//
// The pipeline and its terminator
//===----------------------------------------------------------------------===//

def Weir_PipelineOp : Weir_Op<"pipeline",
    [Symbol, IsolatedFromAbove, HasParent<"::mlir::ModuleOp">, SingleBlock]> {
  let summary = "A named input pipeline (a `data` statement).";
  let description = [{
    Holds the stages of one input pipeline, in order, ending with
    `weir.pipeline_yield` of the dataset the pipeline produces. Stages that
    weir-place-pipeline leaves on the host carry `weir.placement = "host"`;
    the per-example work it moves into the model is gone from the body and
    appears at the top of the model function with `weir.placement = "step"`.

    ```mlir
    weir.pipeline @train {
      %0 = weir.list_files "data/fashion/train" {labels = "inferred"} : !weir.dataset<!weir.string, tensor<i32>>
      %1 = weir.read_file %0 : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<!weir.string, tensor<i32>>
      %2 = weir.decode_png %1 {color = "grayscale", size = array<i64: 28, 28>} : !weir.dataset<!weir.string, tensor<i32>> -> !weir.dataset<tensor<28x28x1xui8>, tensor<i32>>
      %3 = weir.batch %2 {batch_size = 128 : i64} : !weir.dataset<tensor<28x28x1xui8>, tensor<i32>> -> !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
      weir.pipeline_yield %3 : !weir.dataset<tensor<?x28x28x1xui8>, tensor<?xi32>>
    }
    ```
  }];
  let arguments = (ins SymbolNameAttr:$sym_name);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "$sym_name attr-dict-with-keyword $body";
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    /// The dataset the pipeline yields (null while the body is malformed).
    ::mlir::TypedValue<::weir::DatasetType> getOutput();
  }];
}

def Weir_PipelineYieldOp : Weir_Op<"pipeline_yield",
    [Terminator, HasParent<"PipelineOp">]> {
  let summary = "The dataset a pipeline produces.";
  let arguments = (ins Weir_Dataset:$dataset);
  let assemblyFormat = "$dataset attr-dict `:` type($dataset)";
}

//===----------------------------------------------------------------------===//
// Stages
//===----------------------------------------------------------------------===//

// A stage: one dataset in (except the source), one dataset out, whose type
// follows from the input and the attributes (weir::stageResultType).
class Weir_StageOp<string mnemonic, list<Trait> traits = []>
    : Weir_Op<mnemonic, !listconcat(traits, [HasParent<"PipelineOp">])> {
  let results = (outs Weir_Dataset:$output);
  let hasVerifier = 1;
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($output)";
}

def Weir_ListFilesOp : Weir_Op<"list_files", [HasParent<"PipelineOp">]> {
  let summary = "The image files of a directory tree, with class labels.";
  let description = [{
    Lists `directory/<class>/*.png` in sorted class, then file-name order;
    an example is the file's path and, with `labels = "inferred"`, the index
    of its class folder in sorted order (as Keras'
    `image_dataset_from_directory`). With `labels = "none"` the files of the
    whole tree are listed and examples have no label. `validation_split`
    with `subset` ("training" or "validation") and `seed` keeps one part of
    the shuffled list, as Keras does.
  }];
  let arguments = (ins StrAttr:$directory, StrAttr:$labels,
                       OptionalAttr<F64Attr>:$validation_split,
                       OptionalAttr<StrAttr>:$subset,
                       OptionalAttr<I64Attr>:$seed);
  let results = (outs Weir_Dataset:$output);
  let assemblyFormat = "$directory attr-dict `:` type($output)";
  let hasVerifier = 1;
}

def Weir_ReadFileOp : Weir_StageOp<"read_file"> {
  let summary = "Replaces each path by the file's contents.";
  let arguments = (ins Weir_Dataset:$input);
}

def Weir_DecodePngOp : Weir_StageOp<"decode_png"> {
  let summary = "Decodes PNG bytes to a u8 [height, width, channels] image.";
  let description = [{
    Every PNG kind is accepted (1- to 16-bit grey, RGB, palette, grey+alpha,
    RGBA, interlaced) and converted to `color` ("grayscale", "rgb" or
    "rgba": 1, 3 or 4 channels), as `tf.io.decode_png` does. With `size`,
    every image must have that height and width (the pipeline engine names
    a file that doesn't); without it, the height and width are dynamic and a
    `weir.resize` must follow. `parallel` is the number of decoding threads
    (0: tuned at run time).
  }];
  let arguments = (ins Weir_Dataset:$input, StrAttr:$color,
                       OptionalAttr<DenseI64ArrayAttr>:$size,
                       DefaultValuedAttr<I64Attr, "0">:$parallel);
}

def Weir_ResizeOp : Weir_StageOp<"resize"> {
  let summary = "Resizes images to a fixed size (tf.image.resize).";
  let arguments = (ins Weir_Dataset:$input, DenseI64ArrayAttr:$size,
                       StrAttr:$interpolation);
}

def Weir_MapOp : Weir_StageOp<"map", [IsolatedFromAbove, SingleBlock]> {
  let summary = "Applies weir ops to every example.";
  let description = [{
    The body takes one batch of examples, one block argument per component
    with a leading dynamic dimension, and ends with `weir.map_yield` of the
    new components. It may use only ops that act on each example alone
    (no parameters, no batch statistics). `parallel` is the number of
    threads (0: auto). weir-place-pipeline moves maps into the model, so the
    work runs in the compiled step, fused with the first layer.
  }];
  let arguments = (ins Weir_Dataset:$input, I64Attr:$parallel);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($output) $body";
}

def Weir_MapYieldOp : Weir_Op<"map_yield", [Terminator, HasParent<"MapOp">]> {
  let summary = "The new components of the examples of a map.";
  let arguments = (ins Variadic<AnyTensor>:$components);
  let assemblyFormat = "$components attr-dict `:` type($components)";
}

def Weir_ShuffleOp : Weir_StageOp<"shuffle"> {
  let summary = "tf.data's buffered shuffle.";
  let description = [{
    Without a `seed`, the order follows the run's seed (`weir train
    --seed`).
  }];
  let arguments = (ins Weir_Dataset:$input, I64Attr:$buffer_size,
                       OptionalAttr<I64Attr>:$seed,
                       BoolAttr:$reshuffle_each_epoch);
}

def Weir_BatchOp : Weir_StageOp<"batch"> {
  let summary = "Groups consecutive examples into batches.";
  let arguments = (ins Weir_Dataset:$input, I64Attr:$batch_size,
                       BoolAttr:$drop_remainder);
}

def Weir_RepeatOp : Weir_StageOp<"repeat"> {
  let summary = "Makes one epoch `count` passes over the data.";
  let arguments = (ins Weir_Dataset:$input, I64Attr:$count);
}

def Weir_CacheOp : Weir_StageOp<"cache"> {
  let summary = "Keeps decoded examples in memory, or in a file.";
  let arguments = (ins Weir_Dataset:$input, OptionalAttr<StrAttr>:$filename);
}

def Weir_InterleaveOp : Weir_StageOp<"interleave"> {
  let summary = "Interleaves the classes' files, block_length at a time.";
  let description = [{
    Takes `block_length` files from each of `cycle_length` classes in turn
    (0: all classes), as tf.data's interleave over per-class datasets.
  }];
  let arguments = (ins Weir_Dataset:$input, I64Attr:$cycle_length,
                       I64Attr:$block_length);
}

def Weir_PrefetchOp : Weir_StageOp<"prefetch"> {
  let summary = "Prepares batches ahead of the step (0: auto).";
  let arguments = (ins Weir_Dataset:$input, I64Attr:$buffer_size);
}

#endif // WEIR_DATA_OPS_TD
