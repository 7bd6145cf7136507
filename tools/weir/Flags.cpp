//===- Flags.cpp - the weir driver's subcommands and flags ---------------===//
#include "tools/weir/Flags.h"

#include "llvm/Support/raw_ostream.h"

namespace weir::flags {

cl::OptionCategory category("weir options");

cl::SubCommand compile("compile", "Compile a model; print or write a stage");
cl::SubCommand run("run", "Run a model on inputs (inference, CPU)");
cl::SubCommand init("init", "Write freshly initialized weights");
cl::SubCommand bench("bench", "Measure compile time and inference throughput");
cl::SubCommand data("data", "Dataset tools: import-idx SRC DST");
cl::SubCommand train("train", "Train a model (its `train` block) on its "
                              "data pipeline or on arrays");
cl::SubCommand evaluate("evaluate", "Loss and accuracy of weights on a split");
cl::SubCommand predict("predict", "Model outputs on a split, as .npy");
cl::SubCommand summary("summary",
                       "The model's layers, output shapes and parameter "
                       "counts (Keras' model.summary())");
cl::SubCommand plot("plot", "Draw a training history (--history CSV) as "
                           "loss and accuracy curves in a PNG");
cl::SubCommand tune("tune", "Search the model file's search space "
                            "(keras-tuner's RandomSearch and "
                            "BayesianOptimization)");
cl::SubCommand ensemble("ensemble", "Score models' averaged predictions "
                                    "(members MODEL:WEIGHTS ...)");
cl::SubCommand gradients("gradients",
                         "Loss and gradients of one batch (the whole split)");

cl::opt<std::string> model(cl::Positional,
                           cl::desc("<model.weir|model.mlir|model.so>"),
                           cl::Required, cl::sub(compile), cl::sub(run),
                           cl::sub(init), cl::sub(bench), cl::sub(train),
                           cl::sub(evaluate), cl::sub(predict),
                           cl::sub(gradients), cl::sub(summary),
                           cl::sub(tune), cl::cat(category));
cl::opt<std::string> output("o", cl::desc("Output file"),
                            cl::value_desc("file"), cl::init("-"),
                            cl::sub(compile), cl::sub(init), cl::sub(train),
                            cl::sub(predict), cl::sub(gradients),
                            cl::sub(plot), cl::sub(ensemble), cl::cat(category));
cl::opt<std::string> emit(
    "emit",
    cl::desc("Stage to emit: weir, pipeline (where each data-pipeline "
             "stage runs), train (with the training functions), "
             "linalg, llvm (LLVM dialect), obj, lib"),
    cl::init("weir"), cl::sub(compile), cl::cat(category));
cl::opt<std::string> target(
    "target",
    cl::desc("Target: cpu (default) or cuda (--emit=gpu, nvvm, ptx, cubin, "
             "obj, jit); for summary --fusion, the view of either"),
    cl::init("cpu"), cl::sub(compile), cl::sub(summary), cl::cat(category));
cl::list<std::string> cudaArch(
    "cuda-arch", cl::desc("GPU architectures (default: sm_80,sm_90)"),
    cl::CommaSeparated, cl::sub(compile), cl::cat(category));
cl::opt<bool> printAfterAll("print-ir-after-all",
                            cl::desc("Print the module after every pass"),
                            cl::sub(compile), cl::sub(run), cl::cat(category));
cl::opt<bool> printLocations(
    "print-locations",
    cl::desc("Print each op's location with the IR: "
             "loc(\"<layer>\"(file:line:col))"),
    cl::sub(compile), cl::sub(run), cl::cat(category));
cl::opt<bool> timing("timing", cl::desc("Report the time of each pass"),
                     cl::sub(compile), cl::sub(run), cl::cat(category));
cl::opt<bool> noUnusedWarning(
    "no-warn-unused-parameters",
    cl::desc("Do not warn about parameters that no function reads"),
    cl::sub(compile), cl::sub(run), cl::sub(init), cl::sub(bench),
    cl::sub(train), cl::sub(evaluate), cl::sub(predict), cl::sub(gradients),
    cl::sub(summary), cl::cat(category));
cl::opt<std::string> precision(
    "precision",
    cl::desc("Dtype policy: float32, mixed_bfloat16 or mixed_float16 "
             "(default: the train block's precision)"),
    cl::sub(compile), cl::sub(train), cl::sub(evaluate), cl::sub(predict),
    cl::sub(gradients), cl::sub(tune), cl::cat(category));
cl::opt<std::string> weights("weights", cl::desc("Weights (.safetensors)"),
                             cl::value_desc("file"), cl::sub(run),
                             cl::sub(train), cl::sub(evaluate),
                             cl::sub(predict), cl::sub(gradients),
                             cl::cat(category));
cl::opt<std::string> dataPath(
    "data",
    cl::desc("Arrays: an IDX directory (e.g. /usr/share/datasets/"
             "fashion-mnist) or an .npz with x_train, y_train, x_test, y_test"),
    cl::value_desc("path"), cl::sub(train), cl::sub(evaluate),
    cl::sub(predict), cl::sub(gradients), cl::sub(tune), cl::sub(ensemble),
    cl::cat(category));
cl::opt<int64_t> epochs("epochs",
                        cl::desc("Epochs (default: the train block's)"),
                        cl::init(0), cl::sub(train), cl::sub(tune),
                        cl::cat(category));
cl::opt<int64_t> batchSize("batch-size",
                           cl::desc("Batch size (default: the train block's)"),
                           cl::init(0), cl::sub(train), cl::sub(evaluate),
                           cl::sub(predict), cl::sub(gradients),
                           cl::sub(summary), cl::sub(tune), cl::sub(ensemble), cl::cat(category));
cl::opt<std::string> checkpoint(
    "checkpoint", cl::desc("Checkpoint file (default: <output>.checkpoint)"),
    cl::value_desc("file"), cl::sub(train), cl::cat(category));
cl::opt<bool> resume("resume",
                     cl::desc("Continue from the checkpoint (a fresh start "
                              "when there is none)"),
                     cl::sub(train), cl::cat(category));
cl::opt<std::string> history(
    "history",
    cl::desc("Append each epoch's logs to this CSV file (Keras' CSVLogger)"),
    cl::value_desc("file.csv"), cl::sub(train), cl::cat(category));
cl::opt<std::string> saveBest(
    "save-best",
    cl::desc("Write the weights here after every epoch that improves on the "
             "best --monitor value so far (Keras' ModelCheckpoint with "
             "save_best_only)"),
    cl::value_desc("file.safetensors"), cl::sub(train), cl::cat(category));
cl::opt<std::string> monitor(
    "monitor",
    cl::desc("What --save-best watches: val_loss (default), val_accuracy, "
             "loss or accuracy"),
    cl::init("val_loss"), cl::sub(train), cl::cat(category));
cl::opt<std::string> logdir(
    "logdir",
    cl::desc("Write TensorBoard event files (scalars per epoch and per "
             "--log-every steps) into this directory"),
    cl::value_desc("dir"), cl::sub(train), cl::cat(category));
cl::opt<int64_t> logEvery("log-every",
                          cl::desc("With --logdir: the training loss every N "
                                   "steps too (default 0: per epoch only)"),
                          cl::init(0), cl::sub(train), cl::cat(category));
cl::opt<bool> memory(
    "memory",
    cl::desc("Also the memory plan of one training step on the CPU: the "
             "peak and the largest buffers live at it, by layer"),
    cl::sub(summary), cl::cat(category));
cl::opt<bool> fusion(
    "fusion",
    cl::desc("Also the fusion report of the training step: each loop nest "
             "(or, with --target=cuda, each kernel and library call) and the "
             "layers it computes, and why the rest were left alone"),
    cl::sub(summary), cl::cat(category));
cl::opt<bool> measure(
    "measure",
    cl::desc("With --memory: run one step on zeros and print the peak the "
             "compiled code really held"),
    cl::sub(summary), cl::cat(category));
cl::opt<bool> noValidation("no-validation",
                           cl::desc("Skip the validation pass"),
                           cl::sub(train), cl::cat(category));
cl::opt<std::string> split(
    "split",
    cl::desc("Split of the --data arrays (train or test), or the data "
             "pipeline weir evaluate and predict read without --data"),
    cl::init("test"), cl::sub(evaluate), cl::sub(predict),
    cl::sub(gradients), cl::sub(ensemble), cl::cat(category));
cl::list<std::string> inputs("input",
                             cl::desc("Input array (.npy), one per model input"),
                             cl::value_desc("file"), cl::sub(run),
                             cl::cat(category));
cl::opt<std::string> runOutput("output", cl::desc("Output array (.npy)"),
                               cl::value_desc("file"), cl::sub(run),
                               cl::cat(category));
cl::opt<std::string> function("function",
                              cl::desc("Model to run (default: the first)"),
                              cl::sub(compile), cl::sub(run), cl::sub(bench),
                              cl::sub(summary), cl::cat(category));
cl::opt<unsigned> threads(
    "threads",
    cl::desc("Threads the batch is split over (default: every core)"),
    cl::init(0), cl::sub(run), cl::sub(bench), cl::sub(train),
    cl::sub(evaluate), cl::sub(predict), cl::sub(gradients),
    cl::sub(summary), cl::sub(tune), cl::sub(ensemble), cl::cat(category));
cl::opt<int64_t> batch("batch", cl::desc("Batch size"), cl::init(128),
                       cl::sub(bench), cl::cat(category));
cl::opt<std::string> historyFile(cl::Positional,
                                 cl::desc("<history.csv>"), cl::Required,
                                 cl::sub(plot), cl::cat(category));
cl::list<std::string> dataArgs(cl::Positional,
                               cl::desc("import-idx <src> <dst>"),
                               cl::OneOrMore, cl::sub(data), cl::cat(category));
cl::opt<std::string> classNames(
    "class-names",
    cl::desc("Class folder names: fashion-mnist, digits, or a,b,c "
             "(default: fashion-mnist when the source path says so)"),
    cl::sub(data), cl::cat(category));
cl::opt<double> seconds("seconds", cl::desc("How long to measure"),
                        cl::init(2.0), cl::sub(bench), cl::cat(category));
cl::opt<uint64_t> seed("seed", cl::desc("Run seed for initializers"),
                       cl::init(0), cl::sub(init), cl::sub(train),
                       cl::sub(tune), cl::sub(ensemble), cl::cat(category));
cl::opt<std::string> onBadImage(
    "on-bad-image",
    cl::desc("What a corrupt or wrong-size image in a data pipeline does: "
             "fail (default) or skip (listed at the end of the epoch)"),
    cl::init("fail"), cl::sub(train), cl::cat(category));
cl::opt<uint64_t> maxPipelineMemory(
    "max-pipeline-memory",
    cl::desc("RAM budget of the data pipeline's buffers, in MiB"),
    cl::init(1024), cl::sub(train), cl::cat(category));
cl::opt<bool> verbose("verbose",
                      cl::desc("Log the host CPU's code generation (vector width, how bf16 products run) and the data-pipeline tuner's decisions"),
                      cl::sub(train), cl::cat(category));
cl::opt<std::string> device(
    "device",
    cl::desc("Where compiled code runs: cpu (default), cuda, auto (CUDA "
             "when there is a GPU, else the CPU), or cuda-emulator (the "
             "CUDA program on the CPU, kernels as loops: slow, for testing "
             "the CUDA compiler without a GPU)"),
    cl::init("cpu"), cl::sub(train), cl::sub(evaluate), cl::sub(predict),
    cl::sub(gradients), cl::sub(tune), cl::cat(category));
cl::opt<std::string> tuner("tuner",
                           cl::desc("random (default), bayesian or hyperband"),
                           cl::init("random"), cl::sub(tune), cl::cat(category));
cl::opt<int64_t> maxTrials("max-trials", cl::desc("Trials to run (default 10)"),
                           cl::init(10), cl::sub(tune), cl::cat(category));
cl::opt<int64_t> executionsPerTrial(
    "executions-per-trial",
    cl::desc("Trainings per trial, from different seeds; the trial's score "
             "is their mean (default 1)"),
    cl::init(1), cl::sub(tune), cl::cat(category));
cl::opt<std::string> objective(
    "objective",
    cl::desc("loss, accuracy, val_loss (default) or val_accuracy; losses "
             "are minimized, accuracies maximized"),
    cl::init("val_loss"), cl::sub(tune), cl::cat(category));
cl::opt<std::string> directory(
    "directory", cl::desc("Where the trials are recorded (required)"),
    cl::value_desc("dir"), cl::sub(tune), cl::cat(category));
cl::opt<bool> overwrite("overwrite",
                        cl::desc("Start over, removing the directory's trials"),
                        cl::sub(tune), cl::cat(category));
cl::opt<int64_t> initialPoints(
    "initial-points",
    cl::desc("bayesian: random trials before the Gaussian process (default: "
             "3 per hyperparameter)"),
    cl::init(0), cl::sub(tune), cl::cat(category));
cl::list<std::string> members(cl::Positional,
                              cl::desc("<model.weir:weights.safetensors>..."),
                              cl::OneOrMore, cl::sub(ensemble),
                              cl::cat(category));
cl::opt<std::string> ensembleWeights(
    "weights",
    cl::desc("uniform (default): the plain average; tuned: weights on the "
             "simplex fitted on --tune-split by random search"),
    cl::init("uniform"), cl::sub(ensemble), cl::cat(category));
cl::opt<std::string> tuneSplit(
    "tune-split", cl::desc("The split tuned weights are fitted on (default "
                           "train)"),
    cl::init("train"), cl::sub(ensemble), cl::cat(category));
cl::opt<int64_t> retrain(
    "retrain",
    cl::desc("After the search: the N best trials' best epochs (val_loss, "
             "patience 10), each retrained on train + test for 1.2x that, "
             "written to --export"),
    cl::init(0), cl::sub(tune), cl::cat(category));
cl::opt<std::string> exportDir(
    "export", cl::desc("Where --retrain writes each model (.weir and "
                       ".safetensors)"),
    cl::value_desc("dir"), cl::sub(tune), cl::cat(category));
cl::opt<int64_t> parallelTrials(
    "parallel-trials",
    cl::desc("Trials trained side by side, the --threads split between them "
             "(default 1)"),
    cl::init(1), cl::sub(tune), cl::cat(category));
cl::opt<int64_t> maxEpochs(
    "max-epochs",
    cl::desc("hyperband: the most epochs a configuration trains for "
             "(required; --max-trials does not apply)"),
    cl::init(0), cl::sub(tune), cl::cat(category));
cl::opt<int64_t> factor(
    "factor",
    cl::desc("hyperband: each round keeps 1/factor of the configurations and "
             "trains them factor times longer (default 3)"),
    cl::init(3), cl::sub(tune), cl::cat(category));

SessionOptions sessionOptions() {
  SessionOptions session;
  session.printIRAfterAll = printAfterAll;
  session.timing = timing;
  session.printLocations = printLocations;
  session.warnUnusedParameters = !noUnusedWarning;
  session.precision = precision;
  return session;
}

int fail(const char *command, const std::string &message) {
  llvm::errs() << "weir " << command << ": error: " << message << "\n";
  return 1;
}

} // namespace weir::flags
