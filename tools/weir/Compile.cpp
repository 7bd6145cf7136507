//===- Compile.cpp - `weir compile`: the pipelines up to a stage ---------===//
#include "api/Compiler.h"
#include "api/Session.h"
#include "tools/weir/Commands.h"
#include "tools/weir/Flags.h"

#include "llvm/Support/raw_ostream.h"

using namespace weir;

int commands::compile() {
  CompileRequest request;
  request.emit = flags::emit;
  request.target = flags::target;
  request.function = flags::function;
  request.output = flags::output;
  if (!flags::cudaArch.empty())
    request.cudaArchs.assign(flags::cudaArch.begin(), flags::cudaArch.end());
  if (Status s = checkCompileRequest(request); !s.ok()) {
    llvm::errs() << "weir compile: " << s.message() << "\n";
    return 2;
  }
  auto session = Session::load(flags::model, flags::sessionOptions());
  if (!session)
    return 1;
  if (Status s = compileToStage(*session, request); !s.ok())
    return flags::fail("compile", s.message());
  return 0;
}
