//===- Pipelines.h - the named pass pipelines of weir ----------*- C++ -*-===//
//
// `weir` builds its pass managers only through these functions, and
// `weir-opt` registers the same functions under the names below, so
// `weir-opt --weir-model-pipeline` reproduces exactly what the driver does.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_PASSES_PIPELINES_H
#define WEIR_PASSES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace weir {

struct ModelPipelineOptions
    : public mlir::PassPipelineOptions<ModelPipelineOptions> {
  Option<bool> warnUnusedParameters{
      *this, "warn-unused-parameters",
      llvm::cl::desc("Warn about parameters that no function reads"),
      llvm::cl::init(true)};
};

/// `weir-model-pipeline`: check a model as written and make it fully typed:
/// infer shapes, canonicalize, verify whole-model invariants.
void buildModelPipeline(mlir::OpPassManager &pm,
                        const ModelPipelineOptions &options);

/// `weir-to-linalg-pipeline`: make each model function an entry point
/// (parameters become arguments), lower weir to linalg/tensor/arith/math and
/// fuse elementwise work into its producers and consumers.
void buildToLinalgPipeline(mlir::OpPassManager &pm);

/// weir-train-step-pipeline: build the training functions from the
/// module's weir.train_config (weir-build-train-step), differentiate them
/// (weir-differentiate), then canonicalize and CSE. Runs on a module the
/// model pipeline has checked; the result is still in the weir dialect.
void buildTrainStepPipeline(mlir::OpPassManager &pm);

/// `weir-cpu-lowering-pipeline`: bufferize the linalg-on-tensors module and
/// lower it to the LLVM dialect, with C-callable entry points. Results are
/// returned as buffers the caller owns.
void buildCpuLoweringPipeline(mlir::OpPassManager &pm);

/// The first half of weir-cpu-lowering-pipeline: the module bufferized,
/// every buffer freed after its last use (memref.alloc/dealloc, loops,
/// vectors); what passes/MemoryPlan.h reads.
void buildCpuBufferPipeline(mlir::OpPassManager &pm);

/// The end of the CPU lowering: a bufferized module whose buffers are
/// already deallocated (linalg, vector, scf, memref) to the LLVM dialect.
/// Shared by weir-cpu-lowering-pipeline and weir-cuda-emulation-pipeline.
void buildCpuBuffersToLlvmPipeline(mlir::OpPassManager &pm);

/// `weir-cpu-pipeline`: everything from a model as written to the LLVM
/// dialect (model, to-linalg and cpu-lowering pipelines in order).
void buildCpuPipeline(mlir::OpPassManager &pm,
                      const ModelPipelineOptions &options);

/// Options of the CUDA pipelines (`weir-cuda-pipeline` and its stages).
struct CudaPipelineOptions
    : public mlir::PassPipelineOptions<CudaPipelineOptions> {
  ListOption<std::string> chips{
      *this, "chips",
      llvm::cl::desc("GPU architectures to compile the kernels for"),
      llvm::cl::list_init<std::string>({"sm_80", "sm_90"})};
  Option<std::string> features{
      *this, "features",
      llvm::cl::desc("NVPTX features, e.g. +ptx80 (default: the lowest PTX "
                     "version each chip allows)"),
      llvm::cl::init("")};
  Option<unsigned> optLevel{*this, "O", llvm::cl::desc("NVPTX opt level"),
                            llvm::cl::init(3)};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("gpu-module-to-binary format: isa (PTX), bin (cubin), "
                     "fatbin, llvm, offloading"),
      llvm::cl::init("fatbin")};
  Option<std::string> toolkit{*this, "toolkit",
                              llvm::cl::desc("CUDA toolkit (for ptxas)"),
                              llvm::cl::init("/usr/local/cuda")};
  Option<int64_t> blockSize{*this, "block-size",
                            llvm::cl::desc("Threads per block"),
                            llvm::cl::init(256)};
  Option<int64_t> vectorBits{
      *this, "vector-bits",
      llvm::cl::desc("Widest kernel load/store in bits (0: scalar)"),
      llvm::cl::init(128)};
};

/// `weir-cuda-kernel-pipeline`: from fused linalg on tensors (the output of
/// buildToLinalgPipeline) to buffers, cuBLAS/cuDNN calls for GEMMs and
/// convolutions, and one outlined gpu kernel per fused group, all in one
/// gpu.module.
void buildCudaKernelPipeline(mlir::OpPassManager &pm,
                             const CudaPipelineOptions &options);
/// `weir-cuda-nvvm-pipeline`: one NVVM target per chip, kernels lowered to
/// the NVVM/LLVM dialects.
void buildCudaNvvmPipeline(mlir::OpPassManager &pm,
                           const CudaPipelineOptions &options);
/// The gpu.module to a gpu.binary (ptxas from the toolkit) and the host
/// code to the LLVM dialect with mgpu* launch calls.
void buildCudaBinaryPipeline(mlir::OpPassManager &pm,
                             const CudaPipelineOptions &options);
/// `weir-cuda-pipeline`: the three stages above in order.
void buildCudaLoweringPipeline(mlir::OpPassManager &pm,
                               const CudaPipelineOptions &options);
/// `weir-cuda-emulation-pipeline`: the CUDA program run on the CPU, for
/// testing the CUDA target without a GPU. The kernel stage up to the
/// launches (bufferization, library calls, one gpu.launch per fused group),
/// then weir-emulate-gpu-launches turns each launch into loops and the
/// CPU's lowering takes it to the LLVM dialect. The library calls go to the
/// runtime's CPU device.
void buildCudaEmulationPipeline(mlir::OpPassManager &pm,
                                const CudaPipelineOptions &options);
/// Registers the CUDA pipelines (called by registerWeirPassesAndPipelines).
void registerCudaPipelines();

/// Registers every weir pass and named pipeline with the global registry.
void registerWeirPassesAndPipelines();

} // namespace weir

#endif // WEIR_PASSES_PIPELINES_H
