// ThreadPool: a fixed set of worker threads that run parallel-for jobs.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace weir {

/// Persistent workers, so a parallel call costs a wake-up, not a thread
/// start. One job at a time; the calling thread takes part in it. Between
/// jobs, workers spin briefly before sleeping, because inference calls
/// follow each other within microseconds and a condition-variable wake-up
/// costs tens of them.
class ThreadPool {
public:
  /// A pool that runs jobs on `threads` threads: the caller and
  /// `threads - 1` workers.
  explicit ThreadPool(unsigned threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  unsigned size() const { return unsigned(workers_.size()) + 1; }

  /// Runs task(0) ... task(tasks - 1), spread over the pool, and returns
  /// when all have finished.
  void parallelFor(unsigned tasks, const std::function<void(unsigned)> &task);

private:
  void workerLoop();
  void runTasks();

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  // Written under mutex_; the atomics are also read without it, to spin.
  const std::function<void(unsigned)> *task_ = nullptr;
  unsigned tasks_ = 0, next_ = 0;
  std::atomic<unsigned> finished_{0};
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
};

} // namespace weir
