//===- Run.cpp - `weir run`: inference on the CPU -------------------------===//
//
// Loads weights and inputs, checks them against the model's signature (each
// mismatch names the tensor and says expected versus actual), runs the
// model and writes the output. The model is a description (.weir or .mlir),
// compiled here by the JIT, or a library from `weir compile --emit=lib`.
//
//===----------------------------------------------------------------------===//
#include "runtime/Npy.h"
#include "runtime/Safetensors.h"
#include "runtime/cpu/JitExecutable.h"
#include "tools/weir/Commands.h"

using namespace mlir;
using namespace weir;

static std::string describeSpec(const TensorSpec &spec) {
  std::string s = std::string(dtypeName(spec.dtype)) + "[";
  for (size_t i = 0; i < spec.shape.size(); ++i)
    s += (i ? ", " : "") +
         (spec.shape[i] < 0 ? std::string("batch") : std::to_string(spec.shape[i]));
  return s + "]";
}

/// Checks `tensor` against `spec`, where -1 is the batch.
static Status checkTensor(const HostTensor &tensor, const TensorSpec &spec,
                          const std::string &what) {
  bool ok = tensor.dtype() == spec.dtype &&
            tensor.rank() == int64_t(spec.shape.size());
  for (size_t i = 0; ok && i < spec.shape.size(); ++i)
    ok = spec.shape[i] < 0 || tensor.shape()[i] == spec.shape[i];
  if (!ok)
    return Status::error(what + " is " + tensor.describe() +
                         ", the model needs " + describeSpec(spec));
  return Status::success();
}

static int fail(const Status &status) {
  llvm::errs() << "weir run: error: " << status.message() << "\n";
  return 1;
}

/// Reads and checks the inputs and the weights the manifest names.
static Status loadArguments(const RunOptions &options, const ModelManifest &m,
                            std::vector<HostTensor> &inputs,
                            SafetensorsFile &weights,
                            std::vector<const HostTensor *> &args) {
  if (options.inputs.size() != m.inputs.size())
    return Status::error("model '" + m.function + "' takes " +
                         std::to_string(m.inputs.size()) + " input(s), " +
                         std::to_string(options.inputs.size()) +
                         " given with --input");
  int64_t batch = -1;
  for (auto [i, path] : llvm::enumerate(options.inputs)) {
    Result<HostTensor> t = readNpy(path);
    if (!t.ok())
      return t.status();
    std::string what = "input #" + std::to_string(i) + " ('" + path + "')";
    if (Status s = checkTensor(*t, m.inputs[i], what); !s.ok())
      return s;
    if (Status s = checkFinite(*t, what); !s.ok())
      return s;
    if (batch >= 0 && t->shape()[0] != batch)
      return Status::error(what + " has batch " +
                           std::to_string(t->shape()[0]) +
                           ", the other inputs " + std::to_string(batch));
    batch = t->shape()[0];
    inputs.push_back(std::move(*t));
  }
  Result<SafetensorsFile> file = readSafetensors(options.weights);
  if (!file.ok())
    return file.status();
  weights = std::move(*file);
  for (HostTensor &t : inputs)
    args.push_back(&t);
  for (const TensorSpec &p : m.parameters) {
    const HostTensor *t = weights.find(p.name);
    if (!t)
      return Status::error("weights '" + options.weights +
                           "' have no tensor '" + p.name +
                           "' (the model needs " + describeSpec(p) + ")");
    std::string what = "weight '" + p.name + "' in '" + options.weights + "'";
    if (Status s = checkTensor(*t, p, what); !s.ok())
      return s;
    if (Status s = checkFinite(*t, what); !s.ok())
      return s;
    args.push_back(t);
  }
  return Status::success();
}

int weir::runRun(const RunOptions &options) {
  std::vector<HostTensor> inputs;
  SafetensorsFile weights;
  std::vector<const HostTensor *> args;
  Result<HostTensor> out = Status::error("no result");

  if (StringRef(options.model).ends_with(".so")) {
    Result<std::unique_ptr<AotLibrary>> lib = AotLibrary::load(options.model);
    if (!lib.ok())
      return fail(lib.status());
    if (Status s = loadArguments(options, (*lib)->manifest(), inputs, weights,
                                 args);
        !s.ok())
      return fail(s);
    out = (*lib)->call(args, options.threads);
  } else {
    auto session = Session::load(options.model, options.session);
    if (!session)
      return 1;
    func::FuncOp func = session->entry(options.function);
    if (!func)
      return 1;
    Result<ModelManifest> manifest = session->manifestOf(func);
    if (!manifest.ok())
      return fail(manifest.status());
    if (Status s = loadArguments(options, *manifest, inputs, weights, args);
        !s.ok())
      return fail(s);
    std::unique_ptr<JitExecutable> exe = session->compileForCpu();
    if (!exe)
      return 1;
    out = exe->call(manifest->function, args, inputs.size(),
                       manifest->output.dtype, manifest->output.shape,
                       options.threads);
  }
  if (!out.ok())
    return fail(out.status());
  if (Status s = writeNpy(options.output, *out); !s.ok())
    return fail(s);
  return 0;
}
