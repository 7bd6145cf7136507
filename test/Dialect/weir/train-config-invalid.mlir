// RUN: weir-opt %s -split-input-file -verify-diagnostics
// One case per diagnostic of weir.train_config; each is named after the
// constraint in docs/spec.md (## weir.train_config) that it breaks.

func.func @train_config_c1() {
  return
}
// expected-error @+1 {{'@nowhere' does not name a func.func in the module}}
weir.train_config @nowhere {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c2() {
  return
}
// expected-error @+2 {{expected ::weir::LossKind to be one of: sparse_categorical_crossentropy, categorical_crossentropy, binary_crossentropy, mean_squared_error}}
// expected-error @+1 {{failed to parse Weir_LossKindAttr parameter 'value'}}
weir.train_config @train_config_c2 {loss = #weir.loss<hinge>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c3() {
  return
}
// expected-error @+1 {{from_logits does not apply to mean_squared_error}}
weir.train_config @train_config_c3 {loss = #weir.loss<mean_squared_error>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, from_logits}

// -----

func.func @train_config_c4() {
  return
}
// expected-error @+1 {{unknown optimizer 'adagrad' (expected one of sgd, adam, adamw, rmsprop)}}
weir.train_config @train_config_c4 {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adagrad>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c5_unknown() {
  return
}
// expected-error @+1 {{unknown option 'lr' for adam (expected: learning_rate, beta_1, beta_2, epsilon)}}
weir.train_config @train_config_c5_unknown {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, lr = 1.0e-3>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c5_sgd_only() {
  return
}
// expected-error @+1 {{unknown option 'momentum' for adam (expected: learning_rate, beta_1, beta_2, epsilon)}}
weir.train_config @train_config_c5_sgd_only {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, momentum = 0.9>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c5_number() {
  return
}
// expected-error @+1 {{learning_rate of adam must be a number > 0, got 'fast'}}
weir.train_config @train_config_c5_number {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, learning_rate = fast>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c5_f64() {
  return
}
// expected-error @+1 {{epsilon of adam must be a number > 0, got 1.000000e-07 : f32}}
weir.train_config @train_config_c5_f64 {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, epsilon = 1.0e-7 : f32>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c5_bool_number() {
  return
}
// expected-error @+1 {{learning_rate of adam must be a number > 0, got true}}
weir.train_config @train_config_c5_bool_number {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, learning_rate = true>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c5_flag() {
  return
}
// expected-error @+1 {{nesterov of sgd must be true or false, got 1}}
weir.train_config @train_config_c5_flag {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<sgd, nesterov = 1>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c5_learning_rate() {
  return
}
// expected-error @+1 {{learning_rate of sgd must be a number > 0, got 0.0}}
weir.train_config @train_config_c5_learning_rate {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<sgd, learning_rate = 0.0>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c5_momentum() {
  return
}
// expected-error @+1 {{momentum of sgd must be a number in [0, 1), got 1.0}}
weir.train_config @train_config_c5_momentum {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<sgd, momentum = 1.0>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c5_beta_1() {
  return
}
// expected-error @+1 {{beta_1 of adam must be a number in [0, 1), got -0.1}}
weir.train_config @train_config_c5_beta_1 {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, beta_1 = -0.1>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c5_beta_2() {
  return
}
// expected-error @+1 {{beta_2 of adamw must be a number in [0, 1), got 1}}
weir.train_config @train_config_c5_beta_2 {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adamw, beta_2 = 1>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c5_epsilon() {
  return
}
// expected-error @+1 {{epsilon of rmsprop must be a number > 0, got 0}}
weir.train_config @train_config_c5_epsilon {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<rmsprop, epsilon = 0>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c5_weight_decay() {
  return
}
// expected-error @+1 {{weight_decay of adamw must be a number >= 0, got -0.004}}
weir.train_config @train_config_c5_weight_decay {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adamw, weight_decay = -0.004>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c5_rho() {
  return
}
// expected-error @+1 {{rho of rmsprop must be a number in [0, 1), got 1.5}}
weir.train_config @train_config_c5_rho {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<rmsprop, rho = 1.5>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c5_nan() {
  return
}
// expected-error @+1 {{learning_rate of adam must be a number > 0, got nan}}
weir.train_config @train_config_c5_nan {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, learning_rate = 0x7FF8000000000000 : f64>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c5_twice() {
  return
}
// expected-error @+1 {{option 'learning_rate' is given twice}}
weir.train_config @train_config_c5_twice {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, learning_rate = 1.0e-3, learning_rate = 1.0e-2>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c6_kind() {
  return
}
// expected-error @+1 {{unknown learning-rate schedule 'constant' (expected one of exponential_decay, cosine_decay)}}
weir.train_config @train_config_c6_kind {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, learning_rate = 1.0e-3>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, schedule = #weir.schedule<constant>}

// -----

func.func @train_config_c6_unknown_kind() {
  return
}
// expected-error @+1 {{unknown learning-rate schedule 'linear_decay' (expected one of exponential_decay, cosine_decay)}}
weir.train_config @train_config_c6_unknown_kind {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, learning_rate = 1.0e-3>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, schedule = #weir.schedule<linear_decay>}

// -----

func.func @train_config_c6_key() {
  return
}
// expected-error @+1 {{unknown key 'alpha' for exponential_decay (expected: decay_steps, decay_rate, staircase)}}
weir.train_config @train_config_c6_key {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, learning_rate = 1.0e-3>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, schedule = #weir.schedule<exponential_decay, decay_steps = 10, decay_rate = 0.5, alpha = 0.1>}

// -----

func.func @train_config_c6_decay_steps() {
  return
}
// expected-error @+1 {{decay_steps of cosine_decay must be an integer >= 1, got 0}}
weir.train_config @train_config_c6_decay_steps {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, learning_rate = 1.0e-3>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, schedule = #weir.schedule<cosine_decay, decay_steps = 0>}

// -----

func.func @train_config_c6_decay_steps_int() {
  return
}
// expected-error @+1 {{decay_steps of cosine_decay must be an integer >= 1, got 100.0}}
weir.train_config @train_config_c6_decay_steps_int {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, learning_rate = 1.0e-3>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, schedule = #weir.schedule<cosine_decay, decay_steps = 100.0>}

// -----

func.func @train_config_c6_decay_rate() {
  return
}
// expected-error @+1 {{decay_rate of exponential_decay must be a number > 0, got 0.0}}
weir.train_config @train_config_c6_decay_rate {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, learning_rate = 1.0e-3>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, schedule = #weir.schedule<exponential_decay, decay_steps = 10, decay_rate = 0.0>}

// -----

func.func @train_config_c6_staircase() {
  return
}
// expected-error @+1 {{staircase of exponential_decay must be true or false, got 'yes'}}
weir.train_config @train_config_c6_staircase {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, learning_rate = 1.0e-3>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, schedule = #weir.schedule<exponential_decay, decay_steps = 10, decay_rate = 0.5, staircase = yes>}

// -----

func.func @train_config_c6_alpha() {
  return
}
// expected-error @+1 {{alpha of cosine_decay must be a number in [0, 1], got 1.5}}
weir.train_config @train_config_c6_alpha {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, learning_rate = 1.0e-3>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, schedule = #weir.schedule<cosine_decay, decay_steps = 10, alpha = 1.5>}

// -----

func.func @train_config_c6_required() {
  return
}
// expected-error @+1 {{exponential_decay needs decay_rate}}
weir.train_config @train_config_c6_required {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, learning_rate = 1.0e-3>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, schedule = #weir.schedule<exponential_decay, decay_steps = 10>}

// -----

func.func @train_config_c7() {
  return
}
// expected-error @+1 {{a schedule needs the optimizer's learning_rate, its initial learning rate}}
weir.train_config @train_config_c7 {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, schedule = #weir.schedule<cosine_decay, decay_steps = 10>}

// -----

func.func @train_config_c8_unknown() {
  return
}
// expected-error @+2 {{expected ::weir::MetricKind to be one of: accuracy}}
// expected-error @+1 {{failed to parse Weir_MetricKindAttr parameter 'value'}}
weir.train_config @train_config_c8_unknown {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [#weir.metric<auc>], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c8_twice() {
  return
}
// expected-error @+1 {{metric 'accuracy' is listed twice}}
weir.train_config @train_config_c8_twice {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [#weir.metric<accuracy>, #weir.metric<accuracy>], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c8_strings() {
  return
}
// expected-error @+1 {{attribute 'metrics' failed to satisfy constraint: an array of metrics}}
weir.train_config @train_config_c8_strings {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = ["accuracy"], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c9_epochs() {
  return
}
// expected-error @+1 {{epochs must be an integer >= 1, got 0}}
weir.train_config @train_config_c9_epochs {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 0 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c9_batch_size() {
  return
}
// expected-error @+1 {{batch_size must be an integer >= 1, got -32}}
weir.train_config @train_config_c9_batch_size {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = -32 : i64}

// -----

func.func @train_config_c10() {
  return
}
// expected-error @+1 {{validate must be 'test', got 'train'}}
weir.train_config @train_config_c10 {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, validate = "train"}

// -----

func.func @train_config_c11_key() {
  return
}
// expected-error @+1 {{unknown key 'patiense' for early_stopping (expected: monitor, min_delta, patience, restore_best_weights)}}
weir.train_config @train_config_c11_key {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, early_stopping = #weir.early_stopping<monitor = loss, patiense = 3>}

// -----

func.func @train_config_c11_monitor() {
  return
}
// expected-error @+1 {{monitor of early_stopping must be one of loss, accuracy, val_loss, val_accuracy, got 'val_auc'}}
weir.train_config @train_config_c11_monitor {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, validate = "test", early_stopping = #weir.early_stopping<monitor = val_auc>}

// -----

func.func @train_config_c11_patience() {
  return
}
// expected-error @+1 {{patience of early_stopping must be an integer >= 0, got -1}}
weir.train_config @train_config_c11_patience {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, early_stopping = #weir.early_stopping<monitor = loss, patience = -1>}

// -----

func.func @train_config_c11_min_delta() {
  return
}
// expected-error @+1 {{min_delta of early_stopping must be a number >= 0, got -0.01}}
weir.train_config @train_config_c11_min_delta {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, early_stopping = #weir.early_stopping<monitor = loss, min_delta = -0.01>}

// -----

func.func @train_config_c11_restore() {
  return
}
// expected-error @+1 {{restore_best_weights of early_stopping must be true or false, got 'yes'}}
weir.train_config @train_config_c11_restore {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, early_stopping = #weir.early_stopping<monitor = loss, restore_best_weights = yes>}

// -----

func.func @train_config_c12() {
  return
}
// expected-error @+1 {{early_stopping monitors val_accuracy, which needs validate}}
weir.train_config @train_config_c12 {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, early_stopping = #weir.early_stopping<monitor = val_accuracy>}

// -----

func.func @train_config_c12_default() {
  return
}
// expected-error @+1 {{early_stopping monitors val_loss, which needs validate}}
weir.train_config @train_config_c12_default {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, early_stopping = #weir.early_stopping<patience = 2>}

// -----

func.func @train_config_c13_parent() {
  // expected-error @+1 {{'weir.train_config' op expects parent op 'builtin.module'}}
  "weir.train_config"() <{model = @train_config_c13_parent, loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}> : () -> ()
  return
}

// -----

func.func @train_config_c13() {
  return
}
// expected-note @+1 {{the first is here}}
weir.train_config @train_config_c13 {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}
// expected-error @+1 {{is the second weir.train_config of the module (a module has at most one)}}
weir.train_config @train_config_c13 {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c15() {
  return
}
// expected-error @+1 {{'weir.train_config' op loss_scale must be a number > 0, got 0.0}}
weir.train_config @train_config_c15 {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, precision = #weir.precision<mixed_float16>, loss_scale = 0.0}

// -----

func.func @train_config_c16() {
  return
}
// expected-error @+1 {{factor of reduce_lr_on_plateau must be a number in (0, 1), got 1.5}}
weir.train_config @train_config_c16 {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, validate = "test", reduce_lr_on_plateau = #weir.reduce_lr_on_plateau<factor = 1.5>}

// -----

func.func @train_config_c17() {
  return
}
// expected-error @+1 {{reduce_lr_on_plateau monitors val_loss, which needs validate}}
weir.train_config @train_config_c17 {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, reduce_lr_on_plateau = #weir.reduce_lr_on_plateau<patience = 2>}

// -----

func.func @train_config_c18() {
  return
}
// expected-error @+1 {{reduce_lr_on_plateau sets the learning rate, so it cannot be combined with a schedule}}
weir.train_config @train_config_c18 {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, learning_rate = 1.000000e-03>, schedule = #weir.schedule<cosine_decay, decay_steps = 100>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, validate = "test", reduce_lr_on_plateau = #weir.reduce_lr_on_plateau<monitor = val_loss>}

// -----

func.func @train_config_c6_warmup() {
  return
}
// expected-error @+1 {{warmup_steps of cosine_decay needs a warmup_target (the rate the warm-up climbs to)}}
weir.train_config @train_config_c6_warmup {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, learning_rate = 1.000000e-03>, schedule = #weir.schedule<cosine_decay, decay_steps = 100, warmup_steps = 10>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

func.func @train_config_c19() {
  return
}
// expected-error @+1 {{monitor of checkpoint must be one of loss, accuracy, val_loss, val_accuracy, got 'val_auc'}}
weir.train_config @train_config_c19 {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64, validate = "test", checkpoint = #weir.checkpoint<monitor = val_auc, save_best_only = true>}

// -----

func.func @train_config_c20() {
  return
}
// expected-error @+1 {{checkpoint monitors val_accuracy, which needs validate}}
weir.train_config @train_config_c20 {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam>, metrics = [#weir.metric<accuracy>], epochs = 1 : i64, batch_size = 32 : i64, checkpoint = #weir.checkpoint<monitor = val_accuracy, save_best_only = true>}
