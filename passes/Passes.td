//===- Passes.td - weir passes -----------------------------*- tablegen -*-===//
//
// Every weir pass is declared here; the C++ classes subclass the generated
// impl::*Base and call the library functions in Transforms.h.
//
//===----------------------------------------------------------------------===//

#ifndef WEIR_PASSES_TD
#define WEIR_PASSES_TD

include "mlir/Pass/PassBase.td"

def InferShapes : Pass<"weir-infer-shapes", "::mlir::func::FuncOp"> {
  let summary = "Refines result types from the shape rules of weir ops.";
  let description = [{
    Visits the ops of a function in order and replaces each weir op's result
    type with the most precise type that agrees with both the declared type
    and the op's shape rule, so a model written with `tensor<*xf32>`
    intermediates ends up fully typed. The function's result types follow
    the values it returns. A use by an op outside the weir dialect keeps the
    type it had, through a `tensor.cast`.

    An op whose operands break its rule is reported at its location and the
    pass fails.

    ```mlir
    // before
    %0 = weir.flatten %x : tensor<?x28x28x1xf32> -> tensor<*xf32>
    // after
    %0 = weir.flatten %x : tensor<?x28x28x1xf32> -> tensor<?x784xf32>
    ```
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def VerifyModel : Pass<"weir-verify-model", "::mlir::ModuleOp"> {
  let summary = "Checks the whole-model invariants that op verifiers cannot.";
  let description = [{
    Checks what must hold of a model before training-step construction and
    lowering (constraints `model_c1`...`model_c3` in docs/spec.md):

    1. every tensor in a function holding weir ops is ranked, and only its
       batch dimension (dimension 0) may be dynamic;
    2. no two `weir.dropout` ops in one function share a seed, which would
       give them the same mask (a warning);
    3. every `weir.parameter` is read by some function (a warning, on by
       default, see `warn-unused-parameters`).

    The module is left unchanged. The pass fails if an error was reported.
  }];
  let options = [
    Option<"warnUnusedParameters", "warn-unused-parameters", "bool",
           /*default=*/"true",
           "Warn about parameters that no function reads">,
  ];
}

#endif // WEIR_PASSES_TD
