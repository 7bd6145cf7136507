//===- OutlineLoopNests.cpp - one function per distinct loop nest --------===//
//
// A training step is one long function: every layer's forward and backward
// loop nests in a row, each register-blocked and, after vector lowering,
// unrolled. LLVM's instruction selection and scheduling then dominate the
// compile (71% of ResNet-20's JIT time), and most of the nests repeat: the
// residual blocks of a stage are the same layers at the same shapes. This
// pass moves each big top-level loop nest into a private function of its
// own and gives nests that are the same (the same ops on values of the
// same types, differing only in which buffers they read and write) one
// function, called from every place. A function called from several
// places is marked noinline, so LLVM compiles it once.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_OUTLINELOOPNESTS
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;

namespace {
/// A nest's function, and how many places call it.
struct Outlined {
  func::FuncOp func;
  int64_t calls = 0;
};

/// Whether `op` is a constant without operands, cloned into the outlined
/// function rather than passed to it (so that the same nest at other
/// constants is still one function only when the constants agree, and the
/// constants fold into the code).
bool isClonedConstant(Operation *op) {
  return op && op->getNumOperands() == 0 && op->getNumRegions() == 0 &&
         op->hasTrait<OpTrait::ConstantLike>();
}

/// The values `loop` uses that are defined outside it (its own operands
/// included), in order of first use, split into constants and the rest.
void capturedValues(scf::ForOp loop, SmallVectorImpl<Value> &args,
                    SmallVectorImpl<Value> &constants) {
  llvm::SetVector<Value> seen;
  auto visit = [&](Value v) {
    if (seen.insert(v)) {
      if (isClonedConstant(v.getDefiningOp()))
        constants.push_back(v);
      else
        args.push_back(v);
    }
  };
  for (Value v : loop->getOperands())
    visit(v);
  loop.walk([&](Operation *op) {
    for (Value v : op->getOperands())
      if (!loop->isAncestor(v.getParentRegion()->getParentOp()))
        visit(v);
  });
}

/// The text that identifies a function up to its name: two nests with the
/// same text are the same code.
std::string keyOf(func::FuncOp func) {
  std::string key;
  llvm::raw_string_ostream os(key);
  OpPrintingFlags flags;
  flags.printGenericOpForm().useLocalScope().elideLargeElementsAttrs(1 << 30);
  StringAttr name = func.getSymNameAttr();
  func.setSymName("nest");
  func->print(os, flags);
  func.setSymNameAttr(name);
  return key;
}
} // namespace

int64_t weir::outlineLoopNests(ModuleOp module, int64_t minOps) {
  SmallVector<scf::ForOp> loops;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    for (Block &block : func.getBody())
      for (auto loop : block.getOps<scf::ForOp>()) {
        int64_t ops = 0;
        loop.walk([&](Operation *) { ++ops; });
        if (ops >= minOps)
          loops.push_back(loop);
      }
  }
  if (loops.empty())
    return 0;

  MLIRContext *ctx = module.getContext();
  SymbolTable symbols(module);
  llvm::StringMap<Outlined> byKey;
  SmallVector<std::string> order;
  OpBuilder builder(ctx);
  int64_t outlined = 0;
  for (scf::ForOp loop : loops) {
    SmallVector<Value> args, constants;
    capturedValues(loop, args, constants);
    auto parent = loop->getParentOfType<func::FuncOp>();
    auto type = FunctionType::get(ctx, ValueRange(args).getTypes(),
                                  loop->getResultTypes());
    builder.setInsertionPointToEnd(module.getBody());
    auto func = func::FuncOp::create(
        builder, loop.getLoc(),
        (parent.getSymName() + "_nest" + llvm::Twine(outlined)).str(), type);
    func.setPrivate();
    Block *entry = func.addEntryBlock();
    IRMapping map;
    for (auto [v, arg] : llvm::zip(args, entry->getArguments()))
      map.map(v, arg);
    builder.setInsertionPointToStart(entry);
    for (Value c : constants)
      builder.clone(*c.getDefiningOp(), map);
    Operation *copy = builder.clone(*loop, map);
    func::ReturnOp::create(builder, loop.getLoc(), copy->getResults());

    std::string key = keyOf(func);
    auto [it, inserted] = byKey.try_emplace(key);
    if (inserted) {
      symbols.insert(func);
      it->second.func = func;
      order.push_back(key);
    } else {
      func.erase();
    }
    ++it->second.calls;
    builder.setInsertionPoint(loop);
    auto call = func::CallOp::create(builder, loop.getLoc(), it->second.func,
                                     args);
    loop->replaceAllUsesWith(call.getResults());
    loop->erase();
    ++outlined;
  }
  // Internal linkage: the engine looks up only the step's entry points, and
  // LLVM may drop or inline what is private. A function that several
  // places call stays out of line, compiled once.
  auto internal = LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal);
  for (const std::string &key : order) {
    Outlined &o = byKey[key];
    o.func->setAttr("llvm.linkage", internal);
    if (o.calls > 1)
      o.func->setAttr("passthrough",
                      ArrayAttr::get(ctx, {StringAttr::get(ctx, "noinline")}));
  }
  return int64_t(order.size());
}

namespace {
struct OutlineLoopNestsPass
    : weir::impl::OutlineLoopNestsBase<OutlineLoopNestsPass> {
  using Base::Base;
  void runOnOperation() override {
    weir::outlineLoopNests(getOperation(), minOps);
  }
};
} // namespace
