//===- PreciseGpuSqrt.cpp - sqrt.rn, not sqrt.approx, in GPU kernels -----===//
//
// libdevice's __nv_sqrtf is the approximate square root under NVVMReflect's
// default __CUDA_PREC_SQRT = 0; __nv_fsqrt_rn and __nv_dsqrt_rn are the
// correctly rounded ones (sqrt.rn). convert-gpu-to-nvvm forbids
// llvm.intr.sqrt in kernels, so the calls are made here, before it.
//
//===----------------------------------------------------------------------===//
#include "passes/cuda/CudaTransforms.h"
#include "passes/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_PRECISEGPUSQRT
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;

/// The libdevice function `name` : (type) -> type, declared once per module.
static LLVM::LLVMFuncOp declare(gpu::GPUModuleOp kernels, StringRef name,
                                Type type) {
  if (auto f = kernels.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return f;
  OpBuilder b = OpBuilder::atBlockBegin(kernels.getBody());
  return LLVM::LLVMFuncOp::create(b, kernels.getLoc(), name,
                                  LLVM::LLVMFunctionType::get(type, {type}));
}

void weir::preciseGpuSqrt(ModuleOp module) {
  module.walk([](gpu::GPUModuleOp kernels) {
    kernels.walk([&](math::SqrtOp op) {
      // 1-D vectors (the emitter's 128-bit groups) go element by element.
      auto vector = dyn_cast<VectorType>(op.getType());
      if (vector && vector.getRank() != 1)
        return;
      Type element = vector ? vector.getElementType() : op.getType();
      StringRef name = element.isF32()   ? "__nv_fsqrt_rn"
                       : element.isF64() ? "__nv_dsqrt_rn"
                                         : "";
      if (name.empty())
        return; // f16/bf16 keep libdevice's default lowering
      LLVM::LLVMFuncOp callee = declare(kernels, name, element);
      OpBuilder b(op);
      Location loc = op.getLoc();
      auto root = [&](Value x) {
        return LLVM::CallOp::create(b, loc, callee, ValueRange{x}).getResult();
      };
      Value result;
      if (!vector) {
        result = root(op.getOperand());
      } else {
        result = vector::BroadcastOp::create(
            b, loc, vector, arith::ConstantOp::create(
                                b, loc, b.getFloatAttr(element, 0.0)));
        for (int64_t i = 0; i < vector.getDimSize(0); ++i) {
          Value x = vector::ExtractOp::create(b, loc, op.getOperand(), i);
          result = vector::InsertOp::create(b, loc, root(x), result, i);
        }
      }
      op.replaceAllUsesWith(result);
      op.erase();
    });
  });
}

namespace {
struct PreciseGpuSqrtPass
    : weir::impl::PreciseGpuSqrtBase<PreciseGpuSqrtPass> {
  void runOnOperation() override { weir::preciseGpuSqrt(getOperation()); }
};
} // namespace
