//===- SplitFilterGrads.cpp - a filter gradient per kernel offset (CPU) --===//
//
// The CPU's lowering of the filter-gradient generic (FilterGradConv.h): for
// each kernel offset (y, x), the input rows that offset meets are a
// strided slice xs [N, OH, OW, C] of the padded input, and
//   dk[y, x] += sum over (n, oh, ow) of xs^T dy,
// a [C, F] contraction with plain indexing maps, which
// weir-register-block turns into a register-blocked micro-kernel.
//
//===----------------------------------------------------------------------===//
#include "passes/linalg/FilterGradConv.h"
#include "passes/Passes.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_SPLITFILTERGRADS
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;

namespace {

/// dk[c, f] += sum over (n, h, w) of xs[n, h, w, c] * dy[n, h, w, f].
Value blockContraction(OpBuilder &b, Location loc, Value xs, Value dy,
                       Value init) {
  MLIRContext *ctx = b.getContext();
  auto e = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  AffineMap xsMap = AffineMap::get(5, 0, {e(0), e(1), e(2), e(3)}, ctx);
  AffineMap dyMap = AffineMap::get(5, 0, {e(0), e(1), e(2), e(4)}, ctx);
  AffineMap outMap = AffineMap::get(5, 0, {e(3), e(4)}, ctx);
  auto par = utils::IteratorType::parallel, red = utils::IteratorType::reduction;
  return linalg::GenericOp::create(
             b, loc, TypeRange{init.getType()}, ValueRange{xs, dy},
             ValueRange{init}, ArrayRef<AffineMap>{xsMap, dyMap, outMap},
             ArrayRef<utils::IteratorType>{red, red, red, par, par},
             [](OpBuilder &nb, Location l, ValueRange a) {
               Value p = arith::MulFOp::create(nb, l, a[0], a[1]);
               linalg::YieldOp::create(
                   nb, l, arith::AddFOp::create(nb, l, a[2], p).getResult());
             })
      .getResult(0);
}

void split(linalg::GenericOp op, const weir::FilterGradConv &conv) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto dkType = cast<RankedTensorType>(conv.init.getType());
  auto dyType = cast<RankedTensorType>(conv.outputGrad.getType());
  Type elt = dkType.getElementType();
  int64_t kh = dkType.getDimSize(0), kw = dkType.getDimSize(1);
  int64_t c = dkType.getDimSize(2), f = dkType.getDimSize(3);
  int64_t oh = dyType.getDimSize(1), ow = dyType.getDimSize(2);
  auto xsType = RankedTensorType::get({dyType.getDimSize(0), oh, ow, c}, elt);
  auto blockType = RankedTensorType::get({c, f}, elt);
  Value batch = tensor::DimOp::create(b, loc, conv.input, 0);
  auto index = [&](int64_t v) -> OpFoldResult { return b.getIndexAttr(v); };
  SmallVector<OpFoldResult> xsSizes{batch, index(oh), index(ow), index(c)};
  SmallVector<OpFoldResult> xsStrides{index(1), index(conv.strides[0]),
                                      index(conv.strides[1]), index(1)};
  SmallVector<OpFoldResult> blockSizes{index(1), index(1), index(c), index(f)};
  SmallVector<OpFoldResult> ones(4, index(1));
  Value dk = conv.init;
  for (int64_t y = 0; y < kh; ++y)
    for (int64_t x = 0; x < kw; ++x) {
      SmallVector<OpFoldResult> xsOffsets{index(0), index(y * conv.dilations[0]),
                                          index(x * conv.dilations[1]), index(0)};
      Value xs = tensor::ExtractSliceOp::create(b, loc, xsType, conv.input,
                                                xsOffsets, xsSizes, xsStrides);
      SmallVector<OpFoldResult> at{index(y), index(x), index(0), index(0)};
      // From the gradient so far (the offsets are disjoint), so each block
      // bufferizes in place.
      Value init = tensor::ExtractSliceOp::create(b, loc, blockType, dk, at,
                                                  blockSizes, ones);
      Value block = blockContraction(b, loc, xs, conv.outputGrad, init);
      dk = tensor::InsertSliceOp::create(b, loc, block, dk, at, blockSizes, ones);
    }
  op->getResult(0).replaceAllUsesWith(dk);
  op->erase();
}

} // namespace

void weir::splitFilterGrads(func::FuncOp func) {
  SmallVector<std::pair<linalg::GenericOp, FilterGradConv>> convs;
  func.walk([&](linalg::GenericOp op) {
    if (!op.hasPureTensorSemantics())
      return;
    if (std::optional<FilterGradConv> conv = matchFilterGradConv(op))
      convs.push_back({op, *conv});
  });
  for (auto &[op, conv] : convs)
    split(op, conv);
}

namespace {
struct SplitFilterGradsPass
    : weir::impl::SplitFilterGradsBase<SplitFilterGradsPass> {
  void runOnOperation() override { weir::splitFilterGrads(getOperation()); }
};
} // namespace
