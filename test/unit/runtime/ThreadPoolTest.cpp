// ThreadPool: every task runs exactly once, on several threads, job after job.
#include "runtime/ThreadPool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

using namespace weir;

TEST(ThreadPool, RunsEachTaskOnce) {
  ThreadPool pool(3);
  EXPECT_EQ(pool.size(), 3u);
  for (unsigned tasks : {0u, 1u, 2u, 3u, 17u, 1000u}) {
    std::vector<std::atomic<int>> runs(tasks);
    pool.parallelFor(tasks, [&](unsigned i) { runs[i]++; });
    for (unsigned i = 0; i < tasks; ++i)
      EXPECT_EQ(runs[i].load(), 1) << "task " << i << " of " << tasks;
  }
}

TEST(ThreadPool, UsesMoreThanOneThread) {
  ThreadPool pool(2);
  std::mutex m;
  std::set<std::thread::id> ids;
  // Tasks that wait for each other can only finish if two threads run them.
  std::atomic<int> arrived{0};
  pool.parallelFor(2, [&](unsigned) {
    {
      std::lock_guard<std::mutex> lock(m);
      ids.insert(std::this_thread::get_id());
    }
    arrived++;
    while (arrived.load() < 2)
      std::this_thread::yield();
  });
  EXPECT_EQ(ids.size(), 2u);
}

TEST(ThreadPool, OneThreadRunsInline) {
  ThreadPool pool(1);
  std::thread::id caller = std::this_thread::get_id(), seen;
  pool.parallelFor(1, [&](unsigned) { seen = std::this_thread::get_id(); });
  EXPECT_EQ(seen, caller);
}

TEST(ThreadPool, BackToBackJobsNeverMixTasks) {
  // Jobs follow each other within microseconds, as inference calls do; a
  // late worker must never run a task twice or take one of the next job.
  ThreadPool pool(3);
  std::vector<std::atomic<int>> runs(4);
  for (int job = 0; job < 20000; ++job) {
    unsigned tasks = 1 + job % 4;
    pool.parallelFor(tasks, [&](unsigned i) { runs[i]++; });
    for (unsigned i = 0; i < tasks; ++i)
      ASSERT_EQ(runs[i].exchange(0), 1) << "job " << job << " task " << i;
  }
}
