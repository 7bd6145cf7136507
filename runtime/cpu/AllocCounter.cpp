// AllocCounter: compiled code's malloc/aligned_alloc/free, counted.
#include "runtime/cpu/AllocCounter.h"

#include <atomic>
#include <cstdlib>
#include <malloc.h>

using namespace weir;

namespace {
std::atomic<int64_t> current{0}, peak{0}, allocations{0};

void added(void *p) {
  if (!p)
    return;
  int64_t now = current.fetch_add(int64_t(malloc_usable_size(p))) +
                int64_t(malloc_usable_size(p));
  allocations.fetch_add(1, std::memory_order_relaxed);
  int64_t seen = peak.load(std::memory_order_relaxed);
  while (now > seen && !peak.compare_exchange_weak(seen, now))
    ;
}

extern "C" void *weirCountedMalloc(size_t size) {
  void *p = std::malloc(size);
  added(p);
  return p;
}

extern "C" void *weirCountedAlignedAlloc(size_t alignment, size_t size) {
  void *p = std::aligned_alloc(alignment, size);
  added(p);
  return p;
}

extern "C" void weirCountedFree(void *p) {
  if (!p)
    return;
  current.fetch_sub(int64_t(malloc_usable_size(p)));
  std::free(p);
}
} // namespace

void weir::resetAllocCounts() {
  current = 0;
  peak = 0;
  allocations = 0;
}

AllocCounts weir::allocCounts() {
  AllocCounts c;
  c.current = current.load();
  c.peak = peak.load();
  c.allocations = allocations.load();
  return c;
}

std::vector<std::pair<std::string, void *>> weir::countingAllocatorSymbols() {
  return {{"malloc", reinterpret_cast<void *>(&weirCountedMalloc)},
          {"aligned_alloc", reinterpret_cast<void *>(&weirCountedAlignedAlloc)},
          {"free", reinterpret_cast<void *>(&weirCountedFree)}};
}
