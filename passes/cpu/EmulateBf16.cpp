//===- EmulateBf16.cpp - bf16 on CPUs without bf16 arithmetic ------------===//
//
// x86 computes nothing in bf16, and rounds f32 to bf16 in hardware only
// with AVX512_BF16 or AVX-NE-CONVERT; elsewhere LLVM legalizes each
// rounding into one libcall per element. Arith's float emulation moves the
// arithmetic to f32, and its bf16 expansion spells the casts in integer
// ops, which vectorize on any CPU.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/TargetParser/Host.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_EMULATEBF16
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;

bool weir::hostRoundsToBf16() {
  // The pass runs once per function; the host's features are read once.
  static const bool rounds = [] {
    llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
    return (features.lookup("avx512bf16") && features.lookup("avx512vl")) ||
           features.lookup("avxneconvert");
  }();
  return rounds;
}

static bool isBf16(Type t) { return isa<BFloat16Type>(getElementTypeOrSelf(t)); }

/// Whether the f32 value `v` holds a bf16 value exactly: a widened bf16,
/// or the larger, the smaller, a choice, a negation or a magnitude of such
/// values (none of which rounds).
static bool isExactBf16(Value v, int depth = 0) {
  Operation *def = v.getDefiningOp();
  if (!def || depth > 8)
    return false;
  if (auto ext = dyn_cast<arith::ExtFOp>(def))
    return isBf16(ext.getIn().getType());
  if (isa<arith::MaximumFOp, arith::MinimumFOp, arith::MaxNumFOp,
          arith::MinNumFOp>(def))
    return isExactBf16(def->getOperand(0), depth + 1) &&
           isExactBf16(def->getOperand(1), depth + 1);
  if (auto select = dyn_cast<arith::SelectOp>(def))
    return isExactBf16(select.getTrueValue(), depth + 1) &&
           isExactBf16(select.getFalseValue(), depth + 1);
  if (isa<arith::NegFOp, math::AbsFOp>(def))
    return isExactBf16(def->getOperand(0), depth + 1);
  return false;
}

namespace {
/// extf(truncf(v)) is v when v is a bf16 value already: the chain of a
/// max pool's window (max of max of ...) stays in f32 between its steps.
struct DropExactRoundTrip : OpRewritePattern<arith::ExtFOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::ExtFOp ext,
                                PatternRewriter &rewriter) const override {
    auto trunc = ext.getIn().getDefiningOp<arith::TruncFOp>();
    if (!trunc || !isBf16(trunc.getType()) ||
        trunc.getIn().getType() != ext.getType() ||
        !isExactBf16(trunc.getIn()))
      return failure();
    rewriter.replaceOp(ext, trunc.getIn());
    return success();
  }
};

/// A choice between bf16 values as a choice between their bits: LLVM
/// scalarizes `select` on bf16 vectors (a compare and a branch per lane),
/// but blends i16 vectors.
struct SelectBits : OpRewritePattern<arith::SelectOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::SelectOp select,
                                PatternRewriter &rewriter) const override {
    Type type = select.getType();
    if (!isBf16(type))
      return failure();
    Type bits = rewriter.getI16Type();
    if (auto shaped = dyn_cast<ShapedType>(type))
      bits = shaped.clone(bits);
    Location loc = select.getLoc();
    Value t = arith::BitcastOp::create(rewriter, loc, bits, select.getTrueValue());
    Value f = arith::BitcastOp::create(rewriter, loc, bits, select.getFalseValue());
    Value chosen =
        arith::SelectOp::create(rewriter, loc, select.getCondition(), t, f);
    rewriter.replaceOpWithNewOp<arith::BitcastOp>(select, type, chosen);
    return success();
  }
};
} // namespace

LogicalResult weir::emulateBf16(Operation *root, bool expandCasts) {
  MLIRContext *ctx = root->getContext();
  TypeConverter converter;
  arith::populateEmulateUnsupportedFloatsConversions(
      converter, {BFloat16Type::get(ctx)}, Float32Type::get(ctx));
  RewritePatternSet emulation(ctx);
  arith::populateEmulateUnsupportedFloatsPatterns(emulation, converter);
  ConversionTarget target(*ctx);
  arith::populateEmulateUnsupportedFloatsLegality(target, converter);
  if (failed(applyPartialConversion(root, target, std::move(emulation))))
    return failure();
  // The emulation marks its casts `contract`, which lets extf(truncf(x))
  // fold to x: a chain of bf16 ops would then skip the rounding between
  // them, and compute something else than bf16 (and than a host that
  // rounds in hardware). Each op's result rounds to bf16 here.
  root->walk([&](Operation *op) {
    if (auto ext = dyn_cast<arith::ExtFOp>(op)) {
      if (isBf16(ext.getIn().getType()))
        ext.setFastmath(arith::FastMathFlags::none);
    } else if (auto trunc = dyn_cast<arith::TruncFOp>(op)) {
      if (isBf16(trunc.getType()))
        trunc.setFastmath(arith::FastMathFlags::none);
    }
  });
  RewritePatternSet cleanup(ctx);
  cleanup.add<DropExactRoundTrip, SelectBits>(ctx);
  if (failed(applyPatternsGreedily(root, std::move(cleanup))))
    return failure();
  if (!expandCasts)
    return success();
  RewritePatternSet casts(ctx);
  arith::populateExpandBFloat16Patterns(casts);
  return applyPatternsGreedily(root, std::move(casts));
}

namespace {
struct EmulateBf16Pass : weir::impl::EmulateBf16Base<EmulateBf16Pass> {
  using Base::Base;
  void runOnOperation() override {
    bool expand;
    if (rounding == "expand")
      expand = true;
    else if (rounding == "keep")
      expand = false;
    else if (rounding == "host")
      expand = !weir::hostRoundsToBf16();
    else {
      getOperation().emitError("weir-emulate-bf16: rounding must be expand, "
                               "keep or host, not '")
          << rounding << "'";
      return signalPassFailure();
    }
    if (failed(weir::emulateBf16(getOperation(), expand)))
      signalPassFailure();
  }
};
} // namespace
