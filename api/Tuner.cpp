//===- Tuner.cpp - `weir tune`: search a .weir file's search space --------===//
#include "api/Tuner.h"
#include "api/Session.h"
#include "dialect/TrainConfig.h"
#include "runtime/train/Dataset.h"
#include "runtime/FileIO.h"
#include "runtime/Json.h"
#include "runtime/init/Initializers.h"
#include "runtime/tune/Search.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <set>
#include <sstream>
#include <thread>
#include <unistd.h>

using namespace weir;

TuneSink::~TuneSink() = default;

namespace {
/// Trains quietly: the tuner prints one line per trial.
class QuietSink : public FitSink {};

std::vector<tune::Dimension> dimensionsOf(const SearchSpace &space) {
  std::vector<tune::Dimension> dims;
  for (const HyperParameter &hp : space.parameters) {
    tune::Dimension d;
    d.name = hp.name;
    d.lo = hp.lo;
    d.hi = hp.hi;
    d.step = hp.step;
    d.sampling = hp.sampling;
    d.choices = hp.choices;
    switch (hp.kind) {
    case HyperParameter::Kind::Int: d.kind = tune::Dimension::Kind::Int; break;
    case HyperParameter::Kind::Float: d.kind = tune::Dimension::Kind::Float; break;
    case HyperParameter::Kind::Choice: d.kind = tune::Dimension::Kind::Choice; break;
    case HyperParameter::Kind::Boolean: d.kind = tune::Dimension::Kind::Boolean; break;
    }
    dims.push_back(std::move(d));
  }
  return dims;
}

std::string trialPath(const std::string &dir, int64_t number) {
  char name[32];
  std::snprintf(name, sizeof name, "/trial_%04lld.json",
                static_cast<long long>(number));
  return dir + name;
}

JsonValue trialJson(const TrialResult &t) {
  JsonValue o = JsonValue::object();
  o.set("trial", JsonValue::integer(t.number));
  JsonValue values = JsonValue::object();
  for (const auto &[name, value] : t.values)
    values.set(name, JsonValue::string(value));
  o.set("values", std::move(values));
  o.set("status", JsonValue::string(t.score ? "completed" : "failed"));
  o.set("score", t.score ? JsonValue::number(*t.score) : JsonValue());
  JsonValue executions = JsonValue::array();
  for (size_t e = 0; e < t.executionScores.size(); ++e) {
    JsonValue x = JsonValue::object();
    x.set("score", JsonValue::number(t.executionScores[e]));
    x.set("best_epoch", JsonValue::integer(t.bestEpochs[e]));
    x.set("seed", JsonValue::string(std::to_string(t.seeds[e])));
    executions.push(std::move(x));
  }
  o.set("executions", std::move(executions));
  if (!t.error.empty())
    o.set("error", JsonValue::string(t.error));
  o.set("seconds", JsonValue::number(t.seconds));
  return o;
}

/// "bracket 1 round 0, 3 epochs" from a hyperband trial's record.
std::string stageOf(const JsonValue &o) {
  const JsonValue *b = o.find("bracket"), *r = o.find("round"),
                  *e = o.find("epochs");
  if (!b || !r || !e || !b->isInt() || !r->isInt() || !e->isInt())
    return "";
  return "bracket " + std::to_string(b->asInt()) + " round " +
         std::to_string(r->asInt()) + ", " + std::to_string(e->asInt()) +
         (e->asInt() == 1 ? " epoch" : " epochs");
}

Result<TrialResult> trialFromJson(const JsonValue &o, const std::string &path) {
  auto bad = [&](const std::string &what) {
    return Status::error(path + ": " + what + " (a trial record of weir tune)");
  };
  const JsonValue *number = o.find("trial"), *values = o.find("values"),
                  *score = o.find("score"), *executions = o.find("executions");
  if (!o.isObject() || !number || !number->isInt() || !values ||
      !values->isObject() || !score || !executions || !executions->isArray())
    return bad("missing or malformed trial, values, score or executions");
  TrialResult t;
  t.number = number->asInt();
  t.recorded = true;
  for (size_t i = 0; i < values->size(); ++i) {
    if (!values->at(i).isString())
      return bad("a value is not a string");
    t.values[values->keyAt(i)] = values->at(i).asString();
  }
  if (score->isNumber())
    t.score = score->asDouble();
  for (size_t i = 0; i < executions->size(); ++i) {
    const JsonValue &x = executions->at(i);
    const JsonValue *s = x.find("score"), *e = x.find("best_epoch");
    if (!s || !s->isNumber() || !e || !e->isInt())
      return bad("a malformed execution");
    const JsonValue *seed = x.find("seed");
    if (!seed || !seed->isString())
      return bad("an execution without its seed");
    t.executionScores.push_back(s->asDouble());
    t.bestEpochs.push_back(e->asInt());
    t.seeds.push_back(std::strtoull(seed->asString().c_str(), nullptr, 10));
  }
  if (const JsonValue *err = o.find("error"); err && err->isString())
    t.error = err->asString();
  if (const JsonValue *s = o.find("seconds"); s && s->isNumber())
    t.seconds = s->asDouble();
  t.stage = stageOf(o);
  return t;
}

/// What identifies a search: a directory holding another one is refused.
JsonValue oracleJson(const TuneOptions &o, const std::string &model,
                     const SearchSpace &space, int64_t initialPoints) {
  JsonValue j = JsonValue::object();
  j.set("model", JsonValue::string(model));
  j.set("tuner", JsonValue::string(o.tuner));
  j.set("objective", JsonValue::string(o.objective));
  j.set("seed", JsonValue::integer(static_cast<int64_t>(o.seed)));
  j.set("executions_per_trial", JsonValue::integer(o.executionsPerTrial));
  j.set("initial_points", JsonValue::integer(initialPoints));
  if (o.tuner == "hyperband") {
    j.set("max_epochs", JsonValue::integer(o.maxEpochs));
    j.set("factor", JsonValue::integer(o.factor));
  }
  JsonValue names = JsonValue::array();
  for (const HyperParameter &hp : space.parameters)
    names.push(JsonValue::string(hp.name));
  j.set("hyperparameters", std::move(names));
  return j;
}

std::string textOf(std::ostringstream &os) {
  std::string s = os.str();
  while (!s.empty() && s.back() == '\n')
    s.pop_back();
  return s;
}

/// Compiles `text` (called `name` in messages) at the point `values` and
/// fits it quietly with run seed `seed` on `threads` threads: the fit's
/// result, or the error a failed trial records (the compiler's messages,
/// when it printed any).
Result<FitResult> trainPoint(const std::string &text, const std::string &name,
                             const HyperValues &values,
                             const TuneOptions &options, uint64_t seed,
                             unsigned threads, const char *activity,
                             const FitOptions &fit) {
  std::ostringstream diag;
  SessionOptions so = options.session;
  so.hyperparameters = values;
  so.diagnostics = &diag;
  so.warnUnusedParameters = false;
  std::unique_ptr<Session> session = Session::loadSource(text, name, so);
  if (!session)
    return Status::error(textOf(diag));
  TrainerOptions to;
  to.seed = seed;
  to.threads = threads;
  to.device = options.device;
  to.compileInference = false;
  to.activity = activity;
  Result<std::unique_ptr<Trainer>> trainer =
      Trainer::create(std::move(session), to);
  if (!trainer.ok()) {
    std::string printed = textOf(diag);
    return Status::error(printed.empty() ? trainer.status().message() : printed);
  }
  QuietSink quiet;
  Result<FitResult> fitted = (*trainer)->fit(fit, quiet);
  if (!fitted.ok()) {
    std::string printed = textOf(diag);
    return Status::error(fitted.status().message() +
                         (printed.empty() ? "" : "\n" + printed));
  }
  return fitted;
}
} // namespace

static std::string describeParameter(const HyperParameter &hp) {
  std::string s;
  llvm::raw_string_ostream os(s);
  switch (hp.kind) {
  case HyperParameter::Kind::Int:
  case HyperParameter::Kind::Float:
    os << (hp.kind == HyperParameter::Kind::Int ? "Int" : "Float")
       << " {min " << llvm::format("%g", hp.lo) << ", max "
       << llvm::format("%g", hp.hi);
    if (hp.step > 0)
      os << ", step " << llvm::format("%g", hp.step);
    os << ", sampling " << hp.sampling << ", default " << hp.defaultValue
       << "}";
    break;
  case HyperParameter::Kind::Choice: {
    os << "Choice {values ";
    for (size_t i = 0; i < hp.choices.size(); ++i)
      os << (i ? ", " : "") << hp.choices[i];
    os << "; default " << hp.defaultValue << "}";
    break;
  }
  case HyperParameter::Kind::Boolean:
    os << "Boolean {default " << hp.defaultValue << "}";
    break;
  }
  return s;
}

std::string weir::formatSearchSpace(const SearchSpace &space) {
  std::string s = "Search space summary\nDefault search space size: " +
                  std::to_string(space.parameters.size()) + "\n";
  for (const HyperParameter &hp : space.parameters)
    s += hp.name + " (" + describeParameter(hp) + ")  " + hp.location + "\n";
  return s;
}

Result<TuneResult> weir::runTuner(const std::string &modelPath,
                              const TuneOptions &options, TuneSink &sink) {
  if (options.tuner != "random" && options.tuner != "bayesian" &&
      options.tuner != "hyperband")
    return Status::error("unknown tuner '" + options.tuner +
                         "' (expected random, bayesian or hyperband)");
  if (options.tuner == "hyperband" &&
      (options.maxEpochs < 1 || options.factor < 2))
    return Status::error("hyperband needs --max-epochs (at least 1) and a "
                         "--factor of at least 2");
  static const char *kObjectives[] = {"loss", "accuracy", "val_loss",
                                      "val_accuracy"};
  if (std::find(std::begin(kObjectives), std::end(kObjectives),
                options.objective) == std::end(kObjectives))
    return Status::error("unknown objective '" + options.objective +
                         "' (expected loss, accuracy, val_loss or "
                         "val_accuracy)");
  if (options.maxTrials < 1 || options.executionsPerTrial < 1)
    return Status::error("max trials and executions per trial are at least 1");
  if (options.directory.empty())
    return Status::error("the search needs a directory for its trials");

  // The default point, compiled once: its source and space serve every
  // trial.
  std::unique_ptr<Session> defaults = Session::load(modelPath, options.session);
  if (!defaults)
    return Status::error("cannot compile " + modelPath);
  std::string source = defaults->source();
  SearchSpace space = defaults->searchSpace();
  sink.onSpace(space);
  // Arrays from a file are read once, not once per trial and execution:
  // the training split, and the test split when the train block validates.
  std::optional<ArrayDataset> trainArrays, testArrays;
  DataRef trainRef = options.data, validationRef;
  if (!options.data.path.empty()) {
    Result<ArrayDataset> train = loadArrays(options.data.path, "train");
    if (!train.ok())
      return train.status();
    trainArrays = std::move(*train);
    trainRef = DataRef::inMemory(*trainArrays);
    TrainConfigOp config = findTrainConfig(defaults->module());
    if (config && getTrainingConfig(config).validate) {
      Result<ArrayDataset> test = loadArrays(options.data.path, "test");
      if (!test.ok())
        return test.status();
      testArrays = std::move(*test);
      validationRef = DataRef::inMemory(*testArrays);
    }
  }
  defaults.reset();
  if (space.empty())
    return Status::error(modelPath + " has no search space: write one where "
                         "an argument stands, as in int(16..64, step: 16), "
                         "float(1e-4..1e-2, sampling: log), choice(adam, "
                         "rmsprop), boolean()");
  TuneResult result;
  result.space = space;
  // keras-tuner infers the direction for built-in metrics and losses.
  result.maximize = options.objective.find("accuracy") != std::string::npos;
  std::vector<tune::Dimension> dims = dimensionsOf(space);
  int64_t initialPoints = options.initialPoints > 0
                              ? options.initialPoints
                              : 3 * static_cast<int64_t>(dims.size());

  // The directory: this search's, or a new one.
  const std::string &dir = options.directory;
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return Status::error("cannot create " + dir + ": " + ec.message());
  std::string oraclePath = dir + "/oracle.json";
  if (options.overwrite) {
    for (int64_t n = 1; llvm::sys::fs::exists(trialPath(dir, n)); ++n)
      llvm::sys::fs::remove(trialPath(dir, n));
    llvm::sys::fs::remove(oraclePath);
    llvm::sys::fs::remove_directories(dir + "/checkpoints");
  }
  JsonValue oracle = oracleJson(options, modelPath, space, initialPoints);
  if (llvm::sys::fs::exists(oraclePath)) {
    Result<JsonValue> previous = readJsonFile(oraclePath);
    if (!previous.ok())
      return previous.status();
    if (writeJson(*previous) != writeJson(oracle))
      return Status::error(dir + " holds another search (" +
                           writeJson(*previous) +
                           "); give --overwrite or another directory");
  } else if (Status s = writeJsonFile(oraclePath, oracle); !s.ok()) {
    return s;
  }

  std::set<std::string> tried;
  std::vector<tune::Observation> observed;
  auto record = [&](const TrialResult &t) {
    tried.insert(tune::pointKey(t.values));
    if (t.score)
      observed.push_back({t.values, result.maximize ? *t.score : -*t.score});
    result.trials.push_back(t);
  };
  auto bestSoFar = [&]() -> const TrialResult * {
    const TrialResult *best = nullptr;
    for (const TrialResult &t : result.trials)
      if (t.score && (!best || (result.maximize ? *t.score > *best->score
                                                : *t.score < *best->score)))
        best = &t;
    return best;
  };
  // One trial to obtain: `n` at `point`, trained for `epochs` (0: the
  // train block's); with `resumeTag`, each execution continues from (and
  // writes) its checkpoint DIR/checkpoints/<tag>_e<k>.ckpt, as Hyperband's
  // later rounds train on from the earlier ones. `extra` joins its record.
  struct Job {
    int64_t n;
    tune::Point point;
    int64_t epochs = 0;
    std::string resumeTag;
    JsonValue extra = JsonValue::object();
  };
  unsigned parallel = static_cast<unsigned>(std::max<int64_t>(1, options.parallelTrials));
  // The cores are split between the trials that run side by side.
  unsigned trialThreads =
      std::max(1u, resolveThreads(options.threads) / parallel);

  // Runs a job: no shared state is written, so jobs run side by side.
  auto runJob = [&](const Job &job) -> Result<TrialResult> {
    TrialResult trial;
    trial.number = job.n;
    trial.values = job.point;
    auto start = std::chrono::steady_clock::now();
    for (int64_t e = 0; e < options.executionsPerTrial && trial.error.empty();
         ++e) {
      std::string stream = job.resumeTag.empty()
                               ? "trial/" + std::to_string(job.n)
                               : "config/" + job.resumeTag;
      uint64_t seed = deriveSeed(options.seed,
                                 stream + "/execution/" + std::to_string(e));
      FitOptions fit;
      fit.data = trainRef;
      fit.validation = validationRef;
      fit.epochs = job.epochs > 0 ? job.epochs : options.epochs;
      fit.batchSize = options.batchSize;
      if (!job.resumeTag.empty()) {
        fit.checkpoint = dir + "/checkpoints/" + job.resumeTag + "_e" +
                         std::to_string(e) + ".ckpt";
        fit.resume = llvm::sys::fs::exists(fit.checkpoint);
      }
      Result<FitResult> fitted = trainPoint(source, modelPath, trial.values,
                                            options, seed, trialThreads,
                                            "tuning", fit);
      if (!fitted.ok()) {
        trial.error = fitted.status().message();
        break;
      }
      std::optional<double> best;
      int64_t bestEpoch = 0;
      for (size_t i = 0; i < fitted->history.size(); ++i) {
        auto it = fitted->history[i].find(options.objective);
        if (it == fitted->history[i].end())
          return Status::error("the objective " + options.objective +
                               " is not logged by this training (it logs "
                               "loss and, with the accuracy metric, accuracy; "
                               "val_ ones need validation data)");
        double v = it->second;
        if (std::isnan(v))
          continue;
        if (!best || (result.maximize ? v > *best : v < *best)) {
          best = v;
          bestEpoch = static_cast<int64_t>(i) + 1;
        }
      }
      if (!best) {
        trial.error = "every epoch's " + options.objective + " was NaN";
        break;
      }
      trial.executionScores.push_back(*best);
      trial.bestEpochs.push_back(bestEpoch);
      trial.seeds.push_back(seed);
    }
    if (trial.error.empty()) {
      double sum = 0;
      for (double v : trial.executionScores)
        sum += v;
      trial.score = sum / double(trial.executionScores.size());
    }
    trial.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    return trial;
  };

  // Obtains the jobs' trials, in order: read back when an earlier run of
  // this search recorded them, else run (up to `parallel` at a time) and
  // recorded. Returns each one's index in result.trials.
  auto obtain = [&](std::vector<Job> jobs) -> Result<std::vector<size_t>> {
    std::vector<std::optional<TrialResult>> done(jobs.size());
    for (size_t j = 0; j < jobs.size(); ++j) {
      std::string path = trialPath(dir, jobs[j].n);
      if (!llvm::sys::fs::exists(path))
        continue;
      Result<JsonValue> json = readJsonFile(path);
      if (!json.ok())
        return json.status();
      Result<TrialResult> t = trialFromJson(*json, path);
      if (!t.ok())
        return t.status();
      if (t->values != jobs[j].point)
        return Status::error(path + " holds another point than this search "
                             "reaches at trial " + std::to_string(jobs[j].n) +
                             "; give --overwrite or another directory");
      done[j] = std::move(*t);
    }
    if (!jobs.empty() && !jobs.front().resumeTag.empty())
      if (std::error_code ec =
              llvm::sys::fs::create_directories(dir + "/checkpoints"))
        return Status::error("cannot create " + dir + "/checkpoints: " +
                             ec.message());
    std::vector<size_t> indices;
    for (size_t j = 0; j < jobs.size();) {
      // The next batch of trials not recorded, side by side.
      std::vector<size_t> batch;
      for (size_t k = j; k < jobs.size() && batch.size() < parallel; ++k)
        if (!done[k])
          batch.push_back(k);
      std::vector<std::optional<Result<TrialResult>>> ran(batch.size());
      if (batch.size() == 1) {
        ran[0].emplace(runJob(jobs[batch[0]]));
      } else if (!batch.empty()) {
        std::vector<std::thread> threads;
        for (size_t b = 0; b < batch.size(); ++b)
          threads.emplace_back(
              [&, b] { ran[b].emplace(runJob(jobs[batch[b]])); });
        for (std::thread &t : threads)
          t.join();
      }
      size_t last = batch.empty() ? jobs.size() - 1 : batch.back();
      for (size_t b = 0; b < batch.size(); ++b) {
        if (!ran[b]->ok())
          return ran[b]->status();
        done[batch[b]] = std::move(**ran[b]);
      }
      // Recorded and reported in trial order.
      for (; j <= last; ++j) {
        TrialResult &t = *done[j];
        if (!t.recorded) {
          JsonValue record = trialJson(t);
          for (size_t i = 0; i < jobs[j].extra.size(); ++i)
            record.set(jobs[j].extra.keyAt(i), jobs[j].extra.at(i));
          t.stage = stageOf(record);
          if (Status st = writeJsonFile(trialPath(dir, t.number), record);
              !st.ok())
            return st;
        }
        bool ranNow = !t.recorded;
        record(t);
        indices.push_back(result.trials.size() - 1);
        sink.onTrial(result.trials.back(), bestSoFar());
        if (ranNow && t.number == options.abortAfterTrials)
          _exit(137); // a stand-in for SIGKILL, for the resume test
      }
    }
    return indices;
  };
  // A point not tried yet, drawn at random: keras-tuner gives up after 100
  // draws that were all tried.
  auto randomUntried = [&](SplitMix64 &rng) -> std::optional<tune::Point> {
    for (int draw = 0; draw < 100; ++draw) {
      tune::Point p = tune::randomPoint(dims, rng);
      if (!tried.count(tune::pointKey(p)))
        return p;
    }
    return std::nullopt;
  };

  if (options.tuner == "hyperband") {
    // Li et al., Algorithm 1, one iteration: brackets s = s_max .. 0, each
    // a successive halving of n configurations from r epochs up to R.
    double eta = double(options.factor), R = double(options.maxEpochs);
    int64_t sMax =
        static_cast<int64_t>(std::floor(std::log(R) / std::log(eta) + 1e-9));
    double budget = double(sMax + 1) * R;
    int64_t n = 0, config = 0;
    for (int64_t s = sMax; s >= 0; --s) {
      int64_t count = static_cast<int64_t>(
          std::ceil(budget / R * std::pow(eta, double(s)) / double(s + 1)));
      double r = R * std::pow(eta, -double(s));
      std::vector<std::pair<int64_t, tune::Point>> configs;
      for (int64_t k = 0; k < count; ++k) {
        SplitMix64 rng(options.seed, static_cast<uint64_t>(++config));
        std::optional<tune::Point> p = randomUntried(rng);
        if (!p)
          break;
        tried.insert(tune::pointKey(*p));
        configs.push_back({config, std::move(*p)});
      }
      for (int64_t i = 0; i <= s && !configs.empty(); ++i) {
        int64_t epochs = std::max<int64_t>(
            1, static_cast<int64_t>(std::llround(r * std::pow(eta, double(i)))));
        std::vector<Job> jobs;
        for (const auto &[id, point] : configs) {
          Job job;
          job.n = ++n;
          job.point = point;
          job.epochs = epochs;
          char tag[32];
          std::snprintf(tag, sizeof tag, "config_%04lld",
                        static_cast<long long>(id));
          job.resumeTag = tag;
          job.extra.set("bracket", JsonValue::integer(s));
          job.extra.set("round", JsonValue::integer(i));
          job.extra.set("config", JsonValue::integer(id));
          job.extra.set("epochs", JsonValue::integer(epochs));
          jobs.push_back(std::move(job));
        }
        Result<std::vector<size_t>> got = obtain(std::move(jobs));
        if (!got.ok())
          return got.status();
        // The best floor(n_i / eta) go on to the next round.
        std::vector<std::pair<double, size_t>> scored;
        for (size_t c = 0; c < got->size(); ++c)
          if (const TrialResult &t = result.trials[(*got)[c]]; t.score)
            scored.push_back({result.maximize ? *t.score : -*t.score, c});
        std::stable_sort(scored.begin(), scored.end(),
                         [](auto &a, auto &b) { return a.first > b.first; });
        size_t keep = static_cast<size_t>(
            std::floor(double(configs.size()) / eta));
        std::vector<std::pair<int64_t, tune::Point>> next;
        for (size_t k = 0; k < keep && k < scored.size(); ++k)
          next.push_back(configs[scored[k].second]);
        configs = std::move(next);
      }
    }
  } else {
    for (int64_t n = 1; n <= options.maxTrials;) {
      // Random points are drawn `parallel` at a time; the Gaussian
      // process proposes one point at a time, from every score so far.
      bool gp = options.tuner == "bayesian" &&
                int64_t(observed.size()) >= initialPoints && !observed.empty();
      std::vector<Job> jobs;
      bool exhausted = false;
      for (int64_t k = 0; k < (gp ? 1 : int64_t(parallel)) &&
                          n + k <= options.maxTrials;
           ++k) {
        if (!gp && options.tuner == "bayesian" &&
            int64_t(observed.size()) + k >= initialPoints && k > 0)
          break;
        SplitMix64 rng(options.seed, static_cast<uint64_t>(n + k));
        std::optional<tune::Point> point =
            gp ? tune::bayesianPoint(dims, observed, tried, rng)
               : randomUntried(rng);
        if (!point) {
          exhausted = true;
          break;
        }
        tried.insert(tune::pointKey(*point));
        Job job;
        job.n = n + k;
        job.point = std::move(*point);
        jobs.push_back(std::move(job));
      }
      int64_t count = int64_t(jobs.size());
      if (count) {
        Result<std::vector<size_t>> got = obtain(std::move(jobs));
        if (!got.ok())
          return got.status();
      }
      n += count;
      if (exhausted) {
        sink.onNote("the search space is exhausted after " +
                    std::to_string(n - 1) + " trials");
        break;
      }
    }
  }
  for (size_t i = 0; i < result.trials.size(); ++i)
    if (result.trials[i].score)
      result.ranking.push_back(i);
  std::stable_sort(result.ranking.begin(), result.ranking.end(),
                   [&](size_t a, size_t b) {
                     double x = *result.trials[a].score,
                            y = *result.trials[b].score;
                     return result.maximize ? x > y : x < y;
                   });
  return result;
}

namespace {
/// x and y of `a` followed by those of `b` (the same example shapes).
Result<ArrayDataset> concatenate(const ArrayDataset &a, const ArrayDataset &b) {
  auto join = [](const HostTensor &p, const HostTensor &q) -> Result<HostTensor> {
    std::vector<int64_t> ps = p.shape(), qs = q.shape();
    if (p.dtype() != q.dtype() || ps.empty() || qs.empty() ||
        !std::equal(ps.begin() + 1, ps.end(), qs.begin() + 1, qs.end()))
      return Status::error("the train and test splits hold different "
                           "examples (" + p.describe() + ", " + q.describe() +
                           ")");
    std::vector<int64_t> shape = ps;
    shape[0] += qs[0];
    Result<HostTensor> out = HostTensor::createUninitialized(p.dtype(), shape);
    if (!out.ok())
      return out.status();
    std::memcpy(out->bytes(), p.bytes(), p.byteSize());
    std::memcpy(out->bytes() + p.byteSize(), q.bytes(), q.byteSize());
    return out;
  };
  Result<HostTensor> x = join(a.x, b.x);
  if (!x.ok())
    return x.status();
  Result<HostTensor> y = join(a.y, b.y);
  if (!y.ok())
    return y.status();
  ArrayDataset d;
  d.x = std::move(*x);
  d.y = std::move(*y);
  return d;
}
} // namespace

Result<std::vector<RetrainedModel>>
weir::retrainBest(const std::string &modelPath, const TuneOptions &options,
                  const TuneResult &result, const RetrainOptions &retrain,
                  TuneSink &sink) {
  if (options.data.path.empty())
    return Status::error("--retrain trains on the train and test splits of "
                         "--data together; give --data arrays");
  if (retrain.exportDir.empty())
    return Status::error("--retrain writes its models to --export DIR");
  if (std::error_code ec = llvm::sys::fs::create_directories(retrain.exportDir))
    return Status::error("cannot create " + retrain.exportDir + ": " +
                         ec.message());
  auto buffer = llvm::MemoryBuffer::getFile(modelPath);
  if (!buffer)
    return Status::error("cannot read " + modelPath + ": " +
                         buffer.getError().message());
  std::string source = (*buffer)->getBuffer().str();
  Result<ArrayDataset> train = loadArrays(options.data.path, "train");
  if (!train.ok())
    return train.status();
  Result<ArrayDataset> test = loadArrays(options.data.path, "test");
  if (!test.ok())
    return test.status();
  Result<ArrayDataset> all = concatenate(*train, *test);
  if (!all.ok())
    return all.status();
  std::string stem = llvm::sys::path::stem(modelPath).str();
  std::vector<RetrainedModel> models;
  for (size_t r = 0; r < result.ranking.size() &&
                     int64_t(models.size()) < retrain.top;
       ++r) {
    const TrialResult &t = result.trials[result.ranking[r]];
    RetrainedModel m;
    m.trial = t.number;
    m.values = t.values;
    char name[64];
    std::snprintf(name, sizeof name, "/%s_trial_%04lld", stem.c_str(),
                  static_cast<long long>(t.number));
    m.model = retrain.exportDir + name + ".weir";
    m.weights = retrain.exportDir + name + ".safetensors";
    std::string text = writePoint(source, result.space, t.values);
    // The best epoch: the lowest val_loss, early stopping with patience.
    m.bestEpochSeed =
        deriveSeed(options.seed, "retrain/" + std::to_string(t.number) +
                                     "/best-epoch");
    FitOptions probe;
    probe.data = DataRef::inMemory(*train);
    probe.validation = DataRef::inMemory(*test);
    probe.epochs = options.epochs;
    probe.batchSize = options.batchSize;
    EarlyStoppingOptions stopping;
    stopping.monitor = "val_loss";
    stopping.patience = retrain.patience;
    probe.earlyStopping = stopping;
    Result<FitResult> probed =
        trainPoint(text, m.model, {}, options, m.bestEpochSeed,
                   options.threads, "retraining", probe);
    if (!probed.ok())
      return Status::error("trial " + std::to_string(t.number) + ": " +
                           probed.status().message());
    double best = 0;
    for (size_t e = 0; e < probed->history.size(); ++e) {
      double v = probed->history[e].at("val_loss");
      if (m.bestEpoch == 0 || v < best) {
        best = v;
        m.bestEpoch = static_cast<int64_t>(e) + 1;
      }
    }
    // Retrained from scratch on both splits, without validation.
    m.epochs = std::max<int64_t>(
        1, static_cast<int64_t>(double(m.bestEpoch) * retrain.epochFactor));
    m.seed = deriveSeed(options.seed, "retrain/" + std::to_string(t.number));
    FitOptions fit;
    fit.data = DataRef::inMemory(*all);
    fit.validate = false;
    fit.epochs = m.epochs;
    fit.batchSize = options.batchSize;
    fit.noEarlyStopping = true;
    fit.output = m.weights;
    Result<FitResult> fitted = trainPoint(text, m.model, {}, options, m.seed,
                                          options.threads, "retraining", fit);
    if (!fitted.ok())
      return Status::error("trial " + std::to_string(t.number) + ": " +
                           fitted.status().message());
    if (Status s = writeFileAtomically(m.model, {{text.data(), text.size()}});
        !s.ok())
      return s;
    sink.onNote("trial " + std::to_string(t.number) + ": best epoch " +
                std::to_string(m.bestEpoch) + " (val_loss, seed " +
                std::to_string(m.bestEpochSeed) + "), retrained " +
                std::to_string(m.epochs) + " epochs on train + test (seed " +
                std::to_string(m.seed) + "): " + m.model + ", " + m.weights);
    models.push_back(std::move(m));
  }
  return models;
}
