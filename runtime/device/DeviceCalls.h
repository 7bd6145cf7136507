// The C functions compiled code calls for library operations (GEMM through
// cuBLAS, convolutions through cuDNN) on the current device, and the mgpu*
// functions MLIR's gpu-to-llvm host code calls.
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A ranked memref descriptor as MLIR lays it out (what a function declared
/// with `llvm.emit_c_interface` receives a pointer to).
typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset; /* in elements */
  int64_t sizes[2];
  int64_t strides[2];
} WeirMemRef2D;

typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[4];
  int64_t strides[4];
} WeirMemRef4D;

/* Library calls. Each returns 0 on success and 1 on error, whose message
 * weir_device_last_error() then gives. They run on the current device
 * (weir::device::currentDevice(); the CPU when none is set), on its compute
 * stream, and are asynchronous on a GPU. Every memref is f32 and row-major
 * with unit innermost stride. In MLIR, declare e.g.
 *
 *   func.func private @weir_cublas_gemm_f32(memref<?x?xf32>, memref<?x?xf32>,
 *       memref<?x?xf32>, i32, i32, f32, f32) -> i32
 *       attributes {llvm.emit_c_interface}
 *
 * which calls _mlir_ciface_weir_cublas_gemm_f32 with descriptor pointers;
 * both names are defined. */

/// C = alpha * op(A) * op(B) + beta * C; op(X) is X^T when transX != 0.
/// op(A) is [M, K], op(B) [K, N], C [M, N].
int32_t weir_cublas_gemm_f32(const WeirMemRef2D *a, const WeirMemRef2D *b,
                             const WeirMemRef2D *c, int32_t transA,
                             int32_t transB, float alpha, float beta);

/* 2-D convolution (cross-correlation) with linalg.conv_2d_nhwc_hwcf's
 * layouts: x [N, H, W, C], w [KH, KW, C, F], y [N, OH, OW, F], symmetric
 * zero padding. All three take (x, w, y) in that order and update one,
 * out = alpha * result + beta * out (beta = 1 accumulates, as linalg's
 * destination-passing ops do; 0 overwrites):
 *   fwd:        y  = conv(x, w)
 *   bwd_data:   x  = dL/dx given y = dL/dy and w
 *   bwd_filter: w  = dL/dw given x and y = dL/dy */
int32_t weir_cudnn_conv2d_fwd_f32(const WeirMemRef4D *x,
                                  const WeirMemRef4D *w,
                                  const WeirMemRef4D *y, int64_t strideH,
                                  int64_t strideW, int64_t padH, int64_t padW,
                                  int64_t dilationH, int64_t dilationW,
                                  float alpha, float beta);
int32_t weir_cudnn_conv2d_bwd_data_f32(const WeirMemRef4D *x,
                                       const WeirMemRef4D *w,
                                       const WeirMemRef4D *y,
                                       int64_t strideH, int64_t strideW,
                                       int64_t padH, int64_t padW,
                                       int64_t dilationH, int64_t dilationW,
                                       float alpha, float beta);
int32_t weir_cudnn_conv2d_bwd_filter_f32(const WeirMemRef4D *x,
                                         const WeirMemRef4D *w,
                                         const WeirMemRef4D *y,
                                         int64_t strideH, int64_t strideW,
                                         int64_t padH, int64_t padW,
                                         int64_t dilationH,
                                         int64_t dilationW,
                                         float alpha, float beta);

/// The last error of a weir_* or mgpu* call on this thread ("" if none).
const char *weir_device_last_error(void);
/// Forgets it.
void weir_device_clear_error(void);

/* The host-side runtime of MLIR 22's gpu-to-llvm (the signatures its
 * generated code declares). Streams are the current device's compute
 * stream; modules load on their first launch, so the global constructor
 * that calls mgpuModuleLoad touches no GPU. Errors go to stderr and to
 * weir_device_last_error(). */
void *mgpuModuleLoad(void *data, uint64_t bytes);
void *mgpuModuleLoadJIT(void *data, int optLevel);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, uint64_t paramsCount);
void *mgpuStreamCreate(void);
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);
void *mgpuEventCreate(void);
void mgpuEventDestroy(void *event);
void mgpuEventSynchronize(void *event);
void mgpuEventRecord(void *event, void *stream);
void *mgpuMemAlloc(uint64_t bytes, void *stream, bool isHostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, uint64_t bytes, void *stream);
void mgpuMemset32(void *dst, uint32_t value, uint64_t count, void *stream);
void mgpuSetDefaultDevice(int32_t device);

#ifdef __cplusplus
} // extern "C"
#endif
