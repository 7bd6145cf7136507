// GPU tests: cuBLAS GEMMs and cuDNN convolutions on the real CUDA device
// against the CPU device, printed as a comparison table. Without a GPU it
// prints "SKIPPED: <reason>" and exits 0 (ctest marks it skipped).
#include "runtime/device/Device.h"
#include "runtime/device/HostKernels.h"

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

using namespace weir;
using namespace weir::device;

namespace {

constexpr double kTolerance = 1e-4; // fp32 relative error, max-norm

std::vector<float> randoms(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(gen);
  return v;
}

/// max |got - want| / max |want|.
double relError(const std::vector<float> &got, const std::vector<float> &want) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    diff = std::max(diff, std::fabs(double(got[i]) - want[i]));
    scale = std::max(scale, std::fabs(double(want[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

/// Device buffers holding copies of host vectors, freed at the end.
struct Buffers {
  Device &dev;
  std::vector<void *> ptrs;
  Result<float *> upload(const std::vector<float> &host) {
    Result<void *> p = dev.allocate(host.size() * sizeof(float));
    if (!p.ok())
      return p.status();
    ptrs.push_back(*p);
    WEIR_RETURN_IF_ERROR(
        dev.copyToDevice(*p, host.data(), host.size() * sizeof(float)));
    return static_cast<float *>(*p);
  }
  ~Buffers() {
    for (void *p : ptrs)
      (void)dev.deallocate(p);
  }
};

struct Row {
  std::string name;
  double err = 0;
  std::string error; ///< a failed call
};

Row gemmCase(Device &gpu, int64_t m, int64_t k, int64_t n, bool ta, bool tb) {
  Row row{"gemm " + std::to_string(m) + "x" + std::to_string(k) + "x" +
              std::to_string(n) + (ta ? " A^T" : "") + (tb ? " B^T" : ""),
          0, ""};
  std::vector<float> a = randoms(m * k, 1), b = randoms(k * n, 2),
                     want(m * n), got(m * n);
  auto args = [&](float *pa, float *pb, float *pc) {
    GemmArgs g;
    g.a = ta ? Matrix{pa, k, m, m} : Matrix{pa, m, k, k};
    g.b = tb ? Matrix{pb, n, k, k} : Matrix{pb, k, n, n};
    g.c = {pc, m, n, n};
    g.transA = ta;
    g.transB = tb;
    return g;
  };
  std::unique_ptr<Device> cpu = makeCpuDevice();
  Status s = cpu->gemm(args(a.data(), b.data(), want.data()), nullptr);
  Buffers bufs{gpu, {}};
  Result<float *> da = bufs.upload(a), db = bufs.upload(b),
                  dc = bufs.upload(got);
  if (s.ok() && da.ok() && db.ok() && dc.ok())
    s = gpu.gemm(args(*da, *db, *dc), nullptr);
  if (s.ok() && dc.ok())
    s = gpu.copyToHost(got.data(), *dc, got.size() * sizeof(float));
  for (const Result<float *> *r : {&da, &db, &dc})
    if (s.ok() && !r->ok())
      s = r->status();
  if (!s.ok())
    row.error = s.message();
  row.err = relError(got, want);
  return row;
}

Row convCase(Device &gpu, ConvKind kind, int64_t stride, int64_t pad) {
  const char *names[] = {"conv fwd", "conv bwd_data", "conv bwd_filter"};
  const int64_t N = 2, H = 9, W = 9, C = 3, KH = 3, KW = 3, F = 8;
  const int64_t OH = (H + 2 * pad - KH) / stride + 1,
                OW = (W + 2 * pad - KW) / stride + 1;
  Row row{std::string(names[int(kind)]) + " 2x9x9x3 * 3x3x3x8 s" +
          std::to_string(stride) + " p" + std::to_string(pad), 0, ""};
  std::vector<float> x = randoms(N * H * W * C, 3),
                     w = randoms(KH * KW * C * F, 4),
                     y = randoms(N * OH * OW * F, 5);
  auto args = [&](float *px, float *pw, float *py) {
    Conv2dArgs c;
    c.x = {px, {N, H, W, C}};
    c.w = {pw, {KH, KW, C, F}};
    c.y = {py, {N, OH, OW, F}};
    c.strideH = c.strideW = stride;
    c.padH = c.padW = pad;
    return c;
  };
  std::vector<float> &out = kind == ConvKind::Forward        ? y
                            : kind == ConvKind::BackwardData ? x
                                                             : w;
  Buffers bufs{gpu, {}};
  Result<float *> dx = bufs.upload(x), dw = bufs.upload(w),
                  dy = bufs.upload(y);
  std::unique_ptr<Device> cpu = makeCpuDevice();
  Status s = cpu->conv2d(kind, args(x.data(), w.data(), y.data()), nullptr);
  std::vector<float> want = out, got(out.size());
  float *dout = kind == ConvKind::Forward        ? (dy.ok() ? *dy : nullptr)
                : kind == ConvKind::BackwardData ? (dx.ok() ? *dx : nullptr)
                                                 : (dw.ok() ? *dw : nullptr);
  for (const Result<float *> *r : {&dx, &dw, &dy})
    if (s.ok() && !r->ok())
      s = r->status();
  if (s.ok())
    s = gpu.conv2d(kind, args(*dx, *dw, *dy), nullptr);
  if (s.ok())
    s = gpu.copyToHost(got.data(), dout, got.size() * sizeof(float));
  if (!s.ok())
    row.error = s.message();
  row.err = relError(got, want);
  return row;
}

} // namespace

int main() {
  CudaProbe probe = probeCuda();
  if (!probe.available) {
    std::printf("SKIPPED: no CUDA device (%s)\n", probe.reason.c_str());
    return 0;
  }
  Result<std::unique_ptr<Device>> opened = openCudaDevice();
  if (!opened.ok()) {
    std::printf("FAILED: %s\n", opened.status().message().c_str());
    return 1;
  }
  Device &gpu = **opened;
  std::printf("%s vs cpu (fp32, max-norm relative error, tolerance %.0e)\n\n",
              gpu.name().c_str(), kTolerance);
  std::vector<Row> rows = {
      gemmCase(gpu, 64, 128, 32, false, false),
      gemmCase(gpu, 128, 784, 64, false, false),
      gemmCase(gpu, 33, 17, 65, true, false),
      gemmCase(gpu, 33, 17, 65, false, true),
      gemmCase(gpu, 33, 17, 65, true, true),
      convCase(gpu, ConvKind::Forward, 1, 1),
      convCase(gpu, ConvKind::Forward, 2, 0),
      convCase(gpu, ConvKind::BackwardData, 1, 1),
      convCase(gpu, ConvKind::BackwardFilter, 1, 1),
  };
  int failed = 0;
  std::printf("%-40s %12s  %s\n", "case", "rel err", "result");
  for (const Row &r : rows) {
    bool ok = r.error.empty() && r.err < kTolerance;
    failed += !ok;
    std::printf("%-40s %12.3e  %s\n", r.name.c_str(), r.err,
                ok ? "ok" : r.error.empty() ? "FAIL" : r.error.c_str());
  }
  std::printf("\n%zu cases, %d failed\n", rows.size(), failed);
  return failed ? 1 : 0;
}
