// Compile-time check that CudaApi.h's hand-declared CUDA ABI matches the
// real cuda.h, cublas_api.h and cudnn.h (built only when they are installed).
#include "runtime/device/CudaApi.h"

#include <cublas_api.h>
#include <cuda.h>
#include <cudnn.h>

#include <cstddef>

namespace w = weir::device::cuda;

static_assert(sizeof(w::CUresult) == sizeof(::CUresult));
static_assert(sizeof(w::CUdevice) == sizeof(::CUdevice));
static_assert(sizeof(w::CUdeviceptr) == sizeof(::CUdeviceptr));
static_assert(w::CUDA_SUCCESS == ::CUDA_SUCCESS);
static_assert(w::CUDA_ERROR_NO_DEVICE == ::CUDA_ERROR_NO_DEVICE);
static_assert(w::CU_STREAM_NON_BLOCKING == ::CU_STREAM_NON_BLOCKING);
static_assert(w::CU_EVENT_DISABLE_TIMING == ::CU_EVENT_DISABLE_TIMING);
static_assert(w::kMemHostAllocPortable == CU_MEMHOSTALLOC_PORTABLE);

static_assert(sizeof(w::cublasStatus_t) == sizeof(::cublasStatus_t));
static_assert(sizeof(w::cublasOperation_t) == sizeof(::cublasOperation_t));
static_assert(w::CUBLAS_STATUS_SUCCESS == ::CUBLAS_STATUS_SUCCESS);
static_assert(w::CUBLAS_OP_N == ::CUBLAS_OP_N);
static_assert(w::CUBLAS_OP_T == ::CUBLAS_OP_T);

static_assert(sizeof(int) == sizeof(::cudnnTensorFormat_t));
static_assert(sizeof(int) == sizeof(::cudnnDataType_t));
static_assert(w::CUDNN_STATUS_SUCCESS == ::CUDNN_STATUS_SUCCESS);
static_assert(w::CUDNN_TENSOR_NHWC == ::CUDNN_TENSOR_NHWC);
static_assert(w::CUDNN_DATA_FLOAT == ::CUDNN_DATA_FLOAT);
static_assert(w::CUDNN_CROSS_CORRELATION == ::CUDNN_CROSS_CORRELATION);
static_assert(w::CUDNN_FMA_MATH == ::CUDNN_FMA_MATH);

#define SAME_LAYOUT(T)                                                         \
  static_assert(sizeof(w::cudnnAlgoPerf) == sizeof(T));                        \
  static_assert(offsetof(w::cudnnAlgoPerf, memory) == offsetof(T, memory));    \
  static_assert(offsetof(w::cudnnAlgoPerf, mathType) == offsetof(T, mathType))
SAME_LAYOUT(::cudnnConvolutionFwdAlgoPerf_t);
SAME_LAYOUT(::cudnnConvolutionBwdDataAlgoPerf_t);
SAME_LAYOUT(::cudnnConvolutionBwdFilterAlgoPerf_t);
