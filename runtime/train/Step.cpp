//===- Step.cpp - data-parallel training steps over compiled functions ---===//
#include "runtime/train/Step.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <type_traits>

using namespace weir;

static double scalarValue(const HostTensor &t) {
  return t.dtype() == DType::F64 ? t.data<double>()[0] : t.data<float>()[0];
}

// The loops below run over every parameter once per step, on the main
// thread, while the other threads wait: most of the MLP step's fixed cost.
// The runtime is built for baseline x86-64 (SSE2, where an unsigned max
// alone takes five instructions per 4 lanes), so they carry copies for
// AVX2 and AVX-512 that the loader picks from the host (ifunc). Contraction
// stays off so that every copy rounds as the baseline one does.
#if defined(__x86_64__) && defined(__clang__) && defined(__ELF__)
#define WEIR_HOST_CLONES                                                       \
  __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define WEIR_HOST_CLONES
#endif

/// a = 0 + w[0] * x[0] + w[1] * x[1] + ..., elementwise, summed in replica
/// order, in blocks that keep `a` in L1 while each replica's values are read
/// once: one pass over the parameters, not one per replica.
template <typename T>
[[gnu::always_inline]] static inline void
weightedSumLoop(T *a, const T *const *x, const T *w, unsigned k, int64_t n) {
#pragma clang fp contract(off)
  constexpr int64_t kBlock = 2048;
  for (int64_t begin = 0; begin < n; begin += kBlock) {
    int64_t end = std::min(n, begin + kBlock);
    for (int64_t i = begin; i < end; ++i)
      a[i] = T(0) + w[0] * x[0][i];
    for (unsigned r = 1; r < k; ++r)
      for (int64_t i = begin; i < end; ++i)
        a[i] = a[i] + w[r] * x[r][i];
  }
}

WEIR_HOST_CLONES static void weightedSum(float *a, const float *const *x,
                                         const float *w, unsigned k,
                                         int64_t n) {
  weightedSumLoop(a, x, w, k, n);
}

WEIR_HOST_CLONES static void weightedSum(double *a, const double *const *x,
                                         const double *w, unsigned k,
                                         int64_t n) {
  weightedSumLoop(a, x, w, k, n);
}

/// The largest magnitude's bits of n f32 or f64 values (an integer max, so
/// the loop vectorizes).
template <typename Bits>
[[gnu::always_inline]] static inline Bits maxMagnitudeLoop(const Bits *x,
                                                          int64_t n) {
  const Bits magnitude = ~Bits(0) >> 1;
  Bits top = 0;
  for (int64_t i = 0; i < n; ++i)
    top = std::max<Bits>(top, x[i] & magnitude);
  return top;
}

WEIR_HOST_CLONES static uint32_t maxMagnitudeBits(const uint32_t *x,
                                                  int64_t n) {
  return maxMagnitudeLoop(x, n);
}

WEIR_HOST_CLONES static uint64_t maxMagnitudeBits(const uint64_t *x,
                                                  int64_t n) {
  return maxMagnitudeLoop(x, n);
}

/// acc = the sum over replicas r of w[r] * v[r], elementwise; `x` is the
/// caller's scratch for the replicas' pointers. One f32 replica with weight
/// 1 is a copy.
template <typename T>
static void reduceInto(HostTensor &acc,
                       const std::vector<const HostTensor *> &v,
                       const std::vector<T> &w, std::vector<const T *> &x) {
  int64_t n = acc.numElements();
  x.clear();
  for (const HostTensor *t : v)
    x.push_back(t->data<T>());
  if (std::is_same<T, float>::value && v.size() == 1 && w[0] == T(1)) {
    std::copy(x[0], x[0] + n, acc.data<T>());
    return;
  }
  weightedSum(acc.data<T>(), x.data(), w.data(), v.size(), n);
}

/// The replica weights `w` (double) in both precisions, made once a step.
struct ReplicaWeights {
  std::vector<double> f64;
  std::vector<float> f32;
  explicit ReplicaWeights(std::vector<double> w) : f64(std::move(w)) {
    for (double d : f64)
      f32.push_back(static_cast<float>(d));
  }
};

static void reduceInto(HostTensor &acc,
                       const std::vector<const HostTensor *> &v,
                       const ReplicaWeights &w,
                       std::vector<const float *> &f32,
                       std::vector<const double *> &f64) {
  if (acc.dtype() == DType::F64)
    reduceInto(acc, v, w.f64, f64);
  else
    reduceInto(acc, v, w.f32, f32);
}

/// Whether every element of a float tensor is finite (no NaN, no inf): the
/// largest magnitude's bits stay below the exponent's all-ones pattern.
static bool allFinite(const HostTensor &t) {
  int64_t n = t.numElements();
  if (t.dtype() == DType::F64)
    return maxMagnitudeBits(reinterpret_cast<const uint64_t *>(t.bytes()), n) <
           0x7ff0000000000000ull;
  if (t.dtype() != DType::F32)
    return checkFinite(t, "").ok();
  return maxMagnitudeBits(reinterpret_cast<const uint32_t *>(t.bytes()), n) <
         0x7f800000u;
}

static Result<HostTensor> makeScalar(DType dtype) {
  return HostTensor::create(dtype, {});
}

/// Appends to `scalars` (which holds the rng key) the slots bind() reads
/// for AugmentKey and ExampleOffset: placeholders for the learning rate and
/// iteration, then the unmixed step key and the slice's first row.
static Status addAugmentScalars(std::vector<HostTensor> &scalars,
                                uint64_t rngKey, int64_t firstRow) {
  for (DType d : {DType::F32, DType::F32, DType::I64, DType::I64}) {
    Result<HostTensor> t = makeScalar(d);
    if (!t.ok())
      return t.status();
    scalars.push_back(std::move(*t));
  }
  scalars[3].data<int64_t>()[0] = static_cast<int64_t>(rngKey);
  scalars[4].data<int64_t>()[0] = firstRow;
  return Status();
}

Result<std::unique_ptr<TrainStep>>
TrainStep::create(FunctionSpec train, FunctionSpec apply, FunctionSpec eval,
                  ParameterMap *state, unsigned replicas) {
  std::unique_ptr<TrainStep> s(new TrainStep());
  s->train_ = std::move(train);
  s->apply_ = std::move(apply);
  s->eval_ = std::move(eval);
  s->state_ = state;
  s->replicas_ = std::max(1u, replicas);
  for (const FunctionSpec *f : {&s->train_, &s->apply_, &s->eval_}) {
    if (!f->fn)
      return Status::error("no compiled function '" + f->name + "'");
    for (const SlotSpec &a : f->args) {
      if (a.role != Role::Param)
        continue;
      auto it = state->find(a.name);
      if (it == state->end())
        return Status::error("'" + f->name + "' reads parameter '" + a.name +
                             "', which the weights do not have");
      if (it->second.shape() != a.shape || it->second.dtype() != a.dtype)
        return Status::error("parameter '" + a.name + "' has shape " +
                             formatShape(it->second.shape()) + ", '" +
                             f->name + "' expects " + formatShape(a.shape));
    }
  }
  // The averaged gradients, one per @m_train gradient result.
  std::set<std::string> applied;
  for (const SlotSpec &a : s->apply_.args)
    if (a.role == Role::Grad)
      applied.insert(a.name);
  for (const SlotSpec &r : s->train_.results) {
    if (r.role != Role::Grad)
      continue;
    if (!applied.count(r.name))
      return Status::error("'" + s->apply_.name + "' takes no gradient of '" +
                           r.name + "'");
    Result<HostTensor> g = HostTensor::create(r.dtype, r.shape);
    if (!g.ok())
      return g.status();
    s->grads_.emplace(r.name, std::move(*g));
  }
  for (const std::string &name : applied)
    if (!s->grads_.count(name))
      return Status::error("'" + s->train_.name + "' returns no gradient of '" +
                           name + "'");
  for (const SlotSpec &a : s->train_.args)
    if (a.role == Role::Param && a.name == kLossScaleParam)
      s->lossScaled_ = true;
  if (s->lossScaled_)
    for (const char *name :
         {kLossScaleParam, kGoodStepsParam, kSkippedStepsParam}) {
      auto it = state->find(name);
      if (it == state->end() || it->second.dtype() != DType::F32 ||
          it->second.numElements() != 1)
        return Status::error(std::string("loss scaling needs the 0-d f32 "
                                         "state '") +
                             name + "', which the weights do not have");
    }
  if (s->replicas_ > 1)
    s->pool_ = std::make_unique<ThreadPool>(s->replicas_);
  s->replicaResults_.resize(s->replicas_);
  return s;
}

Status TrainStep::allocateResults(const FunctionSpec &f, int64_t rows,
                                  std::vector<HostTensor> &out) {
  if (out.size() == f.results.size())
    return Status();
  out.clear();
  for (const SlotSpec &r : f.results) {
    std::vector<int64_t> shape = r.shape;
    if (!shape.empty() && shape[0] < 0)
      shape[0] = rows;
    Result<HostTensor> t = HostTensor::create(r.dtype, shape);
    if (!t.ok())
      return t.status();
    out.push_back(std::move(*t));
  }
  return Status();
}

std::vector<ArgView> TrainStep::bind(const FunctionSpec &f, const HostTensor *x,
                                     const HostTensor *y, int64_t begin,
                                     int64_t end,
                                     const std::vector<HostTensor> &scalars) {
  std::vector<ArgView> views;
  for (const SlotSpec &a : f.args) {
    switch (a.role) {
    case Role::Input:
      views.push_back({x, begin, end});
      break;
    case Role::Target:
      views.push_back({y, begin, end});
      break;
    case Role::Rng:
      views.push_back({&scalars[0]});
      break;
    case Role::LearningRate:
      views.push_back({&scalars[1]});
      break;
    case Role::Iteration:
      views.push_back({&scalars[2]});
      break;
    case Role::AugmentKey:
      views.push_back({&scalars[3]});
      break;
    case Role::ExampleOffset:
      views.push_back({&scalars[4]});
      break;
    case Role::Param:
      views.push_back({&state_->at(a.name)});
      break;
    case Role::Grad:
      views.push_back({&grads_.at(a.name)});
      break;
    default:
      views.push_back({nullptr});
    }
  }
  return views;
}

/// The share of the batch replica `r` of `replicas` gets: its slice is
/// rows [rows * r / replicas, rows * (r + 1) / replicas).
static double sliceWeight(int64_t rows, unsigned r, unsigned replicas) {
  return double(rows * (r + 1) / replicas - rows * r / replicas) / rows;
}

Status TrainStep::runReplicas(const FunctionSpec &f, const HostTensor &x,
                              const HostTensor *y, uint64_t rngKey,
                              std::vector<std::vector<HostTensor>> &results) {
  int64_t rows = x.rank() ? x.shape()[0] : 0;
  if (rows == 0)
    return Status::error("empty batch");
  unsigned replicas =
      static_cast<unsigned>(std::min<int64_t>(replicas_, rows));
  results.resize(replicas);
  std::vector<Status> statuses(replicas);
  auto run = [&](unsigned r) {
    int64_t begin = rows * r / replicas, end = rows * (r + 1) / replicas;
    // Each replica keys its dropout masks with its own index.
    std::vector<HostTensor> scalars;
    Result<HostTensor> key = makeScalar(DType::I64);
    if (!key.ok()) {
      statuses[r] = key.status();
      return;
    }
    key->data<int64_t>()[0] = static_cast<int64_t>(
        rngKey ^ (uint64_t(r) * 0x9E3779B97F4A7C15ull));
    scalars.push_back(std::move(*key));
    // Augmentations key by the step and the row's index in the whole
    // batch, so they do not depend on the replica count.
    if (Status s = addAugmentScalars(scalars, rngKey, begin); !s.ok()) {
      statuses[r] = s;
      return;
    }
    if (Status s = allocateResults(f, end - begin, results[r]); !s.ok()) {
      statuses[r] = s;
      return;
    }
    std::vector<HostTensor *> outs;
    for (HostTensor &t : results[r])
      outs.push_back(&t);
    statuses[r] = invokePacked(f.fn, f.name, bind(f, &x, y, begin, end, scalars),
                               outs);
  };
  if (replicas == 1)
    run(0);
  else
    pool_->parallelFor(replicas, run);
  for (Status &s : statuses)
    if (!s.ok())
      return s;
  return Status();
}

/// The all-reduce: each replica's results are means over its slice, so
/// they are averaged weighted by slice size (counts are summed).
StepMetrics TrainStep::reduceReplicas(
    const FunctionSpec &f, int64_t rows,
    const std::vector<std::vector<HostTensor>> &results) {
  StepMetrics metrics;
  metrics.examples = rows;
  unsigned replicas = results.size();
  std::vector<double> slice, unscaled;
  for (unsigned r = 0; r < replicas; ++r) {
    slice.push_back(sliceWeight(rows, r, replicas));
    unscaled.push_back(slice.back() * unscale_);
  }
  const ReplicaWeights weights(slice), scaled(unscaled);
  std::vector<const HostTensor *> values(replicas);
  std::vector<const float *> f32;
  std::vector<const double *> f64;
  for (size_t i = 0; i < f.results.size(); ++i) {
    const SlotSpec &spec = f.results[i];
    for (unsigned r = 0; r < replicas; ++r)
      values[r] = &results[r][i];
    switch (spec.role) {
    case Role::Loss:
      for (unsigned r = 0; r < replicas; ++r)
        metrics.loss += weights.f64[r] * scalarValue(*values[r]);
      break;
    case Role::Correct:
      for (unsigned r = 0; r < replicas; ++r)
        metrics.correct += scalarValue(*values[r]);
      break;
    case Role::Grad:
      reduceInto(grads_.at(spec.name), values, scaled, f32, f64);
      break;
    case Role::Updates:
      reduceInto(state_->at(spec.name), values, weights, f32, f64);
      break;
    default:
      break;
    }
  }
  return metrics;
}

Status TrainStep::runGradients(const HostTensor &x, const HostTensor &y,
                               uint64_t rngKey, StepMetrics &metrics) {
  int64_t rows = x.rank() ? x.shape()[0] : 0;
  if (rows && (y.rank() == 0 || y.shape()[0] != rows))
    return Status::error("the batch has " + std::to_string(rows) +
                         " inputs but a different number of targets");
  if (Status s = runReplicas(train_, x, &y, rngKey, replicaResults_); !s.ok())
    return s;
  // The gradients are of the scaled loss: the reduction divides them.
  unscale_ = 1.0f / lossScale();
  metrics = reduceReplicas(train_, rows, replicaResults_);
  return Status();
}

float TrainStep::lossScale() const {
  return lossScaled_ ? state_->at(kLossScaleParam).data<float>()[0] : 1.0f;
}

int64_t TrainStep::skippedSteps() const {
  return lossScaled_ ? static_cast<int64_t>(
                           state_->at(kSkippedStepsParam).data<float>()[0])
                     : 0;
}

Result<std::string> TrainStep::firstNonFiniteLayer(const FunctionSpec &probe,
                                                   const HostTensor &x,
                                                   uint64_t rngKey) {
  int64_t rows = x.rank() ? x.shape()[0] : 0;
  std::vector<HostTensor> results;
  if (Status s = allocateResults(probe, rows, results); !s.ok())
    return s;
  Result<HostTensor> key = makeScalar(DType::I64);
  if (!key.ok())
    return key.status();
  key->data<int64_t>()[0] = static_cast<int64_t>(rngKey);
  std::vector<HostTensor> scalars;
  scalars.push_back(std::move(*key));
  if (Status s = addAugmentScalars(scalars, rngKey, 0); !s.ok())
    return s;
  std::vector<HostTensor *> outs;
  for (HostTensor &t : results)
    outs.push_back(&t);
  if (Status s = invokePacked(probe.fn, probe.name,
                              bind(probe, &x, nullptr, 0, rows, scalars), outs);
      !s.ok())
    return s;
  for (size_t i = 0; i < results.size(); ++i)
    if (!checkFinite(results[i], probe.results[i].name).ok())
      return probe.results[i].name;
  return std::string();
}

Result<StepMetrics> TrainStep::step(const HostTensor &x, const HostTensor &y,
                                    int64_t iteration, float learningRate,
                                    uint64_t rngKey) {
  StepMetrics metrics;
  if (Status s = runGradients(x, y, rngKey, metrics); !s.ok())
    return s;
  // A non-finite loss leaves the parameters as they were, for diagnosis.
  if (!std::isfinite(metrics.loss))
    return metrics;
  // So does a non-finite gradient; dynamic loss scaling skips the update
  // and halves the scale instead.
  for (auto &[name, g] : grads_)
    if (!allFinite(g)) {
      if (lossScaled_ && scaling_.dynamic) {
        state_->at(kLossScaleParam).data<float>()[0] *= 0.5f;
        state_->at(kGoodStepsParam).data<float>()[0] = 0;
        state_->at(kSkippedStepsParam).data<float>()[0] += 1;
        metrics.skipped = true;
      } else {
        metrics.nonFiniteGradient = name;
      }
      return metrics;
    }
  // Adam's bias correction counts the updates that ran.
  iteration -= skippedSteps();
  std::vector<HostTensor> scalars;
  for (DType d : {DType::I64, DType::F32, DType::F32}) {
    Result<HostTensor> t = makeScalar(d);
    if (!t.ok())
      return t.status();
    scalars.push_back(std::move(*t));
  }
  scalars[1].data<float>()[0] = learningRate;
  scalars[2].data<float>()[0] = static_cast<float>(iteration);
  std::vector<HostTensor *> outs;
  for (const SlotSpec &r : apply_.results)
    outs.push_back(&state_->at(r.name));
  if (Status s = invokePacked(apply_.fn, apply_.name,
                              bind(apply_, nullptr, nullptr, 0, -1, scalars),
                              outs);
      !s.ok())
    return s;
  if (lossScaled_ && scaling_.dynamic) {
    float &good = state_->at(kGoodStepsParam).data<float>()[0];
    good += 1;
    if (good >= static_cast<float>(scaling_.growthInterval)) {
      state_->at(kLossScaleParam).data<float>()[0] *= 2.0f;
      good = 0;
    }
  }
  return metrics;
}

Result<StepMetrics> TrainStep::gradients(const HostTensor &x,
                                         const HostTensor &y, uint64_t rngKey,
                                         ParameterMap &grads) {
  StepMetrics metrics;
  if (Status s = runGradients(x, y, rngKey, metrics); !s.ok())
    return s;
  grads.clear();
  for (auto &[name, g] : grads_) {
    Result<HostTensor> copy = g.clone();
    if (!copy.ok())
      return copy.status();
    grads.emplace(name, std::move(*copy));
  }
  return metrics;
}

Result<StepMetrics> TrainStep::evaluate(const HostTensor &x,
                                        const HostTensor &y) {
  std::vector<std::vector<HostTensor>> results;
  if (Status s = runReplicas(eval_, x, &y, 0, results); !s.ok())
    return s;
  return reduceReplicas(eval_, x.shape()[0], results);
}
