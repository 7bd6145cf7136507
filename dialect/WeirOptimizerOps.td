//===- WeirOptimizerOps.td - optimizer updates -------------*- tablegen -*-===//
//
// One op per optimizer: it takes a parameter, its gradient and its state,
// and returns the new parameter and state. Each lowers to a single
// elementwise kernel, so an update reads every operand once and writes
// every result once; bufferization then writes the results over the
// operands (the parameter and state buffers are updated in place).
// `learning_rate` and `iteration` are 0-d f32 tensors computed by the
// runtime from the schedule; the element type of the parameter is free.
//
//===----------------------------------------------------------------------===//

#ifndef WEIR_OPTIMIZER_OPS_TD
#define WEIR_OPTIMIZER_OPS_TD

def Weir_ScalarF32 : 0DTensorOf<[F32]>;

class Weir_OptimizerOp<string mnemonic> : Weir_Op<mnemonic, [Pure]> {
  let hasVerifier = 1;
}

def Weir_ApplySgdOp : Weir_OptimizerOp<"apply_sgd"> {
  let summary = "SGD, with optional momentum and Nesterov (Keras SGD).";
  let description = [{
    Without a `velocity` operand: `p -= lr * g`. With one (momentum > 0):
    `v = momentum * v - lr * g`, then `p += v`, or with `nesterov`
    `p += momentum * v - lr * g`.

    ```mlir
    %p1, %v1 = weir.apply_sgd %p, %g, %lr velocity %v momentum 9.000000e-01 nesterov : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<f32>) -> (tensor<64xf32>, tensor<64xf32>)
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$param, Weir_FloatTensor:$grad,
                       Optional<Weir_FloatTensor>:$velocity,
                       Weir_ScalarF32:$learning_rate,
                       DefaultValuedAttr<F64Attr, "0.0">:$momentum,
                       UnitAttr:$nesterov);
  let results = (outs Weir_FloatTensor:$new_param,
                      Optional<Weir_FloatTensor>:$new_velocity);
  let assemblyFormat = [{
    $param `,` $grad `,` $learning_rate (`velocity` $velocity^)?
    (`momentum` $momentum^)? (`nesterov` $nesterov^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def Weir_ApplyAdamOp : Weir_OptimizerOp<"apply_adam"> {
  let summary = "Adam, or AdamW with a weight decay (Keras Adam, AdamW).";
  let description = [{
    With `t = iteration` (1 for the first update):
    `p -= lr * weight_decay * p` (AdamW only, before the moments),
    `m += (g - m) * (1 - beta_1)`, `v += (g^2 - v) * (1 - beta_2)`,
    `p -= lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)`.

    ```mlir
    %p1, %m1, %v1 = weir.apply_adam %p, %g, %m, %v, %lr, %t : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<f32>, tensor<f32>) -> (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>)
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$param, Weir_FloatTensor:$grad,
                       Weir_FloatTensor:$m, Weir_FloatTensor:$v,
                       Weir_ScalarF32:$learning_rate, Weir_ScalarF32:$iteration,
                       DefaultValuedAttr<F64Attr, "0.9">:$beta_1,
                       DefaultValuedAttr<F64Attr, "0.999">:$beta_2,
                       DefaultValuedAttr<F64Attr, "1e-7">:$epsilon,
                       DefaultValuedAttr<F64Attr, "0.0">:$weight_decay);
  let results = (outs Weir_FloatTensor:$new_param, Weir_FloatTensor:$new_m,
                      Weir_FloatTensor:$new_v);
  let assemblyFormat = [{
    $param `,` $grad `,` $m `,` $v `,` $learning_rate `,` $iteration attr-dict
    `:` functional-type(operands, results)
  }];
}

def Weir_ApplyRmspropOp : Weir_OptimizerOp<"apply_rmsprop"> {
  let summary = "RMSprop, with optional momentum (Keras RMSprop).";
  let description = [{
    `ms = rho * ms + (1 - rho) * g^2`, `inc = lr * g / sqrt(ms + epsilon)`;
    without a `mom` operand `p -= inc`, with one
    `mom = momentum * mom + inc`, `p -= mom`.

    ```mlir
    %p1, %s1 = weir.apply_rmsprop %p, %g, %s, %lr : (tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<f32>) -> (tensor<64xf32>, tensor<64xf32>)
    ```
  }];
  let arguments = (ins Weir_FloatTensor:$param, Weir_FloatTensor:$grad,
                       Weir_FloatTensor:$ms, Optional<Weir_FloatTensor>:$mom,
                       Weir_ScalarF32:$learning_rate,
                       DefaultValuedAttr<F64Attr, "0.9">:$rho,
                       DefaultValuedAttr<F64Attr, "0.0">:$momentum,
                       DefaultValuedAttr<F64Attr, "1e-7">:$epsilon);
  let results = (outs Weir_FloatTensor:$new_param, Weir_FloatTensor:$new_ms,
                      Optional<Weir_FloatTensor>:$new_mom);
  let assemblyFormat = [{
    $param `,` $grad `,` $ms `,` $learning_rate (`velocity` $mom^)? attr-dict
    `:`
    functional-type(operands, results)
  }];
}

#endif // WEIR_OPTIMIZER_OPS_TD
