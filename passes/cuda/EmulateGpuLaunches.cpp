//===- EmulateGpuLaunches.cpp - run the CUDA target's kernels on the CPU -===//
//
// Every gpu.launch becomes the loop nest a GPU would run in parallel:
// blocks z, y, x, then threads z, y, x, each iteration one copy of the
// body with its block and thread ids. With weir-outline-library-calls'
// calls served by the runtime's CPU device, the whole CUDA program (host
// code, kernel index arithmetic, library call operands) runs here and can
// be compared with the CPU target: weir-cuda-emulation-pipeline and
// `--device=cuda-emulator`. Only kernels whose threads are independent can
// be emulated this way; a barrier, shuffle or shared memory is refused.
//
//===----------------------------------------------------------------------===//
#include "passes/cuda/CudaTransforms.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_EMULATEGPULAUNCHES
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;

namespace {

Value pick(const gpu::KernelDim3 &d, gpu::Dimension dim) {
  switch (dim) {
  case gpu::Dimension::x:
    return d.x;
  case gpu::Dimension::y:
    return d.y;
  case gpu::Dimension::z:
    return d.z;
  }
  llvm_unreachable("unknown gpu dimension");
}

/// Fails, with the reason at `launch`, unless its threads can run one
/// after the other.
LogicalResult checkEmulatable(gpu::LaunchOp launch) {
  auto refuse = [&](const Twine &why) {
    return launch.emitOpError("cannot be emulated on the CPU: ") << why;
  };
  if (launch.getAsyncToken() || !launch.getAsyncDependencies().empty())
    return refuse("it is asynchronous");
  if (launch.hasClusterSize())
    return refuse("it has a cluster size");
  if (launch.getDynamicSharedMemorySize() ||
      launch.getNumWorkgroupAttributions() != 0 ||
      !launch.getPrivateAttributions().empty())
    return refuse("it uses shared or private memory attributions");
  if (!launch.getBody().hasOneBlock())
    return refuse("its body has more than one block");
  Operation *bad = nullptr;
  launch.getBody().walk([&](Operation *op) {
    if (isa<gpu::TerminatorOp, gpu::ThreadIdOp, gpu::BlockIdOp,
            gpu::BlockDimOp, gpu::GridDimOp>(op) ||
        !isa_and_present<gpu::GPUDialect>(op->getDialect()))
      return WalkResult::advance();
    bad = op;
    return WalkResult::interrupt();
  });
  if (bad)
    return refuse("its threads synchronize or communicate ('")
           << bad->getName().getStringRef() << "')";
  return success();
}

} // namespace

LogicalResult weir::emulateGpuLaunches(func::FuncOp func) {
  SmallVector<gpu::LaunchOp> launches;
  func.walk([&](gpu::LaunchOp op) { launches.push_back(op); });
  for (gpu::LaunchOp launch : launches) {
    if (failed(checkEmulatable(launch)))
      return failure();
    gpu::KernelDim3 blockIds = launch.getBlockIds();
    gpu::KernelDim3 threadIds = launch.getThreadIds();
    gpu::KernelDim3 gridSize = launch.getGridSizeOperandValues();
    gpu::KernelDim3 blockSize = launch.getBlockSizeOperandValues();
    // The id and size ops name the same values as the region's arguments.
    launch.getBody().walk([&](Operation *op) {
      Value v;
      if (auto id = dyn_cast<gpu::ThreadIdOp>(op))
        v = pick(threadIds, id.getDimension());
      else if (auto id = dyn_cast<gpu::BlockIdOp>(op))
        v = pick(blockIds, id.getDimension());
      else if (auto dim = dyn_cast<gpu::BlockDimOp>(op))
        v = pick(blockSize, dim.getDimension());
      else if (auto dim = dyn_cast<gpu::GridDimOp>(op))
        v = pick(gridSize, dim.getDimension());
      if (v) {
        op->getResult(0).replaceAllUsesWith(v);
        op->erase();
      }
    });

    OpBuilder b(launch);
    Location loc = launch.getLoc();
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    IRMapping map;
    map.map(launch.getGridSize().x, gridSize.x);
    map.map(launch.getGridSize().y, gridSize.y);
    map.map(launch.getGridSize().z, gridSize.z);
    map.map(launch.getBlockSize().x, blockSize.x);
    map.map(launch.getBlockSize().y, blockSize.y);
    map.map(launch.getBlockSize().z, blockSize.z);
    // Outermost first: blocks z, y, x, then threads z, y, x.
    std::pair<Value, Value> loops[] = {
        {blockIds.z, gridSize.z},   {blockIds.y, gridSize.y},
        {blockIds.x, gridSize.x},   {threadIds.z, blockSize.z},
        {threadIds.y, blockSize.y}, {threadIds.x, blockSize.x}};
    for (auto [id, size] : loops) {
      auto loop = scf::ForOp::create(b, loc, zero, size, one);
      map.map(id, loop.getInductionVar());
      b.setInsertionPointToStart(loop.getBody());
    }
    for (Operation &op : launch.getBody().front().without_terminator())
      b.clone(op, map);
    launch.erase();
  }
  return success();
}

namespace {
struct EmulateGpuLaunchesPass
    : weir::impl::EmulateGpuLaunchesBase<EmulateGpuLaunchesPass> {
  void runOnOperation() override {
    if (failed(weir::emulateGpuLaunches(getOperation())))
      signalPassFailure();
  }
};
} // namespace
