//===- MemoryPlan.cpp - the buffers of a bufferized function, over time --===//
#include "passes/MemoryPlan.h"

#include "dialect/Layers.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <optional>

using namespace mlir;
using namespace weir;

namespace {
/// The buffer `op` allocates (memref.alloc, or gpu.alloc in CUDA host code)
/// and its dynamic sizes; null for any other op.
std::optional<std::pair<MemRefType, OperandRange>> allocation(Operation *op) {
  if (auto a = dyn_cast_or_null<memref::AllocOp>(op))
    return std::make_pair(a.getType(), a.getDynamicSizes());
  if (auto a = dyn_cast_or_null<gpu::AllocOp>(op))
    return std::make_pair(a.getMemref().getType(), a.getDynamicSizes());
  return std::nullopt;
}

/// The buffer `op` frees, or null.
Value freed(Operation *op) {
  if (auto d = dyn_cast<memref::DeallocOp>(op))
    return d.getMemref();
  if (auto d = dyn_cast<gpu::DeallocOp>(op))
    return d.getMemref();
  return Value();
}

class Planner {
public:
  Planner(int64_t batch) : batch_(batch) {}

  /// The value of an index computation, with every dynamic dimension of a
  /// function argument being the batch.
  std::optional<int64_t> evaluate(Value v, int depth = 0) {
    if (depth > 32)
      return std::nullopt;
    if (auto it = values_.find(v); it != values_.end())
      return it->second;
    std::optional<int64_t> r = compute(v, depth);
    if (r)
      values_[v] = *r;
    return r;
  }

  /// The size of dimension `d` of memref `m`.
  std::optional<int64_t> dimOf(Value m, int64_t d, int depth) {
    auto type = dyn_cast<MemRefType>(m.getType());
    if (!type || d < 0 || d >= type.getRank())
      return std::nullopt;
    if (!type.isDynamicDim(d))
      return type.getDimSize(d);
    if (isa<BlockArgument>(m))
      return batch_;
    Operation *def = m.getDefiningOp();
    if (auto alloc = allocation(def))
      return evaluate(alloc->second[type.getDynamicDimIndex(d)], depth + 1);
    if (auto cast = dyn_cast<memref::CastOp>(def))
      return dimOf(cast.getSource(), d, depth + 1);
    if (auto collapse = dyn_cast<memref::CollapseShapeOp>(def)) {
      int64_t n = 1;
      for (int64_t s : collapse.getReassociationIndices()[d]) {
        std::optional<int64_t> x = dimOf(collapse.getSrc(), s, depth + 1);
        if (!x)
          return std::nullopt;
        n *= *x;
      }
      return n;
    }
    if (auto expand = dyn_cast<memref::ExpandShapeOp>(def)) {
      OpFoldResult size = expand.getMixedOutputShape()[d];
      if (auto attr = dyn_cast<Attribute>(size))
        return cast<IntegerAttr>(attr).getInt();
      return evaluate(cast<Value>(size), depth + 1);
    }
    if (auto sub = dyn_cast<memref::SubViewOp>(def);
        sub && sub.getSourceType().getRank() == type.getRank()) {
      OpFoldResult size = sub.getMixedSizes()[d];
      if (auto attr = dyn_cast<Attribute>(size))
        return cast<IntegerAttr>(attr).getInt();
      return evaluate(cast<Value>(size), depth + 1);
    }
    return std::nullopt;
  }

  /// Bytes of a memref type with its dynamic sizes `sizes`.
  std::optional<int64_t> bytesOf(Operation *op) {
    auto [type, dynamicSizes] = *allocation(op);
    int64_t n = 1;
    unsigned next = 0;
    for (int64_t d : type.getShape()) {
      if (ShapedType::isDynamic(d)) {
        std::optional<int64_t> v = evaluate(dynamicSizes[next++]);
        if (!v)
          return std::nullopt;
        d = *v;
      }
      n *= d;
    }
    Type elt = type.getElementType();
    int64_t bits = elt.isIntOrIndexOrFloat() ? elt.getIntOrFloatBitWidth() : 64;
    if (isa<IndexType>(elt))
      bits = 64;
    return n * ((bits + 7) / 8);
  }

  /// Walks `block`: returns its peak (relative to what is live before it),
  /// and keeps the buffers live at the function's peak.
  int64_t walk(Block &block, int64_t outside) {
    int64_t live = 0, peak = 0;
    std::vector<Operation *> liveHere;
    llvm::DenseMap<Operation *, int64_t> sizes;
    auto notePeak = [&](int64_t total) {
      if (outside + total <= plan_.peakBytes)
        return;
      plan_.peakBytes = outside + total;
      atPeak_ = outer_;
      atPeak_.insert(atPeak_.end(), liveHere.begin(), liveHere.end());
    };
    for (Operation &op : block) {
      if (allocation(&op)) {
        Operation *alloc = &op;
        std::optional<int64_t> bytes = bytesOf(alloc);
        if (!bytes)
          ++plan_.unknownSizes;
        sizes[alloc] = bytes.value_or(0);
        bytes_[alloc] = bytes.value_or(0);
        live += bytes.value_or(0);
        plan_.allocatedBytes += bytes.value_or(0);
        ++plan_.buffers;
        liveHere.push_back(alloc);
      } else if (Value buffer = freed(&op)) {
        Operation *def = buffer.getDefiningOp();
        if (auto it = sizes.find(def); it != sizes.end()) {
          live -= it->second;
          sizes.erase(it);
          liveHere.erase(std::find(liveHere.begin(), liveHere.end(), def));
        }
      } else if (op.getNumRegions()) {
        // A loop's iterations reuse the space: its body's peak counts once.
        size_t mark = outer_.size();
        outer_.insert(outer_.end(), liveHere.begin(), liveHere.end());
        int64_t inner = 0;
        for (Region &region : op.getRegions())
          for (Block &b : region)
            inner = std::max(inner, walk(b, outside + live));
        outer_.resize(mark);
        peak = std::max(peak, live + inner);
      }
      peak = std::max(peak, live);
      notePeak(live);
    }
    return peak;
  }

  MemoryPlan run(func::FuncOp func) {
    plan_.function = func.getSymName().str();
    for (BlockArgument arg : func.getArguments())
      if (auto type = dyn_cast<MemRefType>(arg.getType())) {
        int64_t n = 1;
        for (int64_t d : type.getShape())
          n *= ShapedType::isDynamic(d) ? batch_ : d;
        plan_.argumentBytes +=
            n * ((type.getElementTypeBitWidth() + 7) / 8);
      }
    if (!func.isExternal())
      walk(func.getBody().front(), 0);
    for (Operation *op : atPeak_) {
      PlannedBuffer b;
      b.bytes = bytes_.lookup(op);
      std::string type;
      llvm::raw_string_ostream os(type);
      auto memref = cast<MemRefType>(op->getResult(0).getType());
      os << "memref<";
      unsigned next = 0;
      for (int64_t d : memref.getShape()) {
        if (ShapedType::isDynamic(d)) {
          std::optional<int64_t> v =
              evaluate(allocation(op)->second[next++]);
          os << (v ? std::to_string(*v) : "?");
        } else {
          os << d;
        }
        os << "x";
      }
      os << memref.getElementType() << ">";
      b.type = type;
      if (std::optional<llvm::StringRef> layer = layerNameOf(op->getLoc()))
        b.layer = layer->str();
      b.location = formatFileLocation(op->getLoc());
      plan_.atPeak.push_back(std::move(b));
    }
    std::stable_sort(plan_.atPeak.begin(), plan_.atPeak.end(),
                     [](const PlannedBuffer &a, const PlannedBuffer &b) {
                       return a.bytes > b.bytes;
                     });
    return plan_;
  }

private:
  std::optional<int64_t> compute(Value v, int depth) {
    Operation *def = v.getDefiningOp();
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      // A loop's induction variable: its first value, which gives a tiled
      // loop's largest tile (min(tile, n - iv) shrinks only at the end).
      if (auto loop = dyn_cast<scf::ForOp>(arg.getOwner()->getParentOp());
          loop && arg == loop.getInductionVar())
        return evaluate(loop.getLowerBound(), depth + 1);
      if (auto loop = dyn_cast<scf::ForallOp>(arg.getOwner()->getParentOp());
          loop && arg.getArgNumber() < loop.getRank()) {
        OpFoldResult lb = loop.getMixedLowerBound()[arg.getArgNumber()];
        if (auto attr = dyn_cast<Attribute>(lb))
          return cast<IntegerAttr>(attr).getInt();
        return evaluate(cast<Value>(lb), depth + 1);
      }
      return std::nullopt;
    }
    if (!def)
      return std::nullopt;
    if (auto c = dyn_cast<arith::ConstantOp>(def)) {
      if (auto i = dyn_cast<IntegerAttr>(c.getValue()))
        return i.getInt();
      return std::nullopt;
    }
    if (auto dim = dyn_cast<memref::DimOp>(def)) {
      std::optional<int64_t> index = evaluate(dim.getIndex(), depth + 1);
      if (!index)
        return std::nullopt;
      return dimOf(dim.getSource(), *index, depth + 1);
    }
    if (auto cast = dyn_cast<arith::IndexCastOp>(def))
      return evaluate(cast.getIn(), depth + 1);
    if (isa<affine::AffineMinOp, affine::AffineMaxOp>(def)) {
      AffineMap map = isa<affine::AffineMinOp>(def)
                          ? cast<affine::AffineMinOp>(def).getAffineMap()
                          : cast<affine::AffineMaxOp>(def).getAffineMap();
      SmallVector<Attribute> operands;
      for (Value o : def->getOperands()) {
        std::optional<int64_t> x = evaluate(o, depth + 1);
        if (!x)
          return std::nullopt;
        operands.push_back(IntegerAttr::get(IndexType::get(v.getContext()), *x));
      }
      SmallVector<Attribute> results;
      if (failed(map.constantFold(operands, results)) || results.empty())
        return std::nullopt;
      int64_t r = cast<IntegerAttr>(results[0]).getInt();
      for (Attribute a : results)
        r = isa<affine::AffineMinOp>(def)
                ? std::min(r, cast<IntegerAttr>(a).getInt())
                : std::max(r, cast<IntegerAttr>(a).getInt());
      return r;
    }
    if (auto apply = dyn_cast<affine::AffineApplyOp>(def)) {
      SmallVector<Attribute> operands;
      for (Value o : apply.getMapOperands()) {
        std::optional<int64_t> x = evaluate(o, depth + 1);
        if (!x)
          return std::nullopt;
        operands.push_back(IntegerAttr::get(IndexType::get(v.getContext()), *x));
      }
      SmallVector<Attribute> results;
      if (failed(apply.getAffineMap().constantFold(operands, results)) ||
          results.size() != 1)
        return std::nullopt;
      return cast<IntegerAttr>(results[0]).getInt();
    }
    if (def->getNumOperands() != 2)
      return std::nullopt;
    std::optional<int64_t> a = evaluate(def->getOperand(0), depth + 1);
    std::optional<int64_t> b = evaluate(def->getOperand(1), depth + 1);
    if (!a || !b)
      return std::nullopt;
    if (isa<arith::AddIOp>(def))
      return *a + *b;
    if (isa<arith::SubIOp>(def))
      return *a - *b;
    if (isa<arith::MulIOp>(def))
      return *a * *b;
    if (*b == 0)
      return std::nullopt;
    if (isa<arith::DivSIOp, arith::DivUIOp, arith::FloorDivSIOp>(def))
      return *a / *b;
    if (isa<arith::CeilDivSIOp, arith::CeilDivUIOp>(def))
      return (*a + *b - 1) / *b;
    if (isa<arith::RemSIOp, arith::RemUIOp>(def))
      return *a % *b;
    if (isa<arith::MaxSIOp, arith::MaxUIOp>(def))
      return std::max(*a, *b);
    if (isa<arith::MinSIOp, arith::MinUIOp>(def))
      return std::min(*a, *b);
    return std::nullopt;
  }

  int64_t batch_;
  MemoryPlan plan_;
  llvm::DenseMap<Value, int64_t> values_;
  llvm::DenseMap<Operation *, int64_t> bytes_;
  std::vector<Operation *> outer_, atPeak_;
};
} // namespace

MemoryPlan weir::planMemory(func::FuncOp func, int64_t batch) {
  return Planner(batch).run(func);
}
