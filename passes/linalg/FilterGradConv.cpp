//===- FilterGradConv.cpp - the filter gradient of a 2-D convolution -----===//
#include "passes/linalg/FilterGradConv.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace {

constexpr unsigned kLoops = 7; // kh, kw, c, f | n, oh, ow

SmallVector<AffineMap> filterGradMaps(MLIRContext *ctx,
                                      const weir::FilterGradConv &conv) {
  auto e = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
  const int64_t *s = conv.strides, *d = conv.dilations;
  return {AffineMap::get(kLoops, 0,
                         {e(4), e(5) * s[0] + e(0) * d[0],
                          e(6) * s[1] + e(1) * d[1], e(2)},
                         ctx),
          AffineMap::get(kLoops, 0, {e(4), e(5), e(6), e(3)}, ctx),
          AffineMap::get(kLoops, 0, {e(0), e(1), e(2), e(3)}, ctx)};
}

SmallVector<utils::IteratorType> filterGradIterators() {
  auto par = utils::IteratorType::parallel, red = utils::IteratorType::reduction;
  return {par, par, par, par, red, red, red};
}

/// The coefficient of loop `dim` in the linear `expr`.
std::optional<int64_t> coefficient(AffineExpr expr, unsigned dim) {
  MLIRContext *ctx = expr.getContext();
  SmallVector<AffineExpr> dims(kLoops, getAffineConstantExpr(0, ctx));
  dims[dim] = getAffineConstantExpr(1, ctx);
  if (auto c = dyn_cast<AffineConstantExpr>(expr.replaceDims(dims)))
    return c.getValue();
  return std::nullopt;
}

/// `out + a * b` (either order of each operation) over the block arguments.
bool isMulAddBody(Block &body) {
  if (body.getOperations().size() != 3)
    return false;
  auto mul = dyn_cast<arith::MulFOp>(&body.front());
  auto add = dyn_cast_or_null<arith::AddFOp>(mul ? mul->getNextNode() : nullptr);
  if (!mul || !add)
    return false;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  Value a = body.getArgument(0), b = body.getArgument(1), out = body.getArgument(2);
  auto isPair = [](Value x, Value y, Value p, Value q) {
    return (x == p && y == q) || (x == q && y == p);
  };
  return yield->getNumOperands() == 1 && yield->getOperand(0) == add &&
         isPair(mul.getLhs(), mul.getRhs(), a, b) &&
         isPair(add.getLhs(), add.getRhs(), out, mul);
}

} // namespace

linalg::GenericOp weir::buildFilterGradConv(OpBuilder &b, Location loc,
                                            const FilterGradConv &conv) {
  SmallVector<Type, 1> results;
  if (isa<RankedTensorType>(conv.init.getType()))
    results.push_back(conv.init.getType());
  return linalg::GenericOp::create(
      b, loc, results, ValueRange{conv.input, conv.outputGrad},
      ValueRange{conv.init}, filterGradMaps(b.getContext(), conv),
      filterGradIterators(), [](OpBuilder &nb, Location l, ValueRange a) {
        Value p = arith::MulFOp::create(nb, l, a[0], a[1]);
        linalg::YieldOp::create(nb, l,
                                arith::AddFOp::create(nb, l, a[2], p).getResult());
      });
}

std::optional<weir::FilterGradConv>
weir::matchFilterGradConv(linalg::LinalgOp op) {
  auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!generic || generic.getNumDpsInputs() != 2 ||
      generic.getNumDpsInits() != 1 || generic.getNumLoops() != kLoops ||
      generic.getIteratorTypesArray() != filterGradIterators() ||
      !isMulAddBody(*generic.getBody()))
    return std::nullopt;
  AffineMap x = generic.getIndexingMapsArray()[0];
  if (x.getNumResults() != 4)
    return std::nullopt;
  FilterGradConv conv;
  for (unsigned axis = 0; axis < 2; ++axis) {
    std::optional<int64_t> s = coefficient(x.getResult(1 + axis), 5 + axis);
    std::optional<int64_t> d = coefficient(x.getResult(1 + axis), axis);
    if (!s || !d || *s < 1 || *d < 1)
      return std::nullopt;
    conv.strides[axis] = *s;
    conv.dilations[axis] = *d;
  }
  if (generic.getIndexingMapsArray() != filterGradMaps(op.getContext(), conv))
    return std::nullopt;
  conv.input = generic.getDpsInputs()[0];
  conv.outputGrad = generic.getDpsInputs()[1];
  conv.init = generic.getDpsInits()[0];
  return conv;
}
