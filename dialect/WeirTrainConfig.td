//===- WeirTrainConfig.td - the training configuration ----*- tablegen -*-===//
//
// weir.train_config: how a model is trained, as Keras' compile() and fit()
// arguments. The `train` block of a .weir file builds it; the verifier and
// the C++ view with Keras' defaults filled in are in TrainConfig.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef WEIR_TRAIN_CONFIG_TD
#define WEIR_TRAIN_CONFIG_TD

// Keras' losses, optimizers, learning-rate schedules and metrics, by
// their Keras names. weir.train_config holds them as the typed attributes
// below; their verifiers check the key tables of TrainConfigTables.cpp.
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
def Weir_LossKindAttr : EnumAttr<Weir_Dialect, Weir_LossKind, "loss"> {
  let assemblyFormat = "`<` $value `>`";
}

def Weir_OptSGD : I32EnumAttrCase<"SGD", 0, "sgd">;
def Weir_OptAdam : I32EnumAttrCase<"Adam", 1, "adam">;
def Weir_OptAdamW : I32EnumAttrCase<"AdamW", 2, "adamw">;
def Weir_OptRMSprop : I32EnumAttrCase<"RMSprop", 3, "rmsprop">;
def Weir_OptimizerKind : I32EnumAttr<"OptimizerKind",
    "an optimizer (Keras names)",
    [Weir_OptSGD, Weir_OptAdam, Weir_OptAdamW, Weir_OptRMSprop]> {
  let cppNamespace = "::weir";
  let genSpecializedAttr = 0;
}

// `constant` is no schedule a train_config holds: it is what the C++ view
// (LearningRateSchedule) says when there is none.
def Weir_ScheduleConstant : I32EnumAttrCase<"Constant", 0, "constant">;
def Weir_ScheduleExponential : I32EnumAttrCase<"ExponentialDecay", 1, "exponential_decay">;
def Weir_ScheduleCosine : I32EnumAttrCase<"CosineDecay", 2, "cosine_decay">;
def Weir_ScheduleKind : I32EnumAttr<"ScheduleKind",
    "a learning-rate schedule (Keras names)",
    [Weir_ScheduleConstant, Weir_ScheduleExponential, Weir_ScheduleCosine]> {
  let cppNamespace = "::weir";
  let genSpecializedAttr = 0;
}

// Keras' dtype policies: what weir-auto-mixed-precision computes in.
def Weir_PrecisionFloat32 : I32EnumAttrCase<"float32", 0>;
def Weir_PrecisionMixedBF16 : I32EnumAttrCase<"mixed_bfloat16", 1>;
def Weir_PrecisionMixedF16 : I32EnumAttrCase<"mixed_float16", 2>;
def Weir_PrecisionKind : I32EnumAttr<"PrecisionKind",
    "a dtype policy (Keras names)",
    [Weir_PrecisionFloat32, Weir_PrecisionMixedBF16, Weir_PrecisionMixedF16]> {
  let cppNamespace = "::weir";
  let genSpecializedAttr = 0;
}
def Weir_PrecisionKindAttr : EnumAttr<Weir_Dialect, Weir_PrecisionKind,
                                      "precision"> {
  let assemblyFormat = "`<` $value `>`";
}

def Weir_MetricAccuracy : I32EnumAttrCase<"accuracy", 0>;
def Weir_MetricKind : I32EnumAttr<"MetricKind", "a metric (Keras names)",
    [Weir_MetricAccuracy]> {
  let cppNamespace = "::weir";
  let genSpecializedAttr = 0;
}
def Weir_MetricKindAttr : EnumAttr<Weir_Dialect, Weir_MetricKind, "metric"> {
  let assemblyFormat = "`<` $value `>`";
}
def Weir_MetricArrayAttr : TypedArrayAttrBase<Weir_MetricKindAttr,
    "an array of metrics">;

// The parameters of the keyed attributes are optional attributes, null
// when the user left the key to Keras' default: FloatAttr (f64) numbers,
// IntegerAttr (i64) counts, BoolAttr flags. They print and parse as
// `key = value` in Keras' argument order.
class Weir_KeyedAttr<string name, string attrMnemonic>
    : AttrDef<Weir_Dialect, name> {
  let mnemonic = attrMnemonic;
  let hasCustomAssemblyFormat = 1;
  let genVerifyDecl = 1;
}

def Weir_OptimizerAttr : Weir_KeyedAttr<"Optimizer", "optimizer"> {
  let summary = "An optimizer and the options the user gave it.";
  let description = [{
    Keras' optimizer `kind` with the options given; the others take
    Keras' defaults (docs/spec.md, weir.train_config). The options of each
    kind are its Keras arguments: sgd(learning_rate, momentum, nesterov),
    adam(learning_rate, beta_1, beta_2, epsilon), adamw(learning_rate,
    weight_decay, beta_1, beta_2, epsilon), rmsprop(learning_rate, rho,
    momentum, epsilon).

    ```mlir
    #weir.optimizer<adam, learning_rate = 1.000000e-03>
    #weir.optimizer<sgd, learning_rate = 1.000000e-01, momentum = 9.000000e-01, nesterov = true>
    ```
  }];
  let parameters = (ins
    EnumParameter<Weir_OptimizerKind>:$kind,
    OptionalParameter<"::mlir::FloatAttr">:$learningRate,
    OptionalParameter<"::mlir::FloatAttr">:$momentum,
    OptionalParameter<"::mlir::BoolAttr">:$nesterov,
    OptionalParameter<"::mlir::FloatAttr">:$beta1,
    OptionalParameter<"::mlir::FloatAttr">:$beta2,
    OptionalParameter<"::mlir::FloatAttr">:$epsilon,
    OptionalParameter<"::mlir::FloatAttr">:$weightDecay,
    OptionalParameter<"::mlir::FloatAttr">:$rho);
  let extraClassDeclaration = [{
    /// The given options as (Keras key, value), in the table's order.
    llvm::SmallVector<mlir::NamedAttribute> getOptions() const;
    /// Builds the attribute from (Keras key, value) pairs, checked through
    /// `emitError` when given (getChecked), unchecked otherwise (get).
    static OptimizerAttr fromOptions(mlir::MLIRContext *ctx,
                                     OptimizerKind kind,
                                     mlir::DictionaryAttr options,
                                     llvm::function_ref<mlir::InFlightDiagnostic()> emitError = {});
  }];
}

def Weir_ScheduleAttr : Weir_KeyedAttr<"Schedule", "schedule"> {
  let summary = "A learning-rate schedule.";
  let description = [{
    Keras' ExponentialDecay (`decay_steps`, `decay_rate`, `staircase`) or
    CosineDecay (`decay_steps`, `alpha`, and Keras 3's linear warm-up:
    `warmup_target`, `warmup_steps`). Its initial learning rate is the
    optimizer's `learning_rate`.

    ```mlir
    #weir.schedule<cosine_decay, decay_steps = 5628>
    #weir.schedule<exponential_decay, decay_steps = 1000, decay_rate = 9.600000e-01, staircase = true>
    ```
  }];
  let parameters = (ins
    EnumParameter<Weir_ScheduleKind>:$kind,
    OptionalParameter<"::mlir::IntegerAttr">:$decaySteps,
    OptionalParameter<"::mlir::FloatAttr">:$decayRate,
    OptionalParameter<"::mlir::BoolAttr">:$staircase,
    OptionalParameter<"::mlir::FloatAttr">:$alpha,
    OptionalParameter<"::mlir::FloatAttr">:$warmupTarget,
    OptionalParameter<"::mlir::IntegerAttr">:$warmupSteps);
  let extraClassDeclaration = [{
    llvm::SmallVector<mlir::NamedAttribute> getOptions() const;
    static ScheduleAttr fromOptions(mlir::MLIRContext *ctx, ScheduleKind kind,
                                    mlir::DictionaryAttr options,
                                    llvm::function_ref<mlir::InFlightDiagnostic()> emitError = {});
  }];
}

def Weir_EarlyStoppingAttr : Weir_KeyedAttr<"EarlyStopping", "early_stopping"> {
  let summary = "Keras' EarlyStopping callback.";
  let description = [{
    What to `monitor` (a logged value: loss, accuracy, val_loss,
    val_accuracy), its `min_delta`, the `patience` in epochs, and whether
    to `restore_best_weights`. Keys left out take Keras' defaults.

    ```mlir
    #weir.early_stopping<monitor = val_accuracy, patience = 3>
    ```
  }];
  let parameters = (ins
    OptionalParameter<"::mlir::StringAttr">:$monitor,
    OptionalParameter<"::mlir::FloatAttr">:$minDelta,
    OptionalParameter<"::mlir::IntegerAttr">:$patience,
    OptionalParameter<"::mlir::BoolAttr">:$restoreBestWeights);
  let extraClassDeclaration = [{
    llvm::SmallVector<mlir::NamedAttribute> getOptions() const;
    static EarlyStoppingAttr fromOptions(mlir::MLIRContext *ctx,
                                         mlir::DictionaryAttr options,
                                         llvm::function_ref<mlir::InFlightDiagnostic()> emitError = {});
  }];
}

def Weir_ReduceLrOnPlateauAttr
    : Weir_KeyedAttr<"ReduceLrOnPlateau", "reduce_lr_on_plateau"> {
  let summary = "Keras' ReduceLROnPlateau callback.";
  let description = [{
    What to `monitor`, the `factor` (in (0, 1)) the learning rate is
    multiplied by after `patience` epochs without an improvement of more
    than `min_delta`, the `cooldown` epochs after a reduction during which
    no epoch counts, and the `min_lr` it never goes below. Keys left out
    take Keras' defaults (val_loss, 0.1, 10, 1e-4, 0, 0).

    ```mlir
    #weir.reduce_lr_on_plateau<monitor = val_loss, factor = 5.000000e-01, patience = 2>
    ```
  }];
  let parameters = (ins
    OptionalParameter<"::mlir::StringAttr">:$monitor,
    OptionalParameter<"::mlir::FloatAttr">:$factor,
    OptionalParameter<"::mlir::IntegerAttr">:$patience,
    OptionalParameter<"::mlir::FloatAttr">:$minDelta,
    OptionalParameter<"::mlir::IntegerAttr">:$cooldown,
    OptionalParameter<"::mlir::FloatAttr">:$minLr);
  let extraClassDeclaration = [{
    llvm::SmallVector<mlir::NamedAttribute> getOptions() const;
    static ReduceLrOnPlateauAttr fromOptions(mlir::MLIRContext *ctx,
                                             mlir::DictionaryAttr options,
                                             llvm::function_ref<mlir::InFlightDiagnostic()> emitError = {});
  }];
}

def Weir_ModelCheckpointAttr : Weir_KeyedAttr<"ModelCheckpoint", "checkpoint"> {
  let summary = "Keras' ModelCheckpoint callback (weights only).";
  let description = [{
    After each epoch the run's weights file is written (atomically); with
    `save_best_only`, only after an epoch whose `monitor` value (a logged
    value: loss, accuracy, val_loss, val_accuracy) beats every earlier
    epoch's, so that the file holds the best epoch's weights. Keys left out
    take Keras' defaults (val_loss, false).

    ```mlir
    #weir.checkpoint<monitor = val_accuracy, save_best_only = true>
    ```
  }];
  let parameters = (ins
    OptionalParameter<"::mlir::StringAttr">:$monitor,
    OptionalParameter<"::mlir::BoolAttr">:$saveBestOnly);
  let extraClassDeclaration = [{
    llvm::SmallVector<mlir::NamedAttribute> getOptions() const;
    static ModelCheckpointAttr fromOptions(mlir::MLIRContext *ctx,
                                           mlir::DictionaryAttr options,
                                           llvm::function_ref<mlir::InFlightDiagnostic()> emitError = {});
  }];
}

def Weir_TrainConfigOp : Weir_Op<"train_config",
    [HasParent<"::mlir::ModuleOp">,
     DeclareOpInterfaceMethods<SymbolUserOpInterface>]> {
  let summary = "How a model is trained: loss, optimizer, metrics, epochs.";
  let description = [{
    The training configuration of the model function `model`, as the
    arguments of Keras' `compile()` and `fit()`: the `loss` (with
    `from_logits`), the `optimizer` with the options the user gave it
    (Keras' defaults apply to the others), an optional learning-rate
    `schedule`, the `metrics`, `epochs`, `batch_size`, whether to evaluate
    on the test split after each epoch (`validate`), and optional
    `early_stopping`, and the dtype `precision` policy (default
    `float32`; weir-auto-mixed-precision reads it), and under
    `mixed_float16` an optional fixed `loss_scale` (without it the scale is
    dynamic), an optional `reduce_lr_on_plateau`, and an optional
    `checkpoint` (ModelCheckpoint). A module has at most one.

    With `data` (`train MODEL on PIPELINE` in .weir), the model trains on
    the batches of that `weir.pipeline`, and `validate` names the pipeline
    it is validated on; without it, the data comes from arrays given to
    `weir train --data` and `validate` names their split ("test").

    With a `schedule`, the optimizer's `learning_rate` is its initial
    learning rate. The keys, their ranges and defaults are in docs/spec.md;
    `weir::getTrainingConfig` (dialect/TrainConfig.h) reads the op with the
    defaults filled in.

    ```mlir
    weir.train_config @mlp {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, learning_rate = 1.000000e-03>, metrics = [#weir.metric<accuracy>], epochs = 10 : i64, batch_size = 128 : i64, validate = "test"}
    weir.train_config @cnn {loss = #weir.loss<categorical_crossentropy>, from_logits, optimizer = #weir.optimizer<sgd, learning_rate = 1.000000e-01, momentum = 9.000000e-01, nesterov = true>, schedule = #weir.schedule<exponential_decay, decay_steps = 1000, decay_rate = 9.600000e-01, staircase = true>, metrics = [], epochs = 12 : i64, batch_size = 64 : i64, validate = "test", early_stopping = #weir.early_stopping<monitor = val_loss, patience = 3, restore_best_weights = true>}
    ```
  }];
  let arguments = (ins FlatSymbolRefAttr:$model,
                       Weir_LossKindAttr:$loss,
                       UnitAttr:$from_logits,
                       Weir_OptimizerAttr:$optimizer,
                       OptionalAttr<Weir_ScheduleAttr>:$schedule,
                       Weir_MetricArrayAttr:$metrics,
                       I64Attr:$epochs,
                       I64Attr:$batch_size,
                       OptionalAttr<StrAttr>:$validate,
                       OptionalAttr<Weir_EarlyStoppingAttr>:$early_stopping,
                       OptionalAttr<FlatSymbolRefAttr>:$data,
                       OptionalAttr<Weir_PrecisionKindAttr>:$precision,
                       OptionalAttr<F64Attr>:$loss_scale,
                       OptionalAttr<Weir_ReduceLrOnPlateauAttr>:$reduce_lr_on_plateau,
                       OptionalAttr<Weir_ModelCheckpointAttr>:$checkpoint);
  let assemblyFormat = "$model attr-dict";
  let hasVerifier = 1;
}

#endif // WEIR_TRAIN_CONFIG_TD
