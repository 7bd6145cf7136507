// ThreadPool: a fixed set of worker threads that run parallel-for jobs.
#include "runtime/ThreadPool.h"

using namespace weir;

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
  std::unique_lock<std::mutex> lock(mutex_);
  while (next_ < tasks_) {
    unsigned i = next_++;
    const std::function<void(unsigned)> *task = task_;
    lock.unlock();
    (*task)(i);
    lock.lock();
    if (++finished_ == tasks_)
      done_.notify_all();
  }
}

void ThreadPool::workerLoop() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_)
        return;
      seen = generation_;
    }
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
    next_ = finished_ = 0;
    ++generation_;
  }
  wake_.notify_all();
  runTasks();
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return finished_ == tasks_; });
  task_ = nullptr;
}
