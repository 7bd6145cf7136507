//===- ManagedAllocs.cpp - host buffers both the host and kernels reach --===//
//
// After weir-linalg-to-gpu the host code of a CUDA module still allocates
// its buffers with memref.alloc (malloc), yet kernels and the cuBLAS/cuDNN
// calls read and write them. This pass makes each one a managed allocation
// (`gpu.alloc host_shared`, cuMemAllocManaged through mgpuMemAlloc): one
// address valid on the host and the device, so host code that still
// touches a buffer (a scalar result, a copy) stays correct and the runtime
// reads results in place. Deallocations become `gpu.dealloc`, queued on
// the stream after the work that uses the buffer.
//
//===----------------------------------------------------------------------===//
#include "passes/CudaTransforms.h"
#include "passes/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/PatternMatch.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_MANAGEDALLOCS
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;

LogicalResult weir::managedAllocs(ModuleOp module) {
  SmallVector<memref::AllocOp> allocs;
  SmallVector<memref::DeallocOp> deallocs;
  for (auto func : module.getOps<func::FuncOp>()) {
    func.walk([&](memref::AllocOp op) { allocs.push_back(op); });
    func.walk([&](memref::DeallocOp op) { deallocs.push_back(op); });
  }
  IRRewriter rewriter(module.getContext());
  for (memref::AllocOp op : allocs) {
    // gpu.alloc takes identity layouts only; bufferization's allocations
    // have them.
    if (!op.getType().getLayout().isIdentity())
      return op.emitOpError("has a layout a managed allocation cannot take");
    rewriter.setInsertionPoint(op);
    auto alloc = gpu::AllocOp::create(
        rewriter, op.getLoc(), op.getType(), /*asyncToken=*/Type(),
        /*asyncDependencies=*/ValueRange(), op.getDynamicSizes(),
        op.getSymbolOperands(), /*hostShared=*/true);
    rewriter.replaceOp(op, alloc.getMemref());
  }
  // gpu-to-llvm lowers only the asynchronous gpu.dealloc: the buffer is
  // freed in stream order after the work queued so far, and the host
  // waits for it (cuMemFree of managed memory synchronizes anyway).
  Type token = gpu::AsyncTokenType::get(module.getContext());
  for (memref::DeallocOp op : deallocs) {
    rewriter.setInsertionPoint(op);
    Location loc = op.getLoc();
    Value ready = gpu::WaitOp::create(rewriter, loc, token, ValueRange())
                      .getAsyncToken();
    Value freed = gpu::DeallocOp::create(rewriter, loc, token,
                                         ValueRange{ready}, op.getMemref())
                      .getAsyncToken();
    gpu::WaitOp::create(rewriter, loc, Type(), ValueRange{freed});
    rewriter.eraseOp(op);
  }
  return success();
}

namespace {
struct ManagedAllocsPass : weir::impl::ManagedAllocsBase<ManagedAllocsPass> {
  void runOnOperation() override {
    if (failed(weir::managedAllocs(getOperation())))
      signalPassFailure();
  }
};
} // namespace
