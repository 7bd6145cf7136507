//===- weir.cpp - the weir driver: subcommands over the compiler ---------===//
#include "tools/weir/Commands.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <thread>

namespace cl = llvm::cl;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // `weir data bench` parses its own options (LLVM's parser knows none).
  if (argc > 2 && llvm::StringRef(argv[1]) == "data" &&
      llvm::StringRef(argv[2]) == "bench")
    return weir::runDataBench(std::vector<std::string>(argv + 3, argv + argc));

  cl::SubCommand compile("compile", "Compile a model; print or write a stage");
  cl::SubCommand run("run", "Run a model on inputs (inference, CPU)");
  cl::SubCommand initCmd("init", "Write freshly initialized weights");
  cl::SubCommand bench("bench", "Measure compile time and inference throughput");
  cl::SubCommand data("data", "Dataset tools: import-idx SRC DST");
  cl::SubCommand train("train", "Train a model (its `train` block) on its "
                                "data pipeline or on arrays");
  cl::SubCommand evaluate("evaluate", "Loss and accuracy of weights on a split");
  cl::SubCommand predict("predict", "Model outputs on a split, as .npy");
  cl::SubCommand gradients("gradients",
                           "Loss and gradients of one batch (the whole split)");

  cl::opt<std::string> model(cl::Positional,
                             cl::desc("<model.weir|model.mlir|model.so>"),
                             cl::Required, cl::sub(compile), cl::sub(run),
                             cl::sub(initCmd), cl::sub(bench), cl::sub(train),
                             cl::sub(evaluate), cl::sub(predict), cl::sub(gradients));
  cl::opt<std::string> output("o", cl::desc("Output file"),
                              cl::value_desc("file"), cl::init("-"),
                              cl::sub(compile), cl::sub(initCmd), cl::sub(train),
                              cl::sub(predict), cl::sub(gradients));
  cl::opt<std::string> emit(
      "emit",
      cl::desc("Stage to emit: weir, pipeline (where each data-pipeline "
               "stage runs), train (with the training functions), "
               "linalg, llvm (LLVM dialect), obj, lib"),
      cl::init("weir"), cl::sub(compile));
  cl::opt<std::string> target(
      "target",
      cl::desc("Target: cpu (default) or cuda (--emit=gpu, nvvm, ptx, cubin, obj, jit)"),
      cl::init("cpu"), cl::sub(compile));
  cl::list<std::string> cudaArch(
      "cuda-arch", cl::desc("GPU architectures (default: sm_80,sm_90)"),
      cl::CommaSeparated, cl::sub(compile));
  cl::opt<bool> printAfterAll("print-ir-after-all",
                              cl::desc("Print the module after every pass"),
                              cl::sub(compile), cl::sub(run));
  cl::opt<bool> timing("timing", cl::desc("Report the time of each pass"),
                       cl::sub(compile), cl::sub(run));
  cl::opt<bool> noUnusedWarning(
      "no-warn-unused-parameters",
      cl::desc("Do not warn about parameters that no function reads"),
      cl::sub(compile), cl::sub(run), cl::sub(initCmd), cl::sub(bench),
      cl::sub(train), cl::sub(evaluate), cl::sub(predict), cl::sub(gradients));
  cl::opt<std::string> weights("weights", cl::desc("Weights (.safetensors)"),
                               cl::value_desc("file"), cl::sub(run),
                               cl::sub(train), cl::sub(evaluate),
                               cl::sub(predict), cl::sub(gradients));
  cl::opt<std::string> dataPath(
      "data",
      cl::desc("Arrays: an IDX directory (e.g. /usr/share/datasets/"
               "fashion-mnist) or an .npz with x_train, y_train, x_test, y_test"),
      cl::value_desc("path"), cl::sub(train), cl::sub(evaluate),
      cl::sub(predict), cl::sub(gradients));
  cl::opt<int64_t> epochs("epochs", cl::desc("Epochs (default: the train block's)"),
                          cl::init(0), cl::sub(train));
  cl::opt<int64_t> batchSize("batch-size",
                             cl::desc("Batch size (default: the train block's)"),
                             cl::init(0), cl::sub(train), cl::sub(evaluate),
                             cl::sub(predict), cl::sub(gradients));
  cl::opt<std::string> checkpoint(
      "checkpoint", cl::desc("Checkpoint file (default: <output>.checkpoint)"),
      cl::value_desc("file"), cl::sub(train));
  cl::opt<bool> resume("resume", cl::desc("Continue from the checkpoint"),
                       cl::sub(train));
  cl::opt<bool> noValidation("no-validation",
                             cl::desc("Skip the validation pass"),
                             cl::sub(train));
  cl::opt<std::string> split(
      "split",
      cl::desc("Split of the --data arrays (train or test), or the data "
               "pipeline weir evaluate and predict read without --data"),
                             cl::init("test"), cl::sub(evaluate),
                             cl::sub(predict), cl::sub(gradients));
  cl::list<std::string> inputs("input", cl::desc("Input array (.npy), one per model input"),
                               cl::value_desc("file"), cl::sub(run));
  cl::opt<std::string> runOutput("output", cl::desc("Output array (.npy)"),
                                 cl::value_desc("file"), cl::sub(run));
  cl::opt<std::string> function("function",
                                cl::desc("Model to run (default: the first)"),
                                cl::sub(compile), cl::sub(run),
                                cl::sub(bench));
  cl::opt<unsigned> threads(
      "threads",
      cl::desc("Threads the batch is split over (default: every core)"),
      cl::init(0), cl::sub(run), cl::sub(bench), cl::sub(train),
      cl::sub(evaluate), cl::sub(predict), cl::sub(gradients));
  cl::opt<int64_t> batch("batch", cl::desc("Batch size"), cl::init(128),
                         cl::sub(bench));
  cl::list<std::string> dataArgs(cl::Positional, cl::desc("import-idx <src> <dst>"),
                                 cl::OneOrMore, cl::sub(data));
  cl::opt<std::string> classNames(
      "class-names",
      cl::desc("Class folder names: fashion-mnist, digits, or a,b,c "
               "(default: fashion-mnist when the source path says so)"),
      cl::sub(data));
  cl::opt<double> seconds("seconds", cl::desc("How long to measure"),
                          cl::init(2.0), cl::sub(bench));
  cl::opt<uint64_t> seed("seed", cl::desc("Run seed for initializers"),
                         cl::init(0), cl::sub(initCmd), cl::sub(train));
  cl::opt<std::string> onBadImage(
      "on-bad-image",
      cl::desc("What a corrupt or wrong-size image in a data pipeline does: "
               "fail (default) or skip (listed at the end of the epoch)"),
      cl::init("fail"), cl::sub(train));
  cl::opt<uint64_t> maxPipelineMemory(
      "max-pipeline-memory",
      cl::desc("RAM budget of the data pipeline's buffers, in MiB"),
      cl::init(1024), cl::sub(train));
  cl::opt<bool> verbose("verbose",
                        cl::desc("Log the data-pipeline tuner's decisions"),
                        cl::sub(train));
  cl::opt<std::string> device(
      "device",
      cl::desc("Where compiled code runs: cpu (default), cuda, auto (CUDA "
               "when there is a GPU, else the CPU), or cuda-emulator (the "
               "CUDA program on the CPU, kernels as loops: slow, for testing "
               "the CUDA compiler without a GPU)"),
      cl::init("cpu"), cl::sub(train), cl::sub(evaluate), cl::sub(predict),
      cl::sub(gradients));

  cl::ParseCommandLineOptions(
      argc, argv,
      "weir: compile and run deep-learning models\n\n"
      "  weir compile model.weir [--emit=weir|linalg|llvm|obj] [-o out]\n"
      "  weir compile model.weir --target=cuda --emit=gpu|nvvm|ptx|cubin|obj|jit "
      "[--cuda-arch=sm_80,sm_90]\n"
      "  weir init model.weir -o weights.safetensors [--seed S]\n"
      "  weir run model.weir --weights w.safetensors --input x.npy "
      "--output y.npy [--threads N]\n"
      "  weir bench model.weir [--batch 128] [--threads 2]\n"
      "  weir train model.weir [--data /usr/share/datasets/fashion-mnist] "
      "[-o w.safetensors] [--epochs N] [--seed S] [--resume]\n"
      "  weir evaluate model.weir --weights w.safetensors --data DIR\n"
      "  weir predict model.weir --weights w.safetensors --data DIR -o y.npy\n"
      "  weir data import-idx /usr/share/datasets/fashion-mnist data/fashion\n"
      "  weir data bench data/fashion/train [--batch-size 128] [--threads 2]\n");

  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  unsigned threadCount = threads ? unsigned(threads) : cores;
  weir::SessionOptions session;
  session.printIRAfterAll = printAfterAll;
  session.timing = timing;
  session.warnUnusedParameters = !noUnusedWarning;

  if (compile) {
    weir::CompileOptions options;
    options.input = model;
    options.output = output;
    options.emit = emit;
    options.function = function;
    options.target = target;
    if (!cudaArch.empty())
      options.cudaArchs.assign(cudaArch.begin(), cudaArch.end());
    options.session = session;
    return weir::runCompile(options);
  }
  if (run) {
    if (weights.empty() || inputs.empty() || runOutput.empty()) {
      llvm::errs() << "weir run: needs --weights, --input and --output\n";
      return 2;
    }
    weir::RunOptions options;
    options.model = model;
    options.function = function;
    options.weights = weights;
    options.inputs.assign(inputs.begin(), inputs.end());
    options.output = runOutput;
    options.threads = threadCount;
    options.session = session;
    return weir::runRun(options);
  }
  if (initCmd) {
    if (output == "-") {
      llvm::errs() << "weir init: needs -o <weights.safetensors>\n";
      return 2;
    }
    weir::InitOptions options;
    options.model = model;
    options.output = output;
    options.seed = seed;
    options.session = session;
    return weir::runInit(options);
  }
  if (bench) {
    weir::BenchOptions options;
    options.model = model;
    options.function = function;
    options.batch = batch;
    options.threads = threadCount;
    options.seconds = seconds;
    options.session = session;
    return weir::runBench(options);
  }
  if (train) {
    weir::TrainOptions options;
    if (onBadImage == "skip") {
      options.onBadImage = weir::pipeline::OnBadImage::Skip;
    } else if (onBadImage != "fail") {
      llvm::errs() << "weir train: --on-bad-image must be fail or skip, got '"
                   << onBadImage << "'\n";
      return 2;
    }
    if (maxPipelineMemory < 1) {
      llvm::errs() << "weir train: --max-pipeline-memory must be at least 1 "
                      "(MiB)\n";
      return 2;
    }
    options.maxPipelineMemory = size_t(maxPipelineMemory) << 20;
    options.verbose = verbose;
    options.device = device;
    options.model = model;
    options.data = dataPath;
    options.weights = weights;
    options.output = output == "-" ? "" : std::string(output);
    options.checkpoint = checkpoint;
    options.resume = resume;
    options.noValidation = noValidation;
    options.epochs = epochs;
    options.batchSize = batchSize;
    options.seed = seed;
    options.threads = threadCount;
    options.session = session;
    return weir::runTrain(options);
  }
  if (evaluate || predict || gradients) {
    const char *name = evaluate ? "evaluate" : predict ? "predict" : "gradients";
    bool needsOutput = predict || gradients;
    // evaluate and predict may read a data pipeline of the model file.
    if ((dataPath.empty() && gradients) || weights.empty() ||
        (needsOutput && output == "-")) {
      llvm::errs() << "weir " << name << ": needs --weights and --data"
                   << (needsOutput ? " and -o <file>" : "") << "\n";
      return 2;
    }
    weir::EvaluateOptions options;
    options.model = model;
    options.data = dataPath;
    options.weights = weights;
    options.split = split;
    options.output = output;
    if (batchSize > 0)
      options.batchSize = batchSize;
    options.threads = threadCount;
    options.device = device;
    options.session = session;
    if (gradients)
      return weir::runGradients(options);
    return evaluate ? weir::runEvaluate(options) : weir::runPredict(options);
  }
  if (data) {
    if (dataArgs.size() != 3 || dataArgs[0] != "import-idx") {
      llvm::errs() << "weir data: usage: weir data import-idx <src> <dst> "
                      "[--class-names=...]\n";
      return 2;
    }
    weir::DataOptions options;
    options.source = dataArgs[1];
    options.destination = dataArgs[2];
    options.classNames = classNames;
    return weir::runDataImportIdx(options);
  }
  llvm::errs() << "weir: no subcommand given; see `weir --help`\n";
  return 2;
}
