//===- DataOps.cpp - input-pipeline ops: result types and verifiers ------===//
//
// Each stage's result type follows from its input and attributes
// (stageResultType); verifiers compare it with the declared type. The
// constraint names (data_c1, ...) are defined in docs/spec.md.
//
//===----------------------------------------------------------------------===//
#include "dialect/WeirOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace weir;

static bool isOneOf(StringRef value, std::initializer_list<StringRef> allowed) {
  return llvm::is_contained(allowed, value);
}

static int64_t channelsOf(StringRef color) {
  return color == "grayscale" ? 1 : color == "rgb" ? 3 : 4;
}

/// The type of `t` with a leading dynamic batch dimension.
static RankedTensorType batched(RankedTensorType t) {
  SmallVector<int64_t> dims{ShapedType::kDynamic};
  llvm::append_range(dims, t.getShape());
  return RankedTensorType::get(dims, t.getElementType());
}

static LogicalResult checkSize(ArrayRef<int64_t> size, EmitFn emitError) {
  if (size.size() != 2 || size[0] < 1 || size[1] < 1)
    return emitError() << "size must be [height, width], both positive";
  return success();
}

/// The image component (0) of `input` as a u8 [h, w, c] tensor, or failure.
static FailureOr<RankedTensorType> imageOf(DatasetType input, StringRef what,
                                           EmitFn emitError) {
  auto t = dyn_cast<RankedTensorType>(input.getElementTypes()[0]);
  if (!t || t.getRank() != 3 || !t.getElementType().isUnsignedInteger(8))
    return emitError() << what << " needs decoded images (u8 [height, width, "
                          "channels]) as its first component, got "
           << input.getElementTypes()[0];
  return t;
}

FailureOr<DatasetType> weir::stageResultType(Operation *stage,
                                             DatasetType input,
                                             EmitFn emitError) {
  MLIRContext *ctx = stage->getContext();
  auto withFirst = [&](Type first) {
    SmallVector<Type> types(input.getElementTypes());
    types[0] = first;
    return DatasetType::get(ctx, types);
  };
  return llvm::TypeSwitch<Operation *, FailureOr<DatasetType>>(stage)
      .Case([&](ListFilesOp op) -> FailureOr<DatasetType> {
        // data_c1: labels, and validation_split with subset and seed.
        if (!isOneOf(op.getLabels(), {"inferred", "none"}))
          return emitError() << "labels must be \"inferred\" or \"none\", got \""
                             << op.getLabels() << "\"";
        std::optional<double> split;
        if (op.getValidationSplit())
          split = op.getValidationSplit()->convertToDouble();
        if (split && !(*split > 0 && *split < 1))
          return emitError() << "validation_split must be in (0, 1), got "
                             << *split;
        if (split && (!op.getSubset() || !op.getSeed()))
          return emitError() << "validation_split needs a subset (\"training\" "
                                "or \"validation\") and a seed, so that both "
                                "subsets split the files the same way";
        if (op.getSubset() && !split)
          return emitError() << "subset needs a validation_split";
        if (op.getSubset() && !isOneOf(*op.getSubset(), {"training", "validation"}))
          return emitError() << "subset must be \"training\" or \"validation\", "
                                "got \"" << *op.getSubset() << "\"";
        if (op.getDirectory().empty())
          return emitError() << "needs a directory";
        SmallVector<Type> types{StringType::get(ctx)};
        if (op.getLabels() == "inferred")
          types.push_back(RankedTensorType::get({}, IntegerType::get(ctx, 32)));
        return DatasetType::get(ctx, types);
      })
      .Case([&](ReadFileOp) -> FailureOr<DatasetType> {
        // data_c2: paths in, bytes out.
        if (!isa<StringType>(input.getElementTypes()[0]))
          return emitError() << "needs file paths (!weir.string) as its first "
                                "component, got " << input.getElementTypes()[0];
        return input;
      })
      .Case([&](DecodePngOp op) -> FailureOr<DatasetType> {
        // data_c3: bytes in, u8 images of the color's channels out.
        if (!isa<StringType>(input.getElementTypes()[0]))
          return emitError() << "needs file contents (!weir.string) as its "
                                "first component, got "
                             << input.getElementTypes()[0];
        if (!isOneOf(op.getColor(), {"grayscale", "rgb", "rgba"}))
          return emitError() << "color must be \"grayscale\", \"rgb\" or "
                                "\"rgba\", got \"" << op.getColor() << "\"";
        if (op.getParallelAttr().getInt() < 0)
          return emitError() << "parallel must be auto (0) or a positive "
                                "number of threads, got "
                             << op.getParallelAttr().getInt();
        SmallVector<int64_t> dims{ShapedType::kDynamic, ShapedType::kDynamic,
                                  channelsOf(op.getColor())};
        if (auto size = op.getSize()) {
          if (failed(checkSize(*size, emitError)))
            return failure();
          dims[0] = (*size)[0];
          dims[1] = (*size)[1];
        }
        return withFirst(RankedTensorType::get(dims, IntegerType::get(
            ctx, 8, IntegerType::Unsigned)));
      })
      .Case([&](ResizeOp op) -> FailureOr<DatasetType> {
        // data_c4: u8 images to the given size.
        FailureOr<RankedTensorType> image = imageOf(input, "resize", emitError);
        if (failed(image) || failed(checkSize(op.getSize(), emitError)))
          return failure();
        if (!isOneOf(op.getInterpolation(), {"bilinear", "nearest"}))
          return emitError() << "interpolation must be \"bilinear\" or "
                                "\"nearest\", got \"" << op.getInterpolation()
                             << "\"";
        return withFirst(RankedTensorType::get(
            {op.getSize()[0], op.getSize()[1], image->getDimSize(2)},
            image->getElementType()));
      })
      .Case([&](MapOp op) -> FailureOr<DatasetType> {
        // data_c5: the body's block arguments are the batched components,
        // and it yields batched components.
        if (op.getParallelAttr().getInt() < 0)
          return emitError() << "parallel must be auto (0) or a positive "
                                "number of threads, got "
                             << op.getParallelAttr().getInt();
        Block &body = op.getBody().front();
        if (body.getNumArguments() != input.getElementTypes().size())
          return emitError() << "body takes " << body.getNumArguments()
                             << " arguments, but examples have "
                             << input.getElementTypes().size() << " components";
        for (auto [arg, type] : llvm::zip(body.getArguments(), input.getElementTypes())) {
          auto t = dyn_cast<RankedTensorType>(type);
          if (!t || arg.getType() != batched(t))
            return emitError() << "body argument #" << arg.getArgNumber()
                               << " must be the batched component "
                               << (t ? Type(batched(t)) : type) << ", got "
                               << arg.getType();
        }
        auto yield = body.empty() ? nullptr : dyn_cast<MapYieldOp>(body.back());
        if (!yield)
          return emitError() << "body must end with weir.map_yield";
        SmallVector<Type> types;
        for (Type type : yield.getComponents().getTypes()) {
          auto t = dyn_cast<RankedTensorType>(type);
          if (!t || t.getRank() < 1 || !t.isDynamicDim(0) ||
              llvm::is_contained(t.getShape().drop_front(), ShapedType::kDynamic))
            return emitError() << "yielded components must be batched tensors "
                                  "with a static example shape, got " << type;
          types.push_back(RankedTensorType::get(t.getShape().drop_front(),
                                                t.getElementType()));
        }
        // data_c6: the body acts on each example alone.
        WalkResult walk = body.walk([&](Operation *inner) {
          if (isa<LoadParamOp, BatchNormOp, BatchNormTrainOp, DropoutOp,
                  DenseOp, Conv2DOp>(inner)) {
            InFlightDiagnostic d = emitError();
            d << "a map applies to each example alone; '" << inner->getName()
              << "' uses parameters or batch statistics and belongs in the "
                 "model";
            return WalkResult::interrupt();
          }
          return WalkResult::advance();
        });
        if (walk.wasInterrupted())
          return failure();
        return DatasetType::get(ctx, types);
      })
      .Case([&](BatchOp op) -> FailureOr<DatasetType> {
        // data_c7: a positive batch size; components become batched.
        if (op.getBatchSizeAttr().getInt() < 1)
          return emitError() << "batch_size must be positive, got "
                             << op.getBatchSizeAttr().getInt();
        SmallVector<Type> types;
        for (Type type : input.getElementTypes()) {
          auto t = dyn_cast<RankedTensorType>(type);
          if (!t || !t.hasStaticShape())
            return emitError() << "can only batch tensors with a static shape "
                                  "(decode, and resize images of varying "
                                  "size, first), got " << type;
          types.push_back(batched(t));
        }
        return DatasetType::get(ctx, types);
      })
      .Case([&](ShuffleOp op) -> FailureOr<DatasetType> {
        // data_c8: counts are positive.
        if (op.getBufferSizeAttr().getInt() < 1)
          return emitError() << "buffer_size must be positive, got "
                             << op.getBufferSizeAttr().getInt();
        return input;
      })
      .Case([&](RepeatOp op) -> FailureOr<DatasetType> {
        if (op.getCountAttr().getInt() < 1)
          return emitError() << "count must be positive, got " << op.getCountAttr().getInt();
        return input;
      })
      .Case([&](InterleaveOp op) -> FailureOr<DatasetType> {
        if (op.getCycleLengthAttr().getInt() < 0 || op.getBlockLengthAttr().getInt() < 1)
          return emitError() << "cycle_length must be auto (0) or positive, "
                                "and block_length positive";
        return input;
      })
      .Case([&](PrefetchOp op) -> FailureOr<DatasetType> {
        if (op.getBufferSizeAttr().getInt() < 0)
          return emitError() << "buffer_size must be auto (0) or positive, got "
                             << op.getBufferSizeAttr().getInt();
        return input;
      })
      .Case([&](CacheOp op) -> FailureOr<DatasetType> {
        if (op.getFilename() && op.getFilename()->empty())
          return emitError() << "filename must not be empty (omit it to cache "
                                "in memory)";
        return input;
      })
      .Default([&](Operation *op) -> FailureOr<DatasetType> {
        return emitError() << "'" << op->getName() << "' is not a pipeline stage";
      });
}

/// Every stage's verifier: the declared result type is the computed one.
static LogicalResult verifyStage(Operation *op, DatasetType input) {
  auto emit = [&] { return op->emitOpError(); };
  FailureOr<DatasetType> type = stageResultType(op, input, emit);
  if (failed(type))
    return failure();
  Type declared = op->getResult(0).getType();
  if (declared != *type)
    return op->emitOpError() << "result type " << declared
                             << " differs from the computed " << *type;
  return success();
}

LogicalResult ListFilesOp::verify() { return verifyStage(*this, {}); }
#define WEIR_STAGE_VERIFIER(OP)                                                \
  LogicalResult OP::verify() {                                                 \
    return verifyStage(*this, cast<DatasetType>(getInput().getType()));       \
  }
WEIR_STAGE_VERIFIER(ReadFileOp)
WEIR_STAGE_VERIFIER(DecodePngOp)
WEIR_STAGE_VERIFIER(ResizeOp)
WEIR_STAGE_VERIFIER(MapOp)
WEIR_STAGE_VERIFIER(ShuffleOp)
WEIR_STAGE_VERIFIER(BatchOp)
WEIR_STAGE_VERIFIER(RepeatOp)
WEIR_STAGE_VERIFIER(CacheOp)
WEIR_STAGE_VERIFIER(InterleaveOp)
WEIR_STAGE_VERIFIER(PrefetchOp)
#undef WEIR_STAGE_VERIFIER

TypedValue<DatasetType> PipelineOp::getOutput() {
  Block &body = getBody().front();
  if (body.empty())
    return {};
  auto yield = dyn_cast<PipelineYieldOp>(body.back());
  return yield ? yield.getDataset() : TypedValue<DatasetType>();
}

LogicalResult PipelineOp::verifyRegions() {
  // data_c9: the body is one chain from list_files to pipeline_yield, each
  // stage reading the one before, with exactly one batch, and interleave
  // right after the listing.
  Block &body = getBody().front();
  if (body.empty() || !isa<ListFilesOp>(body.front()))
    return emitOpError() << "must start with weir.list_files";
  if (!isa<PipelineYieldOp>(body.back()))
    return emitOpError() << "must end with weir.pipeline_yield";
  Value previous;
  int batches = 0;
  for (Operation &op : body) {
    if (previous && (op.getNumOperands() != 1 || op.getOperand(0) != previous))
      return op.emitOpError() << "must read the dataset of the stage before it";
    if (isa<InterleaveOp>(op) && !isa<ListFilesOp>(previous.getDefiningOp()))
      return op.emitOpError() << "interleaves the listed files, so it must "
                                 "come right after the listing";
    batches += isa<BatchOp>(op);
    if (op.getNumResults() == 1)
      previous = op.getResult(0);
  }
  if (batches != 1)
    return emitOpError() << "must batch its examples exactly once, found "
                         << batches << " weir.batch stages";
  return success();
}
