//===- Ensemble.h - `weir ensemble`: averaged predictions of models -*- C++ -*-===//
//
// The seed's ensemble: each member (a model file and its weights) predicts
// the same examples; the ensemble's probabilities are their average, or a
// weighted one whose weights (on the simplex) are fitted on another split
// by random search, as the seed suggests. Members are separate compiled
// programs, one after the other.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_API_ENSEMBLE_H
#define WEIR_API_ENSEMBLE_H

#include "api/Options.h"
#include "runtime/HostTensor.h"
#include "runtime/Status.h"

#include <string>
#include <vector>

namespace weir {

struct EnsembleMember {
  std::string model, weights;
};

struct EnsembleOptions {
  std::vector<EnsembleMember> members;
  /// Arrays (an IDX directory or an .npz) and the split scored.
  std::string data;
  std::string split = "test";
  /// uniform, or tuned: weights fitted on `tuneSplit` of `data`.
  std::string weighting = "uniform";
  std::string tuneSplit = "train";
  /// Weight vectors the random search tries (the corners and the uniform
  /// one are always among them).
  int64_t searchPoints = 2000;
  uint64_t seed = 0;
  unsigned threads = 0;
  int64_t batchSize = 512;
  SessionOptions session;
};

struct EnsembleScore {
  double accuracy = 0, loss = 0;
};

struct EnsembleResult {
  std::vector<EnsembleScore> members;
  std::vector<double> weights;
  EnsembleScore ensemble;
  /// With tuned weights: the score on the split they were fitted on.
  EnsembleScore tuned;
  /// The ensemble's probabilities over `split`, [N, classes] f32.
  HostTensor probabilities;
  int64_t examples = 0;
};

/// Scores each member and the ensemble on `split`. Errors: fewer than two
/// members, outputs that are not probabilities over the same classes.
Result<EnsembleResult> runEnsemble(const EnsembleOptions &options);

} // namespace weir

#endif // WEIR_API_ENSEMBLE_H
