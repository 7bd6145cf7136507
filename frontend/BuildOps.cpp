//===- BuildOps.cpp - one weir op (and its parameters) per call ----------===//
//
// Each function reads the call's arguments (Keras defaults where absent),
// declares the layer's parameters, builds the op with an unranked result
// and refines it at once. A layer's `activation:` becomes a separate op at
// the layer's location.
//
//===----------------------------------------------------------------------===//
#include "frontend/Builder.h"

#include "mlir/IR/TypeUtilities.h"

#include <optional>
#include <type_traits>

using namespace mlir;
using namespace weir;
using namespace weir::frontend;
using llvm::StringRef;

namespace {
/// Reads a call's arguments in order and stops at the first bad one, whose
/// diagnostic is out: each read gives its value, or T() without running
/// once one has failed. Check ok() before using what was read.
class ArgReader {
public:
  template <typename Read>
  auto operator()(Read &&read)
      -> std::optional<std::decay_t<decltype(*read())>> {
    using T = std::decay_t<decltype(*read())>;
    if (failed_)
      return T();
    auto value = read();
    if (mlir::failed(value)) {
      failed_ = true;
      return T();
    }
    return std::move(*value);
  }
  bool ok() const { return !failed_; }

private:
  bool failed_ = false;
};
} // namespace

/// The size of the last dimension of `v`, or kDynamic. A kernel sized from a
/// dimension that is not the right one only exists until the op's verifier
/// rejects the input's rank; a dynamic size fails parameter_c1.
static int64_t lastDim(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || type.getRank() == 0)
    return ShapedType::kDynamic;
  return type.getShape().back();
}

static int64_t rankOf(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  return type ? type.getRank() : -1;
}

FailureOr<Value> ModuleBuilder::buildInput(const BoundCall &call) {
  if (call.chained())
    return call.chained();
  return buildTensor(*call.get("input"),
                     "the input of " + StringRef(call.def().name));
}

LogicalResult ModuleBuilder::checkFloat(const BoundCall &call, Value v,
                                        llvm::SMLoc at) {
  if (isa<FloatType>(getElementTypeOrSelf(v.getType())))
    return success();
  return source.error(at) << call.def().name << " expects a float tensor, got "
                          << v.getType() << " (rescale or cast it first)";
}

FailureOr<Value> ModuleBuilder::activate(Activation act, Value v, Location at) {
  Type type = unranked(getElementTypeOrSelf(v.getType()));
  Operation *op = nullptr;
  switch (act) {
  case Activation::Linear:
    return v;
  case Activation::Relu:
    op = ReluOp::create(builder, at, type, v);
    break;
  case Activation::Sigmoid:
    op = SigmoidOp::create(builder, at, type, v);
    break;
  case Activation::Tanh:
    op = TanhOp::create(builder, at, type, v);
    break;
  case Activation::Softmax:
    op = SoftmaxOp::create(builder, at, type, v);
    break;
  case Activation::Gelu:
    op = GeluOp::create(builder, at, type, v, /*approximate=*/false);
    break;
  }
  if (failed(refine(op)))
    return failure();
  return op->getResult(0);
}

FailureOr<Value> ModuleBuilder::buildOp(const BoundCall &call) {
  FailureOr<Value> out = buildLayerOps(call);
  if (failed(out))
    return failure();
  // Layers with parameters took their name while reading their arguments
  // (after their inputs, so that nested layers are numbered first); the
  // others take it now.
  if (namedCall != &call) {
    FailureOr<std::string> name = layerName(call);
    if (failed(name))
      return failure();
  }
  // Every op of the layer is at loc("<layer>"(file:line:col)).
  Location at = loc(call.loc());
  Location named = NameLoc::get(builder.getStringAttr(namedLayer), at);
  for (Operation &op : *builder.getInsertionBlock())
    if (op.getLoc() == at)
      op.setLoc(named);
  namedCall = nullptr; // a later call may live at the same address
  return out;
}

FailureOr<Value> ModuleBuilder::buildLayerOps(const BoundCall &call) {
  OpKind kind = call.def().kind;
  if (kind == OpKind::Add || kind == OpKind::Concat)
    return buildMerge(call);
  FailureOr<Value> input = buildInput(call);
  if (failed(input))
    return failure();
  if (call.def().floatInputs && failed(checkFloat(call, *input, call.loc())))
    return failure();
  switch (kind) {
  case OpKind::Dense:
    return buildDense(call, *input);
  case OpKind::Conv2D:
    return buildConv2D(call, *input);
  case OpKind::MaxPool2D:
  case OpKind::AvgPool2D:
  case OpKind::GlobalAvgPool2D:
    return buildPool(call, *input);
  case OpKind::BatchNorm:
    return buildBatchNorm(call, *input);
  default:
    return buildSimple(call, *input);
  }
}

FailureOr<Value> ModuleBuilder::buildKernelLayer(
    const BoundCall &call, Value input, ArrayRef<int64_t> kernelShape,
    int64_t units,
    function_ref<Operation *(Location, Type, Value, Value)> build) {
  ArgReader read;
  auto act = read([&] { return call.getActivation("activation"); });
  auto useBias = read([&] { return call.getBool("use_bias", true); });
  auto kernelInit = read([&] {
    return call.getInit("kernel_initializer", InitKind::glorot_uniform);
  });
  auto biasInit =
      read([&] { return call.getInit("bias_initializer", InitKind::zeros); });
  auto name = read([&] { return layerName(call); });
  // Keras' layer dtype: the type weir-auto-mixed-precision computes the
  // layer (and its activation) in, whatever the policy.
  static const StringRef kLayerDTypes[] = {"float32", "bfloat16", "float16"};
  auto dtype = read([&] { return call.getEnum("dtype", kLayerDTypes, 3); });
  if (!read.ok())
    return failure();

  Location at = loc(call.loc());
  Type elt = getElementTypeOrSelf(input.getType());
  Value kernel = param(*name, "kernel", kernelShape, elt, *kernelInit, false, at);
  Value bias = *useBias
                   ? param(*name, "bias", {units}, elt, *biasInit, false, at)
                   : Value();
  Operation *op = build(at, unranked(elt), kernel, bias);
  if (failed(refine(op)))
    return failure();
  FailureOr<Value> out = activate(*act, op->getResult(0), at);
  if (succeeded(out) && *dtype < 3) {
    Type types[] = {builder.getF32Type(), builder.getBF16Type(),
                    builder.getF16Type()};
    auto attr = TypeAttr::get(types[*dtype]);
    StringRef key = WeirDialect::ComputeTypeAttrHelper::getNameStr();
    op->setAttr(key, attr);
    if (Operation *activation = out->getDefiningOp(); activation != op)
      activation->setAttr(key, attr);
  }
  return out;
}

FailureOr<Value> ModuleBuilder::buildDense(const BoundCall &call, Value input) {
  FailureOr<int64_t> units = call.getInt("units", 0, 1, INT32_MAX);
  if (failed(units))
    return failure();
  return buildKernelLayer(
      call, input, {lastDim(input), *units}, *units,
      [&](Location at, Type type, Value kernel, Value bias) {
        return DenseOp::create(builder, at, type, input, kernel, bias)
            .getOperation();
      });
}

FailureOr<Value> ModuleBuilder::buildConv2D(const BoundCall &call,
                                            Value input) {
  ArgReader read;
  auto filters = read([&] { return call.getInt("filters", 0, 1, INT32_MAX); });
  auto kernelSize = read([&] { return call.getPair("kernel_size", {}); });
  auto strides = read([&] { return call.getPair("strides", {1, 1}); });
  auto padding = read([&] { return call.getPadding("padding"); });
  auto dilation = read([&] { return call.getPair("dilation_rate", {1, 1}); });
  if (!read.ok())
    return failure();
  // HWIO: [kh, kw, in_channels, filters].
  return buildKernelLayer(
      call, input,
      {(*kernelSize)[0], (*kernelSize)[1], lastDim(input), *filters}, *filters,
      [&](Location at, Type type, Value kernel, Value bias) {
        return Conv2DOp::create(builder, at, type, input, kernel, bias,
                                *strides, *padding, *dilation)
            .getOperation();
      });
}

FailureOr<Value> ModuleBuilder::buildPool(const BoundCall &call, Value input) {
  ArgReader read;
  Location at = loc(call.loc());
  Type type = unranked(getElementTypeOrSelf(input.getType()));
  Operation *op;
  if (call.def().kind == OpKind::GlobalAvgPool2D) {
    auto keepdims = read([&] { return call.getBool("keepdims", false); });
    if (!read.ok())
      return failure();
    op = GlobalAvgPool2DOp::create(builder, at, type, input, *keepdims);
  } else {
    auto poolSize = read([&] { return call.getPair("pool_size", {2, 2}); });
    if (!read.ok())
      return failure();
    // Strides default to the pool size (Keras); an absent attribute says so.
    DenseI64ArrayAttr strides;
    if (call.get("strides")) {
      auto s = read([&] { return call.getPair("strides", {}); });
      if (!read.ok())
        return failure();
      strides = builder.getDenseI64ArrayAttr(*s);
    }
    auto padding = read([&] { return call.getPadding("padding"); });
    if (!read.ok())
      return failure();
    if (call.def().kind == OpKind::MaxPool2D)
      op = MaxPool2DOp::create(builder, at, type, input, *poolSize, strides,
                               *padding);
    else
      op = AvgPool2DOp::create(builder, at, type, input, *poolSize, strides,
                               *padding);
  }
  if (failed(refine(op)))
    return failure();
  return op->getResult(0);
}

FailureOr<Value> ModuleBuilder::buildBatchNorm(const BoundCall &call,
                                               Value input) {
  ArgReader read;
  auto axis =
      read([&] { return call.getInt("axis", -1, INT64_MIN, INT64_MAX); });
  if (!read.ok())
    return failure();
  // weir.batch_norm normalizes over the last axis, Keras' default.
  if (*axis != -1 && *axis != rankOf(input) - 1)
    return source.error(call.get("axis")->loc)
           << "batch_norm normalizes over the last axis only (axis: -1), got "
              "axis "
           << *axis;
  auto momentum = read([&] { return call.getFloat("momentum", 0.99); });
  if (!read.ok())
    return failure();
  if (!(*momentum >= 0 && *momentum <= 1))
    return source.error(call.get("momentum")->loc)
           << "momentum of batch_norm must be between 0 and 1, got "
           << *momentum;
  auto epsilon = read([&] { return call.getFloat("epsilon", 1e-3); });
  auto betaInit =
      read([&] { return call.getInit("beta_initializer", InitKind::zeros); });
  auto gammaInit =
      read([&] { return call.getInit("gamma_initializer", InitKind::ones); });
  auto meanInit = read(
      [&] { return call.getInit("moving_mean_initializer", InitKind::zeros); });
  auto varianceInit = read([&] {
    return call.getInit("moving_variance_initializer", InitKind::ones);
  });
  auto name = read([&] { return layerName(call); });
  if (!read.ok())
    return failure();

  Location at = loc(call.loc());
  Type elt = getElementTypeOrSelf(input.getType());
  int64_t channels = lastDim(input);
  Value gamma = param(*name, "gamma", {channels}, elt, *gammaInit, false, at);
  Value beta = param(*name, "beta", {channels}, elt, *betaInit, false, at);
  Value mean =
      param(*name, "moving_mean", {channels}, elt, *meanInit, true, at);
  Value variance =
      param(*name, "moving_variance", {channels}, elt, *varianceInit, true, at);
  // The inference form ignores momentum; it carries it for the training
  // step, which swaps in batch_norm_train.
  auto op = BatchNormOp::create(
      builder, at, unranked(elt), input, gamma, beta, mean, variance,
      builder.getF64FloatAttr(*epsilon), builder.getF64FloatAttr(*momentum));
  if (failed(refine(op)))
    return failure();
  return op.getOutput();
}

FailureOr<Value> ModuleBuilder::buildMerge(const BoundCall &call) {
  ArgReader read;
  StringRef opName = call.def().name;
  SmallVector<Value> inputs;
  if (call.chained())
    inputs.push_back(call.chained());
  for (const Expr *e : call.tensors()) {
    FailureOr<Value> v = buildTensor(*e, "an input of " + opName);
    if (failed(v))
      return failure();
    inputs.push_back(*v);
  }
  if (call.def().floatInputs)
    for (Value v : inputs)
      if (failed(checkFloat(call, v, call.loc())))
        return failure();
  Location at = loc(call.loc());
  Operation *op;
  if (call.def().kind == OpKind::Add) {
    if (inputs.size() < 2)
      return source.error(call.loc())
             << "add needs at least two tensors, got " << inputs.size();
    op = AddOp::create(builder, at,
                       unranked(getElementTypeOrSelf(inputs[0].getType())),
                       inputs);
  } else {
    if (inputs.empty())
      return source.error(call.loc()) << "concat needs at least one tensor";
    auto axis =
        read([&] { return call.getInt("axis", -1, INT64_MIN, INT64_MAX); });
    if (!read.ok())
      return failure();
    op = ConcatOp::create(builder, at,
                          unranked(getElementTypeOrSelf(inputs[0].getType())),
                          inputs, builder.getI64IntegerAttr(*axis));
  }
  if (failed(refine(op)))
    return failure();
  return op->getResult(0);
}

/// A Keras augmentation factor: a pair (lower, upper), sorted, or one number
/// f meaning (-|f|, |f|), or (f, f) when `symmetric` is false (random_contrast,
/// whose range is [1 - lower, 1 + upper]). Ranges are checked by the op.
static FailureOr<SmallVector<double, 2>>
getFactor(const BoundCall &call, StringRef name, bool symmetric) {
  const Expr *e = call.get(name);
  if (!e)
    return SmallVector<double, 2>{};
  if (e->isNumber()) {
    double f = std::abs(e->asDouble());
    return SmallVector<double, 2>{symmetric ? -f : e->asDouble(),
                                  symmetric ? f : e->asDouble()};
  }
  if (e->kind == Expr::Kind::List && e->elements.size() == 2 &&
      e->elements[0]->isNumber() && e->elements[1]->isNumber()) {
    double a = e->elements[0]->asDouble(), b = e->elements[1]->asDouble();
    return SmallVector<double, 2>{std::min(a, b), std::max(a, b)};
  }
  return call.mismatch(name, *e,
                       "a number or a pair of numbers, as in [-0.2, 0.3]");
}

namespace {
/// The resampling arguments shared by rotation, zoom and translation.
struct Resampling {
  FillMode fillMode;
  Interpolation interpolation;
  double fillValue;
  std::optional<int64_t> seed;
};
} // namespace

static FailureOr<Resampling> getResampling(const BoundCall &call) {
  FailureOr<unsigned> fill =
      call.getEnum("fill_mode", {"reflect", "wrap", "constant", "nearest"}, 0);
  FailureOr<unsigned> interp =
      call.getEnum("interpolation", {"bilinear", "nearest"}, 0);
  FailureOr<double> value = call.getFloat("fill_value", 0);
  FailureOr<std::optional<int64_t>> seed = call.getOptionalInt("seed");
  if (failed(fill) || failed(interp) || failed(value) || failed(seed))
    return failure();
  return Resampling{static_cast<FillMode>(*fill),
                    static_cast<Interpolation>(*interp), *value, *seed};
}

FailureOr<Value> ModuleBuilder::buildSimple(const BoundCall &call,
                                            Value input) {
  ArgReader read;
  Location at = loc(call.loc());
  Type elt = getElementTypeOrSelf(input.getType());
  Type type = unranked(elt);
  Operation *op = nullptr;
  switch (call.def().kind) {
  case OpKind::Dropout: {
    auto rate = read([&] { return call.getFloat("rate", 0); });
    auto seed = read([&] { return call.getOptionalInt("seed"); });
    if (!read.ok())
      return failure();
    op = DropoutOp::create(
        builder, at, type, input, Value(), builder.getF64FloatAttr(*rate),
        *seed ? builder.getI64IntegerAttr(**seed) : IntegerAttr());
    break;
  }
  case OpKind::Flatten:
    op = FlattenOp::create(builder, at, type, input);
    break;
  case OpKind::Reshape: {
    auto shape = read([&] { return call.getIntList("target_shape"); });
    if (!read.ok())
      return failure();
    // Bound the product here: the shape rule multiplies without checking.
    int64_t count = 1;
    for (int64_t d : *shape)
      if (d > 0 &&
          (llvm::MulOverflow(count, d, count) || count > (int64_t(1) << 40)))
        return source.error(call.get("target_shape")->loc)
               << "target_shape of reshape has more than 2^40 elements";
    op = ReshapeOp::create(builder, at, type, input, *shape);
    break;
  }
  case OpKind::Cast: {
    auto dtype = read([&] { return call.getDType("dtype"); });
    if (!read.ok())
      return failure();
    op = CastOp::create(builder, at, unranked(*dtype), input, *dtype);
    break;
  }
  case OpKind::Rescale: {
    auto scale = read([&] { return call.getFloat("scale", 1); });
    auto offset = read([&] { return call.getFloat("offset", 0); });
    if (!read.ok())
      return failure();
    // rescale_c1: integer pixels become f32.
    Type out = isa<FloatType>(elt) ? elt : builder.getF32Type();
    op = RescaleOp::create(builder, at, unranked(out), input,
                           builder.getF64FloatAttr(*scale),
                           builder.getF64FloatAttr(*offset));
    break;
  }
  case OpKind::Relu:
    op = ReluOp::create(builder, at, type, input);
    break;
  case OpKind::Sigmoid:
    op = SigmoidOp::create(builder, at, type, input);
    break;
  case OpKind::Tanh:
    op = TanhOp::create(builder, at, type, input);
    break;
  case OpKind::Gelu: {
    auto approximate = read([&] { return call.getBool("approximate", false); });
    if (!read.ok())
      return failure();
    op = GeluOp::create(builder, at, type, input, *approximate);
    break;
  }
  case OpKind::Softmax: {
    auto axis =
        read([&] { return call.getInt("axis", -1, INT64_MIN, INT64_MAX); });
    if (!read.ok())
      return failure();
    op = SoftmaxOp::create(builder, at, type, input,
                           builder.getI64IntegerAttr(*axis));
    break;
  }
  case OpKind::RandomFlip:
  case OpKind::RandomRotation:
  case OpKind::RandomZoom:
  case OpKind::RandomTranslation:
  case OpKind::RandomCrop:
  case OpKind::RandomContrast: {
    auto seed = read([&] { return call.getOptionalInt("seed"); });
    if (!read.ok())
      return failure();
    IntegerAttr seedAttr =
        *seed ? builder.getI64IntegerAttr(**seed) : IntegerAttr();
    auto pair = [&](ArrayRef<double> v) {
      return builder.getDenseF64ArrayAttr(v);
    };
    MLIRContext *ctx = builder.getContext();
    if (call.def().kind == OpKind::RandomFlip) {
      FailureOr<unsigned> mode = call.getEnum(
          "mode", {"horizontal", "vertical", "horizontal_and_vertical"}, 2);
      if (failed(mode))
        return failure();
      op = RandomFlipOp::create(builder, at, type, input, Value(), Value(),
                                static_cast<FlipMode>(*mode), seedAttr);
      break;
    }
    if (call.def().kind == OpKind::RandomCrop) {
      auto height =
          read([&] { return call.getInt("height", 1, 1, INT32_MAX); });
      auto width = read([&] { return call.getInt("width", 1, 1, INT32_MAX); });
      if (!read.ok())
        return failure();
      op = RandomCropOp::create(builder, at, type, input, Value(), Value(),
                                *height, *width, seedAttr);
      break;
    }
    if (call.def().kind == OpKind::RandomContrast) {
      auto factor = read([&] { return getFactor(call, "factor", false); });
      auto range = read([&] { return getFactor(call, "value_range", false); });
      if (!read.ok())
        return failure();
      if (range->empty())
        *range = {0.0, 255.0};
      op = RandomContrastOp::create(builder, at, type, input, Value(), Value(),
                                    pair(*factor), pair(*range), seedAttr);
      break;
    }
    FailureOr<Resampling> r = getResampling(call);
    if (failed(r))
      return failure();
    auto fill = FillModeAttr::get(ctx, r->fillMode);
    auto interp = InterpolationAttr::get(ctx, r->interpolation);
    auto value = builder.getF64FloatAttr(r->fillValue);
    if (call.def().kind == OpKind::RandomRotation) {
      auto factor = read([&] { return getFactor(call, "factor", true); });
      if (!read.ok())
        return failure();
      op = RandomRotationOp::create(builder, at, type, input, Value(), Value(),
                                    pair(*factor), fill, interp, value,
                                    seedAttr);
      break;
    }
    auto hf = read([&] { return getFactor(call, "height_factor", true); });
    auto wf = read([&] { return getFactor(call, "width_factor", true); });
    if (!read.ok())
      return failure();
    if (call.def().kind == OpKind::RandomZoom)
      op = RandomZoomOp::create(builder, at, type, input, Value(), Value(),
                                pair(*hf),
                                wf->empty() ? DenseF64ArrayAttr() : pair(*wf),
                                fill, interp, value, seedAttr);
    else
      op = RandomTranslationOp::create(builder, at, type, input, Value(),
                                       Value(), pair(*hf), pair(*wf), fill,
                                       interp, value, seedAttr);
    break;
  }
  default:
    llvm_unreachable("handled by buildOp");
  }
  if (failed(refine(op)))
    return failure();
  return op->getResult(0);
}
