// RUN: weir-opt %s -split-input-file | weir-opt -split-input-file | FileCheck %s
// RUN: weir-opt %s -split-input-file --mlir-print-op-generic | weir-opt -split-input-file | FileCheck %s
// Round trip of weir.train_config (one per module): the least it needs, a
// schedule, and every attribute. The op's attributes print in alphabetical
// order, the options of #weir.optimizer, #weir.schedule and
// #weir.early_stopping in Keras' argument order.

// CHECK-LABEL: func @minimal
func.func @minimal(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
// CHECK: weir.train_config @minimal {batch_size = 32 : i64, epochs = 1 : i64, loss = #weir.loss<mean_squared_error>, metrics = [], optimizer = #weir.optimizer<rmsprop>}
weir.train_config @minimal {loss = #weir.loss<mean_squared_error>, optimizer = #weir.optimizer<rmsprop>, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

// CHECK-LABEL: func @mlp
func.func @mlp(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
// CHECK: weir.train_config @mlp {batch_size = 128 : i64, epochs = 10 : i64, loss = #weir.loss<sparse_categorical_crossentropy>, metrics = [#weir.metric<accuracy>], optimizer = #weir.optimizer<adam, learning_rate = 1.000000e-03>, schedule = #weir.schedule<cosine_decay, decay_steps = 4690, alpha = 0.000000e+00>, validate = "test"}
weir.train_config @mlp {loss = #weir.loss<sparse_categorical_crossentropy>, optimizer = #weir.optimizer<adam, learning_rate = 1.000000e-03>, schedule = #weir.schedule<cosine_decay, decay_steps = 4690, alpha = 0.0>, metrics = [#weir.metric<accuracy>], epochs = 10 : i64, batch_size = 128 : i64, validate = "test"}

// -----

// CHECK-LABEL: func @cnn
func.func @cnn(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
// CHECK: weir.train_config @cnn {batch_size = 64 : i64, early_stopping = #weir.early_stopping<monitor = val_accuracy, min_delta = 1.000000e-03, patience = 3, restore_best_weights = true>, epochs = 12 : i64, from_logits, loss = #weir.loss<categorical_crossentropy>, metrics = [#weir.metric<accuracy>], optimizer = #weir.optimizer<sgd, learning_rate = 1.000000e-01, momentum = 9.000000e-01, nesterov = true>, schedule = #weir.schedule<exponential_decay, decay_steps = 1000, decay_rate = 5.000000e-01, staircase = true>, validate = "test"}
weir.train_config @cnn {loss = #weir.loss<categorical_crossentropy>, from_logits, optimizer = #weir.optimizer<sgd, learning_rate = 1.000000e-01, momentum = 9.000000e-01, nesterov = true>, schedule = #weir.schedule<exponential_decay, decay_steps = 1000, decay_rate = 5.000000e-01, staircase = true>, metrics = [#weir.metric<accuracy>], epochs = 12 : i64, batch_size = 64 : i64, validate = "test", early_stopping = #weir.early_stopping<monitor = val_accuracy, patience = 3, min_delta = 1.0e-3, restore_best_weights = true>}

// -----

// Integers are numbers too (they print as f64); adamw and rmsprop options
// print in Keras' argument order.
// CHECK-LABEL: func @wide
func.func @wide(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
// CHECK: weir.train_config @wide {{{.*}}optimizer = #weir.optimizer<adamw, learning_rate = 1.000000e+00, weight_decay = 0.000000e+00, beta_1 = 8.000000e-01, beta_2 = 7.500000e-01, epsilon = 1.000000e-08>}
weir.train_config @wide {loss = #weir.loss<binary_crossentropy>, from_logits, optimizer = #weir.optimizer<adamw, learning_rate = 1, weight_decay = 0, beta_1 = 0.8, beta_2 = 0.75, epsilon = 1.0e-8>, metrics = [], epochs = 1 : i64, batch_size = 1 : i64}

// -----

// CHECK-LABEL: func @rms
func.func @rms(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
// CHECK: optimizer = #weir.optimizer<rmsprop, rho = 0.000000e+00, momentum = 5.000000e-01, epsilon = 1.000000e-08>
weir.train_config @rms {loss = #weir.loss<mean_squared_error>, optimizer = #weir.optimizer<rmsprop, rho = 0.0, momentum = 0.5, epsilon = 1.0e-8>, metrics = [], epochs = 1 : i64, batch_size = 1 : i64, early_stopping = #weir.early_stopping<monitor = loss>}

// -----

// #weir.checkpoint (Keras' ModelCheckpoint) in Keras' argument order.
// CHECK-LABEL: func @saved
func.func @saved(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
// CHECK: checkpoint = #weir.checkpoint<monitor = val_accuracy, save_best_only = true>
weir.train_config @saved {loss = #weir.loss<mean_squared_error>, optimizer = #weir.optimizer<adam>, metrics = [], epochs = 1 : i64, batch_size = 1 : i64, validate = "test", checkpoint = #weir.checkpoint<save_best_only = true, monitor = val_accuracy>}
