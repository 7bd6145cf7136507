// The CPU device: host memory, synchronous "streams", host GEMM and
// convolution loops. It cannot run GPU modules.
#include "runtime/device/Device.h"
#include "runtime/device/HostKernels.h"

#include <cstdlib>
#include <cstring>

namespace weir::device {
namespace {

// Every stream and event of the CPU device is this one token: work runs at
// once, so there is nothing to order or wait for.
struct Token {
} token;

class CpuDevice final : public Device {
public:
  DeviceKind kind() const override { return DeviceKind::Cpu; }
  std::string name() const override { return "cpu"; }

  Result<void *> allocate(size_t bytes) override {
    // 64-byte aligned like HostTensor, never null (malloc(0) may be).
    size_t rounded = (bytes + 63) / 64 * 64;
    void *p = std::aligned_alloc(64, rounded ? rounded : 64);
    if (!p)
      return Status::error("cpu: out of memory allocating " +
                           std::to_string(bytes) + " bytes");
    return p;
  }
  Status deallocate(void *ptr) override {
    std::free(ptr);
    return Status::success();
  }
  Result<void *> allocateHostPinned(size_t bytes) override {
    return allocate(bytes);
  }
  Status freeHostPinned(void *ptr) override { return deallocate(ptr); }
  Result<void *> allocateManaged(size_t bytes) override {
    return allocate(bytes);
  }

  Status copyToDevice(void *dst, const void *src, size_t bytes) override {
    if (bytes)
      std::memcpy(dst, src, bytes);
    return Status::success();
  }
  Status copyToHost(void *dst, const void *src, size_t bytes) override {
    return copyToDevice(dst, src, bytes);
  }
  Status copyToDeviceAsync(void *dst, const void *src, size_t bytes,
                           Stream) override {
    return copyToDevice(dst, src, bytes);
  }
  Status copyToHostAsync(void *dst, const void *src, size_t bytes,
                         Stream) override {
    return copyToDevice(dst, src, bytes);
  }
  Status copyAsync(void *dst, const void *src, size_t bytes,
                   Stream) override {
    if (bytes)
      std::memmove(dst, src, bytes);
    return Status::success();
  }
  Status fill32Async(void *dst, uint32_t value, size_t count,
                     Stream) override {
    auto *p = static_cast<uint32_t *>(dst);
    for (size_t i = 0; i < count; ++i)
      p[i] = value;
    return Status::success();
  }
  Result<Event> uploadOnCopyStream(void *dst, const void *src,
                                   size_t bytes) override {
    WEIR_RETURN_IF_ERROR(copyToDevice(dst, src, bytes));
    return reinterpret_cast<Event>(&token);
  }

  Stream computeStream() override { return reinterpret_cast<Stream>(&token); }
  Stream copyStream() override { return reinterpret_cast<Stream>(&token); }
  Result<Stream> createStream() override { return computeStream(); }
  Status destroyStream(Stream) override { return Status::success(); }
  Status synchronize(Stream) override { return Status::success(); }
  Result<Event> createEvent() override {
    return reinterpret_cast<Event>(&token);
  }
  Status destroyEvent(Event) override { return Status::success(); }
  Status recordEvent(Event, Stream) override { return Status::success(); }
  Status waitEvent(Stream, Event) override { return Status::success(); }
  Status synchronizeEvent(Event) override { return Status::success(); }

  Result<Module> loadModule(const void *, size_t) override {
    return Status::error("cpu: the CPU device cannot load GPU modules "
                         "(code compiled with --target=cuda needs "
                         "--device=cuda)");
  }
  Status unloadModule(Module) override {
    return Status::error("cpu: no GPU module is loaded");
  }
  Result<Function> getFunction(Module, const std::string &name) override {
    return Status::error("cpu: no GPU kernel '" + name + "'");
  }
  Status launchKernel(Function, Dim3, Dim3, unsigned, Stream,
                      void **) override {
    return Status::error("cpu: the CPU device cannot launch GPU kernels");
  }

  Status gemm(const GemmArgs &args, Stream) override {
    WEIR_RETURN_IF_ERROR(checkGemm(args));
    hostGemm(args);
    return Status::success();
  }
  Status conv2d(ConvKind kind, const Conv2dArgs &args, Stream) override {
    WEIR_RETURN_IF_ERROR(checkConv2d(args));
    hostConv2d(kind, args);
    return Status::success();
  }
};

} // namespace

std::unique_ptr<Device> makeCpuDevice() {
  return std::make_unique<CpuDevice>();
}

} // namespace weir::device
