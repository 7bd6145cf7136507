//===- Manifest.cpp - the runtime's view of the training functions ------===//
#include "dialect/WeirOps.h"
#include "passes/Transforms.h"
#include "api/Training.h"

using namespace mlir;
using namespace weir;

static std::optional<Role> roleNamed(StringRef name) {
  return llvm::StringSwitch<std::optional<Role>>(name)
      .Case("input", Role::Input)
      .Case("target", Role::Target)
      .Case("rng", Role::Rng)
      .Case("learning_rate", Role::LearningRate)
      .Case("iteration", Role::Iteration)
      .Case("loss", Role::Loss)
      .Case("correct", Role::Correct)
      .Case("augment_key", Role::AugmentKey)
      .Case("example_offset", Role::ExampleOffset)
      .Default(std::nullopt);
}

/// The role of one argument or result from its attributes.
static Result<SlotSpec> specOf(DictionaryAttr attrs, Type type,
                                 const std::string &what) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  std::optional<DType> dtype =
      tensor ? dtypeOf(tensor.getElementType()) : std::nullopt;
  if (!dtype)
    return Status::error(what + " has a type the runtime cannot hold");
  SlotSpec spec{Role::Input, "", *dtype, {}};
  for (int64_t d : tensor.getShape())
    spec.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  auto str = [&](StringRef key) -> std::optional<std::string> {
    if (!attrs)
      return std::nullopt;
    if (auto s = attrs.getAs<StringAttr>(key))
      return s.str();
    return std::nullopt;
  };
  if (auto name = str("weir.param")) {
    spec.role = Role::Param;
    spec.name = *name;
  } else if (auto name = str("weir.grad")) {
    spec.role = Role::Grad;
    spec.name = *name;
  } else if (auto name = str("weir.layer")) {
    spec.role = Role::Layer;
    spec.name = *name;
  } else if (auto name = str("weir.updates")) {
    spec.role = Role::Updates;
    spec.name = *name;
  } else if (auto role = str("weir.role")) {
    std::optional<Role> r = roleNamed(*role);
    if (!r)
      return Status::error(what + " has an unknown role '" + *role + "'");
    spec.role = *r;
  } else {
    return Status::error(what + " has no weir.role");
  }
  return spec;
}

Result<FunctionSpec> weir::functionSpecOf(func::FuncOp func) {
  FunctionSpec spec;
  spec.name = func.getSymName().str();
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    Result<SlotSpec> a =
        specOf(func.getArgAttrDict(i), func.getArgument(i).getType(),
               "argument " + std::to_string(i) + " of '" + spec.name + "'");
    if (!a.ok())
      return a.status();
    spec.args.push_back(*a);
  }
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    Result<SlotSpec> r =
        specOf(func.getResultAttrDict(i), func.getResultTypes()[i],
               "result " + std::to_string(i) + " of '" + spec.name + "'");
    if (!r.ok())
      return r.status();
    spec.results.push_back(*r);
  }
  return spec;
}

Result<TrainingFunctions> weir::prepareTraining(Session &session) {
  if (failed(session.buildTraining()) ||
      failed(liftParameters(session.module())))
    return Status::error("cannot build the training step");
  TrainConfigOp op = findTrainConfig(session.module());
  TrainingFunctions fns;
  fns.config = getTrainingConfig(op);
  for (auto [suffix, slot] :
       {std::pair{"_train", &fns.train}, std::pair{"_apply", &fns.apply},
        std::pair{"_eval", &fns.eval}, std::pair{"_probe", &fns.probe}}) {
    auto func = session.module().lookupSymbol<func::FuncOp>(
        fns.config.model + suffix);
    if (!func)
      return Status::error("no function '" + fns.config.model + suffix + "'");
    Result<FunctionSpec> spec = functionSpecOf(func);
    if (!spec.ok())
      return spec.status();
    *slot = *spec;
  }
  return fns;
}
