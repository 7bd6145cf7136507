//===- RegisterBlock.cpp - register-blocked contraction loop nests -------===//
//
// A convolution, its two backward products and a batched product all have
// the form `out[.., f] += a[..] * b[.., f]`: one operand (`a`) gives a
// scalar per step, the other (`b`) a row along the output's contiguous
// axis f. This pass emits each such op as the loop nest an expert writes
// by hand (the micro-kernel of BLIS, oneDNN's jit convolutions): a block of
// `t1 x t2` output rows (adjacent pixels, or input channels and kernel
// columns) times a few vectors of f is read into registers, the reduction
// runs with the block carried as loop values (per step: one load per
// vector of `b`, one broadcast per row from `a`, one FMA per accumulator),
// and the block is written back once. The block is chosen for the most
// FMAs per load whose accumulators fit the register file; with too few
// accumulators to hide the FMA latency, the innermost reduction is split
// into independent partial sums.
//
// Emitting the nest directly (instead of tiling, decomposing and
// vectorizing the op, then hoisting the accumulators) leaves LLVM a small
// loop body: the fully unrolled reduction the vectorizer produces for a
// block of more than one pixel made LLVM's scheduler hoist every load and
// spill (1,400 spill and reload instructions for one conv tile).
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "passes/Transforms.h"
#include "passes/linalg/LinalgBuilders.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/TargetParser/Host.h"

#include <cstdlib>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_REGISTERBLOCK
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;
using weir::RegisterFile;

namespace {
/// How one contraction is blocked.
struct Plan {
  unsigned a = 0, b = 1; // input numbers: scalar operand, row operand
  unsigned f = 0;        // loop of the rows' contiguous axis
  int64_t fTile = 0;     // elements of f per block
  SmallVector<int64_t> chunks;                         // vector widths
  SmallVector<std::pair<unsigned, int64_t>> blocked;   // loop, rows
  int64_t split = 1;     // partial sums over the innermost reduction
  bool pairs = false;    // bf16 pair dot products over the innermost one
  SmallVector<unsigned> outer;   // loops around the block, in order
  SmallVector<unsigned> inner;   // reductions inside it, in order
};
} // namespace

RegisterFile weir::hostRegisterFile() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  int64_t dots = hostUsesBf16Dot() ? 1 : 0;
  if (features.lookup("avx512f"))
    return {16, 32, dots};
  if (features.lookup("avx"))
    return {8, 16, dots};
  return {4, 16, dots};
}

bool weir::hostUsesBf16Dot() {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  if (!features.lookup("avx512bf16") || !features.lookup("avx512vl"))
    return false;
  if (const char *forced = std::getenv("WEIR_BF16_DOT");
      forced && (llvm::StringRef(forced) == "0" ||
                 llvm::StringRef(forced) == "1"))
    return forced[0] == '1';
  // The Zen cores that have AVX512_BF16 (znver4, znver5, later ones) run
  // vdpbf16ps at the FMA issue rate; no Intel core measured so far does.
  llvm::StringRef cpu = llvm::sys::getHostCPUName();
  return cpu.starts_with("znver") && cpu != "znver1" && cpu != "znver2" &&
         cpu != "znver3";
}

std::string weir::describeHostCodegen() {
  RegisterFile regs = hostRegisterFile();
  llvm::StringRef isa = regs.lanes == 16  ? "AVX-512"
                        : regs.lanes == 8 ? "AVX2"
                                          : "SSE";
  std::string bf16 =
      regs.bf16Dot ? "vdpbf16ps pair dot products"
      : llvm::sys::getHostCPUFeatures().lookup("avx512bf16")
          ? "widened to f32, f32 FMAs (vdpbf16ps present, not used)"
          : "widened to f32, f32 FMAs";
  return (llvm::sys::getHostCPUName() + "; " + isa + ": " +
          llvm::Twine(regs.lanes) + " f32 lanes x " +
          llvm::Twine(regs.registers) + " registers; bf16 products: " + bf16)
      .str();
}

/// Whether the body is `yield acc + x * y` over the two inputs, each
/// possibly widened first (`arith.extf`: bf16 or f16 operands with f32
/// accumulation).
static bool isMulAdd(linalg::LinalgOp op) {
  Block *body = op.getBlock();
  if (body->getNumArguments() != 3)
    return false;
  auto add = body->getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value acc = body->getArgument(2);
  Value product = add.getLhs() == acc   ? add.getRhs()
                  : add.getRhs() == acc ? add.getLhs()
                                        : Value();
  auto mul = product ? product.getDefiningOp<arith::MulFOp>() : nullptr;
  if (!mul)
    return false;
  auto source = [](Value v) {
    if (auto ext = v.getDefiningOp<arith::ExtFOp>())
      return ext.getIn();
    return v;
  };
  Value l = source(mul.getLhs()), r = source(mul.getRhs());
  Value x = body->getArgument(0), y = body->getArgument(1);
  size_t ops = 2 + (l != mul.getLhs()) + (r != mul.getRhs());
  return llvm::hasNItems(body->without_terminator(), ops) &&
         ((l == x && r == y) || (l == y && r == x));
}

static std::optional<unsigned> lastDim(AffineMap map) {
  if (map.getNumResults() == 0)
    return std::nullopt;
  if (auto d = dyn_cast<AffineDimExpr>(map.getResults().back()))
    return d.getPosition();
  return std::nullopt;
}

static FailureOr<Plan> planBlock(linalg::LinalgOp op, RegisterFile regs) {
  if (!op.hasPureTensorSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumReductionLoops() == 0 ||
      !isMulAdd(op))
    return failure();
  Type elt = getElementTypeOrSelf(op.getDpsInits()[0].getType());
  if (!isa<FloatType>(elt) ||
      llvm::any_of(op.getDpsInputs(), [&](Value v) {
        auto t = dyn_cast<FloatType>(getElementTypeOrSelf(v.getType()));
        return !t || t.getWidth() > cast<FloatType>(elt).getWidth();
      }))
    return failure();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  AffineMap outMap = maps[2];
  std::optional<unsigned> f = lastDim(outMap);
  if (!outMap.isProjectedPermutation() || !f)
    return failure();
  Plan plan;
  plan.f = *f;
  bool found = false;
  for (unsigned b : {1u, 0u}) {
    unsigned a = 1 - b;
    AffineMap bm = maps[b];
    if (lastDim(bm) != f || maps[a].isFunctionOfDim(*f) ||
        llvm::any_of(bm.getResults().drop_back(),
                     [&](AffineExpr e) { return e.isFunctionOfDim(*f); }))
      continue;
    plan.a = a;
    plan.b = b;
    found = true;
    break;
  }
  if (!found)
    return failure();

  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t fSize = ranges[*f];
  if (ShapedType::isDynamic(fSize))
    return failure();
  int64_t lanes = std::max<int64_t>(regs.lanes * 32 / elt.getIntOrFloatBitWidth(), 1);
  int64_t budget = std::max<int64_t>(regs.registers - 6, 1);

  // Rows to block: output loops other than f, innermost first, that `a`
  // reads and `b` does not (so one row of `b` serves the whole block).
  // A dynamic loop (the batch rows of a matmul) may be blocked too: the
  // rows a block does not divide run in a remainder nest one at a time.
  SmallVector<unsigned> candidates;
  bool dynamicCandidate = false;
  for (AffineExpr e : llvm::reverse(outMap.getResults().drop_back())) {
    unsigned d = cast<AffineDimExpr>(e).getPosition();
    bool dynamic = ShapedType::isDynamic(ranges[d]);
    if ((dynamic ? !dynamicCandidate : ranges[d] > 1) &&
        maps[plan.a].isFunctionOfDim(d) && !maps[plan.b].isFunctionOfDim(d)) {
      candidates.push_back(d);
      dynamicCandidate |= dynamic;
    }
    if (candidates.size() == 2)
      break;
  }
  auto divisors = [&](int64_t n) {
    SmallVector<int64_t> out;
    // Dynamic loops get blocks of at most 8 rows, so the remainder nest
    // (up to 7 rows of a batch, one at a time) stays short.
    int64_t most = ShapedType::isDynamic(n) ? std::min<int64_t>(budget, 8) : n;
    for (int64_t i = 1; i <= most; ++i)
      if (ShapedType::isDynamic(n) || n % i == 0)
        out.push_back(i);
    return out;
  };
  int64_t r1 = candidates.size() > 0 ? ranges[candidates[0]] : 1;
  int64_t r2 = candidates.size() > 1 ? ranges[candidates[1]] : 1;
  double bestScore = -1;
  int64_t bestAcc = 0, t1Best = 1, t2Best = 1;
  // Named: a temporary inside llvm::reverse(...) would be destroyed before
  // the loop reads it (only the range object's lifetime is extended).
  SmallVector<int64_t> fTiles = divisors(fSize);
  SmallVector<int64_t> t1s = divisors(r1), t2s = divisors(r2);
  for (int64_t ft : llvm::reverse(fTiles)) {
    if (ft % lanes != 0 && !(ft == fSize && fSize <= 4 * lanes))
      continue;
    int64_t vectors = (ft + lanes - 1) / lanes;
    for (int64_t t1 : t1s)
      for (int64_t t2 : t2s) {
        int64_t acc = t1 * t2 * vectors;
        if (acc > budget)
          continue;
        double score = double(acc) / double(t1 * t2 + vectors);
        // Ties go to the bigger block, then to the innermost loop.
        if (score > bestScore + 1e-9 ||
            (score > bestScore - 1e-9 &&
             (acc > bestAcc || (acc == bestAcc && t1 > t1Best)))) {
          bestScore = score;
          bestAcc = acc;
          plan.fTile = ft;
          t1Best = t1;
          t2Best = t2;
        }
      }
  }
  if (bestScore < 0)
    return failure();
  for (int64_t left = plan.fTile; left > 0; left -= lanes)
    plan.chunks.push_back(std::min(left, lanes));
  if (t1Best > 1)
    plan.blocked.push_back({candidates[0], t1Best});
  if (t2Best > 1)
    plan.blocked.push_back({candidates[1], t2Best});

  // Dynamic reductions (the batch of a convolution's weight gradient) go
  // outermost when static ones remain for the block, so each image's rows
  // are reused by every block while in cache; the block is then read and
  // written once per image. A product over the batch alone (a dense
  // layer's weight gradient) keeps it inside.
  auto iters = op.getIteratorTypesArray();
  auto isReduction = [&](unsigned d) {
    return iters[d] == utils::IteratorType::reduction;
  };
  bool staticReduction = false;
  for (unsigned d = 0; d < ranges.size(); ++d)
    staticReduction |= isReduction(d) && !ShapedType::isDynamic(ranges[d]);
  for (unsigned d = 0; d < ranges.size(); ++d)
    if (isReduction(d) && ShapedType::isDynamic(ranges[d]) && staticReduction)
      plan.outer.push_back(d);
  for (unsigned d = 0; d < ranges.size(); ++d)
    if (!isReduction(d))
      plan.outer.push_back(d);
  for (unsigned d = 0; d < ranges.size(); ++d)
    if (isReduction(d) && (!ShapedType::isDynamic(ranges[d]) || !staticReduction))
      plan.inner.push_back(d);

  // AVX512_BF16 (bf16 operands, f32 accumulators): each step takes a pair
  // of the innermost reduction, one `vdpbf16ps` per accumulator doing two
  // products per lane, with the two rows of `b` interleaved in registers
  // and the two scalars of `a` broadcast as one 32-bit pair. No repacking:
  // the operands stay where they are.
  int64_t innermost = ranges[plan.inner.back()];
  auto isBf16 = [](Value v) {
    return isa<BFloat16Type>(getElementTypeOrSelf(v.getType()));
  };
  plan.pairs = regs.bf16Dot && elt.isF32() &&
               llvm::all_of(op.getDpsInputs(), isBf16) &&
               !ShapedType::isDynamic(innermost) && innermost % 2 == 0 &&
               llvm::all_of(plan.chunks, [](int64_t w) {
                 return w == 4 || w == 8 || w == 16;
               });

  // Enough independent accumulators to cover the FMA latency (about four
  // cycles at two FMAs a cycle): split the innermost reduction.
  int64_t minChains = std::max<int64_t>(regs.registers / 4, 1);
  if (bestAcc < minChains && !ShapedType::isDynamic(innermost)) {
    for (int64_t u : divisors(plan.pairs ? innermost / 2 : innermost))
      if (u > 1 && bestAcc * u >= minChains && bestAcc * u <= budget) {
        plan.split = u;
        break;
      }
  }
  return plan;
}

/// `map`'s results at the loop values `ivs`, each loop `d` shifted by
/// `shift[d]`.
static SmallVector<Value> indicesAt(OpBuilder &b, Location loc, AffineMap map,
                                    ArrayRef<Value> ivs, ArrayRef<int64_t> shift) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineExpr> shifted;
  for (unsigned d = 0; d < ivs.size(); ++d)
    shifted.push_back(getAffineDimExpr(d, ctx) + shift[d]);
  SmallVector<Value> out;
  for (AffineExpr e : map.getResults()) {
    AffineExpr s = e.replaceDims(shifted);
    if (auto c = dyn_cast<AffineConstantExpr>(s)) {
      out.push_back(arith::ConstantIndexOp::create(b, loc, c.getValue()));
      continue;
    }
    SmallVector<OpFoldResult> operands(ivs.begin(), ivs.end());
    out.push_back(getValueOrCreateConstantIndexOp(
        b, loc,
        affine::makeComposedFoldedAffineApply(
            b, loc, AffineMap::get(ivs.size(), 0, s), operands)));
  }
  return out;
}

/// Loop `dim` of a nest runs over [lb, ub) instead of its whole range.
struct Bound {
  int64_t dim = -1;
  Value lb, ub;
};

/// The loop nest of `plan` accumulating into `init`; returns the result.
/// `aVal` and `bVal` are the op's inputs `plan.a` and `plan.b`, possibly
/// already widened to the accumulator's type.
static Value emitNest(RewriterBase &rw, linalg::LinalgOp op, const Plan &plan,
                      Value aVal, Value bVal, Value init, Bound bound) {
  Location loc = op.getLoc();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  Type elt = getElementTypeOrSelf(init.getType());
  unsigned n = op.getNumLoops();
  SmallVector<Range> ranges = op.createLoopRanges(rw, loc);
  auto size = [&](unsigned d) {
    return getValueOrCreateConstantIndexOp(rw, loc, ranges[d].size);
  };
  Value zero = arith::ConstantIndexOp::create(rw, loc, 0);
  SmallVector<int64_t> tile(n, 1);
  tile[plan.f] = plan.fTile;
  for (auto [d, t] : plan.blocked)
    tile[d] = t;

  // The block's rows: every combination of offsets of the blocked loops.
  SmallVector<SmallVector<int64_t>> rows{SmallVector<int64_t>(n, 0)};
  for (auto [d, t] : plan.blocked) {
    SmallVector<SmallVector<int64_t>> next;
    for (const auto &r : rows)
      for (int64_t o = 0; o < t; ++o) {
        next.push_back(r);
        next.back()[d] = o;
      }
    rows = std::move(next);
  }
  SmallVector<int64_t> chunkOffset;
  int64_t offset = 0;
  for (int64_t w : plan.chunks) {
    chunkOffset.push_back(offset);
    offset += w;
  }
  size_t perSet = rows.size() * plan.chunks.size();
  auto accIndex = [&](int64_t set, size_t row, size_t chunk) {
    return set * perSet + row * plan.chunks.size() + chunk;
  };

  SmallVector<Value> lbs, ubs, steps;
  for (unsigned d : plan.outer) {
    lbs.push_back(int64_t(d) == bound.dim ? bound.lb : zero);
    ubs.push_back(int64_t(d) == bound.dim ? bound.ub : size(d));
    steps.push_back(arith::ConstantIndexOp::create(rw, loc, tile[d]));
  }
  SmallVector<Value> innerLbs, innerUbs, innerSteps;
  for (unsigned d : plan.inner) {
    innerLbs.push_back(zero);
    innerUbs.push_back(size(d));
    innerSteps.push_back(arith::ConstantIndexOp::create(
        rw, loc, d == plan.inner.back() ? plan.split * (plan.pairs ? 2 : 1) : 1));
  }

  scf::LoopNest nest = scf::buildLoopNest(
      rw, loc, lbs, ubs, steps, ValueRange{init},
      [&](OpBuilder &b, Location loc, ValueRange outerIvs,
          ValueRange args) -> scf::ValueVector {
        SmallVector<Value> ivs(n, zero);
        for (auto [i, d] : llvm::enumerate(plan.outer))
          ivs[d] = outerIvs[i];
        auto shiftFor = [&](ArrayRef<int64_t> row, int64_t fOffset) {
          SmallVector<int64_t> s(row.begin(), row.end());
          s[plan.f] = fOffset;
          return s;
        };
        Value padding = arith::ConstantOp::create(b, loc, b.getZeroAttr(elt));
        // Read the block; the extra partial-sum sets start at zero.
        SmallVector<Value> accs(plan.split * perSet);
        for (auto [r, row] : llvm::enumerate(rows))
          for (auto [c, w] : llvm::enumerate(plan.chunks)) {
            auto type = VectorType::get({w}, elt);
            SmallVector<Value> at =
                indicesAt(b, loc, maps[2], ivs, shiftFor(row, chunkOffset[c]));
            accs[accIndex(0, r, c)] = vector::TransferReadOp::create(
                b, loc, type, args[0], at, padding, ArrayRef<bool>{true});
            for (int64_t s = 1; s < plan.split; ++s)
              accs[accIndex(s, r, c)] = arith::ConstantOp::create(
                  b, loc, type, DenseElementsAttr::get(type, b.getZeroAttr(elt)));
          }

        // Partial-sum set `s` of one step over a pair of the innermost
        // reduction (k + 2s, k + 2s + 1): `b`'s two rows interleaved, `a`'s
        // two scalars broadcast as one i32, one vdpbf16ps per accumulator.
        auto pairStep = [&](OpBuilder &b, Location loc, ArrayRef<Value> full,
                            int64_t s, scf::ValueVector &next) {
          Type bf16 = b.getBF16Type();
          Value zero16 = arith::ConstantOp::create(b, loc, b.getZeroAttr(bf16));
          unsigned k = plan.inner.back();
          SmallVector<Value> bPairs;
          for (auto [c, w] : llvm::enumerate(plan.chunks)) {
            SmallVector<Value> halves;
            for (int64_t h = 0; h < 2; ++h) {
              SmallVector<int64_t> sh(n, 0);
              sh[k] = 2 * s + h;
              sh[plan.f] = chunkOffset[c];
              halves.push_back(vector::TransferReadOp::create(
                  b, loc, VectorType::get({w}, bf16), bVal,
                  indicesAt(b, loc, maps[plan.b], full, sh), zero16,
                  ArrayRef<bool>{true}));
            }
            SmallVector<int64_t> mask;
            for (int64_t i = 0; i < w; ++i)
              mask.append({i, w + i});
            bPairs.push_back(vector::ShuffleOp::create(b, loc, halves[0],
                                                       halves[1], mask));
          }
          Type i32 = b.getI32Type();
          for (auto [r, row] : llvm::enumerate(rows)) {
            SmallVector<Value> two;
            for (int64_t h = 0; h < 2; ++h) {
              SmallVector<int64_t> sh(row.begin(), row.end());
              sh[k] += 2 * s + h;
              two.push_back(tensor::ExtractOp::create(
                  b, loc, aVal, indicesAt(b, loc, maps[plan.a], full, sh)));
            }
            Value pair = vector::FromElementsOp::create(
                b, loc, VectorType::get({2}, bf16), two);
            Value word = vector::ExtractOp::create(
                b, loc,
                vector::BitCastOp::create(b, loc, VectorType::get({1}, i32), pair),
                ArrayRef<int64_t>{0});
            DenseMap<int64_t, Value> splat;
            for (auto [c, w] : llvm::enumerate(plan.chunks)) {
              Value &v = splat[w];
              if (!v)
                v = vector::BitCastOp::create(
                    b, loc, VectorType::get({2 * w}, bf16),
                    vector::BroadcastOp::create(b, loc, VectorType::get({w}, i32),
                                                word));
              Value &acc = next[accIndex(s, r, c)];
              acc = x86vector::DotBF16Op::create(b, loc, acc.getType(), acc, v,
                                                 bPairs[c]);
            }
          }
        };

        auto step = [&](OpBuilder &b, Location loc, ValueRange innerIvs,
                        ValueRange carried) -> scf::ValueVector {
          SmallVector<Value> full = ivs;
          for (auto [i, d] : llvm::enumerate(plan.inner))
            full[d] = innerIvs[i];
          scf::ValueVector next(carried.begin(), carried.end());
          for (int64_t s = 0; s < plan.split; ++s) {
            if (plan.pairs) {
              pairStep(b, loc, full, s, next);
              continue;
            }
            SmallVector<Value> bRows;
            SmallVector<int64_t> splitShift(n, 0);
            splitShift[plan.inner.back()] = s;
            for (auto [c, w] : llvm::enumerate(plan.chunks)) {
              SmallVector<int64_t> sh = splitShift;
              sh[plan.f] = chunkOffset[c];
              Value row = vector::TransferReadOp::create(
                  b, loc, VectorType::get({w}, elt), bVal,
                  indicesAt(b, loc, maps[plan.b], full, sh),
                  arith::ConstantOp::create(b, loc, b.getZeroAttr(elt)),
                  ArrayRef<bool>{true});
              bRows.push_back(row);
            }
            for (auto [r, row] : llvm::enumerate(rows)) {
              SmallVector<int64_t> sh(row.begin(), row.end());
              sh[plan.inner.back()] += s;
              Value scalar = tensor::ExtractOp::create(
                  b, loc, aVal, indicesAt(b, loc, maps[plan.a], full, sh));
              DenseMap<int64_t, Value> splat;
              for (auto [c, w] : llvm::enumerate(plan.chunks)) {
                Value &v = splat[w];
                if (!v)
                  v = vector::BroadcastOp::create(b, loc, VectorType::get({w}, elt),
                                                  scalar);
                Value &acc = next[accIndex(s, r, c)];
                acc = vector::FMAOp::create(b, loc, v, bRows[c], acc);
              }
            }
          }
          return next;
        };
        scf::LoopNest innerNest =
            scf::buildLoopNest(b, loc, innerLbs, innerUbs, innerSteps, accs, step);
        SmallVector<Value> sums(innerNest.results.begin(), innerNest.results.end());
        for (size_t i = 0; i < perSet; ++i)
          for (int64_t s = 1; s < plan.split; ++s)
            sums[i] = arith::AddFOp::create(b, loc, sums[i], sums[s * perSet + i]);
        Value out = args[0];
        for (auto [r, row] : llvm::enumerate(rows))
          for (auto [c, w] : llvm::enumerate(plan.chunks)) {
            SmallVector<Value> at =
                indicesAt(b, loc, maps[2], ivs, shiftFor(row, chunkOffset[c]));
            out = vector::TransferWriteOp::create(b, loc, sums[accIndex(0, r, c)],
                                                  out, at, ArrayRef<bool>{true})
                      .getResult();
          }
        return {out};
      });
  return nest.results.front();
}

/// Replaces `op` by the nest of `plan`. A blocked loop of dynamic size runs
/// in whole blocks up to the last multiple of the block, then the rest of
/// its range one row at a time.
static void emitBlock(RewriterBase &rw, linalg::LinalgOp op, const Plan &plan) {
  rw.setInsertionPoint(op);
  Location loc = op.getLoc();
  Value init = op.getDpsInits()[0];
  // A 16-bit operand of a product accumulating in f32 is read many times
  // (each activation by every filter, each weight by every pixel): widened
  // once here, by an elementwise op, the nest's inner loop is the f32 one
  // with its loads folded into the FMAs, instead of a load, a widening and
  // a temporary register per vector and step.
  // Pair dot products read the bf16 operands as they are.
  Type elt = getElementTypeOrSelf(init.getType());
  using weir::lowering::convertFloats;
  Value aVal = op.getDpsInputs()[plan.a], bVal = op.getDpsInputs()[plan.b];
  if (!plan.pairs) {
    aVal = convertFloats(rw, loc, aVal, elt);
    bVal = convertFloats(rw, loc, bVal, elt);
  }
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  auto dynamic = llvm::find_if(plan.blocked, [&](auto &b) {
    return ShapedType::isDynamic(ranges[b.first]);
  });
  if (dynamic == plan.blocked.end()) {
    rw.replaceOp(op, emitNest(rw, op, plan, aVal, bVal, init, {}));
    return;
  }
  auto [d, t] = *dynamic;
  Value size = getValueOrCreateConstantIndexOp(
      rw, loc, op.createLoopRanges(rw, loc)[d].size);
  Value tile = arith::ConstantIndexOp::create(rw, loc, t);
  Value whole = arith::MulIOp::create(
      rw, loc, arith::DivUIOp::create(rw, loc, size, tile), tile);
  Value zero = arith::ConstantIndexOp::create(rw, loc, 0);
  Value main =
      emitNest(rw, op, plan, aVal, bVal, init, {int64_t(d), zero, whole});
  Plan rest = plan;
  rest.blocked.erase(rest.blocked.begin() + (dynamic - plan.blocked.begin()));
  rw.replaceOp(op, emitNest(rw, op, rest, aVal, bVal, main,
                            {int64_t(d), whole, size}));
}

LogicalResult weir::registerBlockContractions(ModuleOp module,
                                              RegisterFile regs) {
  RegisterFile host = hostRegisterFile();
  if (regs.lanes <= 0 || regs.registers <= 0) {
    regs.lanes = host.lanes;
    regs.registers = host.registers;
  }
  if (regs.bf16Dot < 0)
    regs.bf16Dot = host.bf16Dot;
  std::vector<std::pair<linalg::LinalgOp, Plan>> work;
  module.walk([&](linalg::LinalgOp op) {
    if (!isa<linalg::GenericOp, linalg::Conv2DNhwcHwcfOp, linalg::MatmulOp>(
            op.getOperation()))
      return;
    if (FailureOr<Plan> plan = planBlock(op, regs); succeeded(plan))
      work.push_back({op, *plan});
  });
  IRRewriter rewriter(module.getContext());
  for (auto &[op, plan] : work)
    emitBlock(rewriter, op, plan);
  return success();
}

namespace {
struct RegisterBlockPass
    : weir::impl::RegisterBlockBase<RegisterBlockPass> {
  using Base::Base;
  void runOnOperation() override {
    if (failed(weir::registerBlockContractions(
            getOperation(), {vectorLanes, vectorRegisters, bf16Dot})))
      signalPassFailure();
  }
};
} // namespace
