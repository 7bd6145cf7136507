//===- LowerStridedCopies.cpp - strided memref.copy as vectorizable loops --===//
#include "passes/Passes.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_LOWERSTRIDEDCOPIES
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;

void weir::lowerStridedCopies(func::FuncOp func) {
  func.walk([](memref::CopyOp copy) {
    auto source = cast<MemRefType>(copy.getSource().getType());
    auto target = cast<MemRefType>(copy.getTarget().getType());
    // Identity layouts on both sides become a memcpy anyway.
    if (source.getLayout().isIdentity() && target.getLayout().isIdentity())
      return;
    OpBuilder b(copy);
    linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                           copy.getTarget());
    copy.erase();
  });
}

namespace {
struct LowerStridedCopiesPass
    : weir::impl::LowerStridedCopiesBase<LowerStridedCopiesPass> {
  void runOnOperation() override { weir::lowerStridedCopies(getOperation()); }
};
} // namespace
