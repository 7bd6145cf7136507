//===- Compile.h - `weir compile` ------------------------------*- C++ -*-===//
#ifndef WEIR_TOOLS_WEIR_COMPILE_H
#define WEIR_TOOLS_WEIR_COMPILE_H

#include <string>

namespace weir {

struct CompileOptions {
  std::string input;
  std::string output = "-";
  /// The last stage to run; the IR after it is the output.
  std::string emit = "weir";
  bool printIRAfterAll = false;
  bool timing = false;
  bool warnUnusedParameters = true;
};

/// Runs `weir compile`; returns the process exit code. Diagnostics go to
/// stderr with file:line:col and the source line.
int runCompile(const CompileOptions &options);

} // namespace weir

#endif // WEIR_TOOLS_WEIR_COMPILE_H
