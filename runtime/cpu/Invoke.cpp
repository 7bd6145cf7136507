//===- Invoke.cpp - call compiled entry points with HostTensors ----------===//
#include "runtime/cpu/Invoke.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <malloc.h>
#include <cstring>
#include <optional>

using namespace weir;

namespace {
std::atomic<void (*)(void *)> releaseHook{nullptr};
std::atomic<Status (*)()> afterCallHook{nullptr};

void releaseCompiledBuffer(void *p) {
  if (auto release = releaseHook.load())
    release(p);
  else
    std::free(p);
}

Status afterCompiledCall() {
  auto after = afterCallHook.load();
  return after ? after() : Status();
}
} // namespace

void weir::setCompiledCodeHooks(CompiledCodeHooks hooks) {
  releaseHook = hooks.releaseResult;
  afterCallHook = hooks.afterCall;
}

namespace {
/// A memref descriptor of any rank, laid out as the C interface expects:
/// allocated pointer, aligned pointer, offset, sizes[rank], strides[rank].
struct Descriptor {
  std::vector<int64_t> words;
  explicit Descriptor(int64_t rank) : words(3 + 2 * rank, 0) {}

  /// A view of rows [begin, end) of the row-major tensor `t`.
  static Descriptor rows(const HostTensor &t, int64_t begin, int64_t end) {
    Descriptor d(t.rank());
    size_t rowBytes = t.rank() && t.shape()[0] ? t.byteSize() / t.shape()[0] : 0;
    void *p = const_cast<uint8_t *>(t.bytes()) + begin * rowBytes;
    std::memcpy(&d.words[0], &p, sizeof(void *));
    std::memcpy(&d.words[1], &p, sizeof(void *));
    int64_t stride = 1;
    for (int64_t i = t.rank() - 1; i >= 0; --i) {
      d.words[3 + i] = i == 0 ? end - begin : t.shape()[i];
      d.words[3 + t.rank() + i] = stride;
      stride *= t.shape()[i];
    }
    return d;
  }
  static Descriptor whole(const HostTensor &t) {
    return rows(t, 0, t.rank() ? t.shape()[0] : 0);
  }
  void *pointer(int i) const {
    void *p;
    std::memcpy(&p, &words[i], sizeof(void *));
    return p;
  }
};

/// One call. With `rows` set, the batched arguments are viewed as rows
/// [begin, end) and the result fills the same rows of `out`; without, the
/// arguments are passed whole and the result, of any shape, fills `out`.
struct RowRange {
  int64_t begin, end;
};
Status callOnce(PackedFunction fn, const std::string &name,
                const std::vector<const HostTensor *> &args,
                size_t numBatched, std::optional<RowRange> rows,
                HostTensor &out) {
  Descriptor result(out.rank());
  std::vector<Descriptor> descriptors;
  for (size_t i = 0; i < args.size(); ++i)
    descriptors.push_back(rows && i < numBatched
                              ? Descriptor::rows(*args[i], rows->begin, rows->end)
                              : Descriptor::whole(*args[i]));
  std::vector<void *> pointers{result.words.data()};
  for (Descriptor &d : descriptors)
    pointers.push_back(d.words.data());
  std::vector<void *> packed;
  for (void *&p : pointers)
    packed.push_back(&p);
  fn(packed.data());
  if (Status done = afterCompiledCall(); !done.ok())
    return done;

  // The compiled code returns a dense buffer from malloc that the caller
  // owns.
  Status status;
  for (int64_t i = 0; i < out.rank(); ++i) {
    int64_t expected =
        rows && i == 0 ? rows->end - rows->begin : out.shape()[i];
    if (result.words[3 + i] != expected)
      status = Status::error("'" + name + "' returned dimension " +
                             std::to_string(i) + " of size " +
                             std::to_string(result.words[3 + i]) +
                             ", expected " + std::to_string(expected));
  }
  if (status.ok()) {
    size_t rowBytes =
        rows && out.shape()[0] ? out.byteSize() / out.shape()[0] : 0;
    auto *src = static_cast<const uint8_t *>(result.pointer(1)) +
                result.words[2] * out.elementSize();
    if (rows)
      std::memcpy(out.bytes() + rows->begin * rowBytes, src,
                  (rows->end - rows->begin) * rowBytes);
    else
      std::memcpy(out.bytes(), src, out.byteSize());
  }
  releaseCompiledBuffer(result.pointer(0));
  return status;
}
} // namespace

void weir::configureAllocatorForCompiledCode() {
  static bool done = [] {
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    return true;
  }();
  (void)done;
}

Result<HostTensor> weir::invokeBatched(PackedFunction fn,
                                       const std::string &name,
                                       const std::vector<const HostTensor *> &args,
                                       size_t numBatched, DType resultDType,
                                       std::vector<int64_t> resultShape,
                                       ThreadPool *pool) {
  // A result without a batch dimension (a scalar, such as a loss, or any
  // static shape) depends on the whole batch: one call, no split.
  bool batched = !resultShape.empty() && resultShape[0] < 0;
  if (batched) {
    if (numBatched == 0 || args.empty() || args[0]->rank() == 0)
      return Status::error("'" + name + "' has a batched result but no "
                           "batched argument");
    resultShape[0] = args[0]->shape()[0];
  }
  configureAllocatorForCompiledCode();
  Result<HostTensor> out = HostTensor::create(resultDType, resultShape);
  if (!out.ok())
    return out.status();
  if (!batched) {
    Status s = callOnce(fn, name, args, numBatched, std::nullopt, *out);
    if (!s.ok())
      return s;
    return out;
  }
  int64_t rows = resultShape[0];
  unsigned threads = pool && numBatched ? pool->size() : 1;
  if (int64_t(threads) > rows)
    threads = unsigned(std::max<int64_t>(rows, 1));
  std::vector<Status> statuses(threads);
  auto slice = [&](unsigned t) {
    statuses[t] = callOnce(fn, name, args, numBatched,
                           RowRange{rows * t / threads, rows * (t + 1) / threads},
                           *out);
  };
  if (threads == 1)
    slice(0);
  else
    pool->parallelFor(threads, slice);
  for (Status &s : statuses)
    if (!s.ok())
      return s;
  return out;
}

Status weir::invokePacked(PackedFunction fn, const std::string &name,
                          const std::vector<ArgView> &args,
                          const std::vector<HostTensor *> &results) {
  configureAllocatorForCompiledCode();
  // The results, one descriptor after the other (all fields are 8 bytes,
  // so the struct the C interface fills has no padding).
  std::vector<size_t> offsets;
  size_t words = 0;
  for (HostTensor *r : results) {
    offsets.push_back(words);
    words += 3 + 2 * r->rank();
  }
  std::vector<int64_t> resultWords(std::max<size_t>(words, 1), 0);
  std::vector<Descriptor> descriptors;
  for (const ArgView &a : args)
    descriptors.push_back(a.end < 0 ? Descriptor::whole(*a.tensor)
                                    : Descriptor::rows(*a.tensor, a.begin, a.end));
  std::vector<void *> pointers;
  if (!results.empty())
    pointers.push_back(resultWords.data());
  for (Descriptor &d : descriptors)
    pointers.push_back(d.words.data());
  std::vector<void *> packed;
  for (void *&p : pointers)
    packed.push_back(&p);
  fn(packed.data());
  if (Status done = afterCompiledCall(); !done.ok())
    return done;

  auto insideArgument = [&](const void *p) {
    for (const ArgView &a : args) {
      auto *begin = a.tensor->bytes();
      if (p >= begin && p < begin + a.tensor->byteSize())
        return true;
    }
    return false;
  };
  Status status;
  std::vector<void *> toRelease;
  for (size_t i = 0; i < results.size(); ++i) {
    HostTensor &out = *results[i];
    const int64_t *w = &resultWords[offsets[i]];
    void *allocated, *aligned;
    std::memcpy(&allocated, &w[0], sizeof(void *));
    std::memcpy(&aligned, &w[1], sizeof(void *));
    for (int64_t d = 0; d < out.rank() && status.ok(); ++d)
      if (w[3 + d] != out.shape()[d])
        status = Status::error("'" + name + "' returned result " +
                               std::to_string(i) + " with dimension " +
                               std::to_string(d) + " of size " +
                               std::to_string(w[3 + d]) + ", expected " +
                               std::to_string(out.shape()[d]));
    auto *src = static_cast<const uint8_t *>(aligned) + w[2] * out.elementSize();
    if (status.ok() && src != out.bytes())
      std::memmove(out.bytes(), src, out.byteSize());
    if (allocated && src != out.bytes() && !insideArgument(allocated) &&
        std::find(toRelease.begin(), toRelease.end(), allocated) ==
            toRelease.end())
      toRelease.push_back(allocated);
  }
  // Freed only once every result is copied: two results may be one buffer
  // (a value returned twice, such as the bias gradients of the two batch
  // norms that meet in a residual add), and free() writes its bookkeeping
  // into the first bytes of the block it releases.
  for (void *allocated : toRelease)
    releaseCompiledBuffer(allocated);
  return status;
}
