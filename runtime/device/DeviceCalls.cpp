// weir_cublas_* / weir_cudnn_*: compiled code's library calls, dispatched to
// the current device.
#include "runtime/device/DeviceCalls.h"
#include "runtime/device/Device.h"

#include <string>

namespace weir::device {

namespace {
thread_local std::string lastError;
} // namespace

/// Records `s` as this thread's last error; returns the C status.
int32_t reportError(const Status &s) {
  if (s.ok())
    return 0;
  lastError = s.message();
  return 1;
}

namespace {

Device &callDevice() {
  static std::unique_ptr<Device> cpu = makeCpuDevice();
  Device *d = currentDevice();
  return d ? *d : *cpu;
}

Result<Matrix> matrix(const WeirMemRef2D *m, const char *name) {
  if (!m || !m->aligned)
    return Status::error(std::string("gemm: ") + name + " is null");
  if (m->strides[1] != 1)
    return Status::error(std::string("gemm: ") + name +
                         " is not row-major with unit column stride");
  Matrix out;
  out.data = static_cast<float *>(m->aligned) + m->offset;
  out.rows = m->sizes[0];
  out.cols = m->sizes[1];
  out.rowStride = m->strides[0];
  return out;
}

Result<Tensor4> tensor(const WeirMemRef4D *t, const char *name) {
  if (!t || !t->aligned)
    return Status::error(std::string("conv2d: ") + name + " is null");
  int64_t expect = 1;
  for (int i = 3; i >= 0; --i) {
    if (t->sizes[i] != 1 && t->strides[i] != expect)
      return Status::error(std::string("conv2d: ") + name +
                           " is not contiguous");
    expect *= t->sizes[i];
  }
  Tensor4 out;
  out.data = static_cast<float *>(t->aligned) + t->offset;
  for (int i = 0; i < 4; ++i)
    out.dims[i] = t->sizes[i];
  return out;
}

int32_t conv(ConvKind kind, const WeirMemRef4D *x, const WeirMemRef4D *w,
             const WeirMemRef4D *y, int64_t sh, int64_t sw, int64_t ph,
             int64_t pw, int64_t dh, int64_t dw, float alpha, float beta) {
  Result<Tensor4> tx = tensor(x, "x"), tw = tensor(w, "w"),
                  ty = tensor(y, "y");
  for (const Result<Tensor4> *t : {&tx, &tw, &ty})
    if (!t->ok())
      return reportError(t->status());
  Conv2dArgs args;
  args.x = *tx;
  args.w = *tw;
  args.y = *ty;
  args.strideH = sh;
  args.strideW = sw;
  args.padH = ph;
  args.padW = pw;
  args.dilationH = dh;
  args.dilationW = dw;
  args.alpha = alpha;
  args.beta = beta;
  Device &d = callDevice();
  return reportError(d.conv2d(kind, args, d.computeStream()));
}

} // namespace
} // namespace weir::device

using namespace weir;
using namespace weir::device;

extern "C" {

int32_t weir_cublas_gemm_f32(const WeirMemRef2D *a, const WeirMemRef2D *b,
                             const WeirMemRef2D *c, int32_t transA,
                             int32_t transB, float alpha, float beta) {
  Result<Matrix> ma = matrix(a, "A"), mb = matrix(b, "B"), mc = matrix(c, "C");
  for (const Result<Matrix> *m : {&ma, &mb, &mc})
    if (!m->ok())
      return reportError(m->status());
  GemmArgs args;
  args.a = *ma;
  args.b = *mb;
  args.c = *mc;
  args.transA = transA != 0;
  args.transB = transB != 0;
  args.alpha = alpha;
  args.beta = beta;
  Device &d = callDevice();
  return reportError(d.gemm(args, d.computeStream()));
}

int32_t weir_cudnn_conv2d_fwd_f32(const WeirMemRef4D *x,
                                  const WeirMemRef4D *w,
                                  const WeirMemRef4D *y, int64_t sh,
                                  int64_t sw, int64_t ph, int64_t pw,
                                  int64_t dh, int64_t dw,
                                  float alpha, float beta) {
  return conv(ConvKind::Forward, x, w, y, sh, sw, ph, pw, dh, dw, alpha, beta);
}

int32_t weir_cudnn_conv2d_bwd_data_f32(const WeirMemRef4D *x,
                                       const WeirMemRef4D *w,
                                       const WeirMemRef4D *y, int64_t sh,
                                       int64_t sw, int64_t ph, int64_t pw,
                                       int64_t dh, int64_t dw,
                                       float alpha, float beta) {
  return conv(ConvKind::BackwardData, x, w, y, sh, sw, ph, pw, dh, dw, alpha, beta);
}

int32_t weir_cudnn_conv2d_bwd_filter_f32(const WeirMemRef4D *x,
                                         const WeirMemRef4D *w,
                                         const WeirMemRef4D *y, int64_t sh,
                                         int64_t sw, int64_t ph, int64_t pw,
                                         int64_t dh, int64_t dw,
                                         float alpha, float beta) {
  return conv(ConvKind::BackwardFilter, x, w, y, sh, sw, ph, pw, dh, dw, alpha, beta);
}

// The names a declaration with llvm.emit_c_interface calls.
int32_t _mlir_ciface_weir_cublas_gemm_f32(const WeirMemRef2D *a,
                                          const WeirMemRef2D *b,
                                          const WeirMemRef2D *c, int32_t ta,
                                          int32_t tb, float alpha,
                                          float beta) {
  return weir_cublas_gemm_f32(a, b, c, ta, tb, alpha, beta);
}
int32_t _mlir_ciface_weir_cudnn_conv2d_fwd_f32(
    const WeirMemRef4D *x, const WeirMemRef4D *w, const WeirMemRef4D *y,
    int64_t sh, int64_t sw, int64_t ph, int64_t pw, int64_t dh, int64_t dw,
    float alpha, float beta) {
  return weir_cudnn_conv2d_fwd_f32(x, w, y, sh, sw, ph, pw, dh, dw, alpha, beta);
}
int32_t _mlir_ciface_weir_cudnn_conv2d_bwd_data_f32(
    const WeirMemRef4D *x, const WeirMemRef4D *w, const WeirMemRef4D *y,
    int64_t sh, int64_t sw, int64_t ph, int64_t pw, int64_t dh, int64_t dw,
    float alpha, float beta) {
  return weir_cudnn_conv2d_bwd_data_f32(x, w, y, sh, sw, ph, pw, dh, dw, alpha, beta);
}
int32_t _mlir_ciface_weir_cudnn_conv2d_bwd_filter_f32(
    const WeirMemRef4D *x, const WeirMemRef4D *w, const WeirMemRef4D *y,
    int64_t sh, int64_t sw, int64_t ph, int64_t pw, int64_t dh, int64_t dw,
    float alpha, float beta) {
  return weir_cudnn_conv2d_bwd_filter_f32(x, w, y, sh, sw, ph, pw, dh, dw, alpha, beta);
}

const char *weir_device_last_error(void) { return lastError.c_str(); }
void weir_device_clear_error(void) { lastError.clear(); }

} // extern "C"

std::vector<std::pair<std::string, void *>> weir::device::compiledCodeSymbols() {
  auto fn = [](auto *f) { return reinterpret_cast<void *>(f); };
  return {
      {"_mlir_ciface_weir_cublas_gemm_f32", fn(_mlir_ciface_weir_cublas_gemm_f32)},
      {"_mlir_ciface_weir_cudnn_conv2d_fwd_f32", fn(_mlir_ciface_weir_cudnn_conv2d_fwd_f32)},
      {"_mlir_ciface_weir_cudnn_conv2d_bwd_data_f32",
       fn(_mlir_ciface_weir_cudnn_conv2d_bwd_data_f32)},
      {"_mlir_ciface_weir_cudnn_conv2d_bwd_filter_f32",
       fn(_mlir_ciface_weir_cudnn_conv2d_bwd_filter_f32)},
      {"weir_cublas_gemm_f32", fn(weir_cublas_gemm_f32)},
      {"weir_cudnn_conv2d_fwd_f32", fn(weir_cudnn_conv2d_fwd_f32)},
      {"weir_cudnn_conv2d_bwd_data_f32", fn(weir_cudnn_conv2d_bwd_data_f32)},
      {"weir_cudnn_conv2d_bwd_filter_f32", fn(weir_cudnn_conv2d_bwd_filter_f32)},
      {"weir_device_last_error", fn(weir_device_last_error)},
      {"mgpuModuleLoad", fn(mgpuModuleLoad)},
      {"mgpuModuleLoadJIT", fn(mgpuModuleLoadJIT)},
      {"mgpuModuleUnload", fn(mgpuModuleUnload)},
      {"mgpuModuleGetFunction", fn(mgpuModuleGetFunction)},
      {"mgpuLaunchKernel", fn(mgpuLaunchKernel)},
      {"mgpuStreamCreate", fn(mgpuStreamCreate)},
      {"mgpuStreamDestroy", fn(mgpuStreamDestroy)},
      {"mgpuStreamSynchronize", fn(mgpuStreamSynchronize)},
      {"mgpuStreamWaitEvent", fn(mgpuStreamWaitEvent)},
      {"mgpuEventCreate", fn(mgpuEventCreate)},
      {"mgpuEventDestroy", fn(mgpuEventDestroy)},
      {"mgpuEventSynchronize", fn(mgpuEventSynchronize)},
      {"mgpuEventRecord", fn(mgpuEventRecord)},
      {"mgpuMemAlloc", fn(mgpuMemAlloc)},
      {"mgpuMemFree", fn(mgpuMemFree)},
      {"mgpuMemcpy", fn(mgpuMemcpy)},
      {"mgpuMemset32", fn(mgpuMemset32)},
      {"mgpuSetDefaultDevice", fn(mgpuSetDefaultDevice)},
  };
}
