//===- Ensemble.cpp - `weir ensemble`: members' predictions averaged -----===//
//
// weir ensemble a.weir:a.safetensors b.weir:b.safetensors ... --data PATH
// [--split test] [--weights uniform|tuned [--tune-split train]] [-o p.npy]
// prints each member's accuracy and loss, then the ensemble's.
//
//===----------------------------------------------------------------------===//
#include "api/Ensemble.h"
#include "api/Files.h"
#include "tools/weir/Commands.h"
#include "tools/weir/Flags.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace weir;

int commands::ensemble() {
  EnsembleOptions options;
  for (const std::string &member : flags::members) {
    size_t colon = member.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == member.size()) {
      llvm::errs() << "weir ensemble: a member is MODEL:WEIGHTS, as in "
                      "a.weir:a.safetensors, got '"
                   << member << "'\n";
      return 2;
    }
    options.members.push_back({member.substr(0, colon), member.substr(colon + 1)});
  }
  if (flags::dataPath.empty()) {
    llvm::errs() << "weir ensemble: needs --data (an IDX directory or an "
                    ".npz with labels)\n";
    return 2;
  }
  options.data = flags::dataPath;
  options.split = flags::split;
  options.weighting = flags::ensembleWeights;
  options.tuneSplit = flags::tuneSplit;
  options.seed = flags::seed;
  options.threads = flags::threads;
  if (flags::batchSize > 0)
    options.batchSize = flags::batchSize;
  options.session = flags::sessionOptions();
  Result<EnsembleResult> r = runEnsemble(options);
  if (!r.ok())
    return flags::fail("ensemble", r.status().message());
  // Members by their files' names: model.weir:weights.safetensors.
  auto base = [](const std::string &p) {
    size_t slash = p.find_last_of('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
  };
  std::vector<std::string> names;
  size_t width = 8;
  for (const EnsembleMember &m : options.members) {
    names.push_back(base(m.model) + ":" + base(m.weights));
    width = std::max(width, names.back().size());
  }
  auto line = [&](const std::string &name, const EnsembleScore &s) {
    llvm::outs() << "  " << name << std::string(width + 2 - name.size(), ' ')
                 << "accuracy " << llvm::format("%.4f", s.accuracy)
                 << "  loss " << llvm::format("%.4f", s.loss);
  };
  llvm::outs() << "On " << r->examples << " examples of the " << options.split
               << " split:\n";
  for (size_t i = 0; i < options.members.size(); ++i) {
    line(names[i], r->members[i]);
    llvm::outs() << "\n";
  }
  line("ensemble", r->ensemble);
  llvm::outs() << "  weights";
  for (double w : r->weights)
    llvm::outs() << " " << llvm::format("%.3f", w);
  if (options.weighting == "tuned")
    llvm::outs() << " (tuned on " << options.tuneSplit << ": accuracy "
                 << llvm::format("%.4f", r->tuned.accuracy) << ")";
  llvm::outs() << "\n";
  if (flags::output != "-") {
    if (Status s = writeArrayFile(flags::output, r->probabilities); !s.ok())
      return flags::fail("ensemble", s.message());
    llvm::outs() << "wrote " << flags::output << "\n";
  }
  return 0;
}
