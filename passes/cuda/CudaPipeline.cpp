//===- CudaPipeline.cpp - weir-cuda-pipeline: fused linalg to PTX/cubin --===//
//
// The CUDA target splits from the CPU one after buildToLinalgPipeline, so
// both compile the same fused groups. Stages (each its own builder, so
// `weir compile --target=cuda --emit=gpu|nvvm|ptx|cubin` stops at any):
//   kernels: bufferize, GEMMs/convolutions to cuBLAS/cuDNN calls, one
//            gpu.launch per fused generic, outline into one gpu.module,
//            host buffers as device or managed allocations, launches
//            the host does not wait for;
//   nvvm:    attach one NVVM target per chip, lower the kernels to NVVM;
//   binary:  gpu-module-to-binary (ptxas), host code to LLVM with mgpu*
//            runtime calls.
// weir-cuda-emulation-pipeline shares the kernel stage up to the launches,
// then runs them as loops on the CPU.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "passes/Pipelines.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

// Upstream passes by name, as in Pipelines.cpp: what `weir-opt` would run.
static const char *const kBufferize =
    "eliminate-empty-tensors,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-deallocation-pipeline,convert-bufferization-to-memref,"
    "canonicalize,cse";
// What weir-linalg-to-gpu leaves (ops it does not handle) goes the
// upstream way: parallel loops, tiled and mapped to blocks and threads.
static const char *const kFallbackLaunches =
    "func.func(convert-linalg-to-parallel-loops,"
    "scf-parallel-loop-tiling{parallel-loop-tile-sizes=256},"
    "gpu-map-parallel-loops,convert-parallel-loops-to-gpu),"
    "canonicalize,cse";
// Constants and sizes go into the kernels, not through their arguments, so
// divisions by static extents become multiplies.
static const char *const kOutlineKernels =
    "func.func(gpu-launch-sink-index-computations),gpu-kernel-outlining";
static const char *const kKernelsToNvvm =
    "gpu.module(lower-affine,convert-scf-to-cf,expand-strided-metadata,"
    "convert-gpu-to-nvvm,canonicalize,cse,reconcile-unrealized-casts)";
static const char *const kHostToLlvm =
    "convert-scf-to-cf,expand-strided-metadata,lower-affine,"
    "gpu-to-llvm,finalize-memref-to-llvm,convert-math-to-llvm,"
    "convert-arith-to-llvm,convert-index-to-llvm,convert-cf-to-llvm,"
    "convert-func-to-llvm,reconcile-unrealized-casts,canonicalize,cse";

static void addPipeline(OpPassManager &pm, const std::string &text) {
  if (failed(parsePassPipeline(text, pm, llvm::errs())))
    llvm::report_fatal_error(
        llvm::Twine("weir: invalid CUDA pipeline: ") + text);
}

/// Bufferization, library calls and one gpu.launch per fused group: what
/// the kernel and the emulation pipelines share.
static void buildLaunches(OpPassManager &pm,
                          const weir::CudaPipelineOptions &options) {
  using namespace weir;
  addPipeline(pm, kBufferize);
  // Each buffer freed after its last use, as on the CPU: the gpu.dealloc
  // weir-managed-allocs makes of it is stream-ordered, so the pools hand
  // the block out again only to work queued after that use.
  pm.addNestedPass<func::FuncOp>(createEarlyDeallocs());
  pm.addPass(createOutlineLibraryCalls());
  LinalgToGpuOptions kernels;
  kernels.blockSize = options.blockSize;
  kernels.vectorBits = options.vectorBits;
  pm.addNestedPass<func::FuncOp>(createLinalgToGpu(kernels));
  addPipeline(pm, kFallbackLaunches);
}

void weir::buildCudaKernelPipeline(OpPassManager &pm,
                                   const CudaPipelineOptions &options) {
  buildLaunches(pm, options);
  addPipeline(pm, kOutlineKernels);
  pm.addPass(createMergeGpuModules());
  pm.addPass(createManagedAllocs());
  pm.addPass(createAsyncLaunches());
}

void weir::buildCudaNvvmPipeline(OpPassManager &pm,
                                 const CudaPipelineOptions &options) {
  for (const std::string &chip : options.chips) {
    std::string attach = "nvvm-attach-target{chip=" + chip +
                         " O=" + std::to_string(options.optLevel);
    if (!options.features.empty())
      attach += " features=" + options.features;
    addPipeline(pm, attach + "}");
  }
  pm.addPass(createPreciseGpuSqrt());
  addPipeline(pm, kKernelsToNvvm);
}

void weir::buildCudaBinaryPipeline(OpPassManager &pm,
                                   const CudaPipelineOptions &options) {
  addPipeline(pm, "gpu-module-to-binary{format=" + options.format +
                      " toolkit=" + options.toolkit + "}");
  addPipeline(pm, kHostToLlvm);
}

void weir::buildCudaLoweringPipeline(OpPassManager &pm,
                                     const CudaPipelineOptions &options) {
  buildCudaKernelPipeline(pm, options);
  buildCudaNvvmPipeline(pm, options);
  buildCudaBinaryPipeline(pm, options);
}

void weir::buildCudaEmulationPipeline(OpPassManager &pm,
                                      const CudaPipelineOptions &options) {
  buildLaunches(pm, options);
  pm.addNestedPass<func::FuncOp>(createEmulateGpuLaunches());
  // The kernels' vector math (erf on vector<2xf64>, say) has no LLVM
  // intrinsic: libm's scalar calls, unrolled, before the vector lowering
  // (the CPU pipeline converts math to libm after it, as its own loops are
  // scalar there).
  addPipeline(pm, "convert-math-to-llvm,convert-math-to-libm");
  buildCpuBuffersToLlvmPipeline(pm);
}

void weir::registerCudaPipelines() {
  PassPipelineRegistration<CudaPipelineOptions>(
      "weir-cuda-pipeline",
      "Fused linalg on tensors to GPU kernels (PTX/cubin per chip) and "
      "cuBLAS/cuDNN calls, host code in the LLVM dialect",
      buildCudaLoweringPipeline);
  PassPipelineRegistration<CudaPipelineOptions>(
      "weir-cuda-kernel-pipeline",
      "Fused linalg on tensors to library calls and outlined gpu kernels",
      buildCudaKernelPipeline);
  PassPipelineRegistration<CudaPipelineOptions>(
      "weir-cuda-nvvm-pipeline",
      "Attach NVVM targets and lower outlined kernels to NVVM",
      buildCudaNvvmPipeline);
  PassPipelineRegistration<CudaPipelineOptions>(
      "weir-cuda-emulation-pipeline",
      "The CUDA target's program for the CPU: library calls to the runtime, "
      "each kernel launch as a serial loop nest (testing without a GPU)",
      buildCudaEmulationPipeline);
}
