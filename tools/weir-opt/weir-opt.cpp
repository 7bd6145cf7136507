//===- weir-opt.cpp - MlirOptMain over weir and the upstream dialects ----===//
#include "dialect/WeirOps.h"
#include "passes/Pipelines.h"

#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  weir::registerWeirPassesAndPipelines();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<weir::WeirDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Weir optimizer driver\n", registry));
}
