//===- TrainBlock.cpp - the train block to weir.train_config -------------===//
//
// Every value is checked where it stands in the source, against the tables
// the verifier uses (dialect/TrainConfig.h), so a mistake is reported at the
// user's value and the op built from a block that passes always verifies.
// Calls take Keras' arguments in Keras' order: adam(learning_rate, beta_1,
// beta_2, epsilon), cosine_decay(initial_learning_rate, decay_steps, alpha).
//
//===----------------------------------------------------------------------===//
#include "frontend/Builder.h"

#include "dialect/TrainConfig.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace weir;
using namespace weir::frontend;
using llvm::SMLoc;
using llvm::StringRef;
using llvm::Twine;

static const StringRef kTrainKeys[] = {
    "loss",       "optimizer", "metrics",       "epochs",
    "batch_size", "validate",  "early_stopping", "precision",
    "loss_scale", "reduce_lr_on_plateau", "checkpoint"};

/// Where an argument or an entry starts: its key, or its value.
static SMLoc locOf(const Arg &arg) {
  return arg.keyword.empty() ? arg.value->loc : arg.keywordLoc;
}

static std::string orSuggestion(StringRef name, llvm::ArrayRef<StringRef> known,
                                StringRef expected) {
  std::string guess = closest(name, known);
  if (!guess.empty())
    return " (did you mean '" + guess + "'?)";
  return (" (" + expected + llvm::join(known, ", ") + ")").str();
}

namespace {
/// The values of one train block, read and checked.
class TrainReader {
public:
  explicit TrainReader(const Source &source)
      : source(source), ctx(source.getContext()) {}

  /// `pipelines`: the file's data statements, which `validate` names when
  /// the train block has `on DATA`.
  LogicalResult read(const Train &train,
                     const llvm::StringMap<SMLoc> &pipelines);

  StringAttr loss, optimizer, validate;
  bool fromLogits = false;
  SmallVector<NamedAttribute> options;
  /// The schedule's options (null: none) and its kind.
  DictionaryAttr schedule, earlyStopping, reduceLr, checkpoint;
  ScheduleKind scheduleKind = ScheduleKind::Constant;
  SmallVector<Attribute> metrics;
  int64_t epochs = 1, batchSize = 32;
  /// The dtype policy, or null for the default (float32).
  StringAttr precision;
  /// A fixed loss scale (mixed_float16), or null for dynamic scaling.
  FloatAttr lossScale;

private:
  /// (key, value) pairs in source order.
  using Bound = SmallVector<std::pair<StringRef, const Expr *>>;

  /// Matches call arguments or map entries to `keys`: positional ones in
  /// order, then by name. `owner` completes "unknown argument 'x' ...".
  FailureOr<Bound> bind(llvm::ArrayRef<Arg> args,
                        llvm::ArrayRef<StringRef> keys, StringRef noun,
                        const Twine &owner, StringRef callee = "");
  /// `e` as an attribute that checkKeyValue understands, or null for a
  /// list, a call, a map or a block.
  Attribute scalar(const Expr &e) const;
  /// `e` as `key` of `group`, checked; numbers become f64.
  FailureOr<Attribute> readKey(StringRef group, StringRef key, const Expr &e);
  LogicalResult mismatch(StringRef what, const Expr &e, const Twine &expected) {
    return source.error(e.loc)
           << what << " must be " << expected << ", got " << describe(e);
  }

  LogicalResult readLoss(const Expr &e);
  LogicalResult readOptimizer(const Expr &e);
  LogicalResult readSchedule(const Expr &call);
  LogicalResult readMetrics(const Expr &e);
  /// A callback's map (early_stopping, reduce_lr_on_plateau) into `out`;
  /// its monitor (default val_loss) and where it is named.
  LogicalResult readCallback(StringRef group, const Expr &e,
                             DictionaryAttr &out, StringRef &watched,
                             SMLoc &watchedLoc);

  const Source &source;
  MLIRContext *ctx;
  /// Where early stopping names what it monitors (its value, or the map).
  SMLoc monitorLoc, lossScaleLoc;
  StringRef monitor = "val_loss";
  /// The same for reduce_lr_on_plateau.
  SMLoc reduceLrLoc, reduceLrMonitorLoc;
  StringRef reduceLrMonitor = "val_loss";
  /// The same for checkpoint.
  SMLoc checkpointMonitorLoc;
  StringRef checkpointMonitor = "val_loss";
};
} // namespace

FailureOr<TrainReader::Bound>
TrainReader::bind(llvm::ArrayRef<Arg> args, llvm::ArrayRef<StringRef> keys,
                  StringRef noun, const Twine &owner, StringRef callee) {
  Bound bound;
  llvm::StringMap<SMLoc> given;
  bool sawKeyword = false;
  for (const Arg &arg : args) {
    StringRef key;
    if (arg.keyword.empty()) {
      if (sawKeyword)
        return source.error(arg.value->loc)
               << "positional argument after a keyword argument";
      if (bound.size() >= keys.size()) {
        if (keys.empty())
          return source.error(arg.value->loc)
                 << callee << " takes no arguments";
        return source.error(arg.value->loc)
               << "too many arguments for " << callee << " (it takes "
               << llvm::join(keys, ", ") << ")";
      }
      key = keys[bound.size()];
    } else {
      sawKeyword = true;
      key = arg.keyword;
      if (!llvm::is_contained(keys, key)) {
        auto d = source.error(arg.keywordLoc)
                 << "unknown " << noun << " '" << key << "' " << owner;
        if (keys.empty())
          return d << " (it takes no arguments)";
        return d << orSuggestion(key, keys, "expected: ");
      }
    }
    auto [it, fresh] = given.try_emplace(key, locOf(arg));
    if (!fresh) {
      auto d = source.error(locOf(arg))
               << noun << " '" << key << "' is given twice";
      d.attachNote(source.loc(it->second)) << "first given here";
      return failure();
    }
    bound.push_back({key, arg.value.get()});
  }
  return bound;
}

Attribute TrainReader::scalar(const Expr &e) const {
  switch (e.kind) {
  case Expr::Kind::Int:
    return IntegerAttr::get(IntegerType::get(ctx, 64), e.intValue);
  case Expr::Kind::Float:
    return FloatAttr::get(Float64Type::get(ctx), e.floatValue);
  case Expr::Kind::Name:
    if (e.text == "true" || e.text == "True")
      return BoolAttr::get(ctx, true);
    if (e.text == "false" || e.text == "False")
      return BoolAttr::get(ctx, false);
    return StringAttr::get(ctx, e.text);
  case Expr::Kind::String:
    return StringAttr::get(ctx, e.text);
  default:
    return {};
  }
}

FailureOr<Attribute> TrainReader::readKey(StringRef group, StringRef key,
                                          const Expr &e) {
  Attribute value = scalar(e);
  if (!value)
    return mismatch(group == config::kTrain ? key.str()
                                            : (key + " of " + group).str(),
                    e, describeKeyValue(group, key));
  // Numbers are stored as the attributes store them (learning_rate: 1 is
  // 1.0); a value out of range is reported as the user wrote it.
  Attribute stored = normalizeKeyValue(group, key, value);
  if (stored != value &&
      succeeded(checkKeyValue(group, key, stored, diagnoseAt(std::nullopt))))
    return stored;
  if (failed(checkKeyValue(group, key, value,
                           [&] { return source.error(e.loc); })))
    return failure();
  return value;
}

LogicalResult TrainReader::readLoss(const Expr &e) {
  bool named = e.kind == Expr::Kind::Name || e.kind == Expr::Kind::String;
  if (!named && e.kind != Expr::Kind::Call)
    return mismatch("loss", e,
                    "one of " + llvm::join(lossNames(), ", ") +
                        " (or a call of one, as in "
                        "sparse_categorical_crossentropy(from_logits: true))");
  StringRef name = e.text;
  if (!llvm::is_contained(lossNames(), name)) {
    // Keras' short name for MSE.
    if (name.lower() == "mse")
      return source.error(e.loc) << "unknown loss '" << name
                                 << "' (did you mean 'mean_squared_error'?)";
    return source.error(e.loc)
           << "unknown loss '" << name << "'"
           << orSuggestion(name, lossNames(), "expected one of ");
  }
  loss = StringAttr::get(ctx, name);
  bool mse = name == "mean_squared_error";
  for (const Arg &arg : e.args)
    if (mse && arg.keyword == config::kFromLogits)
      return source.error(arg.keywordLoc)
             << "from_logits does not apply to mean_squared_error";
  static const StringRef fromLogitsKey[] = {config::kFromLogits};
  FailureOr<Bound> bound =
      bind(e.args, mse ? llvm::ArrayRef<StringRef>() : fromLogitsKey,
           "argument", "for " + name, name);
  if (failed(bound))
    return failure();
  for (auto [key, value] : *bound) {
    auto flag = dyn_cast_if_present<BoolAttr>(scalar(*value));
    if (!flag)
      return mismatch(("from_logits of " + name).str(), *value,
                      "true or false");
    fromLogits = flag.getValue();
  }
  return success();
}

LogicalResult TrainReader::readOptimizer(const Expr &e) {
  bool named = e.kind == Expr::Kind::Name || e.kind == Expr::Kind::String;
  if (!named && e.kind != Expr::Kind::Call)
    return mismatch("optimizer", e,
                    "one of " + llvm::join(optimizerNames(), ", ") +
                        " (or a call of one, as in adam(learning_rate: 1e-3))");
  StringRef name = e.text;
  if (!llvm::is_contained(optimizerNames(), name))
    return source.error(e.loc)
           << "unknown optimizer '" << name << "'"
           << orSuggestion(name, optimizerNames(), "expected one of ");
  optimizer = StringAttr::get(ctx, name);
  FailureOr<Bound> bound =
      bind(e.args, keysOf(name), "argument", "for " + name, name);
  if (failed(bound))
    return failure();
  for (auto [key, value] : *bound) {
    if (key == config::kLearningRate && value->kind == Expr::Kind::Call) {
      if (failed(readSchedule(*value)))
        return failure();
      continue;
    }
    FailureOr<Attribute> attr = readKey(name, key, *value);
    if (failed(attr))
      return failure();
    options.push_back(NamedAttribute(StringAttr::get(ctx, key), *attr));
  }
  return success();
}

LogicalResult TrainReader::readSchedule(const Expr &call) {
  StringRef name = call.text;
  if (!llvm::is_contained(scheduleNames(), name))
    return source.error(call.loc)
           << "unknown learning-rate schedule '" << name << "'"
           << orSuggestion(name, scheduleNames(), "expected one of ");
  // Keras: ExponentialDecay(initial_learning_rate, decay_steps, ...).
  SmallVector<StringRef> keys{config::kInitialLearningRate};
  llvm::append_range(keys, keysOf(name));
  FailureOr<Bound> bound =
      bind(call.args, keys, "argument", "for " + name, name);
  if (failed(bound))
    return failure();
  for (StringRef key : keys)
    if ((key == keys.front() || isRequiredKey(name, key)) &&
        llvm::none_of(*bound, [&](auto &kv) { return kv.first == key; }))
      return source.error(call.loc)
             << "missing argument '" << key << "' for " << name;
  SmallVector<NamedAttribute> entries;
  scheduleKind = *symbolizeScheduleKind(name);
  StringRef opt = optimizer.getValue();
  for (auto [key, value] : *bound) {
    if (key != keys.front()) {
      FailureOr<Attribute> attr = readKey(name, key, *value);
      if (failed(attr))
        return failure();
      entries.push_back(NamedAttribute(StringAttr::get(ctx, key), *attr));
      continue;
    }
    // The initial rate is the optimizer's learning_rate, and checked as one.
    Attribute rate;
    if (value->isNumber())
      rate = FloatAttr::get(Float64Type::get(ctx), value->asDouble());
    if (!rate || failed(checkKeyValue(opt, config::kLearningRate, rate,
                                      diagnoseAt(std::nullopt))))
      return mismatch(("initial_learning_rate of " + name).str(), *value,
                      describeKeyValue(opt, config::kLearningRate));
    options.push_back(
        NamedAttribute(StringAttr::get(ctx, config::kLearningRate), rate));
  }
  schedule = DictionaryAttr::get(ctx, entries);
  return success();
}

LogicalResult TrainReader::readMetrics(const Expr &e) {
  if (e.kind != Expr::Kind::List)
    return mismatch("metrics", e, "a list, as in [accuracy]");
  for (const ExprPtr &m : e.elements) {
    if (m->kind != Expr::Kind::Name && m->kind != Expr::Kind::String)
      return mismatch("a metric", *m, "a name, as in accuracy");
    StringRef name = m->text;
    if (!llvm::is_contained(metricNames(), name)) {
      // Keras' short name.
      if (name == "acc")
        return source.error(m->loc)
               << "unknown metric 'acc' (did you mean 'accuracy'?)";
      return source.error(m->loc)
             << "unknown metric '" << name << "'"
             << orSuggestion(name, metricNames(), "expected one of ");
    }
    auto attr = MetricKindAttr::get(ctx, *symbolizeMetricKind(name));
    if (llvm::is_contained(metrics, attr))
      return source.error(m->loc) << "metric '" << name << "' is listed twice";
    metrics.push_back(attr);
  }
  return success();
}

LogicalResult TrainReader::readCallback(StringRef group, const Expr &e,
                                        DictionaryAttr &out, StringRef &watched,
                                        SMLoc &watchedLoc) {
  if (e.kind != Expr::Kind::Map)
    return mismatch(group, e,
                    group == config::kCheckpoint
                        ? "a map, as in { monitor: val_loss, save_best_only: true }"
                        : "a map, as in { monitor: val_loss, patience: 3 }");
  FailureOr<Bound> bound =
      bind(e.args, keysOf(group), "key", "for " + group, group);
  if (failed(bound))
    return failure();
  SmallVector<NamedAttribute> entries;
  watchedLoc = e.loc;
  for (auto [key, value] : *bound) {
    FailureOr<Attribute> attr = readKey(group, key, *value);
    if (failed(attr))
      return failure();
    if (key == config::kMonitor) {
      watched = cast<StringAttr>(*attr).getValue();
      watchedLoc = value->loc;
    }
    entries.push_back(NamedAttribute(StringAttr::get(ctx, key), *attr));
  }
  out = DictionaryAttr::get(ctx, entries);
  return success();
}

LogicalResult TrainReader::read(const Train &train,
                                const llvm::StringMap<SMLoc> &pipelines) {
  FailureOr<Bound> bound =
      bind(train.entries, kTrainKeys, "key", "in the train block");
  if (failed(bound))
    return failure();
  for (auto [key, value] : *bound) {
    LogicalResult result = success();
    if (key == "loss") {
      result = readLoss(*value);
    } else if (key == "optimizer") {
      result = readOptimizer(*value);
    } else if (key == "metrics") {
      result = readMetrics(*value);
    } else if (key == config::kEarlyStopping) {
      result = readCallback(config::kEarlyStopping, *value, earlyStopping,
                            monitor, monitorLoc);
    } else if (key == config::kCheckpoint) {
      result = readCallback(config::kCheckpoint, *value, checkpoint,
                            checkpointMonitor, checkpointMonitorLoc);
    } else if (key == config::kReduceLrOnPlateau) {
      reduceLrLoc = value->loc;
      result = readCallback(config::kReduceLrOnPlateau, *value, reduceLr,
                            reduceLrMonitor, reduceLrMonitorLoc);
    } else if (key == config::kValidate && !train.data.empty()) {
      // With `on DATA`, validation data is another data pipeline.
      bool named =
          value->kind == Expr::Kind::Name || value->kind == Expr::Kind::String;
      if (!named || !pipelines.count(value->text)) {
        SmallVector<StringRef> names;
        for (auto &entry : pipelines)
          names.push_back(entry.first());
        llvm::sort(names);
        if (!named)
          return mismatch("validate", *value, "the name of a data pipeline");
        return source.error(value->loc)
               << "unknown data '" << value->text << "'"
               << orSuggestion(value->text, names, "the file defines: ");
      }
      validate = StringAttr::get(ctx, value->text);
    } else {
      FailureOr<Attribute> attr = readKey(config::kTrain, key, *value);
      if (failed(attr))
        return failure();
      if (key == config::kEpochs)
        epochs = cast<IntegerAttr>(*attr).getInt();
      else if (key == config::kBatchSize)
        batchSize = cast<IntegerAttr>(*attr).getInt();
      else if (key == config::kPrecision)
        precision = cast<StringAttr>(*attr);
      else if (key == config::kLossScale) {
        lossScale = cast<FloatAttr>(*attr);
        lossScaleLoc = value->loc;
      } else
        validate = cast<StringAttr>(*attr);
    }
    if (failed(result))
      return failure();
  }
  if (!loss)
    return source.error(train.loc)
           << "missing key 'loss' in the train block (as in loss: "
              "sparse_categorical_crossentropy)";
  if (!optimizer)
    return source.error(train.loc)
           << "missing key 'optimizer' in the train block (as in optimizer: "
              "adam(learning_rate: 1e-3))";
  // Only float16 gradients underflow: other policies have no loss scale.
  if (lossScale && (!precision || precision.getValue() != "mixed_float16"))
    return source.error(lossScaleLoc)
           << "loss_scale applies to precision: mixed_float16, whose float16 "
              "gradients underflow without it (this train block's precision "
              "is "
           << (precision ? precision.getValue() : StringRef("float32")) << ")";
  // Validation metrics exist only when there is validation data.
  if (earlyStopping && monitor.starts_with("val_") && !validate)
    return source.error(monitorLoc)
           << "early_stopping monitors " << monitor
           << ", which needs validate: test (or monitor: "
           << monitor.drop_front(4) << ")";
  // Only save_best_only reads the monitor.
  if (checkpoint && checkpointMonitor.starts_with("val_") && !validate)
    if (auto best = checkpoint.getAs<BoolAttr>("save_best_only");
        best && best.getValue())
      return source.error(checkpointMonitorLoc)
             << "checkpoint monitors " << checkpointMonitor
             << ", which needs validate: test (or monitor: "
             << checkpointMonitor.drop_front(4) << ")";
  if (reduceLr && reduceLrMonitor.starts_with("val_") && !validate)
    return source.error(reduceLrMonitorLoc)
           << "reduce_lr_on_plateau monitors " << reduceLrMonitor
           << ", which needs validate: test (or monitor: "
           << reduceLrMonitor.drop_front(4) << ")";
  // Keras' ReduceLROnPlateau cannot set a schedule's learning rate either.
  if (reduceLr && schedule)
    return source.error(reduceLrLoc)
           << "reduce_lr_on_plateau sets the learning rate, so it cannot be "
              "combined with a learning-rate schedule (give the optimizer a "
              "plain learning_rate)";
  return success();
}

LogicalResult ModuleBuilder::buildTrain(const Train &train) {
  if (!models.count(train.model)) {
    SmallVector<StringRef> names;
    for (auto &entry : models)
      names.push_back(entry.first());
    llvm::sort(names);
    return source.error(train.modelLoc)
           << "unknown model '" << train.model << "'"
           << orSuggestion(train.model, names, "the file defines: ");
  }
  if (!train.data.empty() && !pipelines.count(train.data)) {
    SmallVector<StringRef> names;
    for (auto &entry : pipelines)
      names.push_back(entry.first());
    llvm::sort(names);
    if (names.empty())
      return source.error(train.dataLoc)
             << "unknown data '" << train.data
             << "': this file defines no data pipeline (as in data "
             << train.data << " = images(\"dir\", size: 28x28) | batch(32))";
    return source.error(train.dataLoc)
           << "unknown data '" << train.data << "'"
           << orSuggestion(train.data, names, "the file defines: ");
  }
  TrainReader r(source);
  if (failed(r.read(train, pipelines)))
    return failure();
  builder.setInsertionPointToEnd(module.getBody());
  // Every value was checked where it stands, so the attributes verify.
  auto optimizer = OptimizerAttr::fromOptions(
      context, *symbolizeOptimizerKind(r.optimizer.getValue()),
      builder.getDictionaryAttr(r.options));
  ScheduleAttr schedule =
      r.schedule
          ? ScheduleAttr::fromOptions(context, r.scheduleKind, r.schedule)
          : ScheduleAttr();
  EarlyStoppingAttr earlyStopping =
      r.earlyStopping ? EarlyStoppingAttr::fromOptions(context, r.earlyStopping)
                      : EarlyStoppingAttr();
  TrainConfigOp::create(
      builder, loc(train.loc), FlatSymbolRefAttr::get(context, train.model),
      LossKindAttr::get(context, *symbolizeLossKind(r.loss.getValue())),
      r.fromLogits ? builder.getUnitAttr() : UnitAttr(), optimizer, schedule,
      builder.getArrayAttr(r.metrics), builder.getI64IntegerAttr(r.epochs),
      builder.getI64IntegerAttr(r.batchSize), r.validate, earlyStopping,
      train.data.empty() ? FlatSymbolRefAttr()
                         : FlatSymbolRefAttr::get(context, train.data),
      r.precision ? PrecisionKindAttr::get(
                        context, *symbolizePrecisionKind(r.precision.getValue()))
                  : PrecisionKindAttr(),
      r.lossScale,
      r.reduceLr ? ReduceLrOnPlateauAttr::fromOptions(context, r.reduceLr)
                 : ReduceLrOnPlateauAttr(),
      r.checkpoint ? ModelCheckpointAttr::fromOptions(context, r.checkpoint)
                   : ModelCheckpointAttr());
  return success();
}
