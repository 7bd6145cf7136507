// The recording fake of the CUDA driver, cuBLAS and cuDNN.
#include "FakeCudaApi.h"

#include <cstdlib>
#include <cstring>
#include <sstream>

namespace weir::device::fake {
using namespace cuda;

namespace {

FakeCuda &F() { return FakeCuda::get(); }

template <typename... Ts> std::string fmt(const Ts &...parts) {
  std::ostringstream os;
  (os << ... << parts);
  return os.str();
}

void log(const char *name, std::string args = "") {
  F().calls.push_back({name, std::move(args)});
}

/// Fake handles are small distinct numbers, never dereferenced.
template <typename T> T handle() {
  static uintptr_t next = 0x1000;
  next += 0x10;
  return reinterpret_cast<T>(next);
}

std::string ptr(const void *p) { return fmt(p); }

// --- driver ---
CUresult cuInit(unsigned flags) {
  log("cuInit", fmt("flags=", flags));
  return F().initResult;
}
CUresult cuGetErrorName(CUresult r, const char **name) {
  *name = r == CUDA_ERROR_NO_DEVICE ? "CUDA_ERROR_NO_DEVICE"
          : r == 2                  ? "CUDA_ERROR_OUT_OF_MEMORY"
                                    : "CUDA_ERROR_UNKNOWN";
  return CUDA_SUCCESS;
}
CUresult cuDeviceGetCount(int *n) {
  log("cuDeviceGetCount");
  *n = F().deviceCount;
  return CUDA_SUCCESS;
}
CUresult cuDeviceGet(CUdevice *d, int ordinal) {
  log("cuDeviceGet", fmt("ordinal=", ordinal));
  *d = ordinal;
  return CUDA_SUCCESS;
}
CUresult cuDeviceGetName(char *name, int len, CUdevice) {
  std::strncpy(name, "Fake GPU", size_t(len));
  return CUDA_SUCCESS;
}
CUresult cuDeviceGetAttribute(int *value, int attribute, CUdevice) {
  *value = attribute == 75 ? 9 : 0; // an sm_90
  return CUDA_SUCCESS;
}
CUresult cuDevicePrimaryCtxRetain(CUcontext *c, CUdevice d) {
  log("cuDevicePrimaryCtxRetain", fmt("device=", d));
  *c = handle<CUcontext>();
  return CUDA_SUCCESS;
}
CUresult cuDevicePrimaryCtxRelease(CUdevice d) {
  log("cuDevicePrimaryCtxRelease", fmt("device=", d));
  return CUDA_SUCCESS;
}
CUresult cuCtxSetCurrent(CUcontext c) {
  log("cuCtxSetCurrent", ptr(c));
  return CUDA_SUCCESS;
}
CUresult cuModuleLoadData(CUmodule *m, const void *image) {
  log("cuModuleLoadData", fmt("image=", image));
  *m = handle<CUmodule>();
  return CUDA_SUCCESS;
}
CUresult cuModuleUnload(CUmodule m) {
  log("cuModuleUnload", ptr(m));
  return CUDA_SUCCESS;
}
CUresult cuModuleGetFunction(CUfunction *f, CUmodule, const char *name) {
  log("cuModuleGetFunction", fmt("name=", name));
  *f = handle<CUfunction>();
  return CUDA_SUCCESS;
}
CUresult cuLaunchKernel(CUfunction, unsigned gx, unsigned gy, unsigned gz,
                        unsigned bx, unsigned by, unsigned bz, unsigned smem,
                        CUstream s, void **, void **) {
  log("cuLaunchKernel", fmt("grid=", gx, "x", gy, "x", gz, " block=", bx, "x",
                            by, "x", bz, " smem=", smem, " stream=", ptr(s)));
  return CUDA_SUCCESS;
}
CUresult cuStreamCreate(CUstream *s, unsigned flags) {
  *s = handle<CUstream>();
  log("cuStreamCreate", fmt("flags=", flags, " -> ", ptr(*s)));
  return CUDA_SUCCESS;
}
CUresult cuStreamDestroy(CUstream s) {
  log("cuStreamDestroy", ptr(s));
  return CUDA_SUCCESS;
}
CUresult cuStreamSynchronize(CUstream s) {
  log("cuStreamSynchronize", ptr(s));
  return CUDA_SUCCESS;
}
CUresult cuStreamWaitEvent(CUstream s, CUevent e, unsigned) {
  log("cuStreamWaitEvent", fmt("stream=", ptr(s), " event=", ptr(e)));
  return CUDA_SUCCESS;
}
CUresult cuEventCreate(CUevent *e, unsigned flags) {
  *e = handle<CUevent>();
  log("cuEventCreate", fmt("flags=", flags, " -> ", ptr(*e)));
  return CUDA_SUCCESS;
}
CUresult cuEventDestroy(CUevent e) {
  log("cuEventDestroy", ptr(e));
  return CUDA_SUCCESS;
}
CUresult cuEventRecord(CUevent e, CUstream s) {
  log("cuEventRecord", fmt("event=", ptr(e), " stream=", ptr(s)));
  return CUDA_SUCCESS;
}
CUresult cuEventSynchronize(CUevent e) {
  log("cuEventSynchronize", ptr(e));
  return CUDA_SUCCESS;
}
CUresult cuMemAlloc(CUdeviceptr *p, size_t bytes) {
  log("cuMemAlloc", fmt("bytes=", bytes));
  *p = reinterpret_cast<CUdeviceptr>(std::malloc(bytes));
  return CUDA_SUCCESS;
}
CUresult cuMemFree(CUdeviceptr p) {
  log("cuMemFree");
  std::free(reinterpret_cast<void *>(p));
  return CUDA_SUCCESS;
}
CUresult cuMemHostAlloc(void **p, size_t bytes, unsigned flags) {
  log("cuMemHostAlloc", fmt("bytes=", bytes, " flags=", flags));
  *p = std::malloc(bytes);
  return CUDA_SUCCESS;
}
CUresult cuMemAllocManaged(CUdeviceptr *p, size_t bytes, unsigned flags) {
  log("cuMemAllocManaged", fmt("bytes=", bytes, " flags=", flags));
  *p = reinterpret_cast<CUdeviceptr>(std::aligned_alloc(256, (bytes + 255) / 256 * 256));
  return CUDA_SUCCESS;
}
CUresult cuMemFreeHost(void *p) {
  log("cuMemFreeHost");
  std::free(p);
  return CUDA_SUCCESS;
}
CUresult cuMemcpyHtoD(CUdeviceptr d, const void *s, size_t n) {
  log("cuMemcpyHtoD", fmt("bytes=", n));
  std::memcpy(reinterpret_cast<void *>(d), s, n);
  return CUDA_SUCCESS;
}
CUresult cuMemcpyDtoH(void *d, CUdeviceptr s, size_t n) {
  log("cuMemcpyDtoH", fmt("bytes=", n));
  std::memcpy(d, reinterpret_cast<void *>(s), n);
  return CUDA_SUCCESS;
}
CUresult cuMemcpyHtoDAsync(CUdeviceptr d, const void *s, size_t n,
                           CUstream st) {
  log("cuMemcpyHtoDAsync", fmt("bytes=", n, " stream=", ptr(st)));
  std::memcpy(reinterpret_cast<void *>(d), s, n);
  return CUDA_SUCCESS;
}
CUresult cuMemcpyDtoHAsync(void *d, CUdeviceptr s, size_t n, CUstream st) {
  log("cuMemcpyDtoHAsync", fmt("bytes=", n, " stream=", ptr(st)));
  std::memcpy(d, reinterpret_cast<void *>(s), n);
  return CUDA_SUCCESS;
}
CUresult cuMemcpyAsync(CUdeviceptr d, CUdeviceptr s, size_t n, CUstream st) {
  log("cuMemcpyAsync", fmt("bytes=", n, " stream=", ptr(st)));
  std::memmove(reinterpret_cast<void *>(d), reinterpret_cast<void *>(s), n);
  return CUDA_SUCCESS;
}
CUresult cuMemsetD32Async(CUdeviceptr d, unsigned v, size_t n, CUstream) {
  log("cuMemsetD32Async", fmt("count=", n));
  auto *p = reinterpret_cast<unsigned *>(d);
  for (size_t i = 0; i < n; ++i)
    p[i] = v;
  return CUDA_SUCCESS;
}

// --- cuBLAS: real column-major arithmetic ---
cublasStatus_t cublasCreate(cublasHandle_t *h) {
  log("cublasCreate");
  *h = handle<cublasHandle_t>();
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasDestroy(cublasHandle_t) {
  log("cublasDestroy");
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasSetStream(cublasHandle_t, CUstream s) {
  log("cublasSetStream", fmt("stream=", ptr(s)));
  return CUBLAS_STATUS_SUCCESS;
}
const char *op(cublasOperation_t o) { return o == CUBLAS_OP_N ? "N" : "T"; }
/// Element (i, j) of op(X) for a column-major X with leading dimension ld.
float colMajor(const float *x, cublasOperation_t o, int ld, int i, int j) {
  return o == CUBLAS_OP_N ? x[i + j * ld] : x[j + i * ld];
}
cublasStatus_t cublasSgemm(cublasHandle_t, cublasOperation_t ta,
                           cublasOperation_t tb, int m, int n, int k,
                           const float *alpha, const float *a, int lda,
                           const float *b, int ldb, const float *beta,
                           float *c, int ldc) {
  log("cublasSgemm", fmt(op(ta), op(tb), " m=", m, " n=", n, " k=", k,
                         " lda=", lda, " ldb=", ldb, " ldc=", ldc));
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) {
      double sum = 0;
      for (int l = 0; l < k; ++l)
        sum += double(colMajor(a, ta, lda, i, l)) * colMajor(b, tb, ldb, l, j);
      float &out = c[i + j * ldc];
      out = *alpha * float(sum) + (*beta == 0 ? 0.0f : *beta * out);
    }
  return CUBLAS_STATUS_SUCCESS;
}
cublasStatus_t cublasSgeam(cublasHandle_t, cublasOperation_t ta,
                           cublasOperation_t tb, int m, int n,
                           const float *alpha, const float *a, int lda,
                           const float *beta, const float *b, int ldb,
                           float *c, int ldc) {
  log("cublasSgeam", fmt(op(ta), op(tb), " m=", m, " n=", n, " lda=", lda,
                         " ldb=", ldb, " ldc=", ldc));
  std::vector<float> out(size_t(m) * n);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j)
      out[i + size_t(j) * m] =
          *alpha * colMajor(a, ta, lda, i, j) +
          (*beta == 0 ? 0.0f : *beta * colMajor(b, tb, ldb, i, j));
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j)
      c[i + j * ldc] = out[i + size_t(j) * m];
  return CUBLAS_STATUS_SUCCESS;
}

// --- cuDNN: recorded, not computed ---
cudnnStatus_t cudnnCreate(cudnnHandle_t *h) {
  log("cudnnCreate");
  *h = handle<cudnnHandle_t>();
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnDestroy(cudnnHandle_t) {
  log("cudnnDestroy");
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnSetStream(cudnnHandle_t, CUstream s) {
  log("cudnnSetStream", fmt("stream=", ptr(s)));
  return CUDNN_STATUS_SUCCESS;
}
const char *cudnnGetErrorString(cudnnStatus_t) { return "CUDNN_STATUS_FAKE"; }
cudnnStatus_t cudnnCreateTensorDescriptor(cudnnTensorDescriptor_t *d) {
  *d = handle<cudnnTensorDescriptor_t>();
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnSetTensor4dDescriptor(cudnnTensorDescriptor_t, int format,
                                         int type, int n, int c, int h,
                                         int w) {
  log("cudnnSetTensor4dDescriptor",
      fmt("format=", format, " type=", type, " nchw=", n, ",", c, ",", h, ",",
          w));
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnDestroyTensorDescriptor(cudnnTensorDescriptor_t) {
  log("cudnnDestroyTensorDescriptor");
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnCreateFilterDescriptor(cudnnFilterDescriptor_t *d) {
  *d = handle<cudnnFilterDescriptor_t>();
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnSetFilter4dDescriptor(cudnnFilterDescriptor_t, int type,
                                         int format, int k, int c, int h,
                                         int w) {
  log("cudnnSetFilter4dDescriptor", fmt("type=", type, " format=", format,
                                        " kchw=", k, ",", c, ",", h, ",", w));
  int dims[4] = {k, c, h, w};
  std::memcpy(F().filterDims, dims, sizeof(dims));
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnDestroyFilterDescriptor(cudnnFilterDescriptor_t) {
  log("cudnnDestroyFilterDescriptor");
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t
cudnnCreateConvolutionDescriptor(cudnnConvolutionDescriptor_t *d) {
  *d = handle<cudnnConvolutionDescriptor_t>();
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnSetConvolution2dDescriptor(cudnnConvolutionDescriptor_t,
                                              int ph, int pw, int sh, int sw,
                                              int dh, int dw, int mode,
                                              int type) {
  log("cudnnSetConvolution2dDescriptor",
      fmt("pad=", ph, ",", pw, " stride=", sh, ",", sw, " dilation=", dh, ",",
          dw, " mode=", mode, " type=", type));
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t cudnnSetConvolutionMathType(cudnnConvolutionDescriptor_t,
                                          int math) {
  log("cudnnSetConvolutionMathType", fmt("math=", math));
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t
cudnnDestroyConvolutionDescriptor(cudnnConvolutionDescriptor_t) {
  log("cudnnDestroyConvolutionDescriptor");
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t onePerf(int *returned, cudnnAlgoPerf *perf) {
  *returned = 1;
  perf[0] = cudnnAlgoPerf{};
  perf[0].algo = 1;
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t fwdAlgo(cudnnHandle_t, cudnnTensorDescriptor_t,
                      cudnnFilterDescriptor_t, cudnnConvolutionDescriptor_t,
                      cudnnTensorDescriptor_t, int, int *r,
                      cudnnAlgoPerf *p) {
  log("cudnnGetConvolutionForwardAlgorithm");
  return onePerf(r, p);
}
cudnnStatus_t bwdDataAlgo(cudnnHandle_t, cudnnFilterDescriptor_t,
                          cudnnTensorDescriptor_t,
                          cudnnConvolutionDescriptor_t,
                          cudnnTensorDescriptor_t, int, int *r,
                          cudnnAlgoPerf *p) {
  log("cudnnGetConvolutionBackwardDataAlgorithm");
  return onePerf(r, p);
}
cudnnStatus_t bwdFilterAlgo(cudnnHandle_t, cudnnTensorDescriptor_t,
                            cudnnTensorDescriptor_t,
                            cudnnConvolutionDescriptor_t,
                            cudnnFilterDescriptor_t, int, int *r,
                            cudnnAlgoPerf *p) {
  log("cudnnGetConvolutionBackwardFilterAlgorithm");
  return onePerf(r, p);
}
template <typename A, typename B, typename C, typename D>
cudnnStatus_t workspace(cudnnHandle_t, A, B, C, D, int, size_t *bytes) {
  *bytes = 4096;
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t convFwd(cudnnHandle_t, const void *, cudnnTensorDescriptor_t,
                      const void *, cudnnFilterDescriptor_t, const void *w,
                      cudnnConvolutionDescriptor_t, int algo, void *,
                      size_t wsBytes, const void *, cudnnTensorDescriptor_t,
                      void *) {
  log("cudnnConvolutionForward", fmt("algo=", algo, " workspace=", wsBytes));
  const int *d = F().filterDims;
  const auto *wf = static_cast<const float *>(w);
  F().lastFilter.assign(wf, wf + size_t(d[0]) * d[1] * d[2] * d[3]);
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t convBwdData(cudnnHandle_t, const void *,
                          cudnnFilterDescriptor_t, const void *,
                          cudnnTensorDescriptor_t, const void *,
                          cudnnConvolutionDescriptor_t, int algo, void *,
                          size_t wsBytes, const void *,
                          cudnnTensorDescriptor_t, void *) {
  log("cudnnConvolutionBackwardData",
      fmt("algo=", algo, " workspace=", wsBytes));
  return CUDNN_STATUS_SUCCESS;
}
cudnnStatus_t convBwdFilter(cudnnHandle_t, const void *,
                            cudnnTensorDescriptor_t, const void *,
                            cudnnTensorDescriptor_t, const void *,
                            cudnnConvolutionDescriptor_t, int algo, void *,
                            size_t wsBytes, const void *,
                            cudnnFilterDescriptor_t, void *) {
  log("cudnnConvolutionBackwardFilter",
      fmt("algo=", algo, " workspace=", wsBytes));
  return CUDNN_STATUS_SUCCESS;
}

} // namespace

FakeCuda &FakeCuda::get() {
  static FakeCuda fake;
  return fake;
}

void FakeCuda::reset() {
  calls.clear();
  initResult = CUDA_SUCCESS;
  deviceCount = 1;
  lastFilter.clear();
}

CudaApi FakeCuda::api() const {
  CudaApi t;
  t.cuInit = cuInit;
  t.cuGetErrorName = cuGetErrorName;
  t.cuDeviceGetCount = cuDeviceGetCount;
  t.cuDeviceGet = cuDeviceGet;
  t.cuDeviceGetName = cuDeviceGetName;
  t.cuDeviceGetAttribute = cuDeviceGetAttribute;
  t.cuDevicePrimaryCtxRetain = cuDevicePrimaryCtxRetain;
  t.cuDevicePrimaryCtxRelease_v2 = cuDevicePrimaryCtxRelease;
  t.cuCtxSetCurrent = cuCtxSetCurrent;
  t.cuModuleLoadData = cuModuleLoadData;
  t.cuModuleUnload = cuModuleUnload;
  t.cuModuleGetFunction = cuModuleGetFunction;
  t.cuLaunchKernel = cuLaunchKernel;
  t.cuStreamCreate = cuStreamCreate;
  t.cuStreamDestroy_v2 = cuStreamDestroy;
  t.cuStreamSynchronize = cuStreamSynchronize;
  t.cuStreamWaitEvent = cuStreamWaitEvent;
  t.cuEventCreate = cuEventCreate;
  t.cuEventDestroy_v2 = cuEventDestroy;
  t.cuEventRecord = cuEventRecord;
  t.cuEventSynchronize = cuEventSynchronize;
  t.cuMemAlloc_v2 = cuMemAlloc;
  t.cuMemFree_v2 = cuMemFree;
  t.cuMemHostAlloc = cuMemHostAlloc;
  t.cuMemAllocManaged = cuMemAllocManaged;
  t.cuMemFreeHost = cuMemFreeHost;
  t.cuMemcpyHtoD_v2 = cuMemcpyHtoD;
  t.cuMemcpyDtoH_v2 = cuMemcpyDtoH;
  t.cuMemcpyHtoDAsync_v2 = cuMemcpyHtoDAsync;
  t.cuMemcpyDtoHAsync_v2 = cuMemcpyDtoHAsync;
  t.cuMemcpyAsync = cuMemcpyAsync;
  t.cuMemsetD32Async = cuMemsetD32Async;
  t.cublasCreate_v2 = cublasCreate;
  t.cublasDestroy_v2 = cublasDestroy;
  t.cublasSetStream_v2 = cublasSetStream;
  t.cublasSgemm_v2 = cublasSgemm;
  t.cublasSgeam = cublasSgeam;
  t.cudnnCreate = cudnnCreate;
  t.cudnnDestroy = cudnnDestroy;
  t.cudnnSetStream = cudnnSetStream;
  t.cudnnGetErrorString = cudnnGetErrorString;
  t.cudnnCreateTensorDescriptor = cudnnCreateTensorDescriptor;
  t.cudnnSetTensor4dDescriptor = cudnnSetTensor4dDescriptor;
  t.cudnnDestroyTensorDescriptor = cudnnDestroyTensorDescriptor;
  t.cudnnCreateFilterDescriptor = cudnnCreateFilterDescriptor;
  t.cudnnSetFilter4dDescriptor = cudnnSetFilter4dDescriptor;
  t.cudnnDestroyFilterDescriptor = cudnnDestroyFilterDescriptor;
  t.cudnnCreateConvolutionDescriptor = cudnnCreateConvolutionDescriptor;
  t.cudnnSetConvolution2dDescriptor = cudnnSetConvolution2dDescriptor;
  t.cudnnSetConvolutionMathType = cudnnSetConvolutionMathType;
  t.cudnnDestroyConvolutionDescriptor = cudnnDestroyConvolutionDescriptor;
  t.cudnnGetConvolutionForwardAlgorithm_v7 = fwdAlgo;
  t.cudnnGetConvolutionBackwardDataAlgorithm_v7 = bwdDataAlgo;
  t.cudnnGetConvolutionBackwardFilterAlgorithm_v7 = bwdFilterAlgo;
  t.cudnnGetConvolutionForwardWorkspaceSize = workspace;
  t.cudnnGetConvolutionBackwardDataWorkspaceSize = workspace;
  t.cudnnGetConvolutionBackwardFilterWorkspaceSize = workspace;
  t.cudnnConvolutionForward = convFwd;
  t.cudnnConvolutionBackwardData = convBwdData;
  t.cudnnConvolutionBackwardFilter = convBwdFilter;
  return t;
}

std::vector<std::string> FakeCuda::names(const std::string &prefix) const {
  std::vector<std::string> out;
  for (const Call &c : calls)
    if (c.name.compare(0, prefix.size(), prefix) == 0)
      out.push_back(c.name);
  return out;
}

int FakeCuda::count(const std::string &name) const {
  int n = 0;
  for (const Call &c : calls)
    n += c.name == name;
  return n;
}

const Call *FakeCuda::find(const std::string &name) const {
  for (const Call &c : calls)
    if (c.name == name)
      return &c;
  return nullptr;
}

int FakeCuda::indexOf(const std::string &name, size_t from) const {
  for (size_t i = from; i < calls.size(); ++i)
    if (calls[i].name == name)
      return int(i);
  return -1;
}

} // namespace weir::device::fake
