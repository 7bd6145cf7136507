//===- VectorAccess.cpp - how a GPU kernel loads its operands ------------===//
//
// Vector widths and alignment for weir-linalg-to-gpu (VectorAccess.h).
//
//===----------------------------------------------------------------------===//
#include "passes/cuda/VectorAccess.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace weir::cuda;

/// Whether `buffer` starts a multiple of `w` elements from a 16-byte
/// aligned base. Function arguments and allocations are aligned by
/// contract (the runtime allocates with cudaMalloc, 256-byte aligned);
/// casts and reshapes keep the offset; a subview keeps it when each offset
/// is zero or meets a stride that is a multiple of `w`.
static bool isOffsetAligned(Value buffer, int64_t w) {
  Operation *def = buffer.getDefiningOp();
  if (!def)
    return isa<func::FuncOp>(buffer.getParentBlock()->getParentOp());
  if (isa<memref::AllocOp, memref::AllocaOp, gpu::AllocOp>(def))
    return true;
  if (auto cast = dyn_cast<memref::CastOp>(def))
    return isOffsetAligned(cast.getSource(), w);
  if (auto collapse = dyn_cast<memref::CollapseShapeOp>(def))
    return isOffsetAligned(collapse.getSrc(), w);
  if (auto expand = dyn_cast<memref::ExpandShapeOp>(def))
    return isOffsetAligned(expand.getSrc(), w);
  auto subview = dyn_cast<memref::SubViewOp>(def);
  if (!subview)
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(subview.getSourceType().getStridesAndOffset(strides, offset)))
    return false;
  for (auto [stride, off] : llvm::zip(strides, subview.getMixedOffsets())) {
    std::optional<int64_t> c = getConstantIntValue(off);
    bool strideOk = !ShapedType::isDynamic(stride) && stride % w == 0;
    if (!strideOk && (!c || (*c * stride) % w != 0))
      return false;
  }
  return isOffsetAligned(subview.getSource(), w);
}

/// Whether a thread's `w` elements at (i..., w*j) of `buffer` are aligned
/// to `w` elements for every i: contiguous innermost, the other strides
/// multiples of `w`, and an aligned start.
bool weir::cuda::isVectorAligned(Value buffer, int64_t w) {
  auto type = cast<MemRefType>(buffer.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) || strides.empty() ||
      strides.back() != 1)
    return false;
  for (int64_t i = 0, e = type.getRank() - 1; i < e; ++i)
    if (ShapedType::isDynamic(strides[i]) || strides[i] % w != 0)
      return false;
  return isOffsetAligned(buffer, w);
}

/// The operand accesses and vector width of an elementwise generic, or 1
/// (scalar) when the innermost dimension cannot be vectorized.
int64_t weir::cuda::chooseWidth(linalg::GenericOp op, int64_t vectorBits,
                                SmallVectorImpl<Access> &accesses) {
  unsigned n = op.getNumLoops();
  if (vectorBits <= 0 || n == 0 || op.getNumReductionLoops() != 0)
    return 1;
  for (Operation &inner : op.getBody()->without_terminator())
    if (!OpTrait::hasElementwiseMappableTraits(&inner) ||
        inner.getNumRegions() != 0 ||
        llvm::any_of(inner.getResultTypes(),
                     [](Type t) { return !t.isIntOrIndexOrFloat(); }))
      return 1;
  int64_t size = op.getStaticLoopRanges()[n - 1];
  if (ShapedType::isDynamic(size))
    return 1;
  unsigned widest = 8;
  for (Type t : op->getOperandTypes())
    widest = std::max(widest, getElementTypeOrSelf(t).getIntOrFloatBitWidth());
  int64_t w = vectorBits / widest;
  while (w > 1 && size % w != 0)
    w /= 2;
  if (w <= 1)
    return 1;
  for (OpOperand &operand : op->getOpOperands()) {
    AffineMap map = op.getMatchingIndexingMap(&operand);
    std::optional<unsigned> at =
        map.getResultPosition(getAffineDimExpr(n - 1, op.getContext()));
    if (!at || !isa<MemRefType>(operand.get().getType())) {
      if (op.isDpsInit(&operand))
        return 1;
      accesses.push_back(Access::Broadcast);
      continue;
    }
    auto type = cast<MemRefType>(operand.get().getType());
    SmallVector<int64_t> strides;
    int64_t offset;
    if (*at + 1 != map.getNumResults() ||
        failed(type.getStridesAndOffset(strides, offset)) ||
        strides.back() != 1)
      return 1;
    accesses.push_back(Access::Vector);
  }
  return w;
}
