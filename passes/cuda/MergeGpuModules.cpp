//===- MergeGpuModules.cpp - every kernel in one gpu.module --------------===//
//
// One gpu.module per kernel would be one cubin, one module load and one
// ptxas run each; merged, the host loads one binary and ptxas sees every
// kernel at once. Kernels keep their names unless two collide, and every
// gpu.launch_func follows the rename.
//
//===----------------------------------------------------------------------===//
#include "passes/cuda/CudaTransforms.h"
#include "passes/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/NVVM/NVVMToLLVMIRTranslation.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_MERGEGPUMODULES
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;

LogicalResult weir::mergeGpuModules(ModuleOp module) {
  auto gpuModules = llvm::to_vector(module.getOps<gpu::GPUModuleOp>());
  if (gpuModules.size() < 2)
    return success();
  gpu::GPUModuleOp target = gpuModules.front();
  SymbolTable targetSymbols(target);
  // Old @module::@func -> new @target::@func.
  DenseMap<Attribute, SymbolRefAttr> renamed;
  for (gpu::GPUModuleOp source : llvm::drop_begin(gpuModules)) {
    for (Operation &op : llvm::make_early_inc_range(source.getBody()->getOperations())) {
      auto symbol = dyn_cast<SymbolOpInterface>(op);
      if (!symbol) {
        if (!op.hasTrait<OpTrait::IsTerminator>())
          return op.emitOpError("cannot merge this op into one gpu.module");
        continue;
      }
      StringAttr oldName = symbol.getNameAttr();
      op.remove();
      StringAttr newName = targetSymbols.insert(&op);
      renamed[SymbolRefAttr::get(source.getNameAttr(),
                                 {FlatSymbolRefAttr::get(oldName)})] =
          SymbolRefAttr::get(target.getNameAttr(), {FlatSymbolRefAttr::get(newName)});
    }
    source->erase();
  }
  module.walk([&](gpu::LaunchFuncOp launch) {
    if (SymbolRefAttr to = renamed.lookup(launch.getKernel()))
      launch.setKernelAttr(to);
  });
  return success();
}

namespace {
struct MergeGpuModulesPass
    : weir::impl::MergeGpuModulesBase<MergeGpuModulesPass> {
  // The pass that follows in every CUDA pipeline ends in
  // gpu-module-to-binary, which translates to LLVM IR: registering the
  // translations here keeps the tools that run the pipeline free of it.
  void getDependentDialects(DialectRegistry &registry) const override {
    MergeGpuModulesBase::getDependentDialects(registry);
    registerBuiltinDialectTranslation(registry);
    registerLLVMDialectTranslation(registry);
    registerGPUDialectTranslation(registry);
    registerNVVMDialectTranslation(registry);
    NVVM::registerNVVMTargetInterfaceExternalModels(registry);
  }
  void runOnOperation() override {
    if (failed(weir::mergeGpuModules(getOperation())))
      signalPassFailure();
  }
};
} // namespace
