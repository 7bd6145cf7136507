// The caching allocator's size classes and free lists.
#include "runtime/device/MemoryPool.h"


namespace weir::device {

size_t MemoryPool::sizeClass(size_t bytes) {
  constexpr size_t kMin = 512;
  if (bytes <= kMin)
    return kMin;
  // Round up to a multiple of a quarter of the power of two below `bytes`.
  size_t pow2 = 1;
  while (pow2 <= bytes / 2)
    pow2 *= 2;
  size_t step = pow2 / 4;
  return (bytes + step - 1) / step * step;
}

MemoryPool::~MemoryPool() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto [ptr, cls] : pending_)
    free_(ptr, cls);
  pending_.clear();
  releaseCachedLocked();
  for (auto &[ptr, cls] : inUse_)
    free_(ptr, cls);
}

Result<void *> MemoryPool::allocate(size_t bytes) {
  size_t cls = sizeClass(bytes);
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = freeLists_.find(cls);
  if (it != freeLists_.end() && !it->second.empty()) {
    void *ptr = it->second.back();
    it->second.pop_back();
    inUse_[ptr] = cls;
    stats_.hits++;
    stats_.bytesCached -= cls;
    stats_.bytesInUse += cls;
    return ptr;
  }
  stats_.misses++;
  Result<void *> fresh = alloc_(cls);
  if (!fresh.ok() && stats_.bytesCached > 0) {
    // Out of memory with blocks parked in other classes: give them back.
    releaseCachedLocked();
    fresh = alloc_(cls);
  }
  if (!fresh.ok())
    return fresh.status();
  inUse_[*fresh] = cls;
  stats_.bytesInUse += cls;
  return *fresh;
}

Status MemoryPool::deallocate(void *ptr) {
  if (!ptr)
    return Status::success();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = inUse_.find(ptr);
  if (it == inUse_.end())
    return Status::error("memory pool: freeing a pointer it did not "
                         "allocate (or freeing it twice)");
  size_t cls = it->second;
  inUse_.erase(it);
  if (reuse_ == Reuse::AfterRecycle)
    pending_.push_back({ptr, cls});
  else
    freeLists_[cls].push_back(ptr);
  stats_.bytesInUse -= cls;
  stats_.bytesCached += cls;
  return Status::success();
}

bool MemoryPool::owns(void *ptr) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return inUse_.count(ptr) != 0;
}

void MemoryPool::recycle() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto [ptr, cls] : pending_)
    freeLists_[cls].push_back(ptr);
  pending_.clear();
}

void MemoryPool::releaseCached() {
  std::lock_guard<std::mutex> lock(mutex_);
  releaseCachedLocked();
}

void MemoryPool::releaseCachedLocked() {
  for (auto &[cls, blocks] : freeLists_)
    for (void *ptr : blocks)
      free_(ptr, cls);
  freeLists_.clear();
  stats_.bytesCached = 0;
  for (auto [ptr, cls] : pending_)
    stats_.bytesCached += cls; // still cached, not yet reusable
}

MemoryPool::Stats MemoryPool::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

} // namespace weir::device
