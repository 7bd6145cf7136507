//===- Transforms.h - weir transforms as library functions -----*- C++ -*-===//
//
// The passes in Passes.td are thin wrappers over these functions, which the
// driver and other transforms may call directly.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_PASSES_TRANSFORMS_H
#define WEIR_PASSES_TRANSFORMS_H

#include "mlir/Support/LLVM.h"

#include <string>

namespace mlir {
class ModuleOp;
class Operation;
class RewritePatternSet;
namespace func {
class FuncOp;
} // namespace func
} // namespace mlir

namespace weir {

/// Refines the result types of the weir ops in `func`, then its signature.
/// Reports, and fails, at the first op whose operands break its shape rule.
mlir::LogicalResult inferShapes(mlir::func::FuncOp func);

struct ModelCheckOptions {
  bool warnUnusedParameters = true;
};

/// Checks the whole-model constraints model_c1..model_c3 (docs/spec.md).
/// Fails if an error was reported; warnings alone succeed.
mlir::LogicalResult verifyModel(mlir::ModuleOp module,
                                const ModelCheckOptions &options);

/// Makes each model function in `module` a self-contained entry point: every
/// parameter it reads becomes a trailing argument (in declaration order,
/// marked `#weir.slot<param, "name">`), and it gets a C-callable interface.
/// weir-build-train-step: builds @m_train, @m_apply and @m_eval from the
/// module's weir.train_config (nothing without one).
mlir::LogicalResult buildTrainStep(mlir::ModuleOp module);

/// weir-differentiate: appends the gradients of the loss to every function
/// marked `weir.differentiate`.
mlir::LogicalResult differentiate(mlir::ModuleOp module);

mlir::LogicalResult liftParameters(mlir::ModuleOp module);

/// weir-auto-mixed-precision: computes every op of every function in the
/// dtype `precision` (a Keras policy name: float32, mixed_bfloat16,
/// mixed_float16) gives it; see Passes.td. Fails at an op the table does
/// not name.
mlir::LogicalResult autoMixedPrecision(mlir::ModuleOp module,
                                       llvm::StringRef precision);

/// weir-place-pipeline: moves the per-example maps of the training and
/// validation pipelines into the model and marks what stays on the host;
/// checks that the pipelines fit the model and its loss.
mlir::LogicalResult placePipelines(mlir::ModuleOp module);

/// weir-drop-pipelines: erases every weir.pipeline.
void dropPipelines(mlir::ModuleOp module);

/// weir-drop-in-place-results: after bufferization, drops the results of
/// `weir.in_place_updates` functions that are their own arguments, and
/// records them in the module attribute `weir.dropped_results`.
mlir::LogicalResult dropInPlaceResults(mlir::ModuleOp module);

/// weir-early-deallocs: moves each memref.dealloc of a block's own
/// memref.alloc to just after the buffer's last use in that block (through
/// its aliases); returns how many moved.
int64_t moveDeallocsToLastUse(mlir::func::FuncOp func);

/// weir-outline-loop-nests: moves each top-level scf.for of at least
/// `minOps` ops into a private function, one function per distinct nest
/// (shared ones noinline); returns how many functions it made.
int64_t outlineLoopNests(mlir::ModuleOp module, int64_t minOps);

/// weir-lower-strided-copies: every memref.copy with a non-identity layout
/// on either side becomes a linalg.copy (loops LLVM vectorizes, not the
/// generic memrefCopy call).
void lowerStridedCopies(mlir::func::FuncOp func);

/// weir-split-filter-grads: every filter-gradient generic on tensors
/// (FilterGradConv.h) becomes one [C, F] contraction per kernel offset.
void splitFilterGrads(mlir::func::FuncOp func);

/// Adds the weir-to-linalg/tensor/arith/math patterns (one per op).
void populateLowerToLinalgPatterns(mlir::RewritePatternSet &patterns);

/// Adds the patterns lowering the loss ops (passes/linalg/LowerLosses.cpp).
void populateLowerLossesPatterns(mlir::RewritePatternSet &patterns);
/// Activations and softmax (part of populateLowerToLinalgPatterns).
void populateLowerActivationsPatterns(mlir::RewritePatternSet &patterns);

/// The weir-to-linalg patterns of the backward-graph ops (weir-differentiate)
/// and of the optimizer updates.
void populateLowerGradOpsPatterns(mlir::RewritePatternSet &patterns);
void populateLowerOptimizersPatterns(mlir::RewritePatternSet &patterns);
void populateLowerBatchNormTrainPatterns(mlir::RewritePatternSet &patterns);
void populateLowerPoolGradsPatterns(mlir::RewritePatternSet &patterns);
/// The augmentation ops (passes/linalg/LowerAugment.cpp): identity without the
/// training operands, per-image random transforms with them.
void populateLowerAugmentPatterns(mlir::RewritePatternSet &patterns);

/// Lowers every weir op in `module` (after liftParameters) and erases the
/// parameter declarations. Reports each op it cannot lower.
mlir::LogicalResult lowerToLinalg(mlir::ModuleOp module);

/// Tiles each chain of linalg ops in `func` along the batch, `tileSize`
/// examples per tile, fusing producers into the tile loop.
mlir::LogicalResult tileAndFuse(mlir::func::FuncOp func, int64_t tileSize);

/// Why weir-tile-and-fuse does not start a batch loop at `op` (a linalg
/// op): "" when it would (its batch loop is parallel, its one result is
/// batched, and no linalg op reads it); otherwise the reason, in words.
/// `weir summary --fusion` prints it.
std::string batchTilingObstacle(mlir::Operation *op);

/// The vector registers code is blocked for: f32 lanes per register and
/// how many there are. Zero means the host's (AVX-512: 16 x 32, AVX: 8 x 16,
/// otherwise 4 x 16). `bf16Dot`: whether bf16 x bf16 -> f32 products use
/// AVX512_BF16's pair dot products (`vdpbf16ps`): 1 yes, 0 no, -1 the
/// host's choice (hostUsesBf16Dot).
struct RegisterFile {
  int64_t lanes = 0;
  int64_t registers = 0;
  int64_t bf16Dot = -1;
};
RegisterFile hostRegisterFile();

/// Whether pair dot products outrun the widened f32 nest on the host: it
/// has AVX512_BF16 and is an AMD Zen 4 or later, where one 512-bit
/// vdpbf16ps (32 products) issues per cycle like one 512-bit FMA (16).
/// On the Intel Xeon measured, vdpbf16ps issued every other cycle, half
/// the f32 rate (docs/benchmarks.md, bench/dot_throughput.c). The
/// environment variable WEIR_BF16_DOT=0 or =1 overrides the choice on an
/// AVX512_BF16 host (for benchmarks); it cannot turn the pairs on without.
bool hostUsesBf16Dot();

/// One line on what compiled code uses on this host: the CPU, the vector
/// width and registers blocked for, and how bf16 products run
/// ("znver4; AVX-512: 16 f32 lanes x 32 registers; bf16 products:
/// vdpbf16ps pair dot products").
std::string describeHostCodegen();

/// Rewrites each contraction in `module` that accumulates products of one
/// operand's scalars with another's rows (`out[.., f] += a[..] * b[.., f]`:
/// convolutions, their backward products, batched products) into a
/// register-blocked loop nest: a block of output rows times a few vectors
/// of `f` stays in registers across the reduction, one vector load per
/// vector and one broadcast per row each step. Ops that do not match are
/// left alone.
mlir::LogicalResult registerBlockContractions(mlir::ModuleOp module,
                                              RegisterFile registers = {});

/// Vectorizes the 2-D convolutions and matmuls in `module` with
/// register-resident accumulators: registerBlockContractions, then a
/// transform-dialect recipe for the matmuls and convolutions it left and
/// every other static op.
mlir::LogicalResult vectorizeContractions(mlir::ModuleOp module,
                                          RegisterFile registers = {});

/// Whether the host CPU rounds f32 to bf16 in hardware (AVX512_BF16 with
/// AVX512VL, or AVX-NE-CONVERT).
bool hostRoundsToBf16();

/// Computes every arith op on bf16 under `root` in f32 (widen, compute,
/// round once), then, if `expandCasts`, rewrites each f32 <-> bf16 cast
/// into integer ops (round to nearest even), for CPUs that would otherwise
/// call `__truncsfbf2` once per element.
mlir::LogicalResult emulateBf16(mlir::Operation *root, bool expandCasts);

/// Reorders the loops of the matmul, convolution and pooling ops under
/// `root` so reductions precede the output's contiguous dimension.
mlir::LogicalResult interchangeLoops(mlir::Operation *root);

/// Removes the `weir.*` argument attributes (parameter names) that the LLVM
/// IR translation does not understand. The driver calls this on a lowered
/// module right before translating it, after reading what it needs.
void dropWeirAnnotations(mlir::ModuleOp module);

} // namespace weir

#endif // WEIR_PASSES_TRANSFORMS_H
