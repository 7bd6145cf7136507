// The CUDA driver, cuBLAS and cuDNN entry points Weir calls, as one table of
// function pointers filled with dlopen/dlsym (or by a test's fake).
#pragma once

#include "runtime/Status.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace weir::device::cuda {

// The ABI types, declared here rather than taken from cuda.h, cublas_api.h
// and cudnn.h so that this library builds without the CUDA toolkit.
// test/unit/device/CudaTypesCheck.cpp static_asserts them against the real
// headers when those are installed.
using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;

constexpr CUresult CUDA_SUCCESS = 0;
constexpr CUresult CUDA_ERROR_NO_DEVICE = 100;
constexpr unsigned CU_STREAM_NON_BLOCKING = 0x1;
constexpr unsigned CU_EVENT_DISABLE_TIMING = 0x2;
constexpr unsigned kMemHostAllocPortable = 0x1;
/// CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR / _MINOR.
constexpr int kAttributeComputeMajor = 75;
constexpr int kAttributeComputeMinor = 76;
/// CU_MEM_ATTACH_GLOBAL: managed memory any stream may access.
constexpr unsigned kMemAttachGlobal = 0x1;

using cublasStatus_t = int;
using cublasHandle_t = struct cublasContext *;
using cublasOperation_t = int;
constexpr cublasStatus_t CUBLAS_STATUS_SUCCESS = 0;
constexpr cublasOperation_t CUBLAS_OP_N = 0;
constexpr cublasOperation_t CUBLAS_OP_T = 1;

using cudnnStatus_t = int;
using cudnnHandle_t = struct cudnnContext *;
using cudnnTensorDescriptor_t = struct cudnnTensorStruct *;
using cudnnFilterDescriptor_t = struct cudnnFilterStruct *;
using cudnnConvolutionDescriptor_t = struct cudnnConvolutionStruct *;
constexpr cudnnStatus_t CUDNN_STATUS_SUCCESS = 0;
constexpr int CUDNN_TENSOR_NHWC = 1;
constexpr int CUDNN_DATA_FLOAT = 0;
constexpr int CUDNN_CROSS_CORRELATION = 1;
constexpr int CUDNN_FMA_MATH = 3;

/// cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t share this layout.
struct cudnnAlgoPerf {
  int algo;
  cudnnStatus_t status;
  float time;
  size_t memory;
  int determinism;
  int mathType;
  int reserved[3];
};

/// Every entry point, named as the library exports it (the `_v2` suffixes
/// are what cuda.h's macros resolve to). A null pointer is a function that
/// was not loaded: the driver part is all or nothing, the cuBLAS and cuDNN
/// parts are loaded on first use.
struct CudaApi {
  // --- driver (libcuda.so.1) ---
  CUresult (*cuInit)(unsigned flags) = nullptr;
  CUresult (*cuGetErrorName)(CUresult, const char **) = nullptr;
  CUresult (*cuDeviceGetCount)(int *) = nullptr;
  CUresult (*cuDeviceGet)(CUdevice *, int ordinal) = nullptr;
  CUresult (*cuDeviceGetName)(char *, int, CUdevice) = nullptr;
  CUresult (*cuDeviceGetAttribute)(int *, int attribute, CUdevice) = nullptr;
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice) = nullptr;
  CUresult (*cuDevicePrimaryCtxRelease_v2)(CUdevice) = nullptr;
  CUresult (*cuCtxSetCurrent)(CUcontext) = nullptr;
  CUresult (*cuModuleLoadData)(CUmodule *, const void *image) = nullptr;
  CUresult (*cuModuleUnload)(CUmodule) = nullptr;
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule,
                                  const char *) = nullptr;
  CUresult (*cuLaunchKernel)(CUfunction, unsigned gx, unsigned gy,
                             unsigned gz, unsigned bx, unsigned by,
                             unsigned bz, unsigned smem, CUstream,
                             void **params, void **extra) = nullptr;
  CUresult (*cuStreamCreate)(CUstream *, unsigned flags) = nullptr;
  CUresult (*cuStreamDestroy_v2)(CUstream) = nullptr;
  CUresult (*cuStreamSynchronize)(CUstream) = nullptr;
  CUresult (*cuStreamWaitEvent)(CUstream, CUevent, unsigned) = nullptr;
  CUresult (*cuEventCreate)(CUevent *, unsigned flags) = nullptr;
  CUresult (*cuEventDestroy_v2)(CUevent) = nullptr;
  CUresult (*cuEventRecord)(CUevent, CUstream) = nullptr;
  CUresult (*cuEventSynchronize)(CUevent) = nullptr;
  CUresult (*cuMemAlloc_v2)(CUdeviceptr *, size_t) = nullptr;
  CUresult (*cuMemFree_v2)(CUdeviceptr) = nullptr;
  CUresult (*cuMemHostAlloc)(void **, size_t, unsigned flags) = nullptr;
  CUresult (*cuMemAllocManaged)(CUdeviceptr *, size_t, unsigned flags) = nullptr;
  CUresult (*cuMemFreeHost)(void *) = nullptr;
  CUresult (*cuMemcpyHtoD_v2)(CUdeviceptr, const void *, size_t) = nullptr;
  CUresult (*cuMemcpyDtoH_v2)(void *, CUdeviceptr, size_t) = nullptr;
  CUresult (*cuMemcpyHtoDAsync_v2)(CUdeviceptr, const void *, size_t,
                                   CUstream) = nullptr;
  CUresult (*cuMemcpyDtoHAsync_v2)(void *, CUdeviceptr, size_t,
                                   CUstream) = nullptr;
  CUresult (*cuMemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t,
                            CUstream) = nullptr;
  CUresult (*cuMemsetD32Async)(CUdeviceptr, unsigned, size_t,
                               CUstream) = nullptr;

  // --- cuBLAS (libcublas.so.13) ---
  cublasStatus_t (*cublasCreate_v2)(cublasHandle_t *) = nullptr;
  cublasStatus_t (*cublasDestroy_v2)(cublasHandle_t) = nullptr;
  cublasStatus_t (*cublasSetStream_v2)(cublasHandle_t, CUstream) = nullptr;
  cublasStatus_t (*cublasSgemm_v2)(cublasHandle_t, cublasOperation_t,
                                   cublasOperation_t, int m, int n, int k,
                                   const float *alpha, const float *a,
                                   int lda, const float *b, int ldb,
                                   const float *beta, float *c,
                                   int ldc) = nullptr;
  cublasStatus_t (*cublasSgeam)(cublasHandle_t, cublasOperation_t,
                                cublasOperation_t, int m, int n,
                                const float *alpha, const float *a, int lda,
                                const float *beta, const float *b, int ldb,
                                float *c, int ldc) = nullptr;

  // --- cuDNN (libcudnn.so.9) ---
  cudnnStatus_t (*cudnnCreate)(cudnnHandle_t *) = nullptr;
  cudnnStatus_t (*cudnnDestroy)(cudnnHandle_t) = nullptr;
  cudnnStatus_t (*cudnnSetStream)(cudnnHandle_t, CUstream) = nullptr;
  const char *(*cudnnGetErrorString)(cudnnStatus_t) = nullptr;
  cudnnStatus_t (*cudnnCreateTensorDescriptor)(
      cudnnTensorDescriptor_t *) = nullptr;
  cudnnStatus_t (*cudnnSetTensor4dDescriptor)(cudnnTensorDescriptor_t,
                                              int format, int dataType,
                                              int n, int c, int h,
                                              int w) = nullptr;
  cudnnStatus_t (*cudnnDestroyTensorDescriptor)(
      cudnnTensorDescriptor_t) = nullptr;
  cudnnStatus_t (*cudnnCreateFilterDescriptor)(
      cudnnFilterDescriptor_t *) = nullptr;
  cudnnStatus_t (*cudnnSetFilter4dDescriptor)(cudnnFilterDescriptor_t,
                                              int dataType, int format,
                                              int k, int c, int h,
                                              int w) = nullptr;
  cudnnStatus_t (*cudnnDestroyFilterDescriptor)(
      cudnnFilterDescriptor_t) = nullptr;
  cudnnStatus_t (*cudnnCreateConvolutionDescriptor)(
      cudnnConvolutionDescriptor_t *) = nullptr;
  cudnnStatus_t (*cudnnSetConvolution2dDescriptor)(
      cudnnConvolutionDescriptor_t, int padH, int padW, int strideH,
      int strideW, int dilationH, int dilationW, int mode,
      int computeType) = nullptr;
  cudnnStatus_t (*cudnnSetConvolutionMathType)(cudnnConvolutionDescriptor_t,
                                               int mathType) = nullptr;
  cudnnStatus_t (*cudnnDestroyConvolutionDescriptor)(
      cudnnConvolutionDescriptor_t) = nullptr;
  cudnnStatus_t (*cudnnGetConvolutionForwardAlgorithm_v7)(
      cudnnHandle_t, cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w,
      cudnnConvolutionDescriptor_t, cudnnTensorDescriptor_t y, int requested,
      int *returned, cudnnAlgoPerf *) = nullptr;
  cudnnStatus_t (*cudnnGetConvolutionBackwardDataAlgorithm_v7)(
      cudnnHandle_t, cudnnFilterDescriptor_t w, cudnnTensorDescriptor_t dy,
      cudnnConvolutionDescriptor_t, cudnnTensorDescriptor_t dx,
      int requested, int *returned, cudnnAlgoPerf *) = nullptr;
  cudnnStatus_t (*cudnnGetConvolutionBackwardFilterAlgorithm_v7)(
      cudnnHandle_t, cudnnTensorDescriptor_t x, cudnnTensorDescriptor_t dy,
      cudnnConvolutionDescriptor_t, cudnnFilterDescriptor_t dw,
      int requested, int *returned, cudnnAlgoPerf *) = nullptr;
  cudnnStatus_t (*cudnnGetConvolutionForwardWorkspaceSize)(
      cudnnHandle_t, cudnnTensorDescriptor_t x, cudnnFilterDescriptor_t w,
      cudnnConvolutionDescriptor_t, cudnnTensorDescriptor_t y, int algo,
      size_t *) = nullptr;
  cudnnStatus_t (*cudnnGetConvolutionBackwardDataWorkspaceSize)(
      cudnnHandle_t, cudnnFilterDescriptor_t w, cudnnTensorDescriptor_t dy,
      cudnnConvolutionDescriptor_t, cudnnTensorDescriptor_t dx, int algo,
      size_t *) = nullptr;
  cudnnStatus_t (*cudnnGetConvolutionBackwardFilterWorkspaceSize)(
      cudnnHandle_t, cudnnTensorDescriptor_t x, cudnnTensorDescriptor_t dy,
      cudnnConvolutionDescriptor_t, cudnnFilterDescriptor_t dw, int algo,
      size_t *) = nullptr;
  cudnnStatus_t (*cudnnConvolutionForward)(
      cudnnHandle_t, const void *alpha, cudnnTensorDescriptor_t xDesc,
      const void *x, cudnnFilterDescriptor_t wDesc, const void *w,
      cudnnConvolutionDescriptor_t, int algo, void *workspace,
      size_t workspaceBytes, const void *beta, cudnnTensorDescriptor_t yDesc,
      void *y) = nullptr;
  cudnnStatus_t (*cudnnConvolutionBackwardData)(
      cudnnHandle_t, const void *alpha, cudnnFilterDescriptor_t wDesc,
      const void *w, cudnnTensorDescriptor_t dyDesc, const void *dy,
      cudnnConvolutionDescriptor_t, int algo, void *workspace,
      size_t workspaceBytes, const void *beta,
      cudnnTensorDescriptor_t dxDesc, void *dx) = nullptr;
  cudnnStatus_t (*cudnnConvolutionBackwardFilter)(
      cudnnHandle_t, const void *alpha, cudnnTensorDescriptor_t xDesc,
      const void *x, cudnnTensorDescriptor_t dyDesc, const void *dy,
      cudnnConvolutionDescriptor_t, int algo, void *workspace,
      size_t workspaceBytes, const void *beta,
      cudnnFilterDescriptor_t dwDesc, void *dw) = nullptr;

  bool hasDriver() const { return cuInit != nullptr; }
  bool hasCublas() const { return cublasCreate_v2 != nullptr; }
  bool hasCudnn() const { return cudnnCreate != nullptr; }
};

/// Why the driver could not be loaded, in two lengths: `reason` fits in
/// "no CUDA device (<reason>)", `message` is a whole sentence for
/// --device=cuda.
struct DriverLoadError {
  std::string reason;
  std::string message;
};

/// Fills the driver part of `api` from libcuda.so.1 (dlopen, never linked),
/// or says why not. The library stays loaded for the life of the process.
Status loadDriver(CudaApi &api, DriverLoadError *why = nullptr);
/// Fills the cuBLAS part from libcublas.so.13 (or libcublas.so).
Status loadCublas(CudaApi &api);
/// Fills the cuDNN part from libcudnn.so.9 (or libcudnn.so).
Status loadCudnn(CudaApi &api);

/// "cuMemAlloc failed: CUDA_ERROR_OUT_OF_MEMORY", using the table's
/// cuGetErrorName when it has one.
std::string driverError(const CudaApi &api, const char *call, CUresult r);

} // namespace weir::device::cuda
