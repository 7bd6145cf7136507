//===- Layers.cpp - which layer of the source an op was built for --------===//
#include "dialect/Layers.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

std::optional<llvm::StringRef> weir::layerNameOf(Location loc) {
  std::optional<llvm::StringRef> name;
  loc->walk([&](Location inner) {
    if (auto named = dyn_cast<NameLoc>(inner)) {
      name = named.getName().getValue();
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return name;
}

std::optional<FileLineColLoc> weir::fileLocationOf(Location loc) {
  if (auto file = loc->findInstanceOf<FileLineColLoc>())
    return file;
  return std::nullopt;
}

std::string weir::formatFileLocation(Location loc) {
  std::optional<FileLineColLoc> file = fileLocationOf(loc);
  if (!file)
    return "";
  return (file->getFilename().getValue() + ":" + llvm::Twine(file->getLine()) +
          ":" + llvm::Twine(file->getColumn()))
      .str();
}

std::string weir::describeLayer(Location loc) {
  std::optional<llvm::StringRef> name = layerNameOf(loc);
  std::string file = formatFileLocation(loc);
  if (name && !file.empty())
    return (*name + " at " + file).str();
  if (name)
    return name->str();
  if (!file.empty())
    return file;
  return "unknown location";
}
