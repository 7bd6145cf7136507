//===- Summary.cpp - Keras' model.summary() of a compiled model ----------===//
#include "api/Summary.h"

#include "api/Session.h"
#include "dialect/Layers.h"
#include "dialect/TrainConfig.h"
#include "dialect/Manifest.h"
#include "dialect/WeirOps.h"
#include "passes/Pipelines.h"

#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace mlir;
using namespace weir;

namespace {
/// Keras' class for each weir op a layer is made of.
llvm::StringRef kerasClass(llvm::StringRef op) {
  static const std::pair<const char *, const char *> table[] = {
      {"dense", "Dense"},
      {"conv2d", "Conv2D"},
      {"max_pool2d", "MaxPooling2D"},
      {"avg_pool2d", "AveragePooling2D"},
      {"global_avg_pool2d", "GlobalAveragePooling2D"},
      {"batch_norm", "BatchNormalization"},
      {"dropout", "Dropout"},
      {"flatten", "Flatten"},
      {"reshape", "Reshape"},
      {"add", "Add"},
      {"concat", "Concatenate"},
      {"cast", "Cast"},
      {"rescale", "Rescaling"},
      {"relu", "ReLU"},
      {"sigmoid", "Activation"},
      {"tanh", "Activation"},
      {"gelu", "Activation"},
      {"softmax", "Softmax"},
      {"random_flip", "RandomFlip"},
      {"random_rotation", "RandomRotation"},
      {"random_zoom", "RandomZoom"},
      {"random_translation", "RandomTranslation"},
      {"random_crop", "RandomCrop"},
      {"random_contrast", "RandomContrast"},
  };
  for (auto [name, cls] : table)
    if (op == name)
      return cls;
  return op;
}

/// The language's name of an element type: u8, bf16, f32, i32, ...
std::string dtypeName(Type t) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (auto i = dyn_cast<IntegerType>(t); i && i.isUnsigned())
    os << "u" << i.getWidth();
  else
    t.print(os);
  return s;
}

/// "(None, 26, 26, 32)", with the dtype after it unless it is f32.
std::string describeType(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor) {
    std::string s;
    llvm::raw_string_ostream os(s);
    type.print(os);
    return s;
  }
  std::string s = "(";
  for (auto [i, d] : llvm::enumerate(tensor.getShape())) {
    if (i)
      s += ", ";
    s += ShapedType::isDynamic(d) ? "None" : std::to_string(d);
  }
  if (tensor.getRank() == 1)
    s += ",";
  s += ")";
  if (!tensor.getElementType().isF32())
    s += " " + dtypeName(tensor.getElementType());
  return s;
}

std::string withCommas(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0)
      out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}
} // namespace

std::string weir::readableBytes(int64_t bytes) {
  static const char *units[] = {"B", "KB", "MB", "GB"};
  double size = double(bytes);
  int unit = 0;
  while (size >= 1024 && unit < 3) {
    size /= 1024;
    ++unit;
  }
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format("%.2f ", size) << units[unit];
  return s;
}

Result<ModelSummary> weir::summarizeModel(Session &session,
                                          const std::string &function) {
  func::FuncOp func = session.entry(function);
  if (!func)
    return Status::error(function.empty()
                             ? "the model file defines no model function"
                             : "the model file has no model named '" +
                                   function + "'");
  if (func.isExternal() || func.getBody().empty())
    return Status::error("model '" + func.getSymName().str() +
                         "' has no body");
  ModuleOp module = session.module();
  SymbolTable symbols(module);

  ModelSummary summary;
  summary.model = func.getSymName().str();
  // Rows by name, and each op's and value's row.
  llvm::StringMap<size_t> rowOf;
  llvm::DenseMap<Operation *, size_t> opRow;
  llvm::DenseMap<Value, size_t> argRow;
  llvm::StringMap<unsigned> unnamed; // per op kind, for ops without a layer
  auto newRow = [&](std::string name, Location loc) {
    size_t row = summary.layers.size();
    LayerSummary layer;
    layer.name = name;
    layer.location = formatFileLocation(loc);
    summary.layers.push_back(std::move(layer));
    rowOf[name] = row;
    return row;
  };

  Block &body = func.getBody().front();
  for (BlockArgument arg : body.getArguments()) {
    std::optional<llvm::StringRef> name = layerNameOf(arg.getLoc());
    std::string rowName =
        name ? name->str() : "input_" + std::to_string(arg.getArgNumber());
    size_t row = newRow(rowName, arg.getLoc());
    summary.layers[row].type = "Input";
    summary.layers[row].output = describeType(arg.getType());
    argRow[arg] = row;
  }

  // The ops of each row, in order.
  std::vector<std::vector<Operation *>> rowOps(summary.layers.size());
  std::vector<Operation *> unnamedLoads;
  for (Operation &op : body.without_terminator()) {
    std::optional<llvm::StringRef> layer = layerNameOf(op.getLoc());
    std::string name;
    if (!layer && isa<LoadParamOp>(op)) {
      unnamedLoads.push_back(&op); // joins its first user's row, below
      continue;
    }
    if (layer) {
      name = layer->str();
    } else {
      // MLIR written by hand: one row per op, named as the front end would.
      llvm::StringRef kind = op.getName().stripDialect();
      unsigned &n = unnamed[kind];
      do {
        name = n == 0 ? kind.str() : (kind + "_" + llvm::Twine(n)).str();
        ++n;
      } while (rowOf.count(name));
    }
    auto it = rowOf.find(name);
    size_t row = it != rowOf.end() ? it->second : newRow(name, op.getLoc());
    if (row >= rowOps.size())
      rowOps.resize(row + 1);
    rowOps[row].push_back(&op);
    opRow[&op] = row;
  }

  for (Operation *load : unnamedLoads) {
    Operation *user = nullptr;
    for (Operation *u : load->getUsers())
      if (opRow.count(u) && (!user || u->isBeforeInBlock(user)))
        user = u;
    if (!user)
      continue; // read by nothing but the return: no layer to count it in
    size_t row = opRow.lookup(user);
    rowOps[row].insert(rowOps[row].begin(), load);
    opRow[load] = row;
  }

  llvm::DenseSet<Operation *> counted; // parameters, each counted once
  for (size_t row = 0; row < summary.layers.size(); ++row) {
    LayerSummary &layer = summary.layers[row];
    if (rowOps[row].empty())
      continue; // an input
    Operation *output = nullptr;
    for (Operation *op : rowOps[row]) {
      if (!layer.type.empty() || isa<LoadParamOp>(op))
        ;
      else
        layer.type = kerasClass(op->getName().stripDialect()).str();
      if (auto load = dyn_cast<LoadParamOp>(op)) {
        auto param =
            symbols.lookup<ParameterOp>(load.getParamAttr().getValue());
        if (!param || !counted.insert(param).second)
          continue;
        auto type = cast<RankedTensorType>(param.getType());
        int64_t n = type.getNumElements();
        int64_t bytes =
            n * ((type.getElementType().getIntOrFloatBitWidth() + 7) / 8);
        (param.getNonTrainable() ? layer.nonTrainable : layer.trainable) += n;
        (param.getNonTrainable() ? layer.nonTrainableBytes
                                 : layer.trainableBytes) += bytes;
        continue;
      }
      for (Value operand : op->getOperands()) {
        std::optional<size_t> from;
        if (auto arg = dyn_cast<BlockArgument>(operand))
          from = argRow.lookup(arg);
        else if (Operation *def = operand.getDefiningOp(); def && opRow.count(def))
          from = opRow.lookup(def);
        if (!from || *from == row)
          continue;
        const std::string &name = summary.layers[*from].name;
        if (llvm::find(layer.inputs, name) == layer.inputs.end())
          layer.inputs.push_back(name);
      }
      // The row's output: its last op whose result leaves the row.
      bool leaves = llvm::any_of(op->getUsers(), [&](Operation *user) {
        auto it = opRow.find(user);
        return it == opRow.end() || it->second != row;
      });
      if (leaves || !output)
        output = op;
    }
    if (layer.type.empty())
      layer.type = "Parameters";
    if (output && output->getNumResults())
      layer.output = describeType(output->getResult(0).getType());
    summary.trainable += layer.trainable;
    summary.nonTrainable += layer.nonTrainable;
    summary.trainableBytes += layer.trainableBytes;
    summary.nonTrainableBytes += layer.nonTrainableBytes;
  }

  // Sequential: one input, and every layer reads the row just before it.
  for (size_t row = 0; row < summary.layers.size(); ++row) {
    const LayerSummary &layer = summary.layers[row];
    bool chained = row == 0
                       ? layer.type == "Input"
                       : layer.type != "Input" && layer.inputs.size() == 1 &&
                             layer.inputs[0] == summary.layers[row - 1].name;
    summary.sequential &= chained;
  }
  return summary;
}

std::string weir::formatSummary(const ModelSummary &summary) {
  // Columns: layer (type), output shape, params, [connected to], location.
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> header = {"Layer (type)", "Output Shape", "Param #"};
  if (!summary.sequential)
    header.push_back("Connected to");
  header.push_back("Location");
  for (const LayerSummary &layer : summary.layers) {
    std::vector<std::string> row = {layer.name + " (" + layer.type + ")",
                                    layer.output, withCommas(layer.params())};
    if (!summary.sequential) {
      std::string inputs;
      for (const std::string &in : layer.inputs)
        inputs += (inputs.empty() ? "" : ", ") + in;
      row.push_back(inputs.empty() ? "-" : inputs);
    }
    row.push_back(layer.location);
    cells.push_back(std::move(row));
  }
  std::vector<size_t> width(header.size());
  for (size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto &row : cells)
      width[c] = std::max(width[c], row[c].size());
  }
  size_t total = 0;
  for (size_t w : width)
    total += w + 3;
  const size_t paramColumn = 2; // right-aligned
  std::string s;
  llvm::raw_string_ostream os(s);
  auto line = [&](const std::vector<std::string> &row) {
    std::string text;
    for (size_t c = 0; c < row.size(); ++c) {
      size_t pad = width[c] - row[c].size();
      if (c == paramColumn)
        text += std::string(pad, ' ') + row[c];
      else
        text += row[c] + (c + 1 < row.size() ? std::string(pad, ' ') : "");
      if (c + 1 < row.size())
        text += "   ";
    }
    os << " " << text << "\n";
  };
  os << "Model: \"" << summary.model << "\"\n";
  os << std::string(total, '_') << "\n";
  line(header);
  os << std::string(total, '=') << "\n";
  for (const auto &row : cells)
    line(row);
  os << std::string(total, '=') << "\n";
  int64_t all = summary.trainable + summary.nonTrainable;
  int64_t allBytes = summary.trainableBytes + summary.nonTrainableBytes;
  os << "Total params: " << withCommas(all) << " (" << readableBytes(allBytes)
     << ")\n";
  os << "Trainable params: " << withCommas(summary.trainable) << " ("
     << readableBytes(summary.trainableBytes) << ")\n";
  os << "Non-trainable params: " << withCommas(summary.nonTrainable) << " ("
     << readableBytes(summary.nonTrainableBytes) << ")\n";
  return s;
}

int64_t weir::trainBlockBatchSize(Session &session) {
  TrainConfigOp config = findTrainConfig(session.module());
  return config ? getTrainingConfig(config).batchSize : 0;
}

Result<TrainingMemoryPlan> weir::planTrainingMemory(Session &session,
                                                    int64_t batch,
                                                    const std::string &target) {
  if (batch < 1)
    return Status::error("the memory plan needs a batch of at least 1");
  if (target != "cpu" && target != "cuda")
    return Status::error("the memory plan is for --target=cpu or cuda, not '" +
                         target + "'");
  if (failed(session.buildTraining()) || failed(session.lowerToLinalg()) ||
      failed(session.runPasses([&](OpPassManager &pm) {
        if (target == "cuda")
          buildCudaKernelPipeline(pm, CudaPipelineOptions());
        else
          buildCpuBufferPipeline(pm);
      })))
    return Status::error("cannot compile the training step");
  for (auto func : session.module().getOps<func::FuncOp>()) {
    ManifestAttr manifest = getManifest(func);
    if (!manifest || manifest.getKind() != StepKind::train)
      continue;
    TrainingMemoryPlan plan;
    plan.step = planMemory(func, batch);
    plan.batch = batch;
    plan.target = target;
    return plan;
  }
  return Status::error("the module has no training step function");
}

std::string weir::formatMemoryPlan(const TrainingMemoryPlan &plan, size_t top,
                                   std::optional<int64_t> measuredPeak) {
  const MemoryPlan &p = plan.step;
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "Memory plan of the training step @" << p.function << " ("
     << (plan.target == "cuda" ? "CUDA" : "CPU") << ", batch " << plan.batch
     << " per replica):\n";
  os << "  peak: " << readableBytes(p.peakBytes) << " in buffers of the step"
     << " (" << withCommas(p.peakBytes) << " bytes)\n";
  os << "  allocated in all: " << readableBytes(p.allocatedBytes) << " in "
     << p.buffers << " buffers; arguments (batch, parameters): "
     << readableBytes(p.argumentBytes) << "\n";
  if (p.unknownSizes)
    os << "  " << p.unknownSizes << " buffer sizes could not be computed "
       << "and count as 0\n";
  if (measuredPeak)
    os << "  measured peak of one step: " << readableBytes(*measuredPeak)
       << " (" << withCommas(*measuredPeak) << " bytes, "
       << llvm::format("%.1f", p.peakBytes
                                   ? 100.0 * double(*measuredPeak) /
                                         double(p.peakBytes)
                                   : 0.0)
       << "% of the plan)\n";
  if (p.atPeak.empty())
    return s;
  os << "  largest buffers live at the peak:\n";
  size_t width = 0;
  for (size_t i = 0; i < p.atPeak.size() && i < top; ++i)
    width = std::max(width, p.atPeak[i].type.size());
  for (size_t i = 0; i < p.atPeak.size() && i < top; ++i) {
    const PlannedBuffer &b = p.atPeak[i];
    std::string size = readableBytes(b.bytes);
    os << "    " << llvm::format("%10s", size.c_str()) << "  " << b.type
       << std::string(width - b.type.size(), ' ') << "  "
       << (b.layer.empty() ? std::string("-") : b.layer);
    if (!b.location.empty())
      os << " at " << b.location;
    os << "\n";
  }
  if (p.atPeak.size() > top)
    os << "    ... and " << p.atPeak.size() - top << " more\n";
  return s;
}
