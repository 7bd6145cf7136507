// The engine: decode workers filling fixed batch slots, a bounded ring of
// batches between them and the consumer, the tuner, and the caches.
#include "runtime/pipeline/Internal.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

namespace weir::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string format(const char *fmt, double a, double b = 0, double c = 0,
                   double d = 0, double e = 0) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), fmt, a, b, c, d, e);
  return buf;
}

/// One batch buffer. Workers fill its rows (each row by one worker, so the
/// rows need no lock); the consumer holds it between next() and release().
struct Slot {
  enum State { Free, Filling, Ready, Held };
  State state = Free;
  int64_t step = -1;
  int64_t rows = 0;       // rows of the step, before skipping
  int pendingChunks = 0;  // chunks not yet decoded
  int64_t nextChunk = 0;  // next chunk to hand out
  Batch batch;            // batch.images/labels: the full buffers, except
  HostTensor fullImages;  // while Held with a short batch: then the full
  HostTensor fullLabels;  // buffers wait here
  bool shortened = false;
  std::vector<uint8_t> bad;         // per row
  std::vector<std::string> reasons; // per row, where bad
};

class Engine final : public ImagePipeline {
public:
  Engine(const PipelineSpec &spec, Listing listing)
      : spec_(spec), listing_(std::move(listing)) {
    shape_ = {spec.source.height, spec.source.width,
              colorModeChannels(spec.source.color)};
    n_ = int64_t(listing_.files.size());
    total_ = n_ * spec.repeat;
    steps_ = spec.dropRemainder ? total_ / spec.batchSize
                                : (total_ + spec.batchSize - 1) / spec.batchSize;
    unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    threads_ = spec.parallelism > 0 ? spec.parallelism : int(hw);
    active_ = threads_;
    batchBytes_ = size_t(spec.batchSize) * shape_.bytes() +
                  size_t(spec.batchSize) * sizeof(int32_t);
    size_t fit = std::max<size_t>(1, spec.maxMemoryBytes / batchBytes_);
    prefetch_ = spec.prefetch > 0 ? int(std::min<size_t>(spec.prefetch, fit))
                                  : int(std::min<size_t>(4, fit));
    chunk_ = std::clamp<int64_t>(spec.batchSize / (2 * threads_), 4, 64);
  }

  ~Engine() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
    }
    workCv_.notify_all();
    readyCv_.notify_all();
    for (std::thread &t : workers_)
      t.join();
  }

  const std::vector<std::string> &classNames() const override {
    return listing_.classNames;
  }
  int64_t numExamples() const override { return n_; }
  int64_t stepsPerEpoch() const override { return steps_; }

  Status startEpoch(int64_t epoch, int64_t firstStep) override;
  Result<const Batch *> next() override;
  void release(const Batch *batch) override;
  EpochStats epochStats() const override {
    std::lock_guard<std::mutex> lock(mu_);
    EpochStats s = stats_;
    s.imagesDecoded = decoded_.load();
    return s;
  }

private:
  void worker(int index);
  bool hasWork(int index) const;
  Slot *slotFor(int64_t step);
  void decodeRows(Slot &slot, int64_t first, int64_t count);
  void decodeOne(SlotDecoder &decoder, int64_t example, uint8_t *out,
                 Slot &slot, int64_t row);
  Status prepareCaches();
  Status finishBatch(Slot &slot);
  std::string tune();
  int64_t rowsOf(int64_t step) const {
    return std::min(spec_.batchSize, total_ - step * spec_.batchSize);
  }

  const PipelineSpec spec_;
  const Listing listing_;
  ImageShape shape_;
  int64_t n_ = 0, total_ = 0, steps_ = 0, chunk_ = 8;
  size_t batchBytes_ = 0;
  int threads_ = 1, active_ = 1, prefetch_ = 1;

  mutable std::mutex mu_;
  std::condition_variable workCv_, readyCv_, idleCv_;
  std::vector<std::thread> workers_;
  bool shutdown_ = false;
  bool running_ = false;  // an epoch is being produced
  bool stopped_ = false;  // no more scheduling (an error, or the epoch ended)
  uint64_t generation_ = 0;
  int inFlight_ = 0;
  bool consumerWaiting_ = false;

  int64_t epoch_ = 0;
  std::vector<int64_t> order_;
  int64_t scheduleStep_ = 0, consumeStep_ = 0;
  std::vector<std::unique_ptr<Slot>> slots_;
  Status error_;
  EpochStats stats_;
  std::atomic<int64_t> decoded_{0};

  // Tuner measurements.
  bool tuned_ = false;
  std::atomic<int64_t> busyNs_{0}, busyImages_{0};
  double consumerBusy_ = 0;
  int64_t consumedImages_ = 0, consumedBatches_ = 0;
  Clock::time_point lastReturn_{};

  // cache() and cache(file): the decoded images by example. State per
  // example: 0 unknown, 1 being decoded, 2 there.
  bool caching_ = false, cacheWritten_ = false;
  uint64_t fingerprint_ = 0;
  CacheContents cache_;
  std::unique_ptr<std::atomic<uint8_t>[]> cacheState_;
  std::atomic<int64_t> cached_{0};
};

Status Engine::prepareCaches() {
  if (spec_.cache == CacheKind::None || caching_)
    return Status::success();
  size_t bytes = shape_.bytes();
  cacheState_.reset(new std::atomic<uint8_t>[size_t(n_)]);
  for (int64_t i = 0; i < n_; ++i)
    cacheState_[size_t(i)].store(0);
  if (spec_.cache == CacheKind::File) {
    fingerprint_ = cacheFingerprint(spec_, listing_.files);
    Result<bool> loaded = readCacheFile(spec_.cacheFile, fingerprint_,
                                        size_t(n_), bytes, cache_);
    if (!loaded)
      return loaded.status();
    if (*loaded) {
      for (int64_t i = 0; i < n_; ++i)
        cacheState_[size_t(i)].store(2);
      cached_ = n_;
      cacheWritten_ = true;
      if (spec_.log)
        spec_.log("pipeline: reading decoded images from " + spec_.cacheFile);
    }
  }
  if (cached_ < n_) {
    cache_.images.assign(size_t(n_) * bytes, 0);
    cache_.bad.assign(size_t(n_), 0);
    cache_.reasons.assign(size_t(n_), std::string());
  }
  caching_ = true;
  return Status::success();
}

Status Engine::startEpoch(int64_t epoch, int64_t firstStep) {
  if (epoch < 0 || firstStep < 0 || firstStep > steps_)
    return Status::error("pipeline: cannot start epoch " +
                         std::to_string(epoch) + " at step " +
                         std::to_string(firstStep) + " (an epoch has " +
                         std::to_string(steps_) + " steps)");
  std::unique_lock<std::mutex> lock(mu_);
  // Cancel: hand out nothing more, let the chunks in flight finish (a
  // chunk is a few images), and drop what they made.
  running_ = false;
  ++generation_;
  idleCv_.wait(lock, [&] { return inFlight_ == 0; });
  lock.unlock();
  Status cacheStatus = prepareCaches();
  std::vector<int64_t> order =
      epochOrder(n_, spec_.shuffle, spec_.repeat, epoch);
  lock.lock();
  if (!cacheStatus.ok())
    return cacheStatus;
  order_ = std::move(order);
  for (auto &slot : slots_)
    if (slot->state != Slot::Held)
      slot->state = Slot::Free;
  epoch_ = epoch;
  scheduleStep_ = consumeStep_ = firstStep;
  error_ = Status();
  stats_ = EpochStats();
  decoded_ = 0;
  stopped_ = false;
  running_ = true;
  lastReturn_ = Clock::time_point{};
  std::string message;
  if (workers_.empty()) {
    tuned_ = spec_.parallelism > 0 && spec_.prefetch > 0;
    if (tuned_)
      message = format("pipeline: %.0f decode threads, prefetch %.0f batches "
                       "(%.1f MiB), as given",
                       threads_, prefetch_,
                       double(size_t(prefetch_) * batchBytes_) / (1 << 20));
    for (int i = 0; i < threads_; ++i)
      workers_.emplace_back([this, i] { worker(i); });
  }
  lock.unlock();
  workCv_.notify_all();
  if (spec_.log && !message.empty())
    spec_.log(message);
  return Status::success();
}

// Called with mu_ held.
bool Engine::hasWork(int index) const {
  if (!running_ || stopped_ || index >= active_)
    return false;
  for (const auto &slot : slots_)
    if (slot->state == Slot::Filling && slot->nextChunk * chunk_ < slot->rows)
      return true;
  if (scheduleStep_ >= steps_)
    return false;
  int queued = 0;
  for (const auto &slot : slots_)
    queued += slot->state == Slot::Filling || slot->state == Slot::Ready;
  return queued < prefetch_;
}

// Called with mu_ held: the slot of a new step, reusing a free one.
Slot *Engine::slotFor(int64_t step) {
  Slot *slot = nullptr;
  for (auto &s : slots_)
    if (s->state == Slot::Free) {
      slot = s.get();
      break;
    }
  if (!slot) {
    slots_.push_back(std::make_unique<Slot>());
    slot = slots_.back().get();
  }
  if (slot->batch.images.numElements() == 0) {
    Result<HostTensor> images = HostTensor::createUninitialized(
        DType::U8,
        {spec_.batchSize, shape_.height, shape_.width, shape_.channels});
    if (!images)
      return nullptr;
    slot->batch.images = std::move(*images);
    if (spec_.source.inferLabels) {
      Result<HostTensor> labels =
          HostTensor::createUninitialized(DType::I32, {spec_.batchSize});
      if (!labels)
        return nullptr;
      slot->batch.labels = std::move(*labels);
    }
    slot->bad.assign(size_t(spec_.batchSize), 0);
    slot->reasons.assign(size_t(spec_.batchSize), std::string());
  }
  slot->state = Slot::Filling;
  slot->step = step;
  slot->rows = rowsOf(step);
  slot->nextChunk = 0;
  slot->pendingChunks = int((slot->rows + chunk_ - 1) / chunk_);
  slot->batch.epoch = epoch_;
  slot->batch.step = step;
  std::fill(slot->bad.begin(), slot->bad.end(), 0);
  return slot;
}

void Engine::worker(int index) {
  SlotDecoder decoder(spec_.source.color, shape_, spec_.source.resize);
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    workCv_.wait(lock, [&] { return shutdown_ || hasWork(index); });
    if (shutdown_)
      return;
    // The oldest step with chunks left, else a new step.
    Slot *slot = nullptr;
    for (auto &s : slots_)
      if (s->state == Slot::Filling && s->nextChunk * chunk_ < s->rows &&
          (!slot || s->step < slot->step))
        slot = s.get();
    if (!slot) {
      slot = slotFor(scheduleStep_);
      if (!slot) {
        error_ = Status::error("pipeline: out of memory for a batch of " +
                               std::to_string(batchBytes_) + " bytes");
        stopped_ = true;
        readyCv_.notify_all();
        continue;
      }
      ++scheduleStep_;
    }
    int64_t first = slot->nextChunk++ * chunk_;
    int64_t count = std::min(chunk_, slot->rows - first);
    uint64_t generation = generation_;
    ++inFlight_;
    lock.unlock();

    auto start = Clock::now();
    uint8_t *images = slot->batch.images.bytes();
    int32_t *labels = spec_.source.inferLabels
                          ? slot->batch.labels.data<int32_t>()
                          : nullptr;
    int64_t base = slot->step * spec_.batchSize;
    for (int64_t r = first; r < first + count; ++r) {
      int64_t example = order_[size_t(base + r)];
      decodeOne(decoder, example, images + size_t(r) * shape_.bytes(), *slot,
                r);
      if (labels)
        labels[r] = listing_.files[size_t(example)].label;
    }
    busyNs_ += std::chrono::duration_cast<std::chrono::nanoseconds>(
                   Clock::now() - start)
                   .count();
    busyImages_ += count;

    lock.lock();
    if (--inFlight_ == 0)
      idleCv_.notify_all();
    if (generation == generation_ && --slot->pendingChunks == 0) {
      slot->state = Slot::Ready;
      if (consumerWaiting_)
        readyCv_.notify_all();
    }
  }
}

void Engine::decodeOne(SlotDecoder &decoder, int64_t example, uint8_t *out,
                       Slot &slot, int64_t row) {
  size_t bytes = shape_.bytes();
  std::atomic<uint8_t> *state =
      caching_ ? &cacheState_[size_t(example)] : nullptr;
  if (state && state->load(std::memory_order_acquire) == 2) {
    if (cache_.bad[size_t(example)]) {
      slot.bad[size_t(row)] = 1;
      slot.reasons[size_t(row)] = cache_.reasons[size_t(example)];
    } else {
      std::memcpy(out, cache_.images.data() + size_t(example) * bytes, bytes);
    }
    return;
  }
  const ImageFile &file = listing_.files[size_t(example)];
  Status s = decoder.decodeFile(file.path, out, file.size);
  if (s.ok())
    ++decoded_;
  else {
    slot.bad[size_t(row)] = 1;
    slot.reasons[size_t(row)] = s.message();
  }
  uint8_t unknown = 0;
  if (state && state->compare_exchange_strong(unknown, 1)) {
    if (s.ok())
      std::memcpy(cache_.images.data() + size_t(example) * bytes, out, bytes);
    else {
      cache_.bad[size_t(example)] = 1;
      cache_.reasons[size_t(example)] = s.message();
    }
    state->store(2, std::memory_order_release);
    ++cached_;
  }
}

// Turns a decoded slot into the batch: the error of its first bad image
// (Fail), or the batch without its bad images (Skip).
Status Engine::finishBatch(Slot &slot) {
  int64_t good = 0;
  for (int64_t r = 0; r < slot.rows; ++r)
    good += !slot.bad[size_t(r)];
  if (good < slot.rows && spec_.onBadImage == OnBadImage::Fail)
    for (int64_t r = 0; r < slot.rows; ++r)
      if (slot.bad[size_t(r)])
        return Status::error(slot.reasons[size_t(r)]);
  size_t bytes = shape_.bytes();
  if (good < slot.rows) {
    // Compact the good rows, in order.
    uint8_t *images = slot.batch.images.bytes();
    int32_t *labels = spec_.source.inferLabels
                          ? slot.batch.labels.data<int32_t>()
                          : nullptr;
    int64_t to = 0;
    for (int64_t r = 0; r < slot.rows; ++r) {
      if (slot.bad[size_t(r)]) {
        std::lock_guard<std::mutex> lock(mu_);
        stats_.skipped.push_back(slot.reasons[size_t(r)]);
        continue;
      }
      if (to != r) {
        std::memmove(images + size_t(to) * bytes, images + size_t(r) * bytes,
                     bytes);
        if (labels)
          labels[to] = labels[r];
      }
      ++to;
    }
  }
  if (good == spec_.batchSize)
    return Status::success();
  // A short batch (the last one, or one with skipped images): tensors of
  // its own shape, the full buffers kept for the next use of the slot.
  Result<HostTensor> images = HostTensor::createUninitialized(
      DType::U8, {good, shape_.height, shape_.width, shape_.channels});
  if (!images)
    return images.status();
  std::memcpy(images->bytes(), slot.batch.images.bytes(), size_t(good) * bytes);
  slot.fullImages = std::move(slot.batch.images);
  slot.batch.images = std::move(*images);
  if (spec_.source.inferLabels) {
    Result<HostTensor> labels =
        HostTensor::createUninitialized(DType::I32, {good});
    if (!labels)
      return labels.status();
    std::memcpy(labels->bytes(), slot.batch.labels.bytes(),
                size_t(good) * sizeof(int32_t));
    slot.fullLabels = std::move(slot.batch.labels);
    slot.batch.labels = std::move(*labels);
  }
  slot.shortened = true;
  return Status::success();
}

Result<const Batch *> Engine::next() {
  auto entered = Clock::now();
  std::unique_lock<std::mutex> lock(mu_);
  if (!running_)
    return Status::error("pipeline: next() before startEpoch()");
  if (lastReturn_ != Clock::time_point{})
    consumerBusy_ += std::chrono::duration<double>(entered - lastReturn_).count();
  if (!error_.ok())
    return error_;
  if (consumeStep_ >= steps_) {
    stopped_ = true;
    bool write = spec_.cache == CacheKind::File && !cacheWritten_ &&
                 cached_.load() == n_;
    cacheWritten_ = cacheWritten_ || write;
    lock.unlock();
    if (write) {
      if (Status s = writeCacheFile(spec_.cacheFile, fingerprint_,
                                    shape_.bytes(), cache_);
          !s.ok())
        return s;
      if (spec_.log)
        spec_.log("pipeline: wrote decoded images to " + spec_.cacheFile);
    }
    return static_cast<const Batch *>(nullptr);
  }
  Slot *slot = nullptr;
  auto find = [&] {
    for (auto &s : slots_)
      if (s->state == Slot::Ready && s->step == consumeStep_)
        slot = s.get();
    return slot != nullptr || !error_.ok() || shutdown_;
  };
  if (!find()) {
    consumerWaiting_ = true;
    auto start = Clock::now();
    readyCv_.wait(lock, find);
    consumerWaiting_ = false;
    stats_.waitSeconds += secondsSince(start);
  }
  if (!slot)
    return error_.ok() ? Status::error("pipeline: shut down") : error_;
  slot->state = Slot::Held;
  ++consumeStep_;
  lock.unlock();
  workCv_.notify_all();

  Status s = finishBatch(*slot);
  lock.lock();
  if (!s.ok()) {
    error_ = s;
    stopped_ = true;
    slot->state = Slot::Free;
    return s;
  }
  consumedImages_ += slot->rows;
  ++consumedBatches_;
  std::string message;
  if (!tuned_ && consumedBatches_ >= std::min<int64_t>(8, steps_))
    message = tune();
  lastReturn_ = Clock::now();
  lock.unlock();
  if (spec_.log && !message.empty())
    spec_.log(message);
  return static_cast<const Batch *>(&slot->batch);
}

void Engine::release(const Batch *batch) {
  std::unique_lock<std::mutex> lock(mu_);
  for (auto &slot : slots_) {
    if (&slot->batch != batch || slot->state != Slot::Held)
      continue; // not ours, or released already
    if (slot->shortened) {
      slot->batch.images = std::move(slot->fullImages);
      if (spec_.source.inferLabels)
        slot->batch.labels = std::move(slot->fullLabels);
      slot->shortened = false;
    }
    slot->state = Slot::Free;
  }
  lock.unlock();
  workCv_.notify_all();
}

// Called with mu_ held, after the first batches of the first epoch: sets
// the decode threads from the measured decode and step rates, and the
// prefetch depth within the memory budget.
std::string Engine::tune() {
  tuned_ = true;
  double busy = double(busyNs_.load()) * 1e-9;
  double perThread = busy > 0 ? double(busyImages_.load()) / busy : 0;
  double step = consumerBusy_ > 0 ? double(consumedImages_) / consumerBusy_
                                  : INFINITY;
  // A step a thousand times faster than decoding is a bench's empty loop.
  if (perThread > 0 && step > 1000 * perThread)
    step = INFINITY;
  if (spec_.parallelism == 0 && perThread > 0 && std::isfinite(step))
    active_ = std::clamp(int(std::ceil(1.25 * step / perThread)), 1, threads_);
  size_t fit = std::max<size_t>(1, spec_.maxMemoryBytes / batchBytes_);
  if (spec_.prefetch == 0)
    prefetch_ = int(std::min<size_t>(std::clamp(2 * active_, 2, 16), fit));
  workCv_.notify_all();
  return format("pipeline: %.0f decode threads, prefetch %.0f batches "
                "(%.1f MiB), measured %.1fk images/s decode per thread",
                active_, prefetch_,
                double(size_t(prefetch_) * batchBytes_) / (1 << 20),
                perThread / 1e3) +
         (std::isfinite(step)
              ? format(", step consumes %.1fk images/s", step / 1e3)
              : std::string(", the step takes no measurable time"));
}

} // namespace

std::unique_ptr<ImagePipeline> createEngine(const PipelineSpec &spec,
                                            Listing listing) {
  return std::make_unique<Engine>(spec, std::move(listing));
}

} // namespace weir::pipeline
