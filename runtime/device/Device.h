// The device interface: memory, copies, streams, events, GPU modules and
// kernels, and the library calls (GEMM, convolution) compiled code makes.
#pragma once

#include "runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace weir::device {

// Opaque handles. On the CUDA device a Stream is a CUstream and an Event a
// CUevent, so they pass unchanged through the mgpu* C functions; a Module
// and a Function are the device's own lazy records (see CudaDevice.h).
using Stream = struct StreamOpaque *;
using Event = struct EventOpaque *;
using Module = struct ModuleOpaque *;
using Function = struct FunctionOpaque *;

enum class DeviceKind { Cpu, Cuda };

struct Dim3 {
  unsigned x = 1, y = 1, z = 1;
};

/// A strided 2-D float matrix, row-major when strides[1] == 1.
struct Matrix {
  float *data = nullptr;
  int64_t rows = 0, cols = 0;
  int64_t rowStride = 0; ///< elements between rows; `colStride` must be 1
  int64_t colStride = 1;
};

/// C = alpha * op(A) * op(B) + beta * C, every matrix row-major, where
/// op(X) is X or X^T. Shapes: op(A) [M, K], op(B) [K, N], C [M, N].
struct GemmArgs {
  Matrix a, b, c;
  bool transA = false, transB = false;
  float alpha = 1.0f, beta = 0.0f;
};

/// A dense NHWC activation or an HWCF filter (linalg.conv_2d_nhwc_hwcf's
/// layouts): four sizes, contiguous.
struct Tensor4 {
  float *data = nullptr;
  int64_t dims[4] = {0, 0, 0, 0};
};

enum class ConvKind { Forward, BackwardData, BackwardFilter };

/// One 2-D convolution (cross-correlation, as in Keras) and its gradients:
///   Forward:        y[n,oh,ow,f]  = sum x[n, oh*s+kh*d-p, ow*s+kw*d-p, c]
///                                       * w[kh,kw,c,f]
///   BackwardData:   x = dL/dx from y = dL/dy and w
///   BackwardFilter: w = dL/dw from x and y = dL/dy
/// x is [N,H,W,C], w is [KH,KW,C,F], y is [N,OH,OW,F]. The output of each
/// kind (y, x or w) is overwritten: out = alpha * result + beta * out.
struct Conv2dArgs {
  Tensor4 x, w, y;
  int64_t strideH = 1, strideW = 1;
  int64_t padH = 0, padW = 0; ///< symmetric zero padding
  int64_t dilationH = 1, dilationW = 1;
  float alpha = 1.0f, beta = 0.0f;
};

/// Checks a GEMM's shapes; the message names the mismatch.
Status checkGemm(const GemmArgs &args);
/// Checks a convolution's shapes against its strides and padding.
Status checkConv2d(const Conv2dArgs &args);

/// One compute device. Every call returns its error as a value; a device
/// pointer is only meaningful to the device that returned it.
class Device {
public:
  virtual ~Device() = default;
  virtual DeviceKind kind() const = 0;
  /// "cpu", or "cuda:0 (NVIDIA H100 80GB HBM3)".
  virtual std::string name() const = 0;
  /// The architecture kernels are compiled for, e.g. "sm_90"; "" for the
  /// CPU.
  virtual std::string chip() const { return ""; }

  // --- memory ---
  /// Device memory; the CUDA device serves it from a caching pool.
  virtual Result<void *> allocate(size_t bytes) = 0;
  virtual Status deallocate(void *ptr) = 0;
  /// Page-locked host memory, the source of asynchronous uploads.
  virtual Result<void *> allocateHostPinned(size_t bytes) = 0;
  virtual Status freeHostPinned(void *ptr) = 0;
  /// Managed memory: one address valid on the host and the device (what
  /// compiled CUDA code allocates, `gpu.alloc host_shared`, and the buffers
  /// the runtime passes it). Freed with deallocate.
  virtual Result<void *> allocateManaged(size_t bytes) = 0;

  // --- copies ---
  virtual Status copyToDevice(void *dst, const void *src, size_t bytes) = 0;
  virtual Status copyToHost(void *dst, const void *src, size_t bytes) = 0;
  virtual Status copyToDeviceAsync(void *dst, const void *src, size_t bytes,
                                   Stream stream) = 0;
  virtual Status copyToHostAsync(void *dst, const void *src, size_t bytes,
                                 Stream stream) = 0;
  /// Any direction, as with unified addressing (what mgpuMemcpy needs).
  virtual Status copyAsync(void *dst, const void *src, size_t bytes,
                           Stream stream) = 0;
  virtual Status fill32Async(void *dst, uint32_t value, size_t count,
                             Stream stream) = 0;
  /// The prefetch queue's upload: copies `bytes` from pinned host memory on
  /// the copy stream, records an event there and makes the compute stream
  /// wait for it, so compute never waits on the host. The returned event
  /// completes when `pinnedSrc` may be refilled; the caller destroys it.
  virtual Result<Event> uploadOnCopyStream(void *dst, const void *pinnedSrc,
                                           size_t bytes) = 0;

  // --- streams and events ---
  /// The stream kernels and library calls run on by default.
  virtual Stream computeStream() = 0;
  /// The stream host-to-device uploads of the input pipeline run on.
  virtual Stream copyStream() = 0;
  virtual Result<Stream> createStream() = 0;
  virtual Status destroyStream(Stream stream) = 0;
  virtual Status synchronize(Stream stream) = 0;
  virtual Result<Event> createEvent() = 0;
  virtual Status destroyEvent(Event event) = 0;
  virtual Status recordEvent(Event event, Stream stream) = 0;
  virtual Status waitEvent(Stream stream, Event event) = 0;
  virtual Status synchronizeEvent(Event event) = 0;

  // --- GPU code ---
  /// Registers a module image (cubin, fatbin or PTX) without loading it:
  /// the device loads it on the first launch of one of its kernels. The
  /// image must outlive the module.
  virtual Result<Module> loadModule(const void *image, size_t bytes) = 0;
  virtual Status unloadModule(Module module) = 0;
  /// A kernel of `module` by name, resolved on its first launch.
  virtual Result<Function> getFunction(Module module,
                                       const std::string &name) = 0;
  /// `params` points to one pointer per kernel argument (cuLaunchKernel's
  /// kernelParams).
  virtual Status launchKernel(Function function, Dim3 grid, Dim3 block,
                              unsigned sharedMemBytes, Stream stream,
                              void **params) = 0;

  // --- library calls (cuBLAS / cuDNN on CUDA, loops on the CPU) ---
  virtual Status gemm(const GemmArgs &args, Stream stream) = 0;
  virtual Status conv2d(ConvKind kind, const Conv2dArgs &args,
                        Stream stream) = 0;
};

/// What --device asks for.
enum class DeviceChoice { Cpu, Cuda, Auto };
/// "cpu", "cuda" or "auto"; anything else is an error naming the choices.
Result<DeviceChoice> parseDeviceChoice(const std::string &text);

/// Whether a CUDA device can be opened, without opening it (no context).
struct CudaProbe {
  bool available = false;
  std::string deviceName; ///< when available
  /// When not: short, for "no CUDA device (<reason>)"...
  std::string reason;
  /// ...and a whole sentence, e.g. "no CUDA driver (libcuda.so.1 not
  /// found); this machine has no NVIDIA GPU".
  std::string message;
};
/// Loads libcuda.so.1, cuInit, counts devices. Safe to call repeatedly.
CudaProbe probeCuda();

/// What a command's --device flag resolves to on this machine.
struct DeviceDecision {
  DeviceChoice resolved = DeviceChoice::Cpu; ///< Cpu or Cuda, never Auto
  std::string cudaName; ///< the GPU when resolved is Cuda
  /// For auto without a GPU: "no CUDA device (<reason>); <what> on the
  /// CPU", to print; empty otherwise.
  std::string notice;
};
/// Parses and checks `flag` ("cpu", "cuda", "auto") for `what` ("training").
/// An error for an unknown name and for cuda without a usable GPU, e.g.
/// "--device=cuda: no CUDA driver (libcuda.so.1 not found); this machine has
/// no NVIDIA GPU, use --device=cpu or --device=auto".
Result<DeviceDecision> resolveDeviceFlag(const std::string &flag,
                                         const std::string &what);

/// The CPU device.
std::unique_ptr<Device> makeCpuDevice();
/// The CUDA device `ordinal`, with the real driver (dlopen).
Result<std::unique_ptr<Device>> openCudaDevice(int ordinal = 0);

/// The process's current device, the one the weir_* and mgpu* C functions
/// use; null until set. Not owned unless given with installDevice.
Device *currentDevice();
/// Makes `device` current without taking ownership (tests); null clears.
void setCurrentDevice(Device *device);

/// Name and address of every function compiled CUDA host code may call
/// (the mgpu* runtime, the cuBLAS/cuDNN entry points and their
/// `_mlir_ciface_` forms), for a JIT to resolve them in-process.
std::vector<std::pair<std::string, void *>> compiledCodeSymbols();
/// Makes `device` current and keeps it alive until replaced or exit.
Device *installDevice(std::unique_ptr<Device> device);

} // namespace weir::device
