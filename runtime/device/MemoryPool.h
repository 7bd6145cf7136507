// A caching allocator over a slow backing allocator (cuMemAlloc): freed
// blocks go to per-size-class free lists and are handed out again.
#pragma once

#include "runtime/Status.h"

#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace weir::device {

class MemoryPool {
public:
  using AllocFn = std::function<Result<void *>(size_t bytes)>;
  using FreeFn = std::function<void(void *ptr, size_t bytes)>;

  MemoryPool(AllocFn alloc, FreeFn free)
      : alloc_(std::move(alloc)), free_(std::move(free)) {}
  /// Returns every cached block to the backing allocator. Blocks still in
  /// use are the owner's leak; they are released too.
  ~MemoryPool();
  MemoryPool(const MemoryPool &) = delete;
  MemoryPool &operator=(const MemoryPool &) = delete;

  /// The size class `bytes` is served from: at least 512 bytes, then four
  /// classes per power of two (so at most 25% is wasted).
  static size_t sizeClass(size_t bytes);

  /// A block of at least `bytes`: a cached one of the same class when there
  /// is one, else a new one; when the backing allocator fails, the cache is
  /// released and the allocation tried once more.
  Result<void *> allocate(size_t bytes);
  /// Returns a block from allocate() to its class's free list.
  Status deallocate(void *ptr);
  /// Gives every cached block back to the backing allocator.
  void releaseCached();

  struct Stats {
    size_t bytesInUse = 0, bytesCached = 0;
    size_t hits = 0, misses = 0;
  };
  Stats stats() const;

private:
  AllocFn alloc_;
  FreeFn free_;
  mutable std::mutex mutex_;
  std::map<size_t, std::vector<void *>> freeLists_; ///< class -> blocks
  std::unordered_map<void *, size_t> inUse_;        ///< block -> class
  Stats stats_;

  void releaseCachedLocked();
};

} // namespace weir::device
