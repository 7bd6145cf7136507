//===- AsyncLaunches.cpp - kernel launches that do not wait --------------===//
//
// gpu-to-llvm lowers a synchronous gpu.launch_func to launch + stream
// synchronize: the host would wait for every kernel. In weir's host code
// every device operation (kernels, the cuBLAS/cuDNN calls, allocations and
// frees) goes to the device's one compute stream (the runtime's
// mgpuStreamCreate returns it), so program order is stream order and the
// host needs to wait only before it touches memory itself, and before it
// returns. This pass makes each launch asynchronous and inserts that wait
// where it is needed.
//
//===----------------------------------------------------------------------===//
#include "passes/cuda/CudaTransforms.h"
#include "passes/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_ASYNCLAUNCHES
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;

namespace {

/// A call weir-outline-library-calls made: it runs on the compute stream.
bool isLibraryCall(Operation *op) {
  auto call = dyn_cast<func::CallOp>(op);
  return call && (call.getCallee().starts_with("weir_cublas_") ||
                  call.getCallee().starts_with("weir_cudnn_"));
}

/// Ops that need no host wait before them: stream-ordered device work,
/// allocation bookkeeping, views and pure computation.
bool isStreamOrderedOrPure(Operation *op) {
  if (isa_and_present<gpu::GPUDialect>(op->getDialect()) || isLibraryCall(op))
    return true;
  if (isa<memref::AllocOp, memref::DeallocOp, memref::DimOp, memref::CastOp,
          memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp,
          memref::ReinterpretCastOp, memref::ExtractStridedMetadataOp>(op))
    return true;
  return isMemoryEffectFree(op) && op->getNumRegions() == 0;
}

class Launches {
public:
  explicit Launches(MLIRContext *ctx) : token_(gpu::AsyncTokenType::get(ctx)) {}

  /// Rewrites `block`; `pending` says whether device work may be running
  /// when it starts, and is updated to what holds at its end.
  void run(Block &block, bool &pending) {
    for (Operation &op : llvm::make_early_inc_range(block)) {
      if (auto launch = dyn_cast<gpu::LaunchFuncOp>(op)) {
        if (!launch.getAsyncToken()) {
          makeAsync(launch);
          pending = true;
        }
        continue;
      }
      if (isLibraryCall(&op)) {
        pending = true;
        continue;
      }
      if (isa<scf::ForOp, scf::IfOp, scf::WhileOp, scf::ParallelOp>(op)) {
        // A loop body may follow its own last iteration: assume work is
        // pending at every entry, and after the op.
        for (Region &region : op.getRegions())
          for (Block &inner : region) {
            bool innerPending = true;
            run(inner, innerPending);
          }
        pending = true;
        continue;
      }
      if (isa<func::ReturnOp>(op)) {
        // The caller reads the results.
        if (pending)
          wait(&op);
        pending = false;
        continue;
      }
      if (op.hasTrait<OpTrait::IsTerminator>())
        continue;
      if (pending && !isStreamOrderedOrPure(&op)) {
        wait(&op);
        pending = false;
      }
    }
  }

private:
  void makeAsync(gpu::LaunchFuncOp launch) {
    OpBuilder b(launch);
    Location loc = launch.getLoc();
    Value ready = gpu::WaitOp::create(b, loc, token_, ValueRange()).getAsyncToken();
    std::optional<gpu::KernelDim3> cluster;
    if (launch.hasClusterSize())
      cluster = launch.getClusterSizeOperandValues();
    gpu::LaunchFuncOp::create(
        b, loc, launch.getKernel(), launch.getGridSizeOperandValues(),
        launch.getBlockSizeOperandValues(), launch.getDynamicSharedMemorySize(),
        launch.getKernelOperands(), token_, ValueRange{ready}, cluster);
    launch->erase();
  }

  /// The host waits for the compute stream before `op`.
  void wait(Operation *op) {
    OpBuilder b(op);
    Value stream = gpu::WaitOp::create(b, op->getLoc(), token_, ValueRange())
                       .getAsyncToken();
    gpu::WaitOp::create(b, op->getLoc(), Type(), ValueRange{stream});
  }

  Type token_;
};

} // namespace

void weir::asyncLaunches(ModuleOp module) {
  Launches launches(module.getContext());
  for (auto func : module.getOps<func::FuncOp>())
    for (Block &block : func.getBody()) {
      bool pending = false;
      launches.run(block, pending);
    }
}

namespace {
struct AsyncLaunchesPass : weir::impl::AsyncLaunchesBase<AsyncLaunchesPass> {
  void runOnOperation() override { weir::asyncLaunches(getOperation()); }
};
} // namespace
