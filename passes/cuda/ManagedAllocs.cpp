//===- ManagedAllocs.cpp - host buffers both the host and kernels reach --===//
//
// After weir-linalg-to-gpu the host code of a CUDA module still allocates
// its buffers with memref.alloc (malloc), yet kernels and the cuBLAS/cuDNN
// calls read and write them. A buffer only the device touches becomes
// device memory (`gpu.alloc`, the runtime's caching pool); one the host
// may touch (a result the runtime reads, a host load) a managed
// allocation (`gpu.alloc host_shared`, cuMemAllocManaged, pooled too): one
// address valid on the host and the device. Deallocations become
// `gpu.dealloc`, queued on the stream after the work that uses the buffer.
//
//===----------------------------------------------------------------------===//
#include "passes/cuda/CudaTransforms.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
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

namespace {

/// Whether the device alone touches `buffer`: every use, through views, is
/// a kernel launch, a cuBLAS/cuDNN call (weir-outline-library-calls), a
/// size query or the deallocation. Anything else (a return, a host load or
/// store, another call) may be the host's.
bool onlyDeviceUses(Value buffer) {
  SmallVector<Value> work{buffer};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (isa<gpu::LaunchFuncOp, memref::DeallocOp, memref::DimOp>(user))
        continue;
      if (auto call = dyn_cast<func::CallOp>(user)) {
        StringRef callee = call.getCallee();
        if (callee.starts_with("weir_cublas_") || callee.starts_with("weir_cudnn_"))
          continue;
        return false;
      }
      if (isa<memref::CastOp, memref::SubViewOp, memref::ExpandShapeOp,
              memref::CollapseShapeOp, memref::ReinterpretCastOp>(user)) {
        work.push_back(user->getResult(0));
        continue;
      }
      return false;
    }
  }
  return true;
}

} // namespace

LogicalResult weir::managedAllocs(ModuleOp module) {
  SmallVector<memref::AllocOp> allocs;
  SmallVector<memref::DeallocOp> deallocs;
  for (auto func : module.getOps<func::FuncOp>()) {
    func.walk([&](memref::AllocOp op) { allocs.push_back(op); });
    func.walk([&](memref::DeallocOp op) { deallocs.push_back(op); });
  }
  IRRewriter rewriter(module.getContext());
  Type token = gpu::AsyncTokenType::get(module.getContext());
  for (memref::AllocOp op : allocs) {
    // gpu.alloc takes identity layouts only; bufferization's allocations
    // have them.
    if (!op.getType().getLayout().isIdentity())
      return op.emitOpError("has a layout a managed allocation cannot take");
    rewriter.setInsertionPoint(op);
    Location loc = op.getLoc();
    gpu::AllocOp alloc;
    if (onlyDeviceUses(op.getResult())) {
      // Device memory from the runtime's caching pool. gpu-to-llvm lowers
      // only the asynchronous form; the allocation itself is immediate.
      Value ready = gpu::WaitOp::create(rewriter, loc, token, ValueRange())
                        .getAsyncToken();
      alloc = gpu::AllocOp::create(rewriter, loc, op.getType(), token,
                                   ValueRange{ready}, op.getDynamicSizes(),
                                   op.getSymbolOperands(), /*hostShared=*/false);
    } else {
      alloc = gpu::AllocOp::create(rewriter, loc, op.getType(),
                                   /*asyncToken=*/Type(),
                                   /*asyncDependencies=*/ValueRange(),
                                   op.getDynamicSizes(), op.getSymbolOperands(),
                                   /*hostShared=*/true);
    }
    rewriter.replaceOp(op, alloc.getMemref());
  }
  // A stream-ordered free (gpu-to-llvm lowers only the asynchronous
  // gpu.dealloc). The host does not wait for it: the runtime's pools hand
  // a device block out again only to later work on the same stream, and a
  // managed block only after the stream is synchronized.
  for (memref::DeallocOp op : deallocs) {
    rewriter.setInsertionPoint(op);
    Location loc = op.getLoc();
    Value ready = gpu::WaitOp::create(rewriter, loc, token, ValueRange())
                      .getAsyncToken();
    gpu::DeallocOp::create(rewriter, loc, token, ValueRange{ready},
                           op.getMemref());
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
