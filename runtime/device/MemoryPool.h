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

  /// When freed blocks may be handed out again.
  enum class Reuse {
    /// At once: every user of the memory is ordered on one stream, so a
    /// later allocation's work runs after the freed block's last use.
    Immediately,
    /// After recycle(): the host may touch the memory (managed memory), so
    /// a block freed while the device may still use it waits until the
    /// owner knows the device is done (a synchronize).
    AfterRecycle,
  };
  MemoryPool(AllocFn alloc, FreeFn free, Reuse reuse = Reuse::Immediately)
      : alloc_(std::move(alloc)), free_(std::move(free)), reuse_(reuse) {}
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
  /// Returns a block from allocate() to its class's free list (with
  /// Reuse::AfterRecycle, to the pending list recycle() empties).
  Status deallocate(void *ptr);
  /// Whether `ptr` is a block allocate() returned and nobody freed.
  bool owns(void *ptr) const;
  /// Reuse::AfterRecycle: the blocks freed so far may be handed out again.
  void recycle();
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
  Reuse reuse_;
  std::vector<std::pair<void *, size_t>> pending_; ///< freed, not yet reusable
  Stats stats_;

  void releaseCachedLocked();
};

} // namespace weir::device
