// ThreadPool: a fixed set of worker threads that run parallel-for jobs.
#include "runtime/ThreadPool.h"

using namespace weir;

/// Polling before a thread goes to sleep. Pause's latency varies by core:
/// these 20,000 took about 540 us on AMD Zen 5 (measured), and Intel's
/// pause is longer still since Skylake, so a thread spins across the MLP
/// step's serial part (about 50 us) rather than sleeping through it.
static constexpr int kSpinIterations = 20000;

static inline void pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

ThreadPool::ThreadPool(unsigned threads) {
  for (unsigned i = 1; i < threads; ++i)
    workers_.emplace_back([this] { workerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (std::thread &w : workers_)
    w.join();
}

void ThreadPool::runTasks() {
  // Claims are taken under the lock (a job has a handful of tasks), so a
  // thread that arrives late can never take a task of the next job.
  std::unique_lock<std::mutex> lock(mutex_);
  while (next_ < tasks_) {
    unsigned i = next_++;
    const std::function<void(unsigned)> *task = task_;
    lock.unlock();
    (*task)(i);
    lock.lock();
    if (finished_.fetch_add(1) + 1 == tasks_)
      done_.notify_all();
  }
}

void ThreadPool::workerLoop() {
  uint64_t seen = 0;
  for (;;) {
    for (int i = 0; i < kSpinIterations && generation_.load() == seen &&
                    !stop_.load();
         ++i)
      pause();
    if (generation_.load() == seen && !stop_.load()) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_.load() || generation_.load() != seen; });
    }
    if (stop_.load())
      return;
    seen = generation_.load();
    runTasks();
  }
}

void ThreadPool::parallelFor(unsigned tasks,
                             const std::function<void(unsigned)> &task) {
  if (tasks == 0)
    return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = &task;
    tasks_ = tasks;
    next_ = 0;
    finished_ = 0;
    ++generation_;
  }
  wake_.notify_all();
  runTasks();
  for (int i = 0; i < kSpinIterations && finished_.load() != tasks; ++i)
    pause();
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return finished_.load() == tasks; });
  task_ = nullptr;
}
