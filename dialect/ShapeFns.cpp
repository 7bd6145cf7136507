//===- ShapeFns.cpp - the shape rule of every weir op -------------------===//
//
// One rule per op: it checks the operands against the op's numbered
// constraints (docs/spec.md; comments cite them as `op_cN`) and computes the
// result shapes. The verifier and weir-infer-shapes both call these rules,
// so a shape is decided in exactly one place. The window arithmetic they
// share with lowering is in Windows.cpp (ShapeFns.h).
//
//===----------------------------------------------------------------------===//
#include "dialect/ShapeFns.h"
#include "dialect/WeirOps.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace weir;

using Shapes = SmallVectorImpl<ShapedTypeComponents>;
static constexpr int64_t kDyn = ShapedType::kDynamic;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {
/// A view of a possibly unranked tensor type that answers "unknown" for the
/// dimensions of an unranked one.
struct TT {
  TensorType type;
  explicit TT(Value v) : type(cast<TensorType>(v.getType())) {}
  bool ranked() const { return type.hasRank(); }
  int64_t rank() const { return type.getRank(); }
  /// Dimension `i`, counting from the end when negative; kDyn if unranked.
  int64_t dim(int64_t i) const {
    if (!ranked())
      return kDyn;
    return type.getDimSize(i < 0 ? i + rank() : i);
  }
  Type elt() const { return type.getElementType(); }
};
} // namespace

static bool agree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}
static int64_t join(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) ? b : a;
}
static std::string dimStr(int64_t d) {
  return ShapedType::isDynamic(d) ? "?" : std::to_string(d);
}

static std::string listStr(ArrayRef<int64_t> values) {
  std::string s = "[";
  for (auto [i, v] : llvm::enumerate(values))
    s += (i ? ", " : "") + std::to_string(v);
  return s + "]";
}

/// The result has the shape and element type of the input.
static LogicalResult sameAsInput(Value input, Shapes &shapes) {
  shapes.emplace_back(cast<ShapedType>(input.getType()));
  return success();
}

/// The element types of `values` all equal that of `values[0]`.
static LogicalResult sameElementTypes(ValueRange values, EmitFn emitError,
                                      StringRef what) {
  Type first = cast<TensorType>(values[0].getType()).getElementType();
  for (Value v : values.drop_front())
    if (cast<TensorType>(v.getType()).getElementType() != first)
      return emitError() << what << " must all have element type " << first
                         << ", got " << v.getType();
  return success();
}

/// A 1-d parameter of the channel count `channels`.
static LogicalResult checkChannelVector(Value v, int64_t channels,
                                        EmitFn emitError, StringRef name) {
  TT t(v);
  if (t.ranked() && (t.rank() != 1 || !agree(t.dim(0), channels)))
    return emitError() << name << " must have shape [" << dimStr(channels)
                       << "], got " << t.type;
  return success();
}

static LogicalResult checkWindowAttr(ArrayRef<int64_t> values,
                                     EmitFn emitError, StringRef name) {
  if (values.size() != 2 || values[0] < 1 || values[1] < 1)
    return emitError() << name << " must be two positive integers";
  return success();
}

/// Output height and width of a window op over the NHWC `input`; checks
/// that a `valid` window fits where the input size is known.
static LogicalResult windowOutput(const TT &input, ArrayRef<int64_t> window,
                                  ArrayRef<int64_t> strides,
                                  ArrayRef<int64_t> dilation, Padding padding,
                                  EmitFn emitError, int64_t (&out)[2]) {
  for (int i = 0; i < 2; ++i) {
    int64_t in = input.dim(1 + i);
    out[i] = windowOutputSize(in, window[i], strides[i], dilation[i], padding);
    if (!ShapedType::isDynamic(in) && out[i] < 1)
      return emitError() << "window of " << effectiveWindow(window[i], dilation[i])
                         << " does not fit in input " << (i ? "width " : "height ")
                         << in << " with padding valid (use padding same?)";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

LogicalResult DenseOp::inferShape(Adaptor a, EmitFn emitError, Shapes &shapes) {
  TT x(a.getInput()), k(a.getKernel());
  SmallVector<Value> all{a.getInput(), a.getKernel()};
  if (a.getBias())
    all.push_back(a.getBias());
  // dense_c1: input, kernel and bias share one element type.
  if (failed(sameElementTypes(all, emitError, "input, kernel and bias")))
    return failure();
  // dense_c2: the input is [batch, features].
  if (x.ranked() && x.rank() != 2) {
    auto d = emitError() << "expects a rank-2 input [batch, features], got "
                         << x.type;
    if (x.rank() > 2)
      d << " (add flatten before it?)";
    return d;
  }
  // dense_c3: the kernel is [features, units] and matches the input.
  if (k.ranked() && k.rank() != 2)
    return emitError() << "expects a rank-2 kernel [features, units], got "
                       << k.type;
  if (!agree(x.dim(1), k.dim(0)))
    return emitError() << "kernel expects " << k.dim(0)
                       << " input features, but the input has " << x.dim(1);
  int64_t units = k.dim(1);
  // dense_c4: the bias is [units].
  if (a.getBias()) {
    if (failed(checkChannelVector(a.getBias(), units, emitError, "bias")))
      return failure();
    units = join(units, TT(a.getBias()).dim(0));
  }
  shapes.emplace_back(ArrayRef<int64_t>{x.dim(0), units}, x.elt());
  return success();
}

LogicalResult Conv2DOp::inferShape(Adaptor a, EmitFn emitError, Shapes &shapes) {
  TT x(a.getInput()), k(a.getKernel());
  SmallVector<Value> all{a.getInput(), a.getKernel()};
  if (a.getBias())
    all.push_back(a.getBias());
  // conv2d_c1: input, kernel and bias share one element type.
  if (failed(sameElementTypes(all, emitError, "input, kernel and bias")))
    return failure();
  // conv2d_c2: the input is NHWC.
  if (x.ranked() && x.rank() != 4)
    return emitError() << "expects a rank-4 NHWC input, got " << x.type;
  // conv2d_c3: the kernel is HWIO with I equal to the input channels.
  if (k.ranked() && k.rank() != 4)
    return emitError() << "expects a rank-4 kernel [height, width, "
                          "in_channels, filters], got "
                       << k.type;
  if (!agree(x.dim(3), k.dim(2)))
    return emitError() << "kernel expects " << k.dim(2)
                       << " input channels, but the input has " << x.dim(3);
  // conv2d_c4: strides and dilation are pairs of positive integers.
  if (failed(checkWindowAttr(a.getStrides(), emitError, "strides")) ||
      failed(checkWindowAttr(a.getDilation(), emitError, "dilation")))
    return failure();
  int64_t filters = k.dim(3);
  // conv2d_c5: the bias is [filters].
  if (a.getBias()) {
    if (failed(checkChannelVector(a.getBias(), filters, emitError, "bias")))
      return failure();
    filters = join(filters, TT(a.getBias()).dim(0));
  }
  // conv2d_c6: with padding valid, the dilated kernel fits in the input.
  int64_t window[2] = {k.dim(0), k.dim(1)};
  int64_t out[2] = {kDyn, kDyn};
  if (k.ranked() &&
      failed(windowOutput(x, window, a.getStrides(), a.getDilation(),
                          a.getPadding(), emitError, out)))
    return failure();
  shapes.emplace_back(ArrayRef<int64_t>{x.dim(0), out[0], out[1], filters},
                      x.elt());
  return success();
}

template <typename PoolOp>
static LogicalResult inferPoolShape(typename PoolOp::Adaptor a,
                                    EmitFn emitError, Shapes &shapes) {
  TT x(a.getInput());
  // pool2d_c1: the input is NHWC.
  if (x.ranked() && x.rank() != 4)
    return emitError() << "expects a rank-4 NHWC input, got " << x.type;
  // pool2d_c2: pool_size and strides are pairs of positive integers.
  ArrayRef<int64_t> strides =
      a.getStrides() ? *a.getStrides() : a.getPoolSize();
  if (failed(checkWindowAttr(a.getPoolSize(), emitError, "pool_size")) ||
      failed(checkWindowAttr(strides, emitError, "strides")))
    return failure();
  // pool2d_c3: with padding valid, the window fits in the input.
  int64_t out[2];
  int64_t dilation[2] = {1, 1};
  if (failed(windowOutput(x, a.getPoolSize(), strides, dilation,
                          a.getPadding(), emitError, out)))
    return failure();
  shapes.emplace_back(ArrayRef<int64_t>{x.dim(0), out[0], out[1], x.dim(3)},
                      x.elt());
  return success();
}

LogicalResult MaxPool2DOp::inferShape(Adaptor a, EmitFn emitError,
                                      Shapes &shapes) {
  return inferPoolShape<MaxPool2DOp>(a, emitError, shapes);
}

LogicalResult AvgPool2DOp::inferShape(Adaptor a, EmitFn emitError,
                                      Shapes &shapes) {
  return inferPoolShape<AvgPool2DOp>(a, emitError, shapes);
}

LogicalResult GlobalAvgPool2DOp::inferShape(Adaptor a, EmitFn emitError,
                                            Shapes &shapes) {
  TT x(a.getInput());
  // global_avg_pool2d_c1: the input is NHWC.
  if (x.ranked() && x.rank() != 4)
    return emitError() << "expects a rank-4 NHWC input, got " << x.type;
  if (a.getKeepdims())
    shapes.emplace_back(ArrayRef<int64_t>{x.dim(0), 1, 1, x.dim(3)}, x.elt());
  else
    shapes.emplace_back(ArrayRef<int64_t>{x.dim(0), x.dim(3)}, x.elt());
  return success();
}

/// The checks shared by both batch-norm forms; `stats` are gamma, beta,
/// mean and variance.
static LogicalResult checkBatchNorm(Value input, ValueRange stats,
                                    double epsilon, EmitFn emitError) {
  SmallVector<Value> all{input};
  all.append(stats.begin(), stats.end());
  // batch_norm_c1: all operands share one element type.
  if (failed(sameElementTypes(all, emitError, "operands")))
    return failure();
  TT x(input);
  // batch_norm_c2: the input has a batch axis and a channel axis.
  if (x.ranked() && x.rank() < 2)
    return emitError() << "expects an input of rank 2 or more, got " << x.type;
  // batch_norm_c3: gamma, beta, mean and variance are [channels].
  static const char *names[] = {"gamma", "beta", "mean", "variance"};
  for (auto [v, name] : llvm::zip(stats, names))
    if (failed(checkChannelVector(v, x.dim(-1), emitError, name)))
      return failure();
  // batch_norm_c4: epsilon is positive.
  if (!(epsilon > 0))
    return emitError() << "epsilon must be positive, got " << epsilon;
  return success();
}

LogicalResult BatchNormOp::inferShape(Adaptor a, EmitFn emitError,
                                      Shapes &shapes) {
  Value stats[] = {a.getGamma(), a.getBeta(), a.getMean(), a.getVariance()};
  if (failed(checkBatchNorm(a.getInput(), stats,
                            a.getEpsilon().convertToDouble(), emitError)))
    return failure();
  // batch_norm_c5: momentum is in [0, 1].
  double momentum = a.getMomentum().convertToDouble();
  if (!(momentum >= 0 && momentum <= 1))
    return emitError() << "momentum must be in [0, 1], got " << momentum;
  return sameAsInput(a.getInput(), shapes);
}

LogicalResult BatchNormTrainOp::inferShape(Adaptor a, EmitFn emitError,
                                           Shapes &shapes) {
  Value stats[] = {a.getGamma(), a.getBeta(), a.getMovingMean(),
                   a.getMovingVariance()};
  if (failed(checkBatchNorm(a.getInput(), stats,
                            a.getEpsilon().convertToDouble(), emitError)))
    return failure();
  // batch_norm_train_c1: momentum is in [0, 1].
  double momentum = a.getMomentum().convertToDouble();
  if (!(momentum >= 0 && momentum <= 1))
    return emitError() << "momentum must be in [0, 1], got " << momentum;
  (void)sameAsInput(a.getInput(), shapes);
  (void)sameAsInput(a.getMovingMean(), shapes);
  (void)sameAsInput(a.getMovingVariance(), shapes);
  return success();
}

LogicalResult DropoutOp::inferShape(Adaptor a, EmitFn emitError,
                                    Shapes &shapes) {
  // dropout_c1: 0 <= rate < 1.
  double rate = a.getRate().convertToDouble();
  if (!(rate >= 0 && rate < 1))
    return emitError() << "rate must be in [0, 1), got " << rate;
  // dropout_c2: a seed attribute or an rng operand, not both.
  if (a.getSeed() && a.getRng())
    return emitError() << "takes a seed attribute or an rng operand, not both";
  return sameAsInput(a.getInput(), shapes);
}

//===----------------------------------------------------------------------===//
// Structure
//===----------------------------------------------------------------------===//

LogicalResult FlattenOp::inferShape(Adaptor a, EmitFn emitError,
                                    Shapes &shapes) {
  TT x(a.getInput());
  if (!x.ranked()) {
    shapes.emplace_back(ArrayRef<int64_t>{kDyn, kDyn}, x.elt());
    return success();
  }
  // flatten_c1: the input has a batch dimension.
  if (x.rank() < 1)
    return emitError() << "expects an input with a batch dimension, got "
                       << x.type;
  int64_t features = 1;
  for (int64_t d : x.type.getShape().drop_front())
    features = ShapedType::isDynamic(d) || ShapedType::isDynamic(features)
                   ? kDyn
                   : features * d;
  shapes.emplace_back(ArrayRef<int64_t>{x.dim(0), features}, x.elt());
  return success();
}

LogicalResult ReshapeOp::inferShape(Adaptor a, EmitFn emitError,
                                    Shapes &shapes) {
  TT x(a.getInput());
  ArrayRef<int64_t> target = a.getShape();
  // reshape_c1: entries are positive, except at most one -1.
  int64_t inferIndex = -1, known = 1;
  for (auto [i, d] : llvm::enumerate(target)) {
    if (d == -1 && inferIndex < 0) {
      inferIndex = i;
      continue;
    }
    if (d < 1)
      return emitError() << "shape entries must be positive, with at most one "
                            "-1, got "
                         << d << " at position " << i;
    known *= d;
  }
  // reshape_c2: the input has a batch dimension.
  if (x.ranked() && x.rank() < 1)
    return emitError() << "expects an input with a batch dimension, got "
                       << x.type;
  SmallVector<int64_t> dims{x.dim(0)};
  dims.append(target.begin(), target.end());
  std::optional<int64_t> count;
  if (x.ranked() && llvm::none_of(x.type.getShape().drop_front(),
                                  ShapedType::isDynamic)) {
    count = 1;
    for (int64_t d : x.type.getShape().drop_front())
      *count *= d;
  }
  // reshape_c3: one example keeps its number of elements.
  if (count && (inferIndex < 0 ? *count != known : *count % known != 0))
    return emitError() << "cannot reshape examples of " << *count
                       << " elements to " << listStr(target);
  if (inferIndex >= 0)
    dims[1 + inferIndex] = count ? *count / known : kDyn;
  shapes.emplace_back(dims, x.elt());
  return success();
}

LogicalResult AddOp::inferShape(Adaptor a, EmitFn emitError, Shapes &shapes) {
  ValueRange inputs = a.getInputs();
  // add_c1: at least two operands.
  if (inputs.size() < 2)
    return emitError() << "expects at least two operands, got "
                       << inputs.size();
  // add_c2: one element type.
  if (failed(sameElementTypes(inputs, emitError, "operands")))
    return failure();
  // add_c3: shapes agree (no broadcasting).
  std::optional<SmallVector<int64_t>> dims;
  for (Value v : inputs) {
    TT t(v);
    if (!t.ranked())
      continue;
    if (!dims) {
      dims.emplace(t.type.getShape());
      continue;
    }
    if (t.rank() != static_cast<int64_t>(dims->size()))
      return emitError() << "operand shapes differ: " << inputs[0].getType()
                         << " and " << t.type;
    for (auto [i, d] : llvm::enumerate(t.type.getShape())) {
      if (!agree((*dims)[i], d))
        return emitError() << "operand shapes differ in dimension " << i
                           << ": " << dimStr((*dims)[i]) << " and " << d;
      (*dims)[i] = join((*dims)[i], d);
    }
  }
  Type elt = TT(inputs[0]).elt();
  if (dims)
    shapes.emplace_back(*dims, elt);
  else
    shapes.emplace_back(elt);
  return success();
}

LogicalResult ConcatOp::inferShape(Adaptor a, EmitFn emitError,
                                   Shapes &shapes) {
  ValueRange inputs = a.getInputs();
  // concat_c1: at least one operand.
  if (inputs.empty())
    return emitError() << "expects at least one operand";
  // concat_c2: one element type.
  if (failed(sameElementTypes(inputs, emitError, "operands")))
    return failure();
  Type elt = TT(inputs[0]).elt();
  std::optional<int64_t> rank;
  for (Value v : inputs) {
    TT t(v);
    if (!t.ranked())
      continue;
    // concat_c3: one rank.
    if (rank && *rank != t.rank())
      return emitError() << "operands must have one rank, got "
                         << inputs[0].getType() << " and " << t.type;
    rank = t.rank();
  }
  if (!rank) {
    shapes.emplace_back(elt);
    return success();
  }
  // concat_c4: -rank <= axis < rank.
  auto axis = static_cast<int64_t>(a.getAxis());
  if (axis < -*rank || axis >= *rank)
    return emitError() << "axis " << axis << " is out of range for rank "
                       << *rank;
  if (axis < 0)
    axis += *rank;
  SmallVector<int64_t> dims(*rank, kDyn);
  int64_t total = 0;
  bool anyUnranked = false;
  for (Value v : inputs) {
    TT t(v);
    if (!t.ranked()) {
      anyUnranked = true;
      continue;
    }
    for (int64_t i = 0; i < *rank; ++i) {
      int64_t d = t.dim(i);
      if (i == axis) {
        total = ShapedType::isDynamic(d) || ShapedType::isDynamic(total)
                    ? kDyn
                    : total + d;
        continue;
      }
      // concat_c5: dimensions other than axis agree.
      if (!agree(dims[i], d))
        return emitError() << "operands differ in dimension " << i
                           << " (not the concatenation axis): "
                           << dimStr(dims[i]) << " and " << d;
      dims[i] = join(dims[i], d);
    }
  }
  dims[axis] = anyUnranked ? kDyn : total;
  shapes.emplace_back(dims, elt);
  return success();
}

LogicalResult CastOp::inferShape(Adaptor a, EmitFn emitError, Shapes &shapes) {
  // cast_c1: dtype is an integer or float type.
  Type dtype = a.getDtype();
  if (!isa<FloatType, IntegerType>(dtype))
    return emitError() << "dtype must be an integer or float type, got "
                       << dtype;
  TT x(a.getInput());
  if (x.ranked())
    shapes.emplace_back(x.type.getShape(), dtype);
  else
    shapes.emplace_back(dtype);
  return success();
}

LogicalResult RescaleOp::inferShape(Adaptor a, EmitFn, Shapes &shapes) {
  // rescale_c1: integer inputs give f32, float inputs keep their type.
  TT x(a.getInput());
  Type elt = isa<FloatType>(x.elt()) ? x.elt()
                                     : Float32Type::get(x.elt().getContext());
  if (x.ranked())
    shapes.emplace_back(x.type.getShape(), elt);
  else
    shapes.emplace_back(elt);
  return success();
}

//===----------------------------------------------------------------------===//
// Activations
//===----------------------------------------------------------------------===//

LogicalResult ReluOp::inferShape(Adaptor a, EmitFn, Shapes &shapes) {
  return sameAsInput(a.getInput(), shapes);
}
LogicalResult SigmoidOp::inferShape(Adaptor a, EmitFn, Shapes &shapes) {
  return sameAsInput(a.getInput(), shapes);
}
LogicalResult TanhOp::inferShape(Adaptor a, EmitFn, Shapes &shapes) {
  return sameAsInput(a.getInput(), shapes);
}
LogicalResult GeluOp::inferShape(Adaptor a, EmitFn, Shapes &shapes) {
  return sameAsInput(a.getInput(), shapes);
}

LogicalResult SoftmaxOp::inferShape(Adaptor a, EmitFn emitError,
                                    Shapes &shapes) {
  TT x(a.getInput());
  // softmax_c1: -rank <= axis < rank.
  auto axis = static_cast<int64_t>(a.getAxis());
  if (x.ranked() && (axis < -x.rank() || axis >= x.rank()))
    return emitError() << "axis " << axis
                       << " is out of range for rank " << x.rank();
  return sameAsInput(a.getInput(), shapes);
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

/// The scalar loss of `prediction`'s element type.
static LogicalResult scalarLoss(Value prediction, Shapes &shapes) {
  shapes.emplace_back(ArrayRef<int64_t>{}, TT(prediction).elt());
  return success();
}

/// loss_c1: prediction and target have one shape (and element type).
static LogicalResult sameShapeLoss(Value prediction, Value target,
                                   EmitFn emitError, Shapes &shapes) {
  TT p(prediction), t(target);
  if (p.elt() != t.elt())
    return emitError() << "prediction and target must have one element type, "
                          "got "
                       << p.type << " and " << t.type;
  if (p.ranked() && t.ranked()) {
    if (p.rank() != t.rank())
      return emitError() << "prediction " << p.type << " and target "
                         << t.type << " differ in rank";
    for (int64_t i = 0; i < p.rank(); ++i)
      if (!agree(p.dim(i), t.dim(i)))
        return emitError() << "prediction " << p.type << " and target "
                           << t.type << " differ in dimension " << i;
  }
  return scalarLoss(prediction, shapes);
}

LogicalResult SparseCategoricalCrossentropyOp::inferShape(Adaptor a,
                                                          EmitFn emitError,
                                                          Shapes &shapes) {
  TT p(a.getPrediction()), t(a.getTarget());
  // sparse_categorical_crossentropy_c1: prediction is [B, C], target [B].
  if (p.ranked() && p.rank() != 2)
    return emitError() << "expects a prediction [batch, classes], got "
                       << p.type;
  if (t.ranked() && t.rank() != 1)
    return emitError() << "expects integer labels [batch], got " << t.type;
  if (!agree(p.dim(0), t.dim(0)))
    return emitError() << "has " << p.dim(0) << " predictions but "
                       << t.dim(0) << " labels";
  return scalarLoss(a.getPrediction(), shapes);
}

LogicalResult CategoricalCrossentropyOp::inferShape(Adaptor a,
                                                    EmitFn emitError,
                                                    Shapes &shapes) {
  // categorical_crossentropy_c1: [B, C] and one shape.
  TT p(a.getPrediction());
  if (p.ranked() && p.rank() != 2)
    return emitError() << "expects a prediction [batch, classes], got "
                       << p.type;
  return sameShapeLoss(a.getPrediction(), a.getTarget(), emitError, shapes);
}

LogicalResult BinaryCrossentropyOp::inferShape(Adaptor a, EmitFn emitError,
                                               Shapes &shapes) {
  // binary_crossentropy_c1: one shape.
  return sameShapeLoss(a.getPrediction(), a.getTarget(), emitError, shapes);
}

LogicalResult MeanSquaredErrorOp::inferShape(Adaptor a, EmitFn emitError,
                                             Shapes &shapes) {
  // mean_squared_error_c1: one shape; c2: no from_logits.
  if (a.getFromLogits())
    return emitError() << "does not take from_logits";
  return sameShapeLoss(a.getPrediction(), a.getTarget(), emitError, shapes);
}
