//===- EarlyDeallocs.cpp - free each buffer after its last use -----------===//
#include "passes/Passes.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "llvm/ADT/SetVector.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_EARLYDEALLOCS
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;
using namespace weir;

namespace {
/// Whether a value produced from a use of the buffer may carry its
/// address: memrefs (views, casts, loop results), pointers as indices or
/// integers (extract_aligned_pointer_as_index, strided metadata) and any
/// non-builtin type (an LLVM pointer).
bool mayCarryAddress(Value v) {
  Type t = v.getType();
  return isa<BaseMemRefType, IndexType, IntegerType>(t) ||
         !isa<FloatType, VectorType, RankedTensorType>(t);
}

/// Loads and elementwise arithmetic read values, not addresses: an integer
/// that a load produces does not alias the buffer.
bool readsValuesOnly(Operation *op) {
  return isa<memref::LoadOp, memref::DimOp>(op);
}

/// The last op of `block` that uses `alloc` or an alias of it, or null when
/// an alias escapes (reaches the terminator, or is stored into memory).
/// `dealloc` itself is not a use.
Operation *lastUse(memref::AllocOp alloc, Operation *dealloc, Block &block,
                   bool &escapes) {
  llvm::SetVector<Value> aliases;
  aliases.insert(alloc.getResult());
  Operation *last = alloc;
  for (size_t i = 0; i < aliases.size(); ++i) {
    for (OpOperand &use : aliases[i].getUses()) {
      Operation *user = use.getOwner();
      if (user == dealloc)
        continue;
      Operation *inBlock = block.findAncestorOpInBlock(*user);
      if (!inBlock || (user->hasTrait<OpTrait::IsTerminator>() &&
                       user->getBlock() == &block)) {
        escapes = true;
        return nullptr;
      }
      if (auto store = dyn_cast<memref::StoreOp>(user);
          store && store.getValueToStore() == aliases[i]) {
        escapes = true;
        return nullptr;
      }
      if (last->isBeforeInBlock(inBlock))
        last = inBlock;
      if (!readsValuesOnly(user))
        for (Value result : user->getResults())
          if (mayCarryAddress(result))
            aliases.insert(result);
      // A yield in a nested region hands the alias to its parent ops'
      // results (a loop's iteration results).
      if (user->hasTrait<OpTrait::IsTerminator>())
        for (Operation *p = user->getParentOp(); p; p = p->getParentOp()) {
          for (Value result : p->getResults())
            if (mayCarryAddress(result))
              aliases.insert(result);
          if (p == inBlock)
            break;
        }
    }
  }
  return last;
}
} // namespace

int64_t weir::moveDeallocsToLastUse(func::FuncOp func) {
  int64_t moved = 0;
  SmallVector<memref::DeallocOp> deallocs;
  func.walk([&](memref::DeallocOp d) { deallocs.push_back(d); });
  for (memref::DeallocOp dealloc : deallocs) {
    auto alloc = dealloc.getMemref().getDefiningOp<memref::AllocOp>();
    if (!alloc || alloc->getBlock() != dealloc->getBlock())
      continue;
    Block &block = *dealloc->getBlock();
    bool escapes = false;
    Operation *last = lastUse(alloc, dealloc, block, escapes);
    if (escapes || !last || !last->isBeforeInBlock(dealloc))
      continue;
    if (last->getNextNode() == dealloc.getOperation())
      continue;
    dealloc->moveAfter(last);
    ++moved;
  }
  return moved;
}

namespace {
struct EarlyDeallocsPass
    : public weir::impl::EarlyDeallocsBase<EarlyDeallocsPass> {
  void runOnOperation() override { moveDeallocsToLastUse(getOperation()); }
};
} // namespace
