//===- WeirTrainConfig.td - the training configuration ----*- tablegen -*-===//
//
// weir.train_config: how a model is trained, as Keras' compile() and fit()
// arguments. The `train` block of a .weir file builds it; the verifier and
// the C++ view with Keras' defaults filled in are in TrainConfig.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef WEIR_TRAIN_CONFIG_TD
#define WEIR_TRAIN_CONFIG_TD

// Keras' losses; the op spells them as strings (its `loss`), which the
// verifier and TrainingConfig read through this enum.
def Weir_LossSparseCategorical : I32EnumAttrCase<"sparse_categorical_crossentropy", 0>;
def Weir_LossCategorical : I32EnumAttrCase<"categorical_crossentropy", 1>;
def Weir_LossBinary : I32EnumAttrCase<"binary_crossentropy", 2>;
def Weir_LossMse : I32EnumAttrCase<"mean_squared_error", 3>;
def Weir_LossKind : I32EnumAttr<"LossKind", "a training loss (Keras names)",
    [Weir_LossSparseCategorical, Weir_LossCategorical, Weir_LossBinary,
     Weir_LossMse]> {
  let cppNamespace = "::weir";
  let genSpecializedAttr = 0;
}

def Weir_TrainConfigOp : Weir_Op<"train_config",
    [HasParent<"::mlir::ModuleOp">,
     DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "How a model is trained: loss, optimizer, metrics, epochs.";
  let description = [{
    The training configuration of the model function `model`, as the
    arguments of Keras' `compile()` and `fit()`: the `loss` (with
    `from_logits`), the `optimizer` and the options the user gave it
    (`optimizer_options`, Keras' defaults apply to the others), an optional
    learning-rate `schedule`, the `metrics`, `epochs`, `batch_size`,
    whether to evaluate on the test split after each epoch (`validate`),
    and optional `early_stopping`. A module has at most one.

    With `data` (`train MODEL on PIPELINE` in .weir), the model trains on
    the batches of that `weir.pipeline`, and `validate` names the pipeline
    it is validated on; without it, the data comes from arrays given to
    `weir train --data` and `validate` names their split ("test").

    Numbers are `f64` floats or integers, flags `BoolAttr`s. With a
    `schedule`, `optimizer_options.learning_rate` is its initial learning
    rate. The keys, their ranges and defaults are in docs/spec.md;
    `weir::getTrainingConfig` (dialect/TrainConfig.h) reads the op with the
    defaults filled in.

    ```mlir
    weir.train_config @mlp {loss = "sparse_categorical_crossentropy", optimizer = "adam", optimizer_options = {learning_rate = 1.000000e-03 : f64}, metrics = ["accuracy"], epochs = 10 : i64, batch_size = 128 : i64, validate = "test"}
    weir.train_config @cnn {loss = "categorical_crossentropy", from_logits, optimizer = "sgd", optimizer_options = {learning_rate = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov = true}, schedule = {kind = "exponential_decay", decay_steps = 1000 : i64, decay_rate = 9.600000e-01 : f64, staircase = true}, metrics = [], epochs = 12 : i64, batch_size = 64 : i64, validate = "test", early_stopping = {monitor = "val_loss", patience = 3 : i64, restore_best_weights = true}}
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$model,
                       StrAttr:$loss,
                       UnitAttr:$from_logits,
                       StrAttr:$optimizer,
                       DictionaryAttr:$optimizer_options,
                       OptionalAttr<DictionaryAttr>:$schedule,
                       StrArrayAttr:$metrics,
                       I64Attr:$epochs,
                       I64Attr:$batch_size,
                       OptionalAttr<StrAttr>:$validate,
                       OptionalAttr<DictionaryAttr>:$early_stopping,
                       OptionalAttr<FlatSymbolRefAttr>:$data);
  let assemblyFormat = "$model attr-dict";
  let hasVerifier = 1;
}

#endif // WEIR_TRAIN_CONFIG_TD
