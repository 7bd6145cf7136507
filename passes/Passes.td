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

def LiftParameters : Pass<"weir-lift-parameters", "::mlir::ModuleOp"> {
  let summary = "Turns the parameters a model reads into function arguments.";
  let description = [{
    Makes each model function a self-contained entry point for the runtime:
    every parameter it reads through `weir.load_param` becomes a trailing
    argument, in the order the parameters are declared, with the argument
    attribute `weir.slot = #weir.slot<param, "<name>">` so the runtime can bind weights by
    name; and the function gets `llvm.emit_c_interface`. The parameter
    declarations stay for later passes to read.

    ```mlir
    // before
    func.func @m(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
      %w = weir.load_param @w : tensor<4x2xf32>
      ...
    // after
    func.func @m(%x: tensor<?x4xf32>, %w: tensor<4x2xf32> {weir.slot = #weir.slot<param, "w">})
        -> tensor<?x2xf32> attributes {llvm.emit_c_interface} {
    ```
  }];
}

def BuildTrainStep : Pass<"weir-build-train-step", "::mlir::ModuleOp"> {
  let summary = "Builds the training, update and evaluation functions.";
  let description = [{
    Reads the module's `weir.train_config` and, from its model function
    `@m`, builds:

    - `@m_train(inputs..., %target, %rng)`: the forward pass in training
      mode (`dropout` multiplies by a `dropout_mask` keyed by `%rng`;
      `batch_norm` uses batch statistics), the loss and the accuracy count,
      returning `(loss, correct, new moving statistics...)`. It is marked
      `weir.differentiate`, so weir-differentiate appends the gradients.
      When the model ends in `softmax` (or `sigmoid`) and the loss takes
      probabilities, the loss takes the logits instead (`from_logits`), as
      Keras does, so cross-entropy never goes through log(softmax).
    - `@m_apply(grads..., %learning_rate, %iteration)`: one optimizer op per
      trainable parameter, returning the new parameters and optimizer state
      (result attribute `weir.updates`). The state is declared as
      non-trainable `weir.parameter`s named `<param>/<slot>` (for example
      `dense.kernel/adam_m`), zero-initialized.
    - `@m_eval(inputs..., %target)`: the inference-mode forward pass, loss
      and accuracy count.
    - `@m_probe(inputs..., %rng)`: the training-mode forward pass returning
      every layer's output (result attribute `weir.layer`, the op and its
      file:line:col), which the runtime runs on a batch whose loss is not
      finite to name the first layer that went non-finite.

    The runtime runs `@m_train` on each replica's slice of the batch, sums
    the gradients (the all-reduce), and calls `@m_apply` once. Arguments
    and results carry a `#weir.slot` (`input`, `target`, `rng`,
    `learning_rate`, `iteration`, `loss`, `correct`, or `grad` / `updates`
    naming a parameter), and each function a `#weir.manifest` that the
    dialect verifies (docs/spec.md, "Function manifests"). A module without
    a `weir.train_config` is left unchanged.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def AutoMixedPrecision : Pass<"weir-auto-mixed-precision", "::mlir::ModuleOp"> {
  let summary = "Computes each op in the dtype a Keras mixed policy gives it.";
  let description = [{
    Under `mixed_bfloat16` (or `mixed_float16`), decides the compute dtype of
    every op in every function from one table with a line per op kind
    (passes/train/AutoMixedPrecision.cpp, cited in docs/spec.md,
    "Mixed precision"):

    - `low`: products (dense, conv2d, matmul and the convolution
      backprops) read their float operands in the low type; their lowering
      accumulates in f32 and rounds once.
    - `follow`: elementwise ops, activations, pooling and shape ops compute
      in the low type when one of their float operands has it, else as
      they are.
    - `f32`: the islands — softmax, losses, batch norm, reductions over the
      batch, metrics, augmentation and the optimizer updates — read f32.
    - `keep`: parameter reads, casts and masks are left as they are.

    A value is cast to a type once, right after it is defined, so a step
    reads each f32 master weight once in the low type; function results
    keep their declared types. A layer's `weir.compute_type` (Keras' layer
    `dtype`) overrides the policy for that op. Run before
    weir-differentiate, the gradient rules derive the backward pass in the
    same dtypes (the gradient of a cast is the cast back), so gradients
    reach the update in f32. A `matmul` or `reduce_sum` whose one use
    widens it produces the wide type itself, so run again after
    weir-differentiate, weight and bias gradients leave their f32
    accumulators unrounded.

    An op the table does not name is an error at its location. The policy
    is the `precision` of the module's weir.train_config unless the
    `precision` option names one; under `float32` the pass does nothing.
  }];
  let options = [
    Option<"precision", "precision", "std::string", /*default=*/"\"\"",
           "float32, mixed_bfloat16 or mixed_float16 (default: the "
           "weir.train_config's, else float32)">,
  ];
}

def Differentiate : Pass<"weir-differentiate", "::mlir::ModuleOp"> {
  let summary = "Appends reverse-mode gradients to functions that ask for them.";
  let description = [{
    For every function marked `weir.differentiate`, differentiates its first
    result (a 0-d loss) with respect to every trainable parameter it reads
    (`weir.load_param` of a parameter without `non_trainable`), by reverse
    mode over the function body, and returns the gradients as extra results
    with the slot `#weir.slot<grad, "<param>">`, in declaration order.

    Each op's derivative is one rule (passes/train/GradientRules.cpp), built from
    weir ops: `dense` gives two `weir.matmul`s and a `weir.reduce_sum`,
    `conv2d` gives `conv2d_backprop_input`/`_filter`, activations give their
    `*_grad` op, a loss gives its `*_grad` op. Gradients reaching one value
    along several paths are summed with `weir.add`. An op on the path from a
    parameter to the loss without a rule is an error at its location; a
    trainable parameter the loss does not depend on gets a zero gradient
    and a warning.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def LowerToLinalg : Pass<"weir-lower-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lowers weir ops to linalg, tensor, arith and math.";
  let description = [{
    One pattern per op: `dense` becomes a `linalg.matmul` accumulating into
    the broadcast bias, `conv2d` a padded `linalg.conv_2d_nhwc_hwcf`, the
    pools `linalg.pooling_nhwc_*` (the average divided by the in-bounds
    count), `flatten`/`reshape` `tensor.collapse_shape`/`expand_shape`, and
    everything elementwise (activations, `add`, `cast`, `rescale`,
    inference-form `batch_norm`) a `linalg.generic`, which
    `linalg-fuse-elementwise-ops` later fuses. `dropout` is the identity
    (inference); `softmax` is max-reduce, exp, sum-reduce, divide.
    Integer arguments become signless, as linalg and arith require, and the
    parameter declarations are erased. Run weir-lift-parameters first.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::tensor::TensorDialect"
  ];
}

def TileAndFuse : Pass<"weir-tile-and-fuse", "::mlir::func::FuncOp"> {
  let summary = "Computes each chain of layers one batch tile at a time.";
  let description = [{
    Finds each linalg op whose result leaves linalg (returned, reshaped) and
    tiles it along the batch dimension, fusing its producers (matmul, conv,
    the bias broadcast, activations, pooling) into the same loop. A dense +
    bias + activation, or a conv + bias + relu + max-pool, then runs as one
    loop nest over batch tiles whose intermediates stay in cache. Ops that
    cannot be tiled are left as they are. Part of weir-to-linalg-pipeline.

    ```mlir
    // after: one scf.for over the batch holds the matmul and the relu
    %r = scf.for %i = %c0 to %n step %c16 iter_args(%acc = %init) -> tensor<?x64xf32> {
      %mm = linalg.matmul ins(...) outs(...) -> tensor<?x64xf32>
      %y = linalg.generic ... ins(%mm ...)   // bias + relu
      ...
    ```
  }];
  let options = [
    Option<"tileSize", "tile-size", "int64_t", /*default=*/"16",
           "Examples per tile">,
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def RegisterBlock : Pass<"weir-register-block", "::mlir::ModuleOp"> {
  let summary = "Register-blocked loop nests for convolutions and their "
                "backward products.";
  let description = [{
    Rewrites each `linalg.conv_2d_nhwc_hwcf` and each `linalg.generic` of
    the form `out[.., f] += a[..] * b[.., f]` (one operand read as a
    scalar, the other as a row along the output's contiguous axis `f`) into
    an explicit loop nest over vectors: a block of output rows (adjacent
    output pixels, or input channels and kernel columns of a weight
    gradient) times a few vectors of `f` is read once, carried in registers
    through the reduction (per step one vector load per vector of `b`, one
    broadcast per row of `a`, one `vector.fma` per accumulator) and written
    once. The block is the one with the most FMAs per load whose
    accumulators fit the register file; a block with too few accumulators
    to hide the FMA latency splits the innermost reduction into partial
    sums. Dynamic reductions (the batch of a weight gradient) run outside
    the block. A 16-bit operand of a product that accumulates in f32 (bf16
    or f16 under mixed precision) is widened to f32 once, by an
    elementwise op before the nest, so that the inner loop is the f32 one:
    each operand element is read by many steps, and widening it in the loop
    cost a load, a conversion and a register per vector and step (the bf16
    CNN trained at 0.45x of f32). With `bf16-dot=1` (AVX512_BF16 hosts),
    a product of two bf16 operands into f32 with an even, static innermost
    reduction is not widened: each step takes a pair of that reduction,
    interleaves the two rows of `b` in registers (`vector.shuffle`),
    broadcasts the two scalars of `a` as one 32-bit pair, and does one
    `x86vector.avx512.dot` (`vdpbf16ps`: two products per lane, f32
    accumulation) per accumulator. By default the host decides: on AMD
    Zen 4 one 512-bit vdpbf16ps (32 products) issues per cycle like one
    512-bit f32 FMA (16), so the pairs do twice the products; on the Intel
    Xeon measured it issues once every two cycles (16 products a cycle,
    against 32 for two f32 FMAs), so they stay off there. Part of
    weir-vectorize-contractions.

    ```mlir
    // conv [?,13,13,32] * [3,3,32,64] -> [?,11,11,64], AVX-512:
    // blocks of 11 pixels x 2 vectors of 16 filters (22 accumulators)
    scf.for %n ... scf.for %oh ... scf.for %f = 0 to 64 step 32 {
      %acc0 = vector.transfer_read ...       // 22 of them
      scf.for %kh ... scf.for %kw ... scf.for %c ... iter_args(%acc0, ...) {
        %k0 = vector.transfer_read %kernel[%kh, %kw, %c, %f]   // 2 rows
        %x0 = tensor.extract %input[%n, %oh + %kh, %kw, %c]    // 11 scalars
        vector.fma ...                                         // 22 FMAs
      }
      vector.transfer_write ...
    }
    ```
  }];
  let options = [
    Option<"vectorLanes", "vector-lanes", "int64_t", /*default=*/"0",
           "f32 lanes per vector register (0: the host's)">,
    Option<"vectorRegisters", "vector-registers", "int64_t", /*default=*/"0",
           "vector registers to block for (0: the host's)">,
    Option<"bf16Dot", "bf16-dot", "int64_t", /*default=*/"-1",
           "AVX512_BF16 pair dot products for bf16 x bf16 -> f32: 1 on, "
           "0 off, -1 the host's (on for AMD Zen 4 and later)">,
  ];
  let dependentDialects = [
    "::mlir::vector::VectorDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect", "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect", "::mlir::x86vector::X86VectorDialect"
  ];
}

def VectorizeContractions
    : Pass<"weir-vectorize-contractions", "::mlir::ModuleOp"> {
  let summary = "Register-blocked, vectorized convolutions and matmuls.";
  let description = [{
    Runs weir-register-block (convolutions and product-accumulate generics
    become register-blocked loop nests), then tiles each convolution it
    left to one output pixel and one kernel row and decomposes the tile
    into a 1-D convolution; tiles each
    `linalg.matmul` to one row and eight reduction steps; then vectorizes
    every op of the function with static shapes. The accumulators (a
    pixel's filters, a row's columns) stay in vector registers across the
    reduction: one broadcast and one FMA per step. Implemented as a
    transform-dialect recipe run by the interpreter. Part of
    weir-cpu-lowering-pipeline; what it cannot vectorize keeps the loop
    lowering.

    ```mlir
    // after: per pixel and kernel row, per input channel
    %acc = vector.fma %x_c, %k_c, %acc : vector<64xf32>
    ```
  }];
  let options = [
    Option<"vectorLanes", "vector-lanes", "int64_t", /*default=*/"0",
           "f32 lanes per vector register (0: the host's)">,
    Option<"vectorRegisters", "vector-registers", "int64_t", /*default=*/"0",
           "vector registers to block for (0: the host's)">,
    Option<"bf16Dot", "bf16-dot", "int64_t", /*default=*/"-1",
           "AVX512_BF16 pair dot products for bf16 x bf16 -> f32: 1 on, "
           "0 off, -1 the host's (on for AMD Zen 4 and later)">,
  ];
  let dependentDialects = [
    "::mlir::transform::TransformDialect", "::mlir::vector::VectorDialect",
    "::mlir::scf::SCFDialect", "::mlir::x86vector::X86VectorDialect"
  ];
}

def SplitFilterGrads : Pass<"weir-split-filter-grads", "::mlir::func::FuncOp"> {
  let summary = "Splits a convolution's filter gradient by kernel offset (CPU).";
  let description = [{
    weir lowers a convolution's filter gradient to one target-independent
    `linalg.generic` (passes/linalg/FilterGradConv.h):

    ```
    dk[kh, kw, c, f] += x[n, oh*sh + kh*dh, ow*sw + kw*dw, c] * dy[n, oh, ow, f]
    ```

    The CUDA target hands it to cuDNN whole. On the CPU this pass rewrites
    it, on tensors, into one contraction per kernel offset `(y, x)`: the
    input rows that offset meets are a strided slice `xs` [N, OH, OW, C],
    and `dk[y, x] += xs^T dy` is a [C, F] block with plain indexing maps,
    which weir-register-block makes a register-blocked micro-kernel. Each
    block is extracted from, and inserted back into, the gradient so far,
    so it bufferizes in place. First pass of weir-cpu-lowering-pipeline.

    ```mlir
    // after, for each offset (y, x):
    %xs = tensor.extract_slice %x[0, y*dh, x*dw, 0] [%n, OH, OW, C] [1, sh, sw, 1]
    %b0 = tensor.extract_slice %dk[y, x, 0, 0] [1, 1, C, F] [1, 1, 1, 1]
    %b = linalg.generic {xs^T dy} ins(%xs, %dy) outs(%b0)
    %dk2 = tensor.insert_slice %b into %dk[y, x, 0, 0] [1, 1, C, F] [1, 1, 1, 1]
    ```
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::arith::ArithDialect"];
}

def InterchangeLoops : Pass<"weir-interchange-loops", "::mlir::func::FuncOp"> {
  let summary = "Orders matmul, conv and pooling loops for vectorization.";
  let description = [{
    Rewrites each matmul, convolution and pooling op into a `linalg.generic`
    whose loops run the parallel dimensions first, then the reductions, and
    last the output's contiguous dimension (matmul columns, conv filters,
    pooled channels). Lowered to loops, the innermost loop is then a
    unit-stride update that LLVM vectorizes, instead of a strided serial
    sum. Part of weir-cpu-lowering-pipeline.

    ```mlir
    // linalg.matmul, loops (i, j, k)  ->  linalg.generic, loops (i, k, j)
    ```
  }];
}

def LowerStridedCopies
    : Pass<"weir-lower-strided-copies", "::mlir::func::FuncOp"> {
  let summary = "Strided buffer copies as loops the compiler vectorizes.";
  let description = [{
    After bufferization, copying a tensor into a slice of a bigger one (the
    zero padding around a convolution's input, in training) is a
    `memref.copy` into a strided view. `finalize-memref-to-llvm` turns
    copies between identity layouts into `memcpy`, but a strided one into a
    call of the generic `memrefCopy`, which walks element by element with
    index arithmetic (5% of the CNN's training step). This pass rewrites
    every copy with a non-identity layout on either side into `linalg.copy`,
    which `convert-linalg-to-loops` makes into plain loops over the
    contiguous innermost dimension that LLVM vectorizes. Part of
    weir-cpu-lowering-pipeline.

    ```mlir
    memref.copy %a, %b : memref<?x11x11x64xf32> to memref<?x11x11x64xf32, strided<[14400, 960, 64, 1], offset: 2048>>
    // becomes
    linalg.copy ins(%a : ...) outs(%b : ...)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def EmulateBf16 : Pass<"weir-emulate-bf16", "::mlir::func::FuncOp"> {
  let summary = "bf16 arithmetic in f32, bf16 rounding in integer ops (CPU).";
  let description = [{
    x86 has no bf16 arithmetic, and it rounds f32 to bf16 in one
    instruction only with AVX512_BF16 or AVX-NE-CONVERT. Left to LLVM, an
    op on bf16 vectors (a relu's `maximumf`, a mask's `mulf`) is widened,
    computed and rounded back with one call of `__truncsfbf2` per element,
    as is every `arith.truncf` to bf16: a vector of 8 becomes 8 calls and
    their spills. This pass first computes each arith op on bf16 in f32
    between an `extf` and a `truncf` (arith's float emulation; the result
    rounds once, as the bf16 op would), then, unless the host rounds in
    hardware, rewrites each f32 <-> bf16 cast into arith's integer
    sequence, which LLVM vectorizes: round to nearest even by adding
    `0x7fff` plus the lowest kept bit and keeping the high half; NaN becomes
    the quiet NaN `0x7fc0`. Part of weir-cpu-lowering-pipeline, after the
    loops are formed.

    ```mlir
    %m = arith.maximumf %a, %b : vector<8xbf16>
    // becomes
    %a32 = arith.extf %a : vector<8xbf16> to vector<8xf32>   // a shift
    %m32 = arith.maximumf %a32, %b32 : vector<8xf32>
    %u = arith.bitcast %m32 : vector<8xf32> to vector<8xi32>
    ... arith.shrui, arith.andi, arith.addi, arith.trunci, arith.select ...
    %m = arith.bitcast %r : vector<8xi16> to vector<8xbf16>
    ```
  }];
  let options = [
    Option<"rounding", "rounding", "std::string", /*default=*/"\"host\"",
           "f32 to bf16 casts: expand (integer ops), keep (left to LLVM) or "
           "host (expand unless the host CPU rounds in hardware)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def DropInPlaceResults : Pass<"weir-drop-in-place-results", "::mlir::ModuleOp"> {
  let summary = "Stops returning buffers that were updated in place.";
  let description = [{
    Runs after one-shot bufferization. In every function marked
    `weir.in_place_updates` (the optimizer update, `@m_apply`), a result
    that is one of the function's own arguments (the parameter or slot the
    update wrote over, in place) is dropped from the results: the caller's
    buffer already holds the new value. Without this, the deallocation
    pipeline would clone each such buffer for the caller, and the caller
    would copy it back. The dropped result indices are recorded on the
    module as `weir.dropped_results = {<function> = array<i64: ...>}` for the
    runtime, which reads them before translation (and
    `dropWeirAnnotations` removes them). Results that were not updated in
    place are kept.
  }];
}

def EarlyDeallocs : Pass<"weir-early-deallocs", "::mlir::func::FuncOp"> {
  let summary = "Frees each buffer right after its last use, not at the "
                "end of its block.";
  let description = [{
    Upstream's ownership-based deallocation frees every buffer at the end
    of the block that allocated it, so the whole forward and backward pass
    of a training step is live at once: its peak is the sum of all its
    buffers. This pass, run after `convert-bufferization-to-memref`, moves
    each `memref.dealloc %a` whose `%a` is a `memref.alloc` of the same
    block to just after the last op of that block that uses `%a` or an
    alias of it (a memref result of an op that takes it, a view, a loop
    result, an aligned pointer or strided metadata, transitively; a use in
    a nested region counts as a use by its ancestor in the block). A
    buffer with an alias that the block's terminator or an unknown op
    could keep (a `func.return`, a store of it into memory) is left alone.
    The loops and library calls in between read and write through the
    same aliases, so no access moves past the free.

    ```mlir
    %a = memref.alloc(%n) : memref<?x16xf32>
    linalg.generic ... outs(%a ...)        // last use of %a
    ... the rest of the step ...
    memref.dealloc %a : memref<?x16xf32>
    // becomes
    %a = memref.alloc(%n) : memref<?x16xf32>
    linalg.generic ... outs(%a ...)
    memref.dealloc %a : memref<?x16xf32>
    ... the rest of the step ...
    ```
  }];
}

def OutlineLoopNests : Pass<"weir-outline-loop-nests", "::mlir::ModuleOp"> {
  let summary = "Moves each big loop nest into a function, one function "
                "per distinct nest.";
  let description = [{
    A training step is one long function, and LLVM's instruction selection
    and scheduling of it dominate the compile (71% of ResNet-20's JIT
    time). Most of its nests repeat: the residual blocks of a stage are the
    same layers at the same shapes. This pass, run on loops over buffers
    (after `convert-linalg-to-loops`, before vector lowering unrolls them),
    moves every `scf.for` at the top level of a function body with at least
    `min-ops` ops (itself and everything it contains) into a new private
    function. The values the nest uses from outside become arguments, in
    order of first use; constants are cloned into it. Two nests whose
    functions print the same (generic form, local names, same signature)
    are one function called from both places. Every outlined function gets
    internal linkage (`llvm.linkage`); one called from more than one place
    is also `passthrough = ["noinline"]`, so that LLVM compiles it once.

    ```mlir
    func.func @step(%a: memref<?x16xf32>, %b: memref<?x16xf32>) {
      scf.for %i = %c0 to %n step %c1 { ... %a ... }   // 40 ops
      scf.for %i = %c0 to %n step %c1 { ... %b ... }   // the same 40 ops
    }
    // becomes
    func.func @step(%a: memref<?x16xf32>, %b: memref<?x16xf32>) {
      call @step_nest0(%n, %a) : (index, memref<?x16xf32>) -> ()
      call @step_nest0(%n, %b) : (index, memref<?x16xf32>) -> ()
    }
    func.func private @step_nest0(%n: index, %m: memref<?x16xf32>)
        attributes {llvm.linkage = #llvm.linkage<internal>,
                    passthrough = ["noinline"]} { ... }
    ```
  }];
  let options = [
    Option<"minOps", "min-ops", "int64_t", /*default=*/"24",
           "the fewest ops (the loop and all it contains) a nest must have "
           "to be outlined">,
  ];
  let dependentDialects = [
    "::mlir::func::FuncDialect", "::mlir::LLVM::LLVMDialect"
  ];
}

def PlacePipeline : Pass<"weir-place-pipeline", "::mlir::ModuleOp"> {
  let summary = "Decides which input-pipeline stages run on the host and "
                "which are compiled into the model.";
  let description = [{
    For the model of the module's `weir.train_config` with `data`, the
    per-example work of its pipelines (every `weir.map`: casts, rescaling,
    augmentation) moves into the model function: its ops are cloned at the
    top of the function, marked `weir.placement = "step"`, and the model's
    input becomes the map's input (the decoded u8 images), so the work runs
    in the compiled step, fused with the first layer, and the host queue
    carries u8 images (a quarter of the bytes of f32). A map may move when
    only order stages (shuffle, batch, repeat, cache, interleave, prefetch)
    follow it; the training and validation pipelines must map alike, since
    they feed the same function. What stays (listing, reading, PNG decoding,
    resizing, and the order stages) is marked `weir.placement = "host"`: the
    runtime's pipeline engine runs it.

    Checks (errors at the pipeline or the train block): the pipeline's
    images match the model's one input (dtype and shape), and its integer
    class labels match the loss (`sparse_categorical_crossentropy`).
    `weir compile --emit=pipeline` prints the module after this pass.

    ```mlir
    // before: model @m(%x: tensor<?x28x28x1xf32>); the pipeline maps
    //   weir.rescale over tensor<?x28x28x1xui8> (cast + scale)
    // after: model @m(%x: tensor<?x28x28x1xui8>) starts with the cast and
    //   rescale {weir.placement = "step"}; the pipeline has no map
    ```
  }];
}

def DropPipelines : Pass<"weir-drop-pipelines", "::mlir::ModuleOp"> {
  let summary = "Removes the input pipelines before lowering the model.";
  let description = [{
    The host stages of `weir.pipeline` ops are run by the runtime, which
    reads them from the module before lowering; what the compiled code needs
    of them is already in the model (weir-place-pipeline). This pass erases
    them, and the `data` of `weir.train_config`, so that lowering sees only
    functions and parameters.
  }];
}


//===----------------------------------------------------------------------===//
// CUDA target (passes/cuda/CudaPipeline.cpp builds weir-cuda-pipeline from these)
//===----------------------------------------------------------------------===//

def OutlineLibraryCalls
    : Pass<"weir-outline-library-calls", "::mlir::ModuleOp"> {
  let summary = "Replaces GEMMs and convolutions on buffers by library calls.";
  let description = [{
    On a bufferized module, each linalg op that a vendor library does better
    than a generated kernel becomes a `func.call` to an external function
    that the runtime provides (cuBLAS and cuDNN on the CUDA device), as XLA
    does:

    - `linalg.matmul`, `linalg.batch_matmul` and every contraction generic
      with one m, one n and one k dimension (operands possibly transposed)
      become `weir_cublas_gemm_<dtypes>(A, B, C, transA, transB)`, which
      computes `C += op(A) * op(B)` (C holds the bias or zeros);
    - `linalg.conv_2d_nhwc_hwcf` (the forward convolution and, as weir
      lowers it, the backward-data one) becomes
      `weir_cudnn_conv2d_fwd_<dtypes>(x, k, y, sh, sw, 0, 0, dh, dw, 1, 1)`,
      `y += conv(x, k)` (alpha and beta 1: `y` holds the bias or zeros;
      the padding is explicit, so cuDNN's is 0);
    - a convolution's filter gradient, the generic of
      passes/linalg/FilterGradConv.h
      (`dk[kh,kw,c,f] += x[n, oh*sh + kh*dh, ow*sw + kw*dw, c] * dy[n,oh,ow,f]`)
      on dense buffers, becomes one
      `weir_cudnn_conv2d_bwd_filter_<dtypes>(x, dk, dy, sh, sw, 0, 0, dh, dw, 1, 1)`,
      `dk += dL/dk`.

    `<dtypes>` is the element type (`f32`, `f16`, `bf16`), or one per
    operand when they differ, so mixed precision gets its own entry points.
    Operands are passed as fully dynamic strided memrefs
    (`memref.cast`); the declarations carry `llvm.emit_c_interface`, so the
    runtime implements `_mlir_ciface_<name>` over `StridedMemRefType`.

    ```mlir
    // before
    linalg.matmul ins(%a, %b : memref<?x784xf32>, memref<784x64xf32>)
                  outs(%c : memref<?x64xf32>)
    // after
    func.call @weir_cublas_gemm_f32(%a2, %b2, %c2, %false, %false)
    ```

    Only dtypes the runtime has entry points for are outlined (`dtypes`,
    by default `f32`); a GEMM or convolution of another type (f64, say)
    stays for weir-linalg-to-gpu, slower but never an unresolved symbol.
  }];
  let options = [
    ListOption<"dtypes", "dtypes", "std::string",
               "Dtype suffixes with runtime entry points (default: f32)">,
  ];
  let dependentDialects = ["::mlir::func::FuncDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def LinalgToGpu : Pass<"weir-linalg-to-gpu", "::mlir::func::FuncOp"> {
  let summary = "Turns each fused linalg.generic on buffers into a GPU kernel.";
  let description = [{
    Each `linalg.generic` on memrefs becomes one `gpu.launch`, one thread
    per output element (XLA's loop emitter, in small):

    - an elementwise generic (all loops parallel) whose innermost dimension
      is contiguous in every operand that uses it is vectorized: each thread
      handles `w` consecutive elements, `w = 128 bits / widest element`
      (4 for f32, 8 for f16), halved until it divides the innermost size;
      operands that do not use the innermost dimension are loaded once and
      broadcast. Loads and stores carry the alignment `w * bytes` when the
      buffer provably allows it (traced through subviews to a function
      argument or an allocation, both 16-byte aligned by contract), so
      NVPTX emits `ld.global.v4.f32` / `st.global.v4.f32`;
    - a generic with reductions gets one thread per output element (the
      parallel dimensions); the reduction dimensions are sequential loops
      whose accumulator stays in registers: each output is read once and
      written once;
    - except a reduction with few static outputs (at most 4096) and a long
      or dynamic reduction (a bias or batch-norm gradient, a loss mean),
      whose every output folds with an associative operation that has an
      identity (`addf`, `maximumf`, `minimumf`, `addi`): it is split into
      two launches. The first has K * P threads; thread (k, p) folds chunk
      k of the linearized reduction (at least 32 elements, about 65536
      threads in all, at most 1024 chunks) from the identity into a
      temporary [K * P] buffer, adjacent threads on adjacent outputs. The
      second folds each output's K partials into it. Neither needs a
      barrier or shared memory.

    Grids are one-dimensional over the linearized outputs, with
    `block-size` threads per block. Generics with non-affine bodies
    (`linalg.index` is supported) or outputs not indexed by exactly the
    parallel dimensions are left alone for the upstream parallel-loop path.

    ```mlir
    // after: bias + relu on tensor<?x64xf32>, 4 floats per thread
    gpu.launch blocks(%bx, ...) in (%g, ...) threads(%tx, ...) in (%c256, ...) {
      %v = vector.load %c[%i, %j] {alignment = 16} : memref<?x64xf32>, vector<4xf32>
      ...
    }
    ```
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block">,
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"128",
           "Widest load or store, in bits (0: no vectorization)">,
  ];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def ManagedAllocs : Pass<"weir-managed-allocs", "::mlir::ModuleOp"> {
  let summary = "Host buffers of a CUDA module as device or managed allocations.";
  let description = [{
    After weir-linalg-to-gpu, kernels and the cuBLAS/cuDNN calls work on
    buffers the host code allocated with `memref.alloc`. This pass turns
    each into a `gpu.alloc`:

    - device memory (`gpu.alloc async`, the runtime's caching pool) when
      only the device touches it: every use, through views (subview, cast,
      expand/collapse_shape, reinterpret_cast), is a kernel launch, a
      `weir_cublas_*`/`weir_cudnn_*` call, a `memref.dim` or the
      deallocation;
    - managed memory (`gpu.alloc host_shared`, cuMemAllocManaged through
      `mgpuMemAlloc`, pooled by the runtime) otherwise: a result the
      runtime reads, a buffer host code loads from. One address is valid on
      the host and the device.

    Every `memref.dealloc` becomes a stream-ordered `gpu.dealloc async`
    that the host does not wait for: the runtime hands a device block out
    again only to later work on the same stream, and a managed block only
    after that stream is synchronized. Part of weir-cuda-kernel-pipeline.

    ```mlir
    %t = memref.alloc(%n) : memref<?x64xf32>   // only kernels use it
    %r = memref.alloc() : memref<10xf32>       // returned
    // become
    %w = gpu.wait async
    %t, %tok = gpu.alloc async [%w] (%n) : memref<?x64xf32>
    %r = gpu.alloc host_shared () : memref<10xf32>
    ```
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def EmulateGpuLaunches
    : Pass<"weir-emulate-gpu-launches", "::mlir::func::FuncOp"> {
  let summary = "Runs each gpu.launch as a serial loop nest on the host.";
  let description = [{
    Replaces every `gpu.launch` by the loops a GPU runs in parallel: block
    ids z, y, x, then thread ids z, y, x, each from 0 to the launch's size,
    around one copy of the body. `gpu.thread_id`, `gpu.block_id`,
    `gpu.block_dim` and `gpu.grid_dim` become the loop variables and the
    launch sizes. With the library calls of weir-outline-library-calls
    served by the runtime's CPU device, the CUDA target's whole program
    (host code, kernel index arithmetic, library-call operands) runs on the
    CPU and can be compared with the CPU target
    (weir-cuda-emulation-pipeline, `weir train --device=cuda-emulator`).

    Only kernels whose threads are independent can run one after the
    other: a launch that is asynchronous, has clusters, shared or private
    memory, more than one block, or any other gpu op (a barrier, a
    shuffle) is reported and the pass fails.

    ```mlir
    // before
    gpu.launch blocks(%bx, %by, %bz) in (%gx = %g, %gy = %c1, %gz = %c1)
               threads(%tx, %ty, %tz) in (%sx = %c256, %sy = %c1, %sz = %c1) {
      ... %bx ... %tx ...
      gpu.terminator
    }
    // after
    scf.for %bz = %c0 to %c1 step %c1 { scf.for %by ... { scf.for %bx = %c0 to %g ... {
      scf.for %tz ... { scf.for %ty ... { scf.for %tx = %c0 to %c256 ... {
        ... %bx ... %tx ...
    }}}}}}
    ```
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def AsyncLaunches : Pass<"weir-async-launches", "::mlir::ModuleOp"> {
  let summary = "Kernel launches the host does not wait for.";
  let description = [{
    `gpu-to-llvm` lowers a synchronous `gpu.launch_func` to a launch and a
    stream synchronize: the host would wait for every kernel. In weir's
    host code every device operation (kernels, the `weir_cublas_*` /
    `weir_cudnn_*` calls, `gpu.alloc`/`gpu.dealloc`) runs on the device's
    one compute stream (the runtime's `mgpuStreamCreate` returns it), so
    program order is stream order. This pass makes each launch
    asynchronous (its token unused) and inserts a host wait
    (`gpu.wait async` then `gpu.wait [...]`: mgpuStreamSynchronize) only
    where device work may be pending and the host is about to touch memory
    itself (an op with memory effects that is not stream-ordered), and
    before each `func.return`. Inside loops and conditionals, work is
    assumed pending at entry. Part of weir-cuda-kernel-pipeline, after
    weir-managed-allocs.

    ```mlir
    gpu.launch_func @k::@relu blocks in (...) threads in (...) args(...)
    // becomes
    %t = gpu.wait async
    %done = gpu.launch_func async [%t] @k::@relu blocks in (...) ...
    ```
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def MergeGpuModules : Pass<"weir-merge-gpu-modules", "::mlir::ModuleOp"> {
  let summary = "Moves every outlined kernel into one gpu.module.";
  let description = [{
    `gpu-kernel-outlining` makes one `gpu.module` per kernel; this pass
    moves every `gpu.func` into the first one (renaming on clashes) and
    updates the `gpu.launch_func` symbols, so a model compiles to one
    binary per architecture: one ptxas run, one module to load.
  }];
}

def PreciseGpuSqrt : Pass<"weir-precise-gpu-sqrt", "::mlir::ModuleOp"> {
  let summary = "Correctly rounded square roots in GPU kernels.";
  let description = [{
    `convert-gpu-to-nvvm` sends `math.sqrt` to libdevice's `__nv_sqrtf`,
    which LLVM's NVVMReflect resolves with `__CUDA_PREC_SQRT = 0`: the
    approximate `sqrt.approx.f32`. The optimizer updates divide by a square
    root, and the CUDA results must match the CPU's to 1e-4, so this pass
    rewrites every f32 and f64 `math.sqrt` inside a `gpu.module` (scalars,
    and 1-D vectors element by element) into a call of libdevice's `__nv_fsqrt_rn` / `__nv_dsqrt_rn`, the correctly
    rounded `sqrt.rn` (`convert-gpu-to-nvvm` forbids `llvm.intr.sqrt` in
    kernels). Other types keep the default. Runs before
    `convert-gpu-to-nvvm`.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::vector::VectorDialect",
                           "::mlir::arith::ArithDialect"];
}

#endif // WEIR_PASSES_TD
