//===- DataBlock.cpp - `data` statements to weir.pipeline ----------------===//
//
// `data NAME = images(...) | stage | ...` becomes a weir.pipeline whose body
// is the chain of stage ops. images() expands to weir.list_files,
// weir.read_file and weir.decode_png (and weir.resize with an
// `interpolation`). Every argument is checked where it stands, so the
// stages built always verify; map bodies are built with the model builder,
// so a layer in a map is checked exactly as in a model.
//
//===----------------------------------------------------------------------===//
#include "frontend/Builder.h"

#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace weir;
using namespace weir::frontend;
using llvm::SMLoc;
using llvm::StringRef;
using llvm::Twine;

namespace {
/// A stage's arguments in order; the first `positional` may be given by
/// position.
struct StageDef {
  StringRef name;
  std::vector<StringRef> args;
  unsigned positional;
};

const StageDef kStages[] = {
    {"images",
     {"directory", "color", "size", "interpolation", "labels",
      "validation_split", "subset", "seed", "parallel"},
     1},
    {"resize", {"size", "interpolation"}, 2},
    {"map", {"parallel"}, 0},
    {"shuffle", {"buffer", "seed", "reshuffle_each_epoch"}, 2},
    {"batch", {"batch_size", "drop_remainder"}, 2},
    {"repeat", {"count"}, 1},
    {"cache", {"filename"}, 1},
    {"interleave", {"cycle_length", "block_length"}, 2},
    {"prefetch", {"buffer_size"}, 1},
};

const StageDef *lookupStage(StringRef name) {
  for (const StageDef &s : kStages)
    if (s.name == name)
      return &s;
  return nullptr;
}

/// One stage call, its arguments matched to names.
class StageArgs {
public:
  StageArgs(const Source &source, const StageDef &def, const Expr &call)
      : source(source), def(def), call(call) {}

  /// Binds the arguments; map's layer calls (positional) go to `layers`.
  LogicalResult bind(std::vector<const Expr *> *layers = nullptr) {
    unsigned position = 0;
    for (const Arg &arg : call.args) {
      StringRef key = arg.keyword;
      if (key.empty()) {
        if (layers && arg.value->kind == Expr::Kind::Call) {
          layers->push_back(arg.value.get());
          continue;
        }
        if (position >= def.positional)
          return source.error(arg.value->loc)
                 << def.name << " takes "
                 << (def.positional ? Twine(def.positional) : Twine("no"))
                 << " positional argument" << (def.positional == 1 ? "" : "s")
                 << (layers ? " besides its layer calls" : "")
                 << "; name this one (as in "
                 << def.args[std::min<size_t>(position, def.args.size() - 1)]
                 << ": ...)";
        key = def.args[position++];
      }
      if (key == "buffer_size" && def.name == "shuffle")
        key = "buffer";
      if (key == "color_mode")
        key = "color";
      if (key == "image_size")
        key = "size";
      if (!llvm::is_contained(def.args, key)) {
        auto d = source.error(arg.keywordLoc)
                 << "unknown argument '" << arg.keyword << "' of "
                 << def.name;
        std::string guess = closest(key, def.args);
        if (!guess.empty())
          return d << " (did you mean '" << guess << "'?)";
        return d << " (expected " << llvm::join(def.args, ", ") << ")";
      }
      if (values.count(key))
        return source.error(arg.keyword.empty() ? arg.value->loc
                                                : arg.keywordLoc)
               << "argument '" << key << "' of " << def.name
               << " is given twice";
      values[key] = arg.value.get();
    }
    return success();
  }

  const Expr *get(StringRef name) const { return values.lookup(name); }

  LogicalResult mismatch(StringRef name, const Expr &e, const Twine &expected) {
    return source.error(e.loc) << name << " of " << def.name << " must be "
                               << expected << ", got " << describe(e);
  }
  LogicalResult missing(StringRef name, const Twine &example) {
    return source.error(call.loc) << def.name << " needs " << name
                                  << " (as in " << example << ")";
  }

  /// An integer in [min, max]; `auto` reads as `autoValue` when given.
  FailureOr<int64_t> getInt(StringRef name, int64_t dflt, int64_t min,
                            int64_t max = INT64_MAX,
                            std::optional<int64_t> autoValue = {}) {
    const Expr *e = get(name);
    if (!e)
      return dflt;
    if (autoValue && e->kind == Expr::Kind::Name && e->text == "auto")
      return *autoValue;
    if (e->kind != Expr::Kind::Int || e->intValue < min || e->intValue > max)
      return mismatch(name, *e,
                      (autoValue ? "auto or " : "") +
                          (max == INT64_MAX
                               ? "an integer >= " + Twine(min)
                               : "an integer in [" + Twine(min) + ", " +
                                     Twine(max) + "]"));
    return e->intValue;
  }
  FailureOr<std::optional<int64_t>> getOptionalInt(StringRef name) {
    if (!get(name))
      return std::optional<int64_t>();
    FailureOr<int64_t> v = getInt(name, 0, INT64_MIN);
    if (failed(v))
      return failure();
    return std::optional<int64_t>(*v);
  }
  FailureOr<bool> getBool(StringRef name, bool dflt) {
    const Expr *e = get(name);
    if (!e)
      return dflt;
    if (e->kind == Expr::Kind::Name && (e->text == "true" || e->text == "false"))
      return e->text == "true";
    return mismatch(name, *e, "true or false");
  }
  /// One of `choices`, written as a name or a string.
  FailureOr<StringRef> getChoice(StringRef name, StringRef dflt,
                                 ArrayRef<StringRef> choices) {
    const Expr *e = get(name);
    if (!e)
      return dflt;
    bool named = e->kind == Expr::Kind::Name || e->kind == Expr::Kind::String;
    if (named)
      for (StringRef c : choices)
        if (e->text == c)
          return c;
    auto d = source.error(e->loc)
             << name << " of " << def.name << " must be one of "
             << llvm::join(choices, ", ") << ", got " << describe(*e);
    std::string guess = named ? closest(e->text, choices) : "";
    if (!guess.empty())
      d << " (did you mean '" << guess << "'?)";
    return d;
  }
  FailureOr<std::string> getString(StringRef name) {
    const Expr *e = get(name);
    if (e->kind != Expr::Kind::String || e->text.empty())
      return mismatch(name, *e, "a non-empty string");
    return e->text;
  }
  /// HxW, [h, w] or (h, w), both in [1, 2^24].
  FailureOr<SmallVector<int64_t, 2>> getSize(StringRef name) {
    const Expr *e = get(name);
    if (e->kind != Expr::Kind::List || e->elements.size() != 2 ||
        llvm::any_of(e->elements, [](const ExprPtr &d) {
          return d->kind != Expr::Kind::Int || d->intValue < 1 ||
                 d->intValue > (int64_t(1) << 24);
        }))
      return mismatch(name, *e, "a size HxW (as in 28x28), each side in "
                                "[1, 16777216]");
    return SmallVector<int64_t, 2>{e->elements[0]->intValue,
                                   e->elements[1]->intValue};
  }

private:
  const Source &source;
  const StageDef &def;
  const Expr &call;
  llvm::StringMap<const Expr *> values;
};
} // namespace

LogicalResult ModuleBuilder::buildData(const Data &data) {
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToEnd(module.getBody());
  auto pipeline = PipelineOp::create(builder, loc(data.loc), data.name);
  Block *body = new Block();
  pipeline.getBody().push_back(body);
  builder.setInsertionPointToEnd(body);

  Value current;
  bool batched = false;
  // Builds one stage and checks it; types come from stageResultType.
  auto stage = [&](auto opTag, SMLoc at, auto &&...args) -> LogicalResult {
    using OpT = decltype(opTag);
    auto input = cast<DatasetType>(current.getType());
    // A placeholder type, replaced by the computed one below.
    auto op = OpT::create(builder, loc(at), input, current, args...);
    FailureOr<DatasetType> type = stageResultType(
        op, input, [&] { return emitError(op.getLoc()) << op->getName() << ": "; });
    if (failed(type))
      return failure();
    op->getResult(0).setType(*type);
    current = op->getResult(0);
    return success();
  };

  for (const ExprPtr &stageExpr : data.stages) {
    const Expr &call = *stageExpr;
    const StageDef *def = lookupStage(call.text);
    if (!def) {
      SmallVector<StringRef> names;
      for (const StageDef &s : kStages)
        names.push_back(s.name);
      auto d = source.error(call.loc)
               << "unknown pipeline stage '" << call.text << "'";
      std::string guess = closest(call.text, names);
      if (!guess.empty())
        return d << " (did you mean '" << guess << "'?)";
      return d << " (expected " << llvm::join(names, ", ") << ")";
    }
    bool first = &stageExpr == &data.stages.front();
    if (first != (def->name == "images"))
      return source.error(call.loc)
             << (first ? "a pipeline starts with images(\"dir\", ...), got "
                       : "images(...) can only start a pipeline, got it after ")
             << (first ? call.text : "another stage");
    StageArgs args(source, *def, call);
    std::vector<const Expr *> layers;
    if (failed(args.bind(def->name == "map" ? &layers : nullptr)))
      return failure();
    Location at = loc(call.loc);

    if (def->name == "images") {
      if (!args.get("directory"))
        return args.missing("the directory", "images(\"data/train\", ...)");
      if (!args.get("size"))
        return args.missing("size: HxW, the size of every image (or the size "
                            "to resize to, with interpolation: bilinear)",
                            "images(\"data/train\", size: 28x28)");
      FailureOr<std::string> dir = args.getString("directory");
      FailureOr<StringRef> color =
          args.getChoice("color", "rgb", {"grayscale", "rgb", "rgba"});
      FailureOr<SmallVector<int64_t, 2>> size = args.getSize("size");
      FailureOr<StringRef> interpolation =
          args.getChoice("interpolation", "none", {"none", "bilinear", "nearest"});
      FailureOr<StringRef> labels =
          args.getChoice("labels", "inferred", {"inferred", "none"});
      FailureOr<StringRef> subset =
          args.getChoice("subset", "", {"training", "validation"});
      FailureOr<std::optional<int64_t>> seed = args.getOptionalInt("seed");
      FailureOr<int64_t> parallel = args.getInt("parallel", 0, 1, 1024, 0);
      if (failed(dir) || failed(color) || failed(size) ||
          failed(interpolation) || failed(labels) || failed(subset) ||
          failed(seed) || failed(parallel))
        return failure();
      FloatAttr split;
      if (const Expr *e = args.get("validation_split")) {
        if (!e->isNumber() || !(e->asDouble() > 0 && e->asDouble() < 1))
          return args.mismatch("validation_split", *e,
                               "a fraction in (0, 1)");
        if (subset->empty() || !*seed)
          return source.error(e->loc)
                 << "validation_split needs subset: training or validation, "
                    "and a seed, so that both subsets split the files the "
                    "same way";
        split = builder.getF64FloatAttr(e->asDouble());
      } else if (!subset->empty()) {
        return source.error(args.get("subset")->loc)
               << "subset needs a validation_split";
      }
      auto listing = ListFilesOp::create(
          builder, at, DatasetType::get(context, {}), *dir, *labels, split,
          subset->empty() ? StringAttr() : builder.getStringAttr(*subset),
          *seed ? builder.getI64IntegerAttr(**seed) : IntegerAttr());
      FailureOr<DatasetType> type = stageResultType(
          listing, {}, [&] { return emitError(at); });
      if (failed(type))
        return failure();
      listing->getResult(0).setType(*type);
      current = listing;
      if (failed(stage(ReadFileOp(), call.loc)))
        return failure();
      bool resize = *interpolation != "none";
      if (failed(stage(DecodePngOp(), call.loc, builder.getStringAttr(*color),
                       resize ? DenseI64ArrayAttr()
                              : builder.getDenseI64ArrayAttr(*size),
                       builder.getI64IntegerAttr(*parallel))))
        return failure();
      if (resize &&
          failed(stage(ResizeOp(), call.loc, builder.getDenseI64ArrayAttr(*size),
                       builder.getStringAttr(*interpolation))))
        return failure();
      continue;
    }
    if (def->name == "resize") {
      if (!args.get("size"))
        return args.missing("a size", "resize(32x32)");
      FailureOr<SmallVector<int64_t, 2>> size = args.getSize("size");
      FailureOr<StringRef> interpolation =
          args.getChoice("interpolation", "bilinear", {"bilinear", "nearest"});
      if (failed(size) || failed(interpolation))
        return failure();
      if (batched)
        return source.error(call.loc)
               << "resize after batch: resize examples before batching them";
      if (failed(stage(ResizeOp(), call.loc, builder.getDenseI64ArrayAttr(*size),
                       builder.getStringAttr(*interpolation))))
        return failure();
      continue;
    }
    if (def->name == "map") {
      if (layers.empty())
        return source.error(call.loc)
               << "map needs one or more layer calls to apply to each "
                  "image, as in map(rescale(1/255))";
      if (batched)
        return source.error(call.loc)
               << "map after batch: write it before batch (a map applies to "
                  "each example; Weir compiles it into the training step "
                  "either way)";
      FailureOr<int64_t> parallel = args.getInt("parallel", 0, 1, 1024, 0);
      if (failed(parallel))
        return failure();
      auto input = cast<DatasetType>(current.getType());
      auto map = MapOp::create(builder, at, input, current,
                               builder.getI64IntegerAttr(*parallel));
      Block *mapBody = new Block();
      map.getBody().push_back(mapBody);
      for (Type t : input.getElementTypes()) {
        auto tensor = cast<RankedTensorType>(t);
        SmallVector<int64_t> dims{ShapedType::kDynamic};
        llvm::append_range(dims, tensor.getShape());
        mapBody->addArgument(RankedTensorType::get(dims, tensor.getElementType()),
                             at);
      }
      {
        OpBuilder::InsertionGuard inner(builder);
        builder.setInsertionPointToEnd(mapBody);
        FailureOr<Value> value = mapBody->getArgument(0);
        for (const Expr *layer : layers) {
          value = buildCall(*layer, *value);
          if (failed(value))
            return failure();
        }
        SmallVector<Value> components{*value};
        llvm::append_range(components, mapBody->getArguments().drop_front());
        MapYieldOp::create(builder, at, components);
      }
      FailureOr<DatasetType> type = stageResultType(
          map, input, [&] { return emitError(at) << "map: "; });
      if (failed(type))
        return failure();
      map->getResult(0).setType(*type);
      current = map;
      continue;
    }
    if (def->name == "shuffle") {
      if (!args.get("buffer"))
        return args.missing("a buffer size", "shuffle(10000, seed: 42)");
      FailureOr<int64_t> buffer = args.getInt("buffer", 0, 1);
      FailureOr<std::optional<int64_t>> seed = args.getOptionalInt("seed");
      FailureOr<bool> reshuffle = args.getBool("reshuffle_each_epoch", true);
      if (failed(buffer) || failed(seed) || failed(reshuffle))
        return failure();
      if (failed(stage(ShuffleOp(), call.loc, builder.getI64IntegerAttr(*buffer),
                       *seed ? builder.getI64IntegerAttr(**seed) : IntegerAttr(),
                       builder.getBoolAttr(*reshuffle))))
        return failure();
      continue;
    }
    if (def->name == "batch") {
      if (!args.get("batch_size"))
        return args.missing("a batch size", "batch(128)");
      FailureOr<int64_t> size = args.getInt("batch_size", 0, 1, int64_t(1) << 24);
      FailureOr<bool> drop = args.getBool("drop_remainder", false);
      if (failed(size) || failed(drop))
        return failure();
      if (batched)
        return source.error(call.loc) << "the pipeline is already batched";
      if (failed(stage(BatchOp(), call.loc, builder.getI64IntegerAttr(*size),
                       builder.getBoolAttr(*drop))))
        return failure();
      batched = true;
      continue;
    }
    if (def->name == "repeat") {
      if (!args.get("count"))
        return args.missing("a count (an epoch of weir train is one pass "
                            "over the data; repeat(n) makes it n passes)",
                            "repeat(2)");
      FailureOr<int64_t> count = args.getInt("count", 1, 1, 1 << 20);
      if (failed(count) ||
          failed(stage(RepeatOp(), call.loc, builder.getI64IntegerAttr(*count))))
        return failure();
      continue;
    }
    if (def->name == "cache") {
      StringAttr file;
      if (args.get("filename")) {
        FailureOr<std::string> name = args.getString("filename");
        if (failed(name))
          return failure();
        file = builder.getStringAttr(*name);
      }
      if (failed(stage(CacheOp(), call.loc, file)))
        return failure();
      continue;
    }
    if (def->name == "interleave") {
      if (!isa<ReadFileOp, DecodePngOp, ResizeOp>(current.getDefiningOp()))
        return source.error(call.loc)
               << "interleave mixes the files of the classes, so it must "
                  "come right after images(...)";
      FailureOr<int64_t> cycle = args.getInt("cycle_length", 0, 1, 1 << 20, 0);
      FailureOr<int64_t> block = args.getInt("block_length", 1, 1, 1 << 20);
      if (failed(cycle) || failed(block))
        return failure();
      // Move it up to the listing, where it acts (on file order).
      OpBuilder::InsertionGuard g(builder);
      Operation *listing = &body->front();
      builder.setInsertionPointAfter(listing);
      auto op = InterleaveOp::create(builder, at, listing->getResult(0).getType(),
                                     listing->getResult(0),
                                     builder.getI64IntegerAttr(*cycle),
                                     builder.getI64IntegerAttr(*block));
      listing->getResult(0).replaceAllUsesExcept(op, op);
      continue;
    }
    // prefetch
    FailureOr<int64_t> depth = args.getInt("buffer_size", 0, 1, 1 << 16, 0);
    if (failed(depth) ||
        failed(stage(PrefetchOp(), call.loc, builder.getI64IntegerAttr(*depth))))
      return failure();
  }
  if (!batched)
    return source.error(data.loc)
           << "data " << data.name
           << " never batches its examples: add | batch(N), as in "
              "images(...) | batch(32)";
  PipelineYieldOp::create(builder, loc(data.loc), current);
  return mlir::verify(pipeline);
}
