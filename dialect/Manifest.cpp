//===- Manifest.cpp - the typed contract of a compiled function ----------===//
#include "dialect/Manifest.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace weir;

SlotAttr weir::getArgSlot(FunctionOpInterface fn, unsigned i) {
  return fn.getArgAttrOfType<SlotAttr>(i, kSlotAttrName);
}

SlotAttr weir::getResultSlot(FunctionOpInterface fn, unsigned i) {
  return fn.getResultAttrOfType<SlotAttr>(i, kSlotAttrName);
}

void weir::setArgSlot(FunctionOpInterface fn, unsigned i, SlotAttr slot) {
  fn.setArgAttr(i, kSlotAttrName, slot);
}

void weir::setResultSlot(FunctionOpInterface fn, unsigned i, SlotAttr slot) {
  fn.setResultAttr(i, kSlotAttrName, slot);
}

DictionaryAttr weir::slotDict(SlotAttr slot) {
  MLIRContext *ctx = slot.getContext();
  return DictionaryAttr::get(
      ctx, {NamedAttribute(StringAttr::get(ctx, kSlotAttrName), slot)});
}

SlotAttr weir::slot(MLIRContext *ctx, SlotRole role) {
  return SlotAttr::get(ctx, role, StringAttr());
}

SlotAttr weir::slot(MLIRContext *ctx, SlotRole role, StringRef name) {
  return SlotAttr::get(ctx, role, StringAttr::get(ctx, name));
}

void weir::setManifest(FunctionOpInterface fn, StepKind kind) {
  fn->setAttr(kManifestAttrName, ManifestAttr::get(fn->getContext(), kind));
}

ManifestAttr weir::getManifest(FunctionOpInterface fn) {
  return fn->getAttrOfType<ManifestAttr>(kManifestAttrName);
}

static bool isNamed(SlotRole role) {
  return role == SlotRole::param || role == SlotRole::grad ||
         role == SlotRole::updates || role == SlotRole::layer;
}

// manifest_m2: the named roles carry a name, the others none.
LogicalResult SlotAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               SlotRole role, StringAttr name) {
  bool hasName = name && !name.getValue().empty();
  if (isNamed(role) && !hasName)
    return emitError() << "a '" << stringifySlotRole(role)
                       << "' slot needs a name";
  if (!isNamed(role) && name)
    return emitError() << "a '" << stringifySlotRole(role)
                       << "' slot has no name";
  return success();
}

namespace {
enum class Side { Argument, Result, Either };

/// Where each role may be (M4), whether it is unique (M3) and whether it
/// is a 0-d tensor (M6).
struct RoleRule {
  Side side;
  bool unique; ///< at most once on its side (M3)
  bool scalar; ///< 0-d (M6)
};

RoleRule ruleOf(SlotRole role) {
  switch (role) {
  case SlotRole::input: return {Side::Argument, false, false};
  case SlotRole::target: return {Side::Argument, true, false};
  case SlotRole::rng: return {Side::Argument, true, true};
  case SlotRole::learning_rate: return {Side::Argument, true, true};
  case SlotRole::iteration: return {Side::Argument, true, true};
  case SlotRole::param: return {Side::Argument, false, false};
  case SlotRole::grad: return {Side::Either, false, false};
  case SlotRole::loss: return {Side::Result, true, true};
  case SlotRole::correct: return {Side::Result, true, true};
  case SlotRole::updates: return {Side::Result, false, false};
  case SlotRole::layer: return {Side::Result, false, false};
  case SlotRole::augment_key: return {Side::Argument, true, true};
  case SlotRole::example_offset: return {Side::Argument, true, true};
  }
  return {Side::Either, false, false};
}
} // namespace

LogicalResult weir::verifyManifest(FunctionOpInterface fn,
                                   ManifestAttr manifest) {
  // The contract is read from tensor signatures; lowered functions (memref
  // or LLVM arguments) keep the attributes but are no longer checked.
  if (!isa<func::FuncOp>(fn.getOperation()))
    return success();
  auto kind = stringifyStepKind(manifest.getKind());
  llvm::DenseSet<unsigned> seenUnique[2];
  llvm::StringSet<> names[2][16];
  llvm::StringSet<> paramNames;
  for (int result = 0; result < 2; ++result) {
    unsigned n = result ? fn.getNumResults() : fn.getNumArguments();
    const char *what = result ? "result" : "argument";
    for (unsigned i = 0; i < n; ++i) {
      SlotAttr s = result ? getResultSlot(fn, i) : getArgSlot(fn, i);
      // manifest_m1
      if (!s)
        return fn.emitOpError() << "has a " << kind << " manifest, but " << what
                                << " " << i << " has no weir.slot";
      RoleRule rule = ruleOf(s.getRole());
      StringRef role = stringifySlotRole(s.getRole());
      // manifest_m4
      if ((rule.side == Side::Argument && result) ||
          (rule.side == Side::Result && !result))
        return fn.emitOpError() << "has a '" << role << "' slot on " << what
                                << " " << i << "; it belongs on the "
                                << (result ? "arguments" : "results");
      // manifest_m3
      if (rule.unique &&
          !seenUnique[result].insert(unsigned(s.getRole())).second)
        return fn.emitOpError() << "has more than one '" << role << "' "
                                << what;
      // manifest_m5
      if (s.getName() &&
          !names[result][unsigned(s.getRole())].insert(s.getName()).second)
        return fn.emitOpError() << "has two '" << role << "' " << what
                                << "s named '" << s.getName().getValue()
                                << "'";
      if (s.getRole() == SlotRole::param)
        paramNames.insert(s.getName());
      // manifest_m6
      Type type = result ? fn.getResultTypes()[i] : fn.getArgumentTypes()[i];
      auto shaped = dyn_cast<ShapedType>(type);
      if (rule.scalar && shaped && shaped.hasRank() && shaped.getRank() != 0)
        return fn.emitOpError() << "has a '" << role << "' " << what
                                << " of rank " << shaped.getRank()
                                << "; it is a 0-d tensor";
    }
  }
  // manifest_m7: once parameters are arguments, the gradients and updates
  // name them (an optimizer slot `<param>/<slot>` is a parameter too).
  if (paramNames.empty())
    return success();
  for (int result = 0; result < 2; ++result)
    for (SlotRole role : {SlotRole::grad, SlotRole::updates})
      for (const auto &entry : names[result][unsigned(role)])
        if (!paramNames.contains(entry.getKey()))
          return fn.emitOpError()
                 << "has a '" << stringifySlotRole(role) << "' slot for '"
                 << entry.getKey() << "', which is not a parameter argument";
  return success();
}
