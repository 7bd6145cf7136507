//===- Manifest.cpp - the runtime's view of the training functions ------===//
#include "dialect/Manifest.h"
#include "dialect/WeirOps.h"
#include "passes/Transforms.h"

#include "mlir/IR/Verifier.h"

#include <map>
#include "api/Training.h"

using namespace mlir;
using namespace weir;

/// The runtime's role of a slot; a switch, so a new role is a compile
/// error here until the runtime knows it.
static Role roleOf(SlotRole role) {
  switch (role) {
  case SlotRole::input: return Role::Input;
  case SlotRole::target: return Role::Target;
  case SlotRole::rng: return Role::Rng;
  case SlotRole::learning_rate: return Role::LearningRate;
  case SlotRole::iteration: return Role::Iteration;
  case SlotRole::param: return Role::Param;
  case SlotRole::grad: return Role::Grad;
  case SlotRole::loss: return Role::Loss;
  case SlotRole::correct: return Role::Correct;
  case SlotRole::updates: return Role::Updates;
  case SlotRole::layer: return Role::Layer;
  case SlotRole::augment_key: return Role::AugmentKey;
  case SlotRole::example_offset: return Role::ExampleOffset;
  }
  llvm_unreachable("every SlotRole is mapped");
}

/// One argument or result as the runtime sees it.
static Result<SlotSpec> specOf(SlotAttr slot, Type type,
                               const std::string &what) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  std::optional<DType> dtype =
      tensor ? dtypeOf(tensor.getElementType()) : std::nullopt;
  if (!dtype)
    return Status::error(what + " has a type the runtime cannot hold");
  if (!slot)
    return Status::error(what + " has no weir.slot");
  SlotSpec spec{roleOf(slot.getRole()),
                slot.getName() ? slot.getName().str() : std::string(), *dtype,
                {}};
  for (int64_t d : tensor.getShape())
    spec.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  return spec;
}

Result<FunctionSpec> weir::functionSpecOf(func::FuncOp func) {
  FunctionSpec spec;
  spec.name = func.getSymName().str();
  for (unsigned i = 0; i < func.getNumArguments(); ++i) {
    Result<SlotSpec> a =
        specOf(getArgSlot(func, i), func.getArgument(i).getType(),
               "argument " + std::to_string(i) + " of '" + spec.name + "'");
    if (!a.ok())
      return a.status();
    spec.args.push_back(*a);
  }
  for (unsigned i = 0; i < func.getNumResults(); ++i) {
    Result<SlotSpec> r =
        specOf(getResultSlot(func, i), func.getResultTypes()[i],
               "result " + std::to_string(i) + " of '" + spec.name + "'");
    if (!r.ok())
      return r.status();
    spec.results.push_back(*r);
  }
  return spec;
}

Result<TrainingFunctions> weir::prepareTraining(Session &session) {
  ModuleOp module = session.module();
  // Lifting runs outside a pass manager: verify its result here, manifests
  // (dialect/Manifest.h) included.
  if (failed(session.buildTraining()) || failed(liftParameters(module)) ||
      failed(mlir::verify(module)))
    return Status::error("cannot build the training step");
  TrainingFunctions fns;
  fns.config = getTrainingConfig(findTrainConfig(module));
  std::map<StepKind, FunctionSpec *> slots{{StepKind::train, &fns.train},
                                           {StepKind::apply, &fns.apply},
                                           {StepKind::eval, &fns.eval},
                                           {StepKind::probe, &fns.probe}};
  for (auto func : module.getOps<func::FuncOp>()) {
    ManifestAttr manifest = getManifest(func);
    if (!manifest)
      continue;
    Result<FunctionSpec> spec = functionSpecOf(func);
    if (!spec.ok())
      return spec.status();
    *slots.at(manifest.getKind()) = *spec;
  }
  for (auto [kind, slot] : slots)
    if (slot->name.empty())
      return Status::error("no " + stringifyStepKind(kind).str() +
                           " function for '" + fns.config.model + "'");
  return fns;
}
