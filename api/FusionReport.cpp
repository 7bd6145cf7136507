//===- FusionReport.cpp - which layers the compiler put in which loop nest ===//
#include "api/FusionReport.h"
#include "api/Session.h"
#include "dialect/Manifest.h"
#include "passes/Pipelines.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

#include <map>

using namespace mlir;
using namespace weir;

namespace {
/// Appends the layer names (NameLoc) in the locations of `root` and every
/// op nested in it, each once, in the order they appear.
void collectLayers(Operation *root, FusedUnit &unit, llvm::StringSet<> &seen) {
  root->walk<WalkOrder::PreOrder>([&](Operation *op) {
    op->getLoc()->walk([&](Location loc) {
      if (auto name = dyn_cast<NameLoc>(loc))
        if (seen.insert(name.getName().strref()).second)
          unit.layers.push_back(name.getName().str());
      return WalkResult::advance();
    });
  });
}

std::string kindOf(linalg::LinalgOp op) {
  if (!isa<linalg::GenericOp>(op.getOperation()))
    return op->getName().stripDialect().str();
  return op.getNumReductionLoops() ? "reduction" : "elementwise";
}

/// Why linalg-fuse-elementwise-ops joined nothing to `op`: its result is
/// not read by exactly one generic that can take it in.
std::string fusionObstacle(linalg::LinalgOp op) {
  SmallVector<OpOperand *> linalgUses;
  for (OpResult r : op->getResults())
    for (OpOperand &use : r.getUses())
      if (isa<linalg::LinalgOp>(use.getOwner()))
        linalgUses.push_back(&use);
  if (linalgUses.empty())
    return "its result leaves linalg (returned, reshaped or sliced)";
  if (!isa<linalg::GenericOp>(op.getOperation()))
    return "a named op: elementwise fusion moves only linalg.generic "
           "producers into their consumers";
  size_t uses = 0;
  for (OpResult r : op->getResults())
    uses += std::distance(r.use_begin(), r.use_end());
  if (uses > 1)
    return "its result is read by " + std::to_string(uses) +
           " ops (fused, it would be computed again for each)";
  Operation *user = linalgUses.front()->getOwner();
  if (!isa<linalg::GenericOp>(user))
    return "its consumer is a named op (linalg." +
           user->getName().stripDialect().str() + ")";
  if (!linalg::areElementwiseOpsFusable(linalgUses.front()))
    return op.getNumReductionLoops()
               ? "it is a reduction: only an elementwise producer fuses"
               : "its consumer reads it through an index map fusion cannot "
                 "compose";
  return "fusable by linalg's rules, yet not fused";
}

func::FuncOp trainingStep(ModuleOp module) {
  for (auto func : module.getOps<func::FuncOp>())
    if (ManifestAttr m = getManifest(func); m && m.getKind() == StepKind::train)
      return func;
  return nullptr;
}

Result<FusionReport> cpuReport(func::FuncOp func) {
  FusionReport report;
  report.function = func.getSymName().str();
  report.target = "cpu";
  for (Operation &op : func.getBody().front()) {
    FusedUnit unit;
    llvm::StringSet<> seen;
    if (auto loop = dyn_cast<scf::ForOp>(op)) {
      unit.kind = "batch-tile loop";
      unit.linalgOps = 0;
      loop.walk([&](linalg::LinalgOp) { ++unit.linalgOps; });
    } else if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      unit.kind = kindOf(linalgOp);
      unit.notFused = fusionObstacle(linalgOp);
      unit.notTiled = batchTilingObstacle(&op);
    } else {
      continue; // views, shapes, constants: no loop nest of their own
    }
    collectLayers(&op, unit, seen);
    report.units.push_back(std::move(unit));
  }
  return report;
}

Result<FusionReport> cudaReport(func::FuncOp func) {
  FusionReport report;
  report.function = func.getSymName().str();
  report.target = "cuda";
  func.walk<WalkOrder::PreOrder>([&](Operation *op) {
    FusedUnit unit;
    llvm::StringSet<> seen;
    if (auto launch = dyn_cast<gpu::LaunchFuncOp>(op)) {
      unit.kind = "kernel";
      unit.symbol = launch.getKernelName().str();
      collectLayers(op, unit, seen);
      if (Operation *kernel =
              SymbolTable::lookupNearestSymbolFrom(op, launch.getKernel()))
        collectLayers(kernel, unit, seen);
    } else if (auto call = dyn_cast<func::CallOp>(op)) {
      if (!call.getCallee().starts_with("weir_"))
        return;
      unit.kind = call.getCallee().str();
      collectLayers(op, unit, seen);
    } else {
      return;
    }
    report.units.push_back(std::move(unit));
  });
  return report;
}

std::string joined(const std::vector<std::string> &names) {
  std::string s;
  for (const std::string &n : names)
    s += (s.empty() ? "" : ", ") + n;
  return s.empty() ? "-" : s;
}
} // namespace

Result<FusionReport> weir::reportFusion(Session &session,
                                        const std::string &target) {
  if (target != "cpu" && target != "cuda")
    return Status::error("the fusion report is for --target=cpu or cuda, "
                         "not '" + target + "'");
  if (failed(session.buildTraining()) || failed(session.lowerToLinalg()))
    return Status::error("cannot compile the training step");
  if (target == "cuda" && failed(session.runPasses([](OpPassManager &pm) {
        buildCudaKernelPipeline(pm, CudaPipelineOptions());
      })))
    return Status::error("cannot compile the training step for CUDA");
  func::FuncOp func = trainingStep(session.module());
  if (!func)
    return Status::error("the module has no training step function");
  return target == "cpu" ? cpuReport(func) : cudaReport(func);
}

std::string weir::formatFusionReport(const FusionReport &report) {
  bool cpu = report.target == "cpu";
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "Fusion report of the training step @" << report.function
     << (cpu ? " (CPU, after weir-to-linalg-pipeline): "
             : " (CUDA, after weir-cuda-kernel-pipeline): ")
     << report.units.size()
     << (cpu ? " loop nests\n" : " kernel launches and library calls\n");
  std::vector<std::string> kinds;
  size_t kindWidth = 4;
  for (const FusedUnit &u : report.units) {
    std::string k = u.symbol.empty() ? u.kind : u.kind + " @" + u.symbol;
    if (u.kind == "batch-tile loop")
      k += " (" + std::to_string(u.linalgOps) +
           (u.linalgOps == 1 ? " op)" : " ops)");
    kindWidth = std::max(kindWidth, k.size());
    kinds.push_back(std::move(k));
  }
  size_t layerWidth = 6;
  for (const FusedUnit &u : report.units)
    layerWidth = std::max(layerWidth, joined(u.layers).size());
  layerWidth = std::min<size_t>(layerWidth, 48);
  auto pad = [](std::string t, size_t w) {
    return t.size() < w ? t + std::string(w - t.size(), ' ') : t;
  };
  os << "  " << pad("#", 5) << pad(cpu ? "Loop nest" : "Launch", kindWidth + 2)
     << pad("Layers", layerWidth + 2) << (cpu ? "Nothing fused into it because" : "")
     << "\n";
  size_t multi = 0, tiled = 0;
  std::map<std::string, size_t> notTiled;
  for (size_t i = 0; i < report.units.size(); ++i) {
    const FusedUnit &u = report.units[i];
    multi += u.layers.size() > 1;
    tiled += u.kind == "batch-tile loop";
    if (!u.notTiled.empty())
      ++notTiled[u.notTiled];
    os << "  " << pad(std::to_string(i + 1), 5) << pad(kinds[i], kindWidth + 2)
       << pad(joined(u.layers), layerWidth + 2) << u.notFused;
    // Trailing blanks of the padded columns go.
    while (!s.empty() && s.back() == ' ')
      s.pop_back();
    os << "\n";
  }
  os << "  " << multi << " of " << report.units.size()
     << " compute the ops of more than one layer";
  if (cpu)
    os << "; " << tiled << " are batch-tile loops (weir-tile-and-fuse)";
  os << "\n";
  if (!notTiled.empty()) {
    os << "  not tiled over the batch:\n";
    for (const auto &[reason, count] : notTiled)
      os << "    " << count << " because " << reason << "\n";
  }
  return s;
}
