//===- Commands.h - the subcommands of the weir driver ---------*- C++ -*-===//
//
// Each reads its flags (Flags.h), calls the API (api/) and prints; each
// returns the process's exit code (2 for a usage error).
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_TOOLS_WEIR_COMMANDS_H
#define WEIR_TOOLS_WEIR_COMMANDS_H

namespace weir::commands {
int compile();
int run();
int init();
int bench();
int data();
int train();
int evaluate();
int predict();
int gradients();
int summary();
int plot();
int tune();
int ensemble();
} // namespace weir::commands

#endif // WEIR_TOOLS_WEIR_COMMANDS_H
