// RUN: weir-opt %s -split-input-file | weir-opt -split-input-file | FileCheck %s
// RUN: weir-opt %s -split-input-file --mlir-print-op-generic | weir-opt -split-input-file | FileCheck %s
// Round trip of weir.train_config (one per module): the least it needs, a
// schedule, and every attribute. Attributes print in alphabetical order.

// CHECK-LABEL: func @minimal
func.func @minimal(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
// CHECK: weir.train_config @minimal {batch_size = 32 : i64, epochs = 1 : i64, loss = "mean_squared_error", metrics = [], optimizer = "rmsprop", optimizer_options = {}}
weir.train_config @minimal {loss = "mean_squared_error", optimizer = "rmsprop", optimizer_options = {}, metrics = [], epochs = 1 : i64, batch_size = 32 : i64}

// -----

// CHECK-LABEL: func @mlp
func.func @mlp(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
// CHECK: weir.train_config @mlp {batch_size = 128 : i64, epochs = 10 : i64, loss = "sparse_categorical_crossentropy", metrics = ["accuracy"], optimizer = "adam", optimizer_options = {learning_rate = 1.000000e-03 : f64}, schedule = {alpha = 0.000000e+00 : f64, decay_steps = 4690 : i64, kind = "cosine_decay"}, validate = "test"}
weir.train_config @mlp {loss = "sparse_categorical_crossentropy", optimizer = "adam", optimizer_options = {learning_rate = 1.000000e-03 : f64}, schedule = {kind = "cosine_decay", decay_steps = 4690 : i64, alpha = 0.0 : f64}, metrics = ["accuracy"], epochs = 10 : i64, batch_size = 128 : i64, validate = "test"}

// -----

// CHECK-LABEL: func @cnn
func.func @cnn(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
// CHECK: weir.train_config @cnn {batch_size = 64 : i64, early_stopping = {min_delta = 1.000000e-03 : f64, monitor = "val_accuracy", patience = 3 : i64, restore_best_weights = true}, epochs = 12 : i64, from_logits, loss = "categorical_crossentropy", metrics = ["accuracy"], optimizer = "sgd", optimizer_options = {learning_rate = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov = true}, schedule = {decay_rate = 5.000000e-01 : f64, decay_steps = 1000 : i64, kind = "exponential_decay", staircase = true}, validate = "test"}
weir.train_config @cnn {loss = "categorical_crossentropy", from_logits, optimizer = "sgd", optimizer_options = {learning_rate = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64, nesterov = true}, schedule = {kind = "exponential_decay", decay_steps = 1000 : i64, decay_rate = 5.000000e-01 : f64, staircase = true}, metrics = ["accuracy"], epochs = 12 : i64, batch_size = 64 : i64, validate = "test", early_stopping = {monitor = "val_accuracy", patience = 3 : i64, min_delta = 1.0e-3 : f64, restore_best_weights = true}}

// -----

// Integers are numbers too; adamw and rmsprop options.
// CHECK-LABEL: func @wide
func.func @wide(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
// CHECK: weir.train_config @wide {{{.*}}optimizer = "adamw", optimizer_options = {beta_1 = 8.000000e-01 : f64, beta_2 = 7.500000e-01 : f64, epsilon = 1.000000e-08 : f64, learning_rate = 1 : i64, weight_decay = 0 : i64}
weir.train_config @wide {loss = "binary_crossentropy", from_logits, optimizer = "adamw", optimizer_options = {learning_rate = 1 : i64, weight_decay = 0 : i64, beta_1 = 0.8 : f64, beta_2 = 0.75 : f64, epsilon = 1.0e-8 : f64}, metrics = [], epochs = 1 : i64, batch_size = 1 : i64}

// -----

// CHECK-LABEL: func @rms
func.func @rms(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  return %x : tensor<?x4xf32>
}
// CHECK: optimizer = "rmsprop", optimizer_options = {epsilon = 1.000000e-08 : f64, momentum = 5.000000e-01 : f64, rho = 0.000000e+00 : f64}
weir.train_config @rms {loss = "mean_squared_error", optimizer = "rmsprop", optimizer_options = {rho = 0.0 : f64, momentum = 0.5 : f64, epsilon = 1.0e-8 : f64}, metrics = [], epochs = 1 : i64, batch_size = 1 : i64, early_stopping = {monitor = "loss"}}
