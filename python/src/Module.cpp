//===- Module.cpp - weir._weir: the compiler and Trainer for Python -------===//
//
// One class, Model: a model file compiled for training (a Trainer) and its
// summary. fit / evaluate / predict take numpy arrays (borrowed, not
// copied, when C-contiguous), a data file's path, or the name of one of the
// model file's data pipelines. The GIL is released while Weir compiles and
// trains; the sink takes it back for progress lines, callbacks and Ctrl-C.
// Errors are weir.WeirError, with the compiler's file:line:col diagnostics
// as their text. weir/__init__.py wraps this in Keras' shapes.
//
//===----------------------------------------------------------------------===//
#include "api/Session.h"
#include "api/Summary.h"
#include "api/Trainer.h"
#include "python/src/Arrays.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

namespace py = pybind11;
using namespace pybind11::literals;
using namespace weir;
using python::BorrowedArray;

namespace {
PyObject *weirError = nullptr;

[[noreturn]] void raise(const std::string &message) {
  PyErr_SetString(weirError, message.c_str());
  throw py::error_already_set();
}

/// What `diag` collected (and empties it), without its last newline.
std::string takeText(std::ostringstream &diag) {
  std::string text = diag.str();
  diag.str("");
  diag.clear();
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  return text;
}

/// The text of a failed call: what the compiler printed (file:line:col
/// with the source line), then the status's message when it adds to it.
std::string failure(std::ostringstream &diag, const std::string &message) {
  std::string printed = takeText(diag);
  if (printed.empty())
    return message;
  if (message.empty() || printed.find(message) != std::string::npos)
    return printed;
  return printed + "\n" + message;
}

/// Progress for Python: epoch lines and notes printed through sys.stdout
/// (so that a notebook shows them), the epoch callback, and Ctrl-C. A
/// Python error in any of them stops the fit and is raised after it.
class PythonSink : public FitSink {
public:
  PythonSink(int verbose, py::object onEpochEnd)
      : verbose_(verbose), onEpochEnd_(std::move(onEpochEnd)) {}
  ~PythonSink() override {
    py::gil_scoped_acquire gil;
    onEpochEnd_ = py::object();
    error_.reset();
  }

  void onBatch(const BatchProgress &) override {
    // Signals are looked at every 50 ms: taking the GIL every step would
    // cost the MLP's short steps.
    auto now = std::chrono::steady_clock::now();
    if (now - lastSignalCheck_ < std::chrono::milliseconds(50))
      return;
    lastSignalCheck_ = now;
    py::gil_scoped_acquire gil;
    if (!error_ && PyErr_CheckSignals() != 0)
      error_ = std::make_unique<py::error_already_set>();
  }
  void onEpoch(const EpochReport &r) override {
    py::gil_scoped_acquire gil;
    if (error_)
      return;
    try {
      if (verbose_ > 0) {
        std::string line = formatEpochSummary(r.stats);
        if (r.inputBoundPercent)
          line += "  input-bound " +
                  std::to_string(int(*r.inputBoundPercent + 0.5)) + "%";
        py::print(line, "flush"_a = true);
      }
      if (!onEpochEnd_.is_none()) {
        py::dict logs;
        for (const auto &[key, value] : r.logs)
          logs[py::str(key)] = value;
        onEpochEnd_(r.stats.epoch - 1, logs); // Keras counts from 0
      }
    } catch (py::error_already_set &e) {
      error_ = std::make_unique<py::error_already_set>(std::move(e));
    }
  }
  void onNote(const std::string &line) override {
    if (verbose_ <= 0)
      return;
    py::gil_scoped_acquire gil;
    py::print(line, "flush"_a = true);
  }
  bool stopRequested() override { return error_ != nullptr; }

  /// Raises the Python error that stopped the fit, if one did (GIL held).
  void rethrow() {
    if (!error_)
      return;
    py::error_already_set e = std::move(*error_);
    error_.reset();
    throw e;
  }

private:
  int verbose_;
  py::object onEpochEnd_;
  std::unique_ptr<py::error_already_set> error_;
  std::chrono::steady_clock::time_point lastSignalCheck_{};
};

/// Examples for a call: arrays (x, y) borrowed into `arrays`, a path (an
/// IDX directory or .npz, its `split`), or the name of a data pipeline of
/// the model file. `ref` points into it, so it stays where it is made.
struct Examples {
  Examples() = default;
  Examples(const Examples &) = delete;
  std::optional<BorrowedArray> x, y;
  ArrayDataset arrays;
  DataRef ref;
};

class Model {
public:
  static std::unique_ptr<Model>
  compile(std::optional<std::string> path, std::optional<std::string> source,
          std::string name, uint64_t seed, unsigned threads,
          std::string weights, std::string precision, std::string device,
          std::map<std::string, std::string> hyperparameters) {
    std::unique_ptr<Model> m(new Model());
    SessionOptions so;
    so.precision = std::move(precision);
    so.hyperparameters = std::move(hyperparameters);
    so.diagnostics = m->diag_.get();
    TrainerOptions to;
    to.seed = seed;
    to.threads = threads;
    to.weights = std::move(weights);
    to.device = std::move(device);
    std::string failed;
    {
      py::gil_scoped_release release;
      std::unique_ptr<Session> session =
          path ? Session::load(*path, so) : Session::loadSource(*source, name, so);
      if (!session) {
        failed = failure(*m->diag_, "cannot compile " +
                                        (path ? *path : name));
      } else {
        m->space_ = session->searchSpace();
        Result<ModelSummary> summary = summarizeModel(*session, "");
        if (!summary.ok()) {
          failed = failure(*m->diag_, summary.status().message());
        } else {
          m->summary_ = std::move(*summary);
          Result<std::unique_ptr<Trainer>> t =
              Trainer::create(std::move(session), to);
          if (!t.ok())
            failed = failure(*m->diag_, t.status().message());
          else
            m->trainer_ = std::move(*t);
        }
      }
    }
    if (!failed.empty())
      raise(failed);
    // Warnings of a model that compiled (unused parameters, ...).
    if (std::string warnings = takeText(*m->diag_); !warnings.empty())
      PyErr_WarnEx(PyExc_UserWarning, warnings.c_str(), 1);
    return m;
  }

  py::dict fit(py::object x, py::object y, int64_t epochs, int64_t batchSize,
               py::object validation, int verbose, py::object onEpochEnd,
               std::string checkpoint, bool resume, std::string historyCsv,
               std::string logdir, int64_t logEvery, std::string saveBest,
               std::string monitor, std::string output) {
    Examples train, val;
    examples(train, x, y, "train", /*needTargets=*/true, "");
    FitOptions fit;
    fit.data = train.ref;
    if (py::isinstance<py::bool_>(validation)) {
      fit.validate = validation.cast<bool>();
    } else if (py::isinstance<py::tuple>(validation) ||
               py::isinstance<py::list>(validation)) {
      py::sequence pair = validation;
      if (py::len(pair) != 2)
        throw py::value_error("validation_data is (x, y): two arrays");
      examples(val, pair[0], pair[1], "test", true, "validation ");
      fit.validation = val.ref;
    } else if (!validation.is_none()) {
      examples(val, validation, py::none(), "test", true, "validation ");
      fit.validation = val.ref;
    }
    fit.epochs = epochs;
    fit.batchSize = batchSize;
    fit.checkpoint = std::move(checkpoint);
    fit.resume = resume;
    fit.historyCsv = std::move(historyCsv);
    fit.logdir = std::move(logdir);
    fit.logEvery = logEvery;
    fit.saveBest = std::move(saveBest);
    fit.saveBestMonitor = std::move(monitor);
    fit.output = std::move(output);
    if (fit.logEvery < 0 || (fit.logEvery > 0 && fit.logdir.empty()))
      throw py::value_error("log_every needs a logdir and a count of steps "
                            "(at least 1)");
    PythonSink sink(verbose, std::move(onEpochEnd));
    std::optional<Result<FitResult>> result;
    {
      py::gil_scoped_release release;
      result.emplace(trainer_->fit(fit, sink));
    }
    sink.rethrow();
    if (!result->ok())
      raise(failure(*diag_, result->status().message()));
    py::list history;
    for (const EpochLogs &logs : (*result)->history) {
      py::dict d;
      for (const auto &[key, value] : logs)
        d[py::str(key)] = value;
      history.append(d);
    }
    return py::dict("history"_a = history, "epochs"_a = (*result)->epochs,
                    "steps"_a = (*result)->steps,
                    "stopped_early"_a = (*result)->stoppedEarly);
  }

  py::dict evaluate(py::object x, py::object y, int64_t batchSize) {
    Examples data;
    examples(data, x, y, "test", true, "");
    std::optional<Result<StepMetrics>> m;
    {
      py::gil_scoped_release release;
      m.emplace(trainer_->evaluate(data.ref, batchSize));
    }
    if (!m->ok())
      raise(failure(*diag_, m->status().message()));
    py::dict out("loss"_a = (*m)->loss);
    for (const std::string &metric : trainer_->metrics())
      if (metric == "accuracy")
        out["accuracy"] =
            (*m)->examples ? (*m)->correct / double((*m)->examples) : 0.0;
    return out;
  }

  py::array predict(py::object x, int64_t batchSize) {
    Examples data;
    examples(data, x, py::none(), "test", false, "");
    std::optional<Result<HostTensor>> out;
    {
      py::gil_scoped_release release;
      out.emplace(trainer_->predict(data.ref, batchSize));
    }
    if (!out->ok())
      raise(failure(*diag_, out->status().message()));
    return python::toNumpy(std::move(**out));
  }

  /// The model's parameters in declaration order, as copies.
  py::list weights() const {
    py::list out;
    for (const std::string &name : trainer_->parameterNames())
      out.append(py::make_tuple(
          name, python::copyToNumpy(trainer_->state().at(name))));
    return out;
  }

  void saveWeights(const std::string &path) {
    Status s;
    {
      py::gil_scoped_release release;
      s = trainer_->saveWeights(path);
    }
    if (!s.ok())
      raise(s.message());
  }

  std::string summaryText() const { return formatSummary(summary_); }

  py::list summaryRows() const {
    py::list rows;
    for (const LayerSummary &l : summary_.layers)
      rows.append(py::dict("name"_a = l.name, "type"_a = l.type,
                           "output"_a = l.output, "trainable"_a = l.trainable,
                           "non_trainable"_a = l.nonTrainable,
                           "inputs"_a = l.inputs, "location"_a = l.location));
    return rows;
  }
  int64_t trainableCount() const { return summary_.trainable; }
  int64_t nonTrainableCount() const { return summary_.nonTrainable; }
  const std::string &name() const { return summary_.model; }
  std::vector<std::string> metrics() const { return trainer_->metrics(); }

  /// The file's search space: one dict per hyperparameter.
  py::list searchSpace() const {
    py::list out;
    for (const HyperParameter &hp : space_.parameters) {
      const char *kind = hp.kind == HyperParameter::Kind::Int     ? "int"
                         : hp.kind == HyperParameter::Kind::Float ? "float"
                         : hp.kind == HyperParameter::Kind::Choice
                             ? "choice"
                             : "boolean";
      py::dict d("name"_a = hp.name, "kind"_a = kind,
                 "default"_a = hp.defaultValue, "location"_a = hp.location);
      if (hp.kind == HyperParameter::Kind::Int ||
          hp.kind == HyperParameter::Kind::Float) {
        d["min"] = hp.lo;
        d["max"] = hp.hi;
        d["step"] = hp.step;
        d["sampling"] = hp.sampling;
      } else if (hp.kind == HyperParameter::Kind::Choice) {
        d["values"] = hp.choices;
      }
      out.append(d);
    }
    return out;
  }

private:
  Model() = default;

  /// `x` (and `y`) as a call's examples: arrays, a path, or a pipeline's
  /// name (x a string naming one), None for the train block's pipelines.
  void examples(Examples &e, py::handle x, py::handle y, const char *split,
                bool needTargets, const std::string &prefix) {
    if (x.is_none()) {
      if (!y.is_none())
        throw py::value_error(prefix + "y was given without x");
      return;
    }
    if (py::isinstance<py::str>(x)) {
      if (!y.is_none())
        throw py::value_error(prefix + "x names a pipeline or a data file; "
                              "its targets come from there, not from y");
      std::string s = x.cast<std::string>();
      e.ref = trainer_->hasPipeline(s) ? DataRef::pipelineNamed(s)
                                       : DataRef::file(s, split);
      return;
    }
    std::string xName = prefix + "x", yName = prefix + "y";
    e.x.emplace(python::borrowArray(x, xName.c_str()));
    if (y.is_none()) {
      if (needTargets)
        throw py::value_error(prefix + "x needs its targets, y");
    } else {
      e.y.emplace(python::borrowArray(y, yName.c_str()));
      if (e.y->tensor.rank() == 0 || e.x->tensor.rank() == 0 ||
          e.y->tensor.shape()[0] != e.x->tensor.shape()[0])
        throw py::value_error(
            prefix + "x and y hold different numbers of examples (x " +
            formatShape(e.x->tensor.shape()) + ", y " +
            formatShape(e.y->tensor.shape()) + ")");
    }
    if (e.x->tensor.rank() == 0)
      throw py::value_error(xName + " is a scalar; it needs a batch dimension");
    // The views; `e` keeps the arrays they read alive.
    e.arrays.x = std::move(e.x->tensor);
    if (e.y)
      e.arrays.y = std::move(e.y->tensor);
    e.ref = DataRef::inMemory(e.arrays);
  }

  // Declared first, destroyed last: the session writes to it.
  std::unique_ptr<std::ostringstream> diag_ =
      std::make_unique<std::ostringstream>();
  std::unique_ptr<Trainer> trainer_;
  ModelSummary summary_;
  SearchSpace space_;
};
} // namespace

PYBIND11_MODULE(_weir, m) {
  m.doc() = "Weir's compiler and runtime (the weir package wraps this)";
  weirError = PyErr_NewException("weir.WeirError", PyExc_RuntimeError, nullptr);
  m.attr("WeirError") = py::handle(weirError);

  py::class_<Model>(m, "Model")
      .def_static("compile", &Model::compile, "path"_a, "source"_a, "name"_a,
                  "seed"_a, "threads"_a, "weights"_a, "precision"_a,
                  "device"_a, "hyperparameters"_a)
      .def("fit", &Model::fit, "x"_a, "y"_a, "epochs"_a, "batch_size"_a,
           "validation"_a, "verbose"_a, "on_epoch_end"_a, "checkpoint"_a,
           "resume"_a, "history_csv"_a, "logdir"_a, "log_every"_a,
           "save_best"_a, "monitor"_a, "output"_a)
      .def("evaluate", &Model::evaluate, "x"_a, "y"_a, "batch_size"_a)
      .def("predict", &Model::predict, "x"_a, "batch_size"_a)
      .def("weights", &Model::weights)
      .def("save_weights", &Model::saveWeights, "path"_a)
      .def("summary_text", &Model::summaryText)
      .def("summary_rows", &Model::summaryRows)
      .def_property_readonly("trainable_count", &Model::trainableCount)
      .def_property_readonly("non_trainable_count", &Model::nonTrainableCount)
      .def_property_readonly("name", &Model::name)
      .def_property_readonly("metrics", &Model::metrics)
      .def("search_space", &Model::searchSpace);
}
