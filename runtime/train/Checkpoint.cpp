// Checkpoints: the progress as JSON in safetensors metadata.
#include "runtime/train/Checkpoint.h"

#include "runtime/Json.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

using namespace weir;

namespace {
constexpr int64_t kProgressVersion = 1;

/// A number, or "nan"/"inf"/"-inf" (JSON has no non-finite numbers).
JsonValue encodeDouble(double v) {
  if (std::isnan(v))
    return JsonValue::string("nan");
  if (std::isinf(v))
    return JsonValue::string(v > 0 ? "inf" : "-inf");
  return JsonValue::number(v);
}

Status decodeDouble(const JsonValue &v, const std::string &field,
                    double &out) {
  if (v.isNumber()) {
    out = v.asDouble();
    return Status::success();
  }
  if (v.isString()) {
    const std::string &s = v.asString();
    if (s == "nan" || s == "inf" || s == "-inf") {
      out = s == "nan" ? NAN : s == "inf" ? INFINITY : -INFINITY;
      return Status::success();
    }
  }
  return Status::error("field '" + field + "' is not a number");
}

Status getInt(const JsonValue &obj, const char *field, int64_t &out) {
  const JsonValue *v = obj.find(field);
  if (!v)
    return Status::error(std::string("missing field '") + field + "'");
  if (!v->isInt())
    return Status::error(std::string("field '") + field +
                         "' is not an integer (found " +
                         jsonKindName(v->kind()) + ")");
  out = v->asInt();
  return Status::success();
}

Status getSeed(const JsonValue &obj, uint64_t &out) {
  const JsonValue *v = obj.find("seed");
  if (!v)
    return Status::error("missing field 'seed'");
  if (v->isInt() && v->asInt() >= 0) {
    out = uint64_t(v->asInt());
    return Status::success();
  }
  if (v->isString()) {
    const std::string &s = v->asString();
    char *end = nullptr;
    errno = 0;
    unsigned long long value = std::strtoull(s.c_str(), &end, 10);
    if (!s.empty() && s[0] >= '0' && s[0] <= '9' && *end == '\0' &&
        errno == 0) {
      out = value;
      return Status::success();
    }
  }
  return Status::error("field 'seed' is not an unsigned 64-bit integer");
}

Status parseProgress(const JsonValue &root, TrainingProgress &p) {
  if (!root.isObject())
    return Status::error("not a JSON object");
  int64_t version = 0;
  WEIR_RETURN_IF_ERROR(getInt(root, "version", version));
  if (version != kProgressVersion)
    return Status::error("unsupported version " + std::to_string(version) +
                         " (this build reads version " +
                         std::to_string(kProgressVersion) + ")");
  WEIR_RETURN_IF_ERROR(getInt(root, "epoch", p.epoch));
  WEIR_RETURN_IF_ERROR(getInt(root, "step", p.step));
  WEIR_RETURN_IF_ERROR(getSeed(root, p.seed));
  const JsonValue *best = root.find("best_metric");
  if (!best)
    return Status::error("missing field 'best_metric'");
  WEIR_RETURN_IF_ERROR(decodeDouble(*best, "best_metric", p.bestMetric));
  WEIR_RETURN_IF_ERROR(getInt(root, "best_epoch", p.bestEpoch));
  WEIR_RETURN_IF_ERROR(
      getInt(root, "epochs_without_improvement", p.epochsWithoutImprovement));
  if (const JsonValue *saved = root.find("saved_best_metric")) {
    WEIR_RETURN_IF_ERROR(
        decodeDouble(*saved, "saved_best_metric", p.savedBestMetric));
    WEIR_RETURN_IF_ERROR(getInt(root, "saved_best_epoch", p.savedBestEpoch));
  }
  if (const JsonValue *plateau = root.find("reduce_lr_on_plateau")) {
    if (!plateau->isObject())
      return Status::error("field 'reduce_lr_on_plateau' is not an object");
    PlateauState s;
    const JsonValue *best = plateau->find("best");
    const JsonValue *rate = plateau->find("learning_rate");
    if (!best || !rate)
      return Status::error("field 'reduce_lr_on_plateau' lacks 'best' or "
                           "'learning_rate'");
    WEIR_RETURN_IF_ERROR(
        decodeDouble(*best, "reduce_lr_on_plateau.best", s.best));
    WEIR_RETURN_IF_ERROR(decodeDouble(
        *rate, "reduce_lr_on_plateau.learning_rate", s.learningRate));
    WEIR_RETURN_IF_ERROR(getInt(*plateau, "wait", s.wait));
    WEIR_RETURN_IF_ERROR(getInt(*plateau, "cooldown", s.cooldown));
    if (s.wait < 0 || s.cooldown < 0 || !(s.learningRate > 0))
      return Status::error("field 'reduce_lr_on_plateau' has a negative "
                           "counter or a learning rate that is not > 0");
    p.plateau = s;
  }
  if (p.epoch < 0 || p.step < 0 || p.bestEpoch < -1 ||
      p.savedBestEpoch < -1 || p.epochsWithoutImprovement < 0)
    return Status::error("negative epoch, step or counter");
  const JsonValue *history = root.find("history");
  if (!history || !history->isArray())
    return Status::error("missing or non-array field 'history'");
  p.history.clear();
  for (size_t i = 0; i < history->size(); ++i) {
    const JsonValue &logs = history->at(i);
    std::string where = "history[" + std::to_string(i) + "]";
    if (!logs.isObject())
      return Status::error(where + " is not an object");
    std::map<std::string, double> entry;
    for (size_t k = 0; k < logs.size(); ++k)
      WEIR_RETURN_IF_ERROR(decodeDouble(logs.at(k),
                                        where + "." + logs.keyAt(k),
                                        entry[logs.keyAt(k)]));
    p.history.push_back(std::move(entry));
  }
  return Status::success();
}
} // namespace

std::string weir::progressToJson(const TrainingProgress &p) {
  JsonValue root = JsonValue::object();
  root.append("version", JsonValue::integer(kProgressVersion));
  root.append("epoch", JsonValue::integer(p.epoch));
  root.append("step", JsonValue::integer(p.step));
  root.append("seed", JsonValue::string(std::to_string(p.seed)));
  root.append("best_metric", encodeDouble(p.bestMetric));
  root.append("best_epoch", JsonValue::integer(p.bestEpoch));
  root.append("epochs_without_improvement",
              JsonValue::integer(p.epochsWithoutImprovement));
  root.append("saved_best_metric", encodeDouble(p.savedBestMetric));
  root.append("saved_best_epoch", JsonValue::integer(p.savedBestEpoch));
  if (p.plateau) {
    JsonValue plateau = JsonValue::object();
    plateau.append("best", encodeDouble(p.plateau->best));
    plateau.append("wait", JsonValue::integer(p.plateau->wait));
    plateau.append("cooldown", JsonValue::integer(p.plateau->cooldown));
    plateau.append("learning_rate", encodeDouble(p.plateau->learningRate));
    root.append("reduce_lr_on_plateau", std::move(plateau));
  }
  JsonValue history = JsonValue::array();
  for (const auto &logs : p.history) {
    JsonValue entry = JsonValue::object();
    for (const auto &[name, value] : logs)
      entry.append(name, encodeDouble(value));
    history.push(std::move(entry));
  }
  root.append("history", std::move(history));
  return writeJson(root);
}

Result<TrainingProgress> weir::progressFromJson(std::string_view json) {
  Result<JsonValue> root = parseJson(json);
  if (!root)
    return root.status();
  TrainingProgress progress;
  WEIR_RETURN_IF_ERROR(parseProgress(*root, progress));
  return progress;
}

Status weir::writeCheckpoint(const std::string &path,
                             const std::vector<NamedTensorRef> &tensors,
                             const TrainingProgress &progress,
                             const SafetensorsMetadata &extraMetadata) {
  SafetensorsMetadata metadata;
  metadata.emplace_back(kProgressMetadataKey, progressToJson(progress));
  for (const auto &entry : extraMetadata) {
    if (entry.first == kProgressMetadataKey)
      return Status::error(path + ": metadata key '" + entry.first +
                           "' is reserved for the training progress");
    metadata.push_back(entry);
  }
  return writeSafetensors(path, tensors, metadata);
}

const HostTensor *Checkpoint::find(std::string_view name) const {
  for (const NamedTensor &t : tensors)
    if (t.name == name)
      return &t.tensor;
  return nullptr;
}

Result<Checkpoint> weir::readCheckpoint(const std::string &path) {
  Result<SafetensorsFile> file = readSafetensors(path);
  if (!file)
    return file.status();
  const std::string *json = file->findMetadata(kProgressMetadataKey);
  if (!json)
    return Status::error(path + ": not a weir checkpoint: no '" +
                         std::string(kProgressMetadataKey) +
                         "' entry in __metadata__");
  Result<TrainingProgress> progress = progressFromJson(*json);
  if (!progress)
    return progress.status().withPrefix(path + ": garbled '" +
                                        std::string(kProgressMetadataKey) +
                                        "' metadata");
  Checkpoint ckpt;
  ckpt.tensors = std::move(file->tensors);
  ckpt.progress = std::move(*progress);
  for (auto &entry : file->metadata)
    if (entry.first != kProgressMetadataKey)
      ckpt.metadata.push_back(std::move(entry));
  return ckpt;
}
