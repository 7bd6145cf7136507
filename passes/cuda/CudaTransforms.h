//===- CudaTransforms.h - the transforms of the CUDA target ----*- C++ -*-===//
//
// Library functions behind weir-outline-library-calls, weir-linalg-to-gpu,
// weir-merge-gpu-modules, weir-emulate-gpu-launches and
// weir-precise-gpu-sqrt (declared in Passes.td); the passes only wrap
// them, and the driver may call them directly.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_PASSES_CUDATRANSFORMS_H
#define WEIR_PASSES_CUDATRANSFORMS_H

#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"

#include <string>

namespace weir {

/// The dtype part of a library entry point's name: `f32` when every type
/// agrees, else each operand's type joined by `_` (`f16_f16_f32`).
std::string libraryDtypeSuffix(mlir::ArrayRef<mlir::Type> elementTypes);

/// Replaces the GEMMs and convolutions of a bufferized module by calls to
/// `weir_cublas_*` / `weir_cudnn_*`, declaring the callees; only for the
/// dtype suffixes in `dtypes` (the runtime's entry points; empty: "f32").
mlir::LogicalResult outlineLibraryCalls(mlir::ModuleOp module,
                                        llvm::ArrayRef<std::string> dtypes);

/// Turns every linalg.generic on memrefs in `func` (outside a gpu.launch)
/// that the kernel emitter handles into one gpu.launch (options: the
/// pass's, from Passes.td: block size, widest vector in bits).
mlir::LogicalResult linalgToGpu(mlir::func::FuncOp func,
                                const LinalgToGpuOptions &options);

/// Turns the host functions' memref.alloc/dealloc into managed
/// `gpu.alloc host_shared` / `gpu.dealloc`, so kernels, library calls and
/// the host share every buffer.
mlir::LogicalResult managedAllocs(mlir::ModuleOp module);

/// Replaces every gpu.launch in `func` by the serial loop nest over its
/// blocks and threads (weir-emulate-gpu-launches); fails, reporting at the
/// launch, on one whose threads synchronize or share memory.
mlir::LogicalResult emulateGpuLaunches(mlir::func::FuncOp func);

/// Makes every gpu.launch_func of the host functions asynchronous on the
/// compute stream, with a host wait only before host code that touches
/// memory and before each return (weir-async-launches).
void asyncLaunches(mlir::ModuleOp module);

/// Moves every gpu.func of `module` into its first gpu.module.
mlir::LogicalResult mergeGpuModules(mlir::ModuleOp module);

/// Rewrites the f32/f64 math.sqrt inside gpu.modules into libdevice's
/// correctly rounded __nv_fsqrt_rn/__nv_dsqrt_rn (sqrt.rn, not the
/// approximate default).
void preciseGpuSqrt(mlir::ModuleOp module);

} // namespace weir

#endif // WEIR_PASSES_CUDATRANSFORMS_H
