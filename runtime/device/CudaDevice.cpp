// The CUDA device: contexts, streams, events, the memory pool, lazy modules,
// kernel launches, and GEMM/convolution through cuBLAS and cuDNN.
#include "runtime/device/CudaDevice.h"

#include <climits>

namespace weir::device {
using namespace cuda;

namespace {

CUdeviceptr dptr(const void *p) { return reinterpret_cast<CUdeviceptr>(p); }

/// Runs `fn` when the scope ends (descriptor and scratch cleanup on every
/// return path).
template <typename Fn> struct Defer {
  Fn fn;
  ~Defer() { fn(); }
};
template <typename Fn> Defer<Fn> defer(Fn fn) { return Defer<Fn>{fn}; }

Status fitsInt(int64_t v, const char *what) {
  if (v < 0 || v > INT_MAX)
    return Status::error(std::string("cuda: ") + what + " " +
                         std::to_string(v) + " does not fit cuBLAS/cuDNN's int");
  return Status::success();
}

} // namespace

Result<std::unique_ptr<CudaDevice>> CudaDevice::create(CudaApi api,
                                                       int ordinal) {
  if (!api.hasDriver())
    return Status::error("cuda: the CUDA driver is not loaded");
  std::unique_ptr<CudaDevice> d(new CudaDevice());
  d->api_ = api;
  d->ordinal_ = ordinal;
  WEIR_RETURN_IF_ERROR(d->check("cuInit", api.cuInit(0)));
  int count = 0;
  WEIR_RETURN_IF_ERROR(
      d->check("cuDeviceGetCount", api.cuDeviceGetCount(&count)));
  if (ordinal >= count)
    return Status::error("cuda: no CUDA device " + std::to_string(ordinal) +
                         " (" + std::to_string(count) + " found)");
  WEIR_RETURN_IF_ERROR(
      d->check("cuDeviceGet", api.cuDeviceGet(&d->device_, ordinal)));
  char name[256] = {0};
  if (api.cuDeviceGetName(name, sizeof(name) - 1, d->device_) != 0)
    name[0] = 0;
  d->name_ = "cuda:" + std::to_string(ordinal) +
             (name[0] ? std::string(" (") + name + ")" : std::string());
  int major = 0, minor = 0;
  WEIR_RETURN_IF_ERROR(d->check(
      "cuDeviceGetAttribute",
      api.cuDeviceGetAttribute(&major, kAttributeComputeMajor, d->device_)));
  WEIR_RETURN_IF_ERROR(d->check(
      "cuDeviceGetAttribute",
      api.cuDeviceGetAttribute(&minor, kAttributeComputeMinor, d->device_)));
  d->chip_ = "sm_" + std::to_string(major) + std::to_string(minor);
  WEIR_RETURN_IF_ERROR(d->check(
      "cuDevicePrimaryCtxRetain",
      api.cuDevicePrimaryCtxRetain(&d->context_, d->device_)));
  WEIR_RETURN_IF_ERROR(d->makeCurrent());
  WEIR_RETURN_IF_ERROR(d->check(
      "cuStreamCreate", api.cuStreamCreate(&d->compute_,
                                           CU_STREAM_NON_BLOCKING)));
  WEIR_RETURN_IF_ERROR(d->check(
      "cuStreamCreate", api.cuStreamCreate(&d->copy_,
                                           CU_STREAM_NON_BLOCKING)));
  CudaDevice *self = d.get();
  auto release = [self](void *p, size_t) { self->api_.cuMemFree_v2(dptr(p)); };
  d->pool_ = std::make_unique<MemoryPool>(
      [self](size_t bytes) { return self->driverAllocate(bytes, false); },
      release);
  // Managed memory is pooled too: compiled code allocates its host-visible
  // buffers on every call, and cuMemAllocManaged is slow while cuMemFree
  // synchronizes the device. The host may touch these blocks, so a freed
  // one is reused only after the compute stream is synchronized.
  d->managedPool_ = std::make_unique<MemoryPool>(
      [self](size_t bytes) { return self->driverAllocate(bytes, true); },
      release, MemoryPool::Reuse::AfterRecycle);
  return d;
}

Result<void *> CudaDevice::driverAllocate(size_t bytes, bool managed) {
  CUdeviceptr p = 0;
  CUresult r = managed ? api_.cuMemAllocManaged(&p, bytes, kMemAttachGlobal)
                       : api_.cuMemAlloc_v2(&p, bytes);
  if (r != CUDA_SUCCESS)
    return Status::error(name_ + ": " +
                         driverError(api_, managed ? "cuMemAllocManaged"
                                                   : "cuMemAlloc",
                                     r) +
                         " (" + std::to_string(bytes) + " bytes)");
  return reinterpret_cast<void *>(p);
}

CudaDevice::~CudaDevice() {
  // Errors here have nowhere to go; a failing teardown leaks at worst.
  if (!context_)
    return;
  (void)makeCurrent();
  if (compute_)
    api_.cuStreamSynchronize(compute_);
  if (copy_)
    api_.cuStreamSynchronize(copy_);
  if (cublas_)
    api_.cublasDestroy_v2(cublas_);
  if (cudnn_)
    api_.cudnnDestroy(cudnn_);
  for (LazyModule &m : modules_)
    if (m.loaded)
      api_.cuModuleUnload(m.loaded);
  pool_.reset();
  managedPool_.reset();
  if (copy_)
    api_.cuStreamDestroy_v2(copy_);
  if (compute_)
    api_.cuStreamDestroy_v2(compute_);
  api_.cuDevicePrimaryCtxRelease_v2(device_);
}

Status CudaDevice::check(const char *call, CUresult r) const {
  if (r == CUDA_SUCCESS)
    return Status::success();
  std::string who = name_.empty() ? "cuda" : name_;
  return Status::error(who + ": " + driverError(api_, call, r));
}

Status CudaDevice::makeCurrent() {
  // The context is per thread; setting it again is cheap but shows up in
  // every trace, so remember what this thread has.
  thread_local CUcontext current = nullptr;
  if (current == context_)
    return Status::success();
  WEIR_RETURN_IF_ERROR(check("cuCtxSetCurrent", api_.cuCtxSetCurrent(context_)));
  current = context_;
  return Status::success();
}

// --- memory ---

Result<void *> CudaDevice::allocate(size_t bytes) {
  WEIR_RETURN_IF_ERROR(makeCurrent());
  return pool_->allocate(bytes);
}

Status CudaDevice::deallocate(void *ptr) {
  if (managedPool_->owns(ptr))
    return managedPool_->deallocate(ptr).withPrefix(name_);
  return pool_->deallocate(ptr).withPrefix(name_);
}

Result<void *> CudaDevice::allocateManaged(size_t bytes) {
  WEIR_RETURN_IF_ERROR(makeCurrent());
  return managedPool_->allocate(bytes);
}

Result<void *> CudaDevice::allocateHostPinned(size_t bytes) {
  WEIR_RETURN_IF_ERROR(makeCurrent());
  void *p = nullptr;
  WEIR_RETURN_IF_ERROR(check("cuMemHostAlloc",
                             api_.cuMemHostAlloc(&p, bytes ? bytes : 1,
                                                 kMemHostAllocPortable)));
  return p;
}

Status CudaDevice::freeHostPinned(void *ptr) {
  return ptr ? check("cuMemFreeHost", api_.cuMemFreeHost(ptr))
             : Status::success();
}

// --- copies ---

// Synchronous copies go through the compute stream rather than cuMemcpyHtoD:
// that one runs on the legacy default stream, which a non-blocking compute
// stream does not wait for.
Status CudaDevice::copyToDevice(void *dst, const void *src, size_t bytes) {
  WEIR_RETURN_IF_ERROR(copyToDeviceAsync(dst, src, bytes, nullptr));
  return synchronize(nullptr);
}

Status CudaDevice::copyToHost(void *dst, const void *src, size_t bytes) {
  WEIR_RETURN_IF_ERROR(copyToHostAsync(dst, src, bytes, nullptr));
  return synchronize(nullptr);
}

Status CudaDevice::copyToDeviceAsync(void *dst, const void *src,
                                     size_t bytes, Stream stream) {
  WEIR_RETURN_IF_ERROR(makeCurrent());
  return check("cuMemcpyHtoDAsync", api_.cuMemcpyHtoDAsync_v2(
                                        dptr(dst), src, bytes,
                                        resolve(stream)));
}

Status CudaDevice::copyToHostAsync(void *dst, const void *src, size_t bytes,
                                   Stream stream) {
  WEIR_RETURN_IF_ERROR(makeCurrent());
  return check("cuMemcpyDtoHAsync", api_.cuMemcpyDtoHAsync_v2(
                                        dst, dptr(src), bytes,
                                        resolve(stream)));
}

Status CudaDevice::copyAsync(void *dst, const void *src, size_t bytes,
                             Stream stream) {
  WEIR_RETURN_IF_ERROR(makeCurrent());
  return check("cuMemcpyAsync", api_.cuMemcpyAsync(dptr(dst), dptr(src),
                                                   bytes, resolve(stream)));
}

Status CudaDevice::fill32Async(void *dst, uint32_t value, size_t count,
                               Stream stream) {
  WEIR_RETURN_IF_ERROR(makeCurrent());
  return check("cuMemsetD32Async",
               api_.cuMemsetD32Async(dptr(dst), value, count,
                                     resolve(stream)));
}

Result<Event> CudaDevice::uploadOnCopyStream(void *dst, const void *src,
                                             size_t bytes) {
  WEIR_RETURN_IF_ERROR(copyToDeviceAsync(
      dst, src, bytes, reinterpret_cast<Stream>(copy_)));
  Result<Event> done = createEvent();
  if (!done.ok())
    return done;
  Status s = recordEvent(*done, reinterpret_cast<Stream>(copy_));
  if (s.ok())
    s = waitEvent(reinterpret_cast<Stream>(compute_), *done);
  if (!s.ok()) {
    (void)destroyEvent(*done);
    return s;
  }
  return done;
}

// --- streams and events ---

Stream CudaDevice::computeStream() {
  return reinterpret_cast<Stream>(compute_);
}
Stream CudaDevice::copyStream() { return reinterpret_cast<Stream>(copy_); }

Result<Stream> CudaDevice::createStream() {
  WEIR_RETURN_IF_ERROR(makeCurrent());
  CUstream s = nullptr;
  WEIR_RETURN_IF_ERROR(
      check("cuStreamCreate", api_.cuStreamCreate(&s, CU_STREAM_NON_BLOCKING)));
  return reinterpret_cast<Stream>(s);
}

Status CudaDevice::destroyStream(Stream stream) {
  CUstream s = reinterpret_cast<CUstream>(stream);
  if (!s || s == compute_ || s == copy_)
    return Status::error(name_ + ": cannot destroy the device's own streams");
  return check("cuStreamDestroy", api_.cuStreamDestroy_v2(s));
}

Status CudaDevice::synchronize(Stream stream) {
  WEIR_RETURN_IF_ERROR(makeCurrent());
  CUstream s = resolve(stream);
  WEIR_RETURN_IF_ERROR(check("cuStreamSynchronize", api_.cuStreamSynchronize(s)));
  // Compiled code frees managed blocks on the compute stream: once it is
  // idle, none is in use.
  if (s == compute_)
    managedPool_->recycle();
  return Status::success();
}

Result<Event> CudaDevice::createEvent() {
  WEIR_RETURN_IF_ERROR(makeCurrent());
  CUevent e = nullptr;
  WEIR_RETURN_IF_ERROR(
      check("cuEventCreate", api_.cuEventCreate(&e, CU_EVENT_DISABLE_TIMING)));
  return reinterpret_cast<Event>(e);
}

Status CudaDevice::destroyEvent(Event event) {
  return check("cuEventDestroy",
               api_.cuEventDestroy_v2(reinterpret_cast<CUevent>(event)));
}

Status CudaDevice::recordEvent(Event event, Stream stream) {
  return check("cuEventRecord",
               api_.cuEventRecord(reinterpret_cast<CUevent>(event),
                                  resolve(stream)));
}

Status CudaDevice::waitEvent(Stream stream, Event event) {
  return check("cuStreamWaitEvent",
               api_.cuStreamWaitEvent(resolve(stream),
                                      reinterpret_cast<CUevent>(event), 0));
}

Status CudaDevice::synchronizeEvent(Event event) {
  return check("cuEventSynchronize",
               api_.cuEventSynchronize(reinterpret_cast<CUevent>(event)));
}

// --- modules and kernels ---

Result<Module> CudaDevice::loadModule(const void *image, size_t bytes) {
  if (!image)
    return Status::error(name_ + ": null module image");
  std::lock_guard<std::mutex> lock(mutex_);
  modules_.push_back(LazyModule{image, bytes, nullptr, {}});
  return reinterpret_cast<Module>(&modules_.back());
}

Status CudaDevice::unloadModule(Module module) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = modules_.begin(); it != modules_.end(); ++it) {
    if (reinterpret_cast<Module>(&*it) != module)
      continue;
    Status s = it->loaded ? check("cuModuleUnload",
                                  api_.cuModuleUnload(it->loaded))
                          : Status::success();
    modules_.erase(it);
    return s;
  }
  return Status::error(name_ + ": unloading an unknown module");
}

Result<Function> CudaDevice::getFunction(Module module,
                                         const std::string &name) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto *m = reinterpret_cast<LazyModule *>(module);
  for (LazyFunction &f : m->functions)
    if (f.name == name)
      return reinterpret_cast<Function>(&f);
  m->functions.push_back(LazyFunction{m, name, nullptr});
  return reinterpret_cast<Function>(&m->functions.back());
}

Status CudaDevice::launchKernel(Function function, Dim3 grid, Dim3 block,
                                unsigned sharedMemBytes, Stream stream,
                                void **params) {
  WEIR_RETURN_IF_ERROR(makeCurrent());
  auto *f = reinterpret_cast<LazyFunction *>(function);
  CUfunction fn;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!f->loaded) {
      LazyModule *m = f->module;
      if (!m->loaded)
        WEIR_RETURN_IF_ERROR(check("cuModuleLoadData",
                                   api_.cuModuleLoadData(&m->loaded,
                                                         m->image)));
      CUresult r = api_.cuModuleGetFunction(&f->loaded, m->loaded,
                                            f->name.c_str());
      if (r != CUDA_SUCCESS)
        return check(("cuModuleGetFunction('" + f->name + "')").c_str(), r);
    }
    fn = f->loaded;
  }
  return check(("cuLaunchKernel('" + f->name + "')").c_str(),
               api_.cuLaunchKernel(fn, grid.x, grid.y, grid.z, block.x,
                                   block.y, block.z, sharedMemBytes,
                                   resolve(stream), params, nullptr));
}

// --- cuBLAS ---

Status CudaDevice::ensureCublas(CUstream stream) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!api_.hasCublas())
    WEIR_RETURN_IF_ERROR(loadCublas(api_).withPrefix(name_));
  if (!cublas_) {
    cublasStatus_t s = api_.cublasCreate_v2(&cublas_);
    if (s != CUBLAS_STATUS_SUCCESS) {
      cublas_ = nullptr;
      return Status::error(name_ + ": cublasCreate failed: status " +
                           std::to_string(s));
    }
  }
  if (cublasStream_ != stream) {
    cublasStatus_t s = api_.cublasSetStream_v2(cublas_, stream);
    if (s != CUBLAS_STATUS_SUCCESS)
      return Status::error(name_ + ": cublasSetStream failed: status " +
                           std::to_string(s));
    cublasStream_ = stream;
  }
  return Status::success();
}

Status CudaDevice::gemm(const GemmArgs &g, Stream stream) {
  WEIR_RETURN_IF_ERROR(checkGemm(g).withPrefix(name_));
  WEIR_RETURN_IF_ERROR(makeCurrent());
  WEIR_RETURN_IF_ERROR(ensureCublas(resolve(stream)));
  int64_t m = g.c.rows, n = g.c.cols, k = g.transA ? g.a.rows : g.a.cols;
  for (int64_t v : {m, n, k, g.a.rowStride, g.b.rowStride, g.c.rowStride})
    WEIR_RETURN_IF_ERROR(fitsInt(v, "gemm dimension"));
  // cuBLAS is column-major, and a row-major matrix read column-major is its
  // transpose: C^T = op(B)^T op(A)^T is a column-major [N, M] product with
  // B first, each operand keeping its own transpose flag.
  cublasStatus_t s = api_.cublasSgemm_v2(
      cublas_, g.transB ? CUBLAS_OP_T : CUBLAS_OP_N,
      g.transA ? CUBLAS_OP_T : CUBLAS_OP_N, int(n), int(m), int(k), &g.alpha,
      g.b.data, int(g.b.rowStride), g.a.data, int(g.a.rowStride), &g.beta,
      g.c.data, int(g.c.rowStride));
  if (s != CUBLAS_STATUS_SUCCESS)
    return Status::error(name_ + ": cublasSgemm failed: status " +
                         std::to_string(s));
  return Status::success();
}

Status CudaDevice::transposeFilter(const float *src, float *dst, int64_t rows,
                                   int64_t cols) {
  // src is row-major [rows, cols], i.e. column-major [cols, rows] with
  // ld = cols; dst = src^T row-major [cols, rows] is column-major
  // [rows, cols] with ld = rows.
  const float one = 1.0f, zero = 0.0f;
  cublasStatus_t s = api_.cublasSgeam(cublas_, CUBLAS_OP_T, CUBLAS_OP_N,
                                      int(rows), int(cols), &one, src,
                                      int(cols), &zero, dst, int(rows), dst,
                                      int(rows));
  if (s != CUBLAS_STATUS_SUCCESS)
    return Status::error(name_ + ": cublasSgeam (filter transpose) failed: "
                         "status " + std::to_string(s));
  return Status::success();
}

// --- cuDNN ---

Status CudaDevice::ensureCudnn(CUstream stream) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!api_.hasCudnn())
    WEIR_RETURN_IF_ERROR(loadCudnn(api_).withPrefix(name_));
  if (!cudnn_) {
    cudnnStatus_t s = api_.cudnnCreate(&cudnn_);
    if (s != CUDNN_STATUS_SUCCESS) {
      cudnn_ = nullptr;
      return Status::error(name_ + ": cudnnCreate failed: " +
                           api_.cudnnGetErrorString(s));
    }
  }
  if (cudnnStream_ != stream) {
    cudnnStatus_t s = api_.cudnnSetStream(cudnn_, stream);
    if (s != CUDNN_STATUS_SUCCESS)
      return Status::error(name_ + ": cudnnSetStream failed: " +
                           api_.cudnnGetErrorString(s));
    cudnnStream_ = stream;
  }
  return Status::success();
}

Status CudaDevice::conv2d(ConvKind kind, const Conv2dArgs &c, Stream stream) {
  WEIR_RETURN_IF_ERROR(checkConv2d(c).withPrefix(name_));
  WEIR_RETURN_IF_ERROR(makeCurrent());
  CUstream st = resolve(stream);
  // The filter transposes run on cuBLAS, on the same stream.
  WEIR_RETURN_IF_ERROR(ensureCublas(st));
  WEIR_RETURN_IF_ERROR(ensureCudnn(st));
  for (const Tensor4 *t : {&c.x, &c.w, &c.y})
    for (int64_t d : t->dims)
      WEIR_RETURN_IF_ERROR(fitsInt(d, "conv2d dimension"));
  const int N = int(c.x.dims[0]), H = int(c.x.dims[1]), W = int(c.x.dims[2]),
            C = int(c.x.dims[3]);
  const int KH = int(c.w.dims[0]), KW = int(c.w.dims[1]), F = int(c.w.dims[3]);
  const int OH = int(c.y.dims[1]), OW = int(c.y.dims[2]);
  const int64_t R = int64_t(KH) * KW * C; // HWCF is row-major [R, F]

  auto dnn = [&](const char *call, cudnnStatus_t s) {
    return s == CUDNN_STATUS_SUCCESS
               ? Status::success()
               : Status::error(name_ + ": " + call + " failed: " +
                               api_.cudnnGetErrorString(s));
  };
  cudnnTensorDescriptor_t xd = nullptr, yd = nullptr;
  cudnnFilterDescriptor_t wd = nullptr;
  cudnnConvolutionDescriptor_t cd = nullptr;
  void *wk = nullptr, *workspace = nullptr;
  auto cleanup = defer([&] {
    if (xd)
      api_.cudnnDestroyTensorDescriptor(xd);
    if (yd)
      api_.cudnnDestroyTensorDescriptor(yd);
    if (wd)
      api_.cudnnDestroyFilterDescriptor(wd);
    if (cd)
      api_.cudnnDestroyConvolutionDescriptor(cd);
    // Stream-ordered pool: later work on this stream may reuse them.
    (void)pool_->deallocate(wk);
    (void)pool_->deallocate(workspace);
  });
  WEIR_RETURN_IF_ERROR(dnn("cudnnCreateTensorDescriptor",
                           api_.cudnnCreateTensorDescriptor(&xd)));
  WEIR_RETURN_IF_ERROR(dnn("cudnnCreateTensorDescriptor",
                           api_.cudnnCreateTensorDescriptor(&yd)));
  WEIR_RETURN_IF_ERROR(dnn("cudnnCreateFilterDescriptor",
                           api_.cudnnCreateFilterDescriptor(&wd)));
  WEIR_RETURN_IF_ERROR(dnn("cudnnCreateConvolutionDescriptor",
                           api_.cudnnCreateConvolutionDescriptor(&cd)));
  WEIR_RETURN_IF_ERROR(dnn("cudnnSetTensor4dDescriptor",
                           api_.cudnnSetTensor4dDescriptor(
                               xd, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, N, C,
                               H, W)));
  WEIR_RETURN_IF_ERROR(dnn("cudnnSetTensor4dDescriptor",
                           api_.cudnnSetTensor4dDescriptor(
                               yd, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, N, F,
                               OH, OW)));
  // cuDNN has no HWCF filter layout; NHWC filters are [F, KH, KW, C].
  WEIR_RETURN_IF_ERROR(dnn("cudnnSetFilter4dDescriptor",
                           api_.cudnnSetFilter4dDescriptor(
                               wd, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC, F, C,
                               KH, KW)));
  WEIR_RETURN_IF_ERROR(dnn("cudnnSetConvolution2dDescriptor",
                           api_.cudnnSetConvolution2dDescriptor(
                               cd, int(c.padH), int(c.padW), int(c.strideH),
                               int(c.strideW), int(c.dilationH),
                               int(c.dilationW), CUDNN_CROSS_CORRELATION,
                               CUDNN_DATA_FLOAT)));
  // Plain FP32 FMA: TF32 tensor cores would miss the 1e-4 agreement with
  // the CPU target.
  WEIR_RETURN_IF_ERROR(dnn("cudnnSetConvolutionMathType",
                           api_.cudnnSetConvolutionMathType(cd,
                                                            CUDNN_FMA_MATH)));

  Result<void *> wkBlock = pool_->allocate(size_t(R) * F * sizeof(float));
  if (!wkBlock.ok())
    return wkBlock.status();
  wk = *wkBlock;
  auto *wkrsc = static_cast<float *>(wk);
  if (kind != ConvKind::BackwardFilter || c.beta != 0.0f)
    WEIR_RETURN_IF_ERROR(transposeFilter(c.w.data, wkrsc, R, F));

  cudnnAlgoPerf perf[8] = {};
  int returned = 0;
  const char *heuristic = kind == ConvKind::Forward
                              ? "cudnnGetConvolutionForwardAlgorithm_v7"
                          : kind == ConvKind::BackwardData
                              ? "cudnnGetConvolutionBackwardDataAlgorithm_v7"
                              : "cudnnGetConvolutionBackwardFilterAlgorithm_v7";
  cudnnStatus_t hs =
      kind == ConvKind::Forward
          ? api_.cudnnGetConvolutionForwardAlgorithm_v7(cudnn_, xd, wd, cd,
                                                        yd, 8, &returned, perf)
      : kind == ConvKind::BackwardData
          ? api_.cudnnGetConvolutionBackwardDataAlgorithm_v7(
                cudnn_, wd, yd, cd, xd, 8, &returned, perf)
          : api_.cudnnGetConvolutionBackwardFilterAlgorithm_v7(
                cudnn_, xd, yd, cd, wd, 8, &returned, perf);
  WEIR_RETURN_IF_ERROR(dnn(heuristic, hs));
  int algo = -1;
  for (int i = 0; i < returned && algo < 0; ++i)
    if (perf[i].status == CUDNN_STATUS_SUCCESS)
      algo = perf[i].algo;
  if (algo < 0)
    return Status::error(name_ + ": cuDNN has no algorithm for this "
                                 "convolution");

  size_t wsBytes = 0;
  WEIR_RETURN_IF_ERROR(dnn(
      "cudnnGetConvolution*WorkspaceSize",
      kind == ConvKind::Forward
          ? api_.cudnnGetConvolutionForwardWorkspaceSize(cudnn_, xd, wd, cd,
                                                         yd, algo, &wsBytes)
      : kind == ConvKind::BackwardData
          ? api_.cudnnGetConvolutionBackwardDataWorkspaceSize(
                cudnn_, wd, yd, cd, xd, algo, &wsBytes)
          : api_.cudnnGetConvolutionBackwardFilterWorkspaceSize(
                cudnn_, xd, yd, cd, wd, algo, &wsBytes)));
  if (wsBytes) {
    Result<void *> ws = pool_->allocate(wsBytes);
    if (!ws.ok())
      return ws.status();
    workspace = *ws;
  }

  switch (kind) {
  case ConvKind::Forward:
    return dnn("cudnnConvolutionForward",
               api_.cudnnConvolutionForward(cudnn_, &c.alpha, xd, c.x.data,
                                            wd, wkrsc, cd, algo, workspace,
                                            wsBytes, &c.beta, yd, c.y.data));
  case ConvKind::BackwardData:
    return dnn("cudnnConvolutionBackwardData",
               api_.cudnnConvolutionBackwardData(
                   cudnn_, &c.alpha, wd, wkrsc, yd, c.y.data, cd, algo,
                   workspace, wsBytes, &c.beta, xd, c.x.data));
  case ConvKind::BackwardFilter:
    WEIR_RETURN_IF_ERROR(dnn("cudnnConvolutionBackwardFilter",
                             api_.cudnnConvolutionBackwardFilter(
                                 cudnn_, &c.alpha, xd, c.x.data, yd, c.y.data,
                                 cd, algo, workspace, wsBytes, &c.beta, wd,
                                 wkrsc)));
    return transposeFilter(wkrsc, c.w.data, F, R);
  }
  return Status::success();
}

} // namespace weir::device
