//===- TrainingLogs.cpp - a fit's history as CSV and TensorBoard events --===//
#include "api/TrainingLogs.h"

#include "runtime/FileIO.h"
#include "runtime/plot/Plot.h"
#include "runtime/train/EventFile.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <set>

using namespace weir;

std::string weir::historyToCsv(const std::vector<EpochLogs> &history) {
  std::set<std::string> keys;
  for (const EpochLogs &logs : history)
    for (const auto &[key, value] : logs)
      keys.insert(key);
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "epoch";
  for (const std::string &key : keys)
    os << "," << key;
  os << "\n";
  for (size_t epoch = 0; epoch < history.size(); ++epoch) {
    os << epoch + 1;
    for (const std::string &key : keys) {
      os << ",";
      auto it = history[epoch].find(key);
      if (it != history[epoch].end())
        os << llvm::format("%.9g", it->second);
    }
    os << "\n";
  }
  return s;
}

Result<std::unique_ptr<TrainingLogs>>
TrainingLogs::open(const FitOptions &options) {
  if (options.logEvery < 0)
    return Status::error("the logging interval must be 0 (per epoch) or "
                         "more steps, got " +
                         std::to_string(options.logEvery));
  std::unique_ptr<TrainingLogs> logs(new TrainingLogs());
  logs->options_ = options;
  if (!options.logdir.empty()) {
    Result<std::unique_ptr<EventFileWriter>> train =
        EventFileWriter::create(options.logdir + "/train");
    if (!train.ok())
      return train.status();
    logs->train_ = std::move(*train);
  }
  return logs;
}

TrainingLogs::~TrainingLogs() = default;

Status TrainingLogs::onBatch(int64_t globalStep, const BatchProgress &p) {
  if (!train_ || options_.logEvery <= 0 || globalStep % options_.logEvery)
    return Status();
  double now = wallClockSeconds();
  if (Status s = train_->addScalar("batch_loss", globalStep, p.loss, now);
      !s.ok())
    return s;
  if (p.accuracy)
    return train_->addScalar("batch_accuracy", globalStep, *p.accuracy, now);
  return Status();
}

Status TrainingLogs::onEpoch(const EpochReport &report,
                             const std::vector<EpochLogs> &history) {
  if (!options_.historyCsv.empty()) {
    std::string csv = historyToCsv(history);
    if (Status s = writeFileAtomically(options_.historyCsv,
                                       {{csv.data(), csv.size()}});
        !s.ok())
      return s;
  }
  if (!train_)
    return Status();
  int64_t epoch = report.stats.epoch;
  double now = wallClockSeconds();
  std::vector<std::pair<std::string, double>> train, validation;
  for (const auto &[key, value] : report.logs) {
    if (key == "learning_rate") // below, in every run
      continue;
    if (key.rfind("val_", 0) == 0)
      validation.push_back({"epoch_" + key.substr(4), value});
    else
      train.push_back({"epoch_" + key, value});
  }
  train.push_back({"epoch_learning_rate", report.learningRate});
  train.push_back({"epoch_samples_per_sec", report.stats.samplesPerSec});
  if (report.inputBoundPercent)
    train.push_back({"epoch_input_bound_percent", *report.inputBoundPercent});
  if (report.stats.lossScale)
    train.push_back({"epoch_loss_scale", *report.stats.lossScale});
  for (const auto &[tag, value] : train)
    if (Status s = train_->addScalar(tag, epoch, value, now); !s.ok())
      return s;
  if (validation.empty())
    return Status();
  if (!validation_) {
    Result<std::unique_ptr<EventFileWriter>> w =
        EventFileWriter::create(options_.logdir + "/validation");
    if (!w.ok())
      return w.status();
    validation_ = std::move(*w);
  }
  for (const auto &[tag, value] : validation)
    if (Status s = validation_->addScalar(tag, epoch, value, now); !s.ok())
      return s;
  return Status();
}

Status weir::plotHistoryFile(const std::string &csvPath,
                             const std::string &pngPath) {
  Result<History> history = readHistoryCsv(csvPath);
  if (!history.ok())
    return history.status();
  return plotHistory(*history, pngPath);
}
