//===- Ensemble.cpp - `weir ensemble`: averaged predictions of models -----===//
#include "api/Ensemble.h"
#include "api/Trainer.h"
#include "runtime/Random.h"
#include "runtime/train/Dataset.h"

#include <cmath>
#include <cstring>

using namespace weir;

namespace {
/// One member's probabilities over `arrays`, checked to be rows of
/// probabilities.
Result<HostTensor> predictMember(const EnsembleMember &m,
                                 const ArrayDataset &arrays,
                                 const EnsembleOptions &o) {
  TrainerOptions to;
  to.weights = m.weights;
  to.threads = o.threads;
  to.activity = "ensembling";
  Result<std::unique_ptr<Trainer>> t = Trainer::load(m.model, o.session, to);
  if (!t.ok())
    return Status::error(m.model + ": " + t.status().message());
  Result<HostTensor> p = (*t)->predict(DataRef::inMemory(arrays), o.batchSize);
  if (!p.ok())
    return Status::error(m.model + ": " + p.status().message());
  if (p->dtype() != DType::F32 || p->rank() != 2)
    return Status::error(m.model + ": its outputs are " + p->describe() +
                         "; an ensemble averages f32 [N, classes] "
                         "probabilities");
  const float *v = p->data<float>();
  int64_t n = p->shape()[0], c = p->shape()[1];
  for (int64_t i = 0; i < n; ++i) {
    double sum = 0;
    for (int64_t j = 0; j < c; ++j)
      sum += v[i * c + j];
    if (std::fabs(sum - 1) > 1e-3)
      return Status::error(m.model + ": its outputs are not probabilities "
                           "(example " + std::to_string(i) + " sums to " +
                           std::to_string(sum) +
                           "); end the model with a softmax");
  }
  return p;
}

Result<std::vector<int64_t>> labelsOf(const ArrayDataset &a,
                                      const std::string &where) {
  const HostTensor &y = a.y;
  std::vector<int64_t> out(static_cast<size_t>(a.size()));
  for (int64_t i = 0; i < a.size(); ++i) {
    switch (y.dtype()) {
    case DType::U8: out[i] = y.data<uint8_t>()[i]; break;
    case DType::I8: out[i] = y.data<int8_t>()[i]; break;
    case DType::I32: out[i] = y.data<int32_t>()[i]; break;
    case DType::I64: out[i] = y.data<int64_t>()[i]; break;
    default:
      return Status::error(where + ": an ensemble is scored on class labels "
                           "(integer y), got " + y.describe());
    }
  }
  return out;
}

/// Accuracy and mean cross-entropy of sum_k w_k p_k.
EnsembleScore score(const std::vector<HostTensor> &probs,
                    const std::vector<double> &w,
                    const std::vector<int64_t> &labels, float *out = nullptr) {
  int64_t n = probs[0].shape()[0], c = probs[0].shape()[1];
  EnsembleScore s;
  std::vector<double> row(static_cast<size_t>(c));
  for (int64_t i = 0; i < n; ++i) {
    std::fill(row.begin(), row.end(), 0.0);
    for (size_t k = 0; k < probs.size(); ++k) {
      const float *p = probs[k].data<float>() + i * c;
      for (int64_t j = 0; j < c; ++j)
        row[j] += w[k] * p[j];
    }
    int64_t best = 0;
    for (int64_t j = 1; j < c; ++j)
      if (row[j] > row[best])
        best = j;
    s.accuracy += best == labels[i];
    int64_t y = labels[i];
    s.loss -= std::log(std::max(y >= 0 && y < c ? row[y] : 0.0, 1e-12));
    if (out)
      for (int64_t j = 0; j < c; ++j)
        out[i * c + j] = static_cast<float>(row[j]);
  }
  s.accuracy /= double(n);
  s.loss /= double(n);
  return s;
}

Result<std::vector<HostTensor>> predictAll(const EnsembleOptions &o,
                                           const ArrayDataset &arrays) {
  std::vector<HostTensor> probs;
  for (const EnsembleMember &m : o.members) {
    Result<HostTensor> p = predictMember(m, arrays, o);
    if (!p.ok())
      return p.status();
    if (!probs.empty() && p->shape() != probs[0].shape())
      return Status::error(m.model + ": its outputs are " + p->describe() +
                           ", the first member's " + probs[0].describe());
    probs.push_back(std::move(*p));
  }
  return probs;
}
} // namespace

Result<EnsembleResult> weir::runEnsemble(const EnsembleOptions &o) {
  if (o.members.size() < 2)
    return Status::error("an ensemble needs at least two members "
                         "(model.weir:weights.safetensors each)");
  if (o.weighting != "uniform" && o.weighting != "tuned")
    return Status::error("--weights is uniform or tuned, not '" +
                         o.weighting + "'");
  Result<ArrayDataset> data = loadArrays(o.data, o.split);
  if (!data.ok())
    return data.status();
  Result<std::vector<int64_t>> labels = labelsOf(*data, o.data);
  if (!labels.ok())
    return labels.status();
  Result<std::vector<HostTensor>> probs = predictAll(o, *data);
  if (!probs.ok())
    return probs.status();
  size_t k = o.members.size();
  EnsembleResult r;
  r.examples = data->size();
  for (size_t i = 0; i < k; ++i) {
    std::vector<double> one(k, 0.0);
    one[i] = 1;
    r.members.push_back(score(*probs, one, *labels));
  }
  r.weights.assign(k, 1.0 / double(k));
  if (o.weighting == "tuned") {
    // The seed's "random search or a simple optimizer" over the simplex:
    // uniform Dirichlet draws, the corners and the uniform point, scored
    // by accuracy on the tuning split (ties: the lower loss).
    Result<ArrayDataset> tuneData = loadArrays(o.data, o.tuneSplit);
    if (!tuneData.ok())
      return tuneData.status();
    Result<std::vector<int64_t>> tuneLabels = labelsOf(*tuneData, o.data);
    if (!tuneLabels.ok())
      return tuneLabels.status();
    Result<std::vector<HostTensor>> tuneProbs = predictAll(o, *tuneData);
    if (!tuneProbs.ok())
      return tuneProbs.status();
    std::vector<std::vector<double>> candidates{r.weights};
    for (size_t i = 0; i < k; ++i) {
      std::vector<double> corner(k, 0.0);
      corner[i] = 1;
      candidates.push_back(corner);
    }
    SplitMix64 rng(o.seed, 0);
    for (int64_t c = 0; c < o.searchPoints; ++c) {
      std::vector<double> w(k);
      double sum = 0;
      for (double &x : w) {
        double u = (static_cast<double>(rng.next() >> 11) + 0.5) * 0x1.0p-53;
        x = -std::log(u);
        sum += x;
      }
      for (double &x : w)
        x /= sum;
      candidates.push_back(w);
    }
    EnsembleScore best;
    bool first = true;
    for (const std::vector<double> &w : candidates) {
      EnsembleScore s = score(*tuneProbs, w, *tuneLabels);
      if (first || s.accuracy > best.accuracy ||
          (s.accuracy == best.accuracy && s.loss < best.loss)) {
        best = s;
        r.weights = w;
        first = false;
      }
    }
    r.tuned = best;
  }
  int64_t n = (*probs)[0].shape()[0], c = (*probs)[0].shape()[1];
  Result<HostTensor> out = HostTensor::createUninitialized(DType::F32, {n, c});
  if (!out.ok())
    return out.status();
  r.ensemble = score(*probs, r.weights, *labels, out->data<float>());
  r.probabilities = std::move(*out);
  return r;
}
