// The CUDA device over a CudaApi table: the real one (dlopen) or a test's
// recording fake.
#pragma once

#include "runtime/device/CudaApi.h"
#include "runtime/device/Device.h"
#include "runtime/device/MemoryPool.h"

#include <list>
#include <mutex>
#include <unordered_set>

namespace weir::device {

/// Streams are non-blocking CUstreams; device memory comes from a caching
/// MemoryPool that is stream-ordered on the compute stream (a block freed
/// after work was queued there may be handed to work queued after it);
/// modules and kernels are resolved on their first launch; cuBLAS and cuDNN
/// are loaded and their handles created on the first GEMM or convolution.
class CudaDevice final : public Device {
public:
  /// cuInit, the device's primary context, a compute and a copy stream.
  /// Loads no module and no library. `api` must have its driver part;
  /// missing cuBLAS/cuDNN parts are loaded (dlopen) when first needed.
  static Result<std::unique_ptr<CudaDevice>> create(cuda::CudaApi api,
                                                    int ordinal = 0);
  ~CudaDevice() override;

  DeviceKind kind() const override { return DeviceKind::Cuda; }
  std::string name() const override { return name_; }
  std::string chip() const override { return chip_; }
  MemoryPool::Stats poolStats() const { return pool_->stats(); }

  Result<void *> allocate(size_t bytes) override;
  Status deallocate(void *ptr) override;
  Result<void *> allocateHostPinned(size_t bytes) override;
  Result<void *> allocateManaged(size_t bytes) override;
  Status freeHostPinned(void *ptr) override;

  Status copyToDevice(void *dst, const void *src, size_t bytes) override;
  Status copyToHost(void *dst, const void *src, size_t bytes) override;
  Status copyToDeviceAsync(void *dst, const void *src, size_t bytes,
                           Stream stream) override;
  Status copyToHostAsync(void *dst, const void *src, size_t bytes,
                         Stream stream) override;
  Status copyAsync(void *dst, const void *src, size_t bytes,
                   Stream stream) override;
  Status fill32Async(void *dst, uint32_t value, size_t count,
                     Stream stream) override;
  Result<Event> uploadOnCopyStream(void *dst, const void *pinnedSrc,
                                   size_t bytes) override;

  Stream computeStream() override;
  Stream copyStream() override;
  Result<Stream> createStream() override;
  Status destroyStream(Stream stream) override;
  Status synchronize(Stream stream) override;
  Result<Event> createEvent() override;
  Status destroyEvent(Event event) override;
  Status recordEvent(Event event, Stream stream) override;
  Status waitEvent(Stream stream, Event event) override;
  Status synchronizeEvent(Event event) override;

  Result<Module> loadModule(const void *image, size_t bytes) override;
  Status unloadModule(Module module) override;
  Result<Function> getFunction(Module module,
                               const std::string &name) override;
  Status launchKernel(Function function, Dim3 grid, Dim3 block,
                      unsigned sharedMemBytes, Stream stream,
                      void **params) override;

  Status gemm(const GemmArgs &args, Stream stream) override;
  Status conv2d(ConvKind kind, const Conv2dArgs &args,
                Stream stream) override;

private:
  struct LazyFunction;
  struct LazyModule {
    const void *image;
    size_t bytes;
    cuda::CUmodule loaded = nullptr;
    std::list<LazyFunction> functions;
  };
  struct LazyFunction {
    LazyModule *module;
    std::string name;
    cuda::CUfunction loaded = nullptr;
  };

  CudaDevice() = default;
  Status check(const char *call, cuda::CUresult r) const;
  Status makeCurrent();
  cuda::CUstream resolve(Stream s) const {
    return s ? reinterpret_cast<cuda::CUstream>(s) : compute_;
  }
  Status ensureCublas(cuda::CUstream stream);
  Status ensureCudnn(cuda::CUstream stream);
  /// HWCF <-> cuDNN's KRSC ([F, KH, KW, C]) with cublasSgeam.
  Status transposeFilter(const float *src, float *dst, int64_t rows,
                         int64_t cols);

  /// The pools' backing allocation: cuMemAlloc, or cuMemAllocManaged
  /// (attached globally); the error names the call and the size.
  Result<void *> driverAllocate(size_t bytes, bool managed);

  cuda::CudaApi api_;
  int ordinal_ = 0;
  cuda::CUdevice device_ = 0;
  cuda::CUcontext context_ = nullptr;
  cuda::CUstream compute_ = nullptr, copy_ = nullptr;
  std::string name_;
  std::string chip_;
  std::unique_ptr<MemoryPool> pool_;
  /// Managed memory (cuMemAllocManaged): blocks freed while the device may
  /// still use them are reused after the compute stream's next synchronize.
  std::unique_ptr<MemoryPool> managedPool_;
  std::mutex mutex_; ///< guards modules_, the lazy loads and the handles
  std::list<LazyModule> modules_;
  cuda::cublasHandle_t cublas_ = nullptr;
  cuda::CUstream cublasStream_ = nullptr;
  cuda::cudnnHandle_t cudnn_ = nullptr;
  cuda::CUstream cudnnStream_ = nullptr;
};

/// probeCuda() over a given driver table (the tests' fake).
CudaProbe probeCuda(const cuda::CudaApi &api);

} // namespace weir::device
