//===- LinalgToGpu.cpp - one GPU kernel per fused linalg.generic ---------===//
//
// The kernel emitter of the CUDA target: after fusion and bufferization,
// each linalg.generic is one gpu.launch with one thread per output element
// (or per `w` consecutive elements when the innermost dimension allows
// 128-bit loads). Written here rather than through scf.parallel and
// gpu-map-parallel-loops because what matters on the GPU is decided at this
// level: which operand is loaded as a vector and with what alignment, that
// a reduction keeps its accumulator in registers, and that each input is
// read once.
//
//===----------------------------------------------------------------------===//
#include "passes/cuda/CudaTransforms.h"
#include "passes/cuda/VectorAccess.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/TypeUtilities.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_LINALGTOGPU
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;
using namespace weir::cuda;

namespace {

class KernelEmitter {
public:
  /// `fills[i]`, when set, is the value output `i` was filled with just
  /// before: the reduction starts from it instead of loading the output.
  KernelEmitter(linalg::GenericOp op, const weir::LinalgToGpuOptions &options,
                ArrayRef<Value> fills)
      : op_(op), options_(options), fills_(fills), b_(op), loc_(op.getLoc()) {}

  /// Replaces the generic by a gpu.launch; fails (leaving it) when the
  /// outputs are not indexed by exactly the parallel dimensions.
  LogicalResult emit() {
    unsigned n = op_.getNumLoops();
    for (unsigned d = 0; d < n; ++d)
      (linalg::isParallelIterator(op_.getIteratorTypesArray()[d]) ? parallel_
                                                                  : reduction_)
          .push_back(d);
    for (OpOperand &init : op_.getDpsInitsMutable()) {
      AffineMap map = op_.getMatchingIndexingMap(&init);
      if (!map.isProjectedPermutation() || map.getNumResults() != parallel_.size())
        return failure();
    }
    if (llvm::any_of(op_.getBody()->without_terminator(), [](Operation &o) {
          return o.getNumRegions() != 0;
        }))
      return failure();
    width_ = chooseWidth(op_, options_.vectorBits, accesses_);

    for (Range r : cast<linalg::LinalgOp>(op_.getOperation()).createLoopRanges(b_, loc_))
      sizes_.push_back(getValueOrCreateConstantIndexOp(b_, loc_, r.size));
    if (width_ == 1 && shouldSplitReduction()) {
      emitSplitReduction();
      op_->erase();
      return success();
    }
    // Threads: one per output element, or per `w` along the innermost.
    Value total = constant(1);
    for (unsigned d : parallel_)
      total = arith::MulIOp::create(b_, loc_, total, threadExtent(d));
    launchThreads(total, [&](Value linear) {
      delinearize(linear);
      if (width_ > 1)
        emitVectorBody();
      else
        emitScalarBody();
    });
    op_->erase();
    return success();
  }

private:
  /// One gpu.launch of `total` threads in blocks of block-size; `body`
  /// runs, inside the range guard, with the thread's linear index.
  void launchThreads(Value total, llvm::function_ref<void(Value)> body) {
    Value block = constant(options_.blockSize);
    Value grid = arith::CeilDivUIOp::create(b_, loc_, total, block);
    Value one = constant(1);
    auto launch = gpu::LaunchOp::create(b_, loc_, grid, one, one, block, one, one);
    OpBuilder::InsertionGuard guard(b_);
    b_.setInsertionPointToEnd(&launch.getBody().front());
    gpu::TerminatorOp::create(b_, loc_);
    b_.setInsertionPointToStart(&launch.getBody().front());
    Value linear = arith::AddIOp::create(
        b_, loc_,
        arith::MulIOp::create(b_, loc_, launch.getBlockIds().x, block),
        launch.getThreadIds().x);
    Value inRange = arith::CmpIOp::create(b_, loc_, arith::CmpIPredicate::ult,
                                          linear, total);
    auto guardIf = scf::IfOp::create(b_, loc_, inRange, /*withElse=*/false);
    b_.setInsertionPoint(guardIf.thenBlock()->getTerminator());
    body(linear);
  }

  //===--- Split reductions -----------------------------------------------===//
  // A reduction with few outputs and a long (or dynamic) reduction, such as
  // a bias gradient (32 sums over N*26*26 elements), would leave a GPU with
  // one thread per output. It runs as two launches instead: K chunks of
  // the linearized reduction times P outputs partial sums, into a temporary
  // [K * P] buffer (adjacent threads take adjacent outputs, so loads stay
  // coalesced), then one thread per output folds its K partials into the
  // output. No barriers or shared memory: each launch's threads are
  // independent. Needs every output to be `acc = acc (+) v` for an
  // associative (+) with an identity (addf, maximumf, minimumf, addi).

  static constexpr int64_t kMaxSplitOutputs = 4096;
  static constexpr int64_t kMinSplitReduction = 2048;
  static constexpr int64_t kTargetThreads = 65536;
  static constexpr int64_t kMaxChunks = 1024;
  static constexpr int64_t kMinChunk = 32;

  struct Combiner {
    Operation *op;     ///< folds the yielded value into the accumulator
    Value acc;         ///< the accumulator (the output's block argument)
    TypedAttr identity;
  };

  bool findCombiners() {
    Block *body = op_.getBody();
    Operation *yield = body->getTerminator();
    for (OpOperand &init : op_.getDpsInitsMutable()) {
      BlockArgument acc = body->getArgument(init.getOperandNumber());
      Operation *combine =
          yield->getOperand(init.getOperandNumber() - op_.getNumDpsInputs())
              .getDefiningOp();
      if (!combine || combine->getBlock() != body || !acc.hasOneUse() ||
          combine->getNumOperands() != 2 || *acc.getUsers().begin() != combine)
        return false;
      Type t = acc.getType();
      TypedAttr identity;
      if (auto ft = dyn_cast<FloatType>(t)) {
        const llvm::fltSemantics &sem = ft.getFloatSemantics();
        if (isa<arith::AddFOp>(combine))
          identity = FloatAttr::get(t, APFloat::getZero(sem));
        else if (isa<arith::MaximumFOp>(combine))
          identity = FloatAttr::get(t, APFloat::getInf(sem, /*Negative=*/true));
        else if (isa<arith::MinimumFOp>(combine))
          identity = FloatAttr::get(t, APFloat::getInf(sem));
      } else if (isa<IntegerType>(t) && isa<arith::AddIOp>(combine)) {
        identity = IntegerAttr::get(t, 0);
      }
      if (!identity)
        return false;
      combiners_.push_back({combine, acc, identity});
    }
    return true;
  }

  /// Few static outputs, a long or dynamic reduction, combinable outputs.
  bool shouldSplitReduction() {
    if (reduction_.empty())
      return false;
    SmallVector<int64_t> ranges = op_.getStaticLoopRanges();
    outputs_ = 1;
    for (unsigned d : parallel_) {
      if (ShapedType::isDynamic(ranges[d]))
        return false;
      outputs_ *= ranges[d];
    }
    int64_t reduced = 1;
    bool dynamic = false;
    for (unsigned d : reduction_) {
      if (ShapedType::isDynamic(ranges[d]))
        dynamic = true;
      else
        reduced *= ranges[d];
    }
    if (outputs_ == 0 || outputs_ > kMaxSplitOutputs ||
        (!dynamic && reduced < kMinSplitReduction))
      return false;
    return findCombiners();
  }

  /// ivs_ of the reduction dimensions from their linear index, innermost
  /// fastest.
  void delinearizeReduction(Value linear) {
    for (unsigned i = reduction_.size(); i-- > 0;) {
      unsigned d = reduction_[i];
      ivs_[d] = i == 0 ? linear : arith::RemUIOp::create(b_, loc_, linear, sizes_[d]);
      if (i != 0)
        linear = arith::DivUIOp::create(b_, loc_, linear, sizes_[d]);
    }
  }

  void emitSplitReduction() {
    Block *body = op_.getBody();
    // Host side: the reduction's length R, the chunk T (at least kMinChunk,
    // and few enough chunks for about kTargetThreads threads) and K chunks.
    Value length = constant(1);
    for (unsigned d : reduction_)
      length = arith::MulIOp::create(b_, loc_, length, sizes_[d]);
    int64_t maxChunks =
        std::clamp<int64_t>(kTargetThreads / outputs_, 1, kMaxChunks);
    Value chunk = arith::MaxUIOp::create(
        b_, loc_, arith::CeilDivUIOp::create(b_, loc_, length, constant(maxChunks)),
        constant(kMinChunk));
    Value chunks = arith::MaxUIOp::create(
        b_, loc_, arith::CeilDivUIOp::create(b_, loc_, length, chunk), constant(1));
    Value outputs = constant(outputs_);
    Value slots = arith::MulIOp::create(b_, loc_, chunks, outputs);
    SmallVector<Value> partials;
    for (const Combiner &c : combiners_)
      partials.push_back(memref::AllocOp::create(
          b_, loc_, MemRefType::get({ShapedType::kDynamic}, c.acc.getType()),
          ValueRange{slots}));

    // Launch 1: thread (k, p) folds chunk k of output p's reduction.
    launchThreads(slots, [&](Value linear) {
      Value k = arith::DivUIOp::create(b_, loc_, linear, outputs);
      Value p = arith::RemUIOp::create(b_, loc_, linear, outputs);
      ivs_.assign(op_.getNumLoops(), Value());
      delinearizeParallel(p);
      Value lo = arith::MulIOp::create(b_, loc_, k, chunk);
      Value hi = arith::MinUIOp::create(
          b_, loc_, arith::AddIOp::create(b_, loc_, lo, chunk), length);
      SmallVector<Value> identities;
      for (const Combiner &c : combiners_)
        identities.push_back(arith::ConstantOp::create(b_, loc_, c.identity));
      auto loop = scf::ForOp::create(b_, loc_, lo, hi, constant(1), identities);
      {
        OpBuilder::InsertionGuard g(b_);
        b_.setInsertionPointToStart(loop.getBody());
        delinearizeReduction(loop.getInductionVar());
        IRMapping mapping;
        for (auto [c, acc] : llvm::zip(combiners_, loop.getRegionIterArgs()))
          mapping.map(c.acc, acc);
        for (OpOperand *in : op_.getDpsInputOperands())
          if (!body->getArgument(in->getOperandNumber()).use_empty())
            mapping.map(body->getArgument(in->getOperandNumber()), load(*in));
        scf::YieldOp::create(b_, loc_, cloneBody(mapping));
      }
      for (auto [partial, value] : llvm::zip(partials, loop.getResults()))
        memref::StoreOp::create(b_, loc_, value, partial, ValueRange{linear});
    });

    // Launch 2: thread p folds its K partials into output p (from the fill
    // value, or from what the output holds).
    launchThreads(outputs, [&](Value p) {
      ivs_.assign(op_.getNumLoops(), Value());
      delinearizeParallel(p);
      SmallVector<Value> inits;
      for (OpOperand &init : op_.getDpsInitsMutable()) {
        unsigned i = init.getOperandNumber() - op_.getNumDpsInputs();
        inits.push_back(i < fills_.size() && fills_[i]
                            ? fills_[i]
                            : memref::LoadOp::create(b_, loc_, init.get(),
                                                     indicesOf(init)));
      }
      auto loop = scf::ForOp::create(b_, loc_, constant(0), chunks, constant(1), inits);
      {
        OpBuilder::InsertionGuard g(b_);
        b_.setInsertionPointToStart(loop.getBody());
        Value slot = arith::AddIOp::create(
            b_, loc_, arith::MulIOp::create(b_, loc_, loop.getInductionVar(), outputs), p);
        SmallVector<Value> folded;
        for (auto [c, partial, acc] :
             llvm::zip(combiners_, partials, loop.getRegionIterArgs())) {
          Value v = memref::LoadOp::create(b_, loc_, partial, ValueRange{slot});
          IRMapping mapping;
          for (Value operand : c.op->getOperands())
            mapping.map(operand, operand == c.acc ? acc : v);
          folded.push_back(b_.clone(*c.op, mapping)->getResult(0));
        }
        scf::YieldOp::create(b_, loc_, folded);
      }
      for (auto [init, value] : llvm::zip(op_.getDpsInitsMutable(), loop.getResults()))
        memref::StoreOp::create(b_, loc_, value, init.get(), indicesOf(init));
    });
    for (Value partial : partials)
      memref::DeallocOp::create(b_, loc_, partial);
  }

  Value constant(int64_t v) { return arith::ConstantIndexOp::create(b_, loc_, v); }

  Value threadExtent(unsigned d) {
    if (width_ > 1 && d + 1 == op_.getNumLoops())
      return arith::DivUIOp::create(b_, loc_, sizes_[d], constant(width_));
    return sizes_[d];
  }

  /// ivs_[d] for every parallel d, innermost fastest (coalesced).
  void delinearize(Value linear) {
    ivs_.assign(op_.getNumLoops(), Value());
    delinearizeParallel(linear);
  }

  void delinearizeParallel(Value linear) {
    for (unsigned i = parallel_.size(); i-- > 0;) {
      unsigned d = parallel_[i];
      Value extent = threadExtent(d);
      Value iv = i == 0 ? linear : arith::RemUIOp::create(b_, loc_, linear, extent);
      if (i != 0)
        linear = arith::DivUIOp::create(b_, loc_, linear, extent);
      if (width_ > 1 && d + 1 == op_.getNumLoops())
        iv = arith::MulIOp::create(b_, loc_, iv, constant(width_));
      ivs_[d] = iv;
    }
  }

  SmallVector<Value> indicesOf(OpOperand &operand) {
    AffineMap map = op_.getMatchingIndexingMap(&operand);
    SmallVector<Value> indices;
    for (unsigned i = 0; i < map.getNumResults(); ++i) {
      AffineExpr e = map.getResult(i);
      if (auto dim = dyn_cast<AffineDimExpr>(e)) {
        indices.push_back(ivs_[dim.getPosition()]);
        continue;
      }
      indices.push_back(affine::AffineApplyOp::create(
          b_, loc_, map.getSubMap({i}), ivs_));
    }
    return indices;
  }

  /// The element of `operand` this thread reads (a scalar operand is its
  /// own element).
  Value load(OpOperand &operand) {
    if (!isa<MemRefType>(operand.get().getType()))
      return operand.get();
    return memref::LoadOp::create(b_, loc_, operand.get(), indicesOf(operand));
  }

  /// Clones the body with `mapping` (block arguments already mapped) and
  /// returns the yielded values.
  SmallVector<Value> cloneBody(IRMapping &mapping) {
    for (Operation &inner : op_.getBody()->without_terminator()) {
      if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
        mapping.map(index.getResult(), ivs_[index.getDim()]);
        continue;
      }
      b_.clone(inner, mapping);
    }
    SmallVector<Value> yielded;
    for (Value v : op_.getBody()->getTerminator()->getOperands())
      yielded.push_back(mapping.lookupOrDefault(v));
    return yielded;
  }

  void emitScalarBody() {
    Block *body = op_.getBody();
    IRMapping mapping;
    auto loadInputs = [&] {
      for (OpOperand *in : op_.getDpsInputOperands())
        if (!body->getArgument(in->getOperandNumber()).use_empty())
          mapping.map(body->getArgument(in->getOperandNumber()), load(*in));
    };
    SmallVector<Value> inits;
    for (OpOperand &init : op_.getDpsInitsMutable()) {
      BlockArgument arg = body->getArgument(init.getOperandNumber());
      // An output the body never reads is only written; a reduction into a
      // freshly filled output starts from the fill value.
      unsigned i = init.getOperandNumber() - op_.getNumDpsInputs();
      if (!reduction_.empty() && i < fills_.size() && fills_[i])
        inits.push_back(fills_[i]);
      else
        inits.push_back(arg.use_empty() && reduction_.empty()
                            ? Value()
                            : memref::LoadOp::create(b_, loc_, init.get(),
                                                     indicesOf(init)));
    }
    SmallVector<Value> results;
    if (reduction_.empty()) {
      for (auto [init, value] : llvm::zip(op_.getDpsInitsMutable(), inits))
        if (value)
          mapping.map(body->getArgument(init.getOperandNumber()), value);
      loadInputs();
      results = cloneBody(mapping);
    } else {
      // The accumulators live in registers across the reduction loops.
      SmallVector<Value> lbs, ubs, steps;
      for (unsigned d : reduction_) {
        lbs.push_back(constant(0));
        ubs.push_back(sizes_[d]);
        steps.push_back(constant(1));
      }
      scf::LoopNest nest = scf::buildLoopNest(
          b_, loc_, lbs, ubs, steps, inits,
          [&](OpBuilder &nb, Location, ValueRange ivs, ValueRange accs) {
            OpBuilder::InsertionGuard g(b_);
            b_.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
            for (auto [d, iv] : llvm::zip(reduction_, ivs))
              ivs_[d] = iv;
            for (auto [init, acc] : llvm::zip(op_.getDpsInitsMutable(), accs))
              mapping.map(body->getArgument(init.getOperandNumber()), acc);
            loadInputs();
            return scf::ValueVector(cloneBody(mapping));
          });
      results.assign(nest.results.begin(), nest.results.end());
    }
    for (auto [init, value] : llvm::zip(op_.getDpsInitsMutable(), results))
      memref::StoreOp::create(b_, loc_, value, init.get(), indicesOf(init));
  }

  void emitVectorBody() {
    Block *body = op_.getBody();
    IRMapping mapping;
    auto vectorOf = [&](Type t) { return VectorType::get({width_}, t); };
    auto alignmentOf = [&](Value buffer) -> llvm::MaybeAlign {
      auto type = cast<MemRefType>(buffer.getType());
      if (!isVectorAligned(buffer, width_))
        return std::nullopt;
      return llvm::Align(width_ * type.getElementTypeBitWidth() / 8);
    };
    for (OpOperand &operand : op_->getOpOperands()) {
      BlockArgument arg = body->getArgument(operand.getOperandNumber());
      if (arg.use_empty())
        continue; // e.g. an output that is only written
      Type elt = arg.getType();
      Value value;
      if (accesses_[operand.getOperandNumber()] == Access::Vector) {
        value = vector::LoadOp::create(b_, loc_, vectorOf(elt), operand.get(),
                                       indicesOf(operand), /*nontemporal=*/false,
                                       alignmentOf(operand.get()));
      } else {
        Value scalar = load(operand);
        value = vector::BroadcastOp::create(b_, loc_, vectorOf(elt), scalar);
      }
      mapping.map(arg, value);
    }
    auto vectorize = [&](Value v) -> Value {
      if (Value mapped = mapping.lookupOrNull(v))
        return mapped;
      // Defined above the generic (a constant, a captured scalar).
      Value splat = vector::BroadcastOp::create(b_, loc_, vectorOf(v.getType()), v);
      mapping.map(v, splat);
      return splat;
    };
    for (Operation &inner : body->without_terminator()) {
      OperationState state(inner.getLoc(), inner.getName());
      for (Value v : inner.getOperands())
        state.addOperands(vectorize(v));
      for (Type t : inner.getResultTypes())
        state.addTypes(vectorOf(t));
      state.addAttributes(inner.getAttrs());
      Operation *clone = b_.create(state);
      mapping.map(inner.getResults(), clone->getResults());
    }
    Operation *yield = body->getTerminator();
    for (auto [init, v] : llvm::zip(op_.getDpsInitsMutable(), yield->getOperands()))
      vector::StoreOp::create(b_, loc_, vectorize(v), init.get(), indicesOf(init),
                              /*nontemporal=*/false, alignmentOf(init.get()));
  }

  linalg::GenericOp op_;
  const weir::LinalgToGpuOptions &options_;
  ArrayRef<Value> fills_;
  OpBuilder b_;
  Location loc_;
  SmallVector<unsigned> parallel_, reduction_;
  SmallVector<Access> accesses_;
  int64_t width_ = 1;
  SmallVector<Value> sizes_, ivs_;
  int64_t outputs_ = 1; ///< split reductions: the static output count
  SmallVector<Combiner> combiners_;
};

} // namespace

LogicalResult weir::linalgToGpu(func::FuncOp func,
                                const LinalgToGpuOptions &options) {
  // Copies that bufferization inserted run on the device too.
  func.walk([&](memref::CopyOp copy) {
    if (copy->getParentOfType<gpu::LaunchOp>())
      return;
    OpBuilder b(copy);
    linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(), copy.getTarget());
    copy->erase();
  });
  SmallVector<linalg::LinalgOp> ops;
  func.walk([&](linalg::LinalgOp op) {
    if (op.hasPureBufferSemantics() && !op->getParentOfType<gpu::LaunchOp>())
      ops.push_back(op);
  });
  // A linalg.fill that only initializes the accumulator of the reduction
  // right after it (pure ops between) folds into that kernel: one launch
  // and one pass over the output fewer.
  DenseMap<Operation *, std::pair<SmallVector<Value>, SmallVector<Operation *>>>
      fillsOf;
  llvm::SmallPtrSet<Operation *, 8> folded;
  for (linalg::LinalgOp op : ops) {
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    if (!generic || generic.getNumReductionLoops() == 0)
      continue;
    SmallVector<Value> fills(generic.getNumDpsInits());
    SmallVector<Operation *> fillOps;
    for (Operation *prev = op->getPrevNode(); prev; prev = prev->getPrevNode()) {
      auto fill = dyn_cast<linalg::FillOp>(prev);
      if (!fill) {
        if (isMemoryEffectFree(prev))
          continue;
        break;
      }
      for (OpOperand &init : generic.getDpsInitsMutable())
        if (fill.getOutputs()[0] == init.get() && !folded.contains(fill)) {
          fills[init.getOperandNumber() - generic.getNumDpsInputs()] =
              fill.getInputs()[0];
          folded.insert(fill);
          fillOps.push_back(fill);
        }
    }
    if (!fillOps.empty())
      fillsOf[op] = {fills, fillOps};
  }
  IRRewriter rewriter(func.getContext());
  auto toKernel = [&](linalg::LinalgOp op, ArrayRef<Value> fills) {
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    if (!generic) {
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::GenericOp> g = linalg::generalizeNamedOp(rewriter, op);
      if (failed(g))
        return failure(); // left for the upstream parallel-loop path
      generic = *g;
    }
    return KernelEmitter(generic, options, fills).emit();
  };
  for (linalg::LinalgOp op : ops) {
    if (folded.contains(op))
      continue;
    auto fills = fillsOf.find(op);
    if (fills == fillsOf.end()) {
      (void)toKernel(op, {});
      continue;
    }
    auto &[values, fillOps] = fills->second;
    if (succeeded(toKernel(op, values))) {
      for (Operation *fill : fillOps)
        fill->erase();
      continue;
    }
    // Unhandled: its fills run after all, as kernels of their own.
    for (Operation *fill : fillOps)
      (void)toKernel(cast<linalg::LinalgOp>(fill), {});
  }
  return success();
}

namespace {
struct LinalgToGpuPass : weir::impl::LinalgToGpuBase<LinalgToGpuPass> {
  using LinalgToGpuBase::LinalgToGpuBase;
  void runOnOperation() override {
    weir::LinalgToGpuOptions options;
    options.blockSize = blockSize;
    options.vectorBits = vectorBits;
    if (failed(weir::linalgToGpu(getOperation(), options)))
      signalPassFailure();
  }
};

} // namespace
