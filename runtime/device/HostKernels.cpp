// Plain host loops for GEMM and 2-D convolution, and the shape checks.
#include "runtime/device/HostKernels.h"

#include <string>
#include <vector>

namespace weir::device {
namespace {

std::string dims(const Tensor4 &t) {
  return "[" + std::to_string(t.dims[0]) + ", " + std::to_string(t.dims[1]) +
         ", " + std::to_string(t.dims[2]) + ", " + std::to_string(t.dims[3]) +
         "]";
}

float at(const Matrix &m, bool trans, int64_t i, int64_t j) {
  return trans ? m.data[j * m.rowStride + i * m.colStride]
               : m.data[i * m.rowStride + j * m.colStride];
}

} // namespace

Status checkGemm(const GemmArgs &g) {
  int64_t m = g.transA ? g.a.cols : g.a.rows;
  int64_t k = g.transA ? g.a.rows : g.a.cols;
  int64_t kb = g.transB ? g.b.cols : g.b.rows;
  int64_t n = g.transB ? g.b.rows : g.b.cols;
  if (k != kb)
    return Status::error("gemm: op(A) is [" + std::to_string(m) + ", " +
                         std::to_string(k) + "] but op(B) is [" +
                         std::to_string(kb) + ", " + std::to_string(n) + "]");
  if (g.c.rows != m || g.c.cols != n)
    return Status::error("gemm: C is [" + std::to_string(g.c.rows) + ", " +
                         std::to_string(g.c.cols) + "], expected [" +
                         std::to_string(m) + ", " + std::to_string(n) + "]");
  for (const Matrix *x : {&g.a, &g.b, &g.c})
    if (x->colStride != 1 || x->rowStride < x->cols)
      return Status::error("gemm: operands must be row-major with unit "
                           "column stride and row stride >= columns");
  return Status::success();
}

Status checkConv2d(const Conv2dArgs &c) {
  const int64_t *x = c.x.dims, *w = c.w.dims, *y = c.y.dims;
  if (c.strideH < 1 || c.strideW < 1 || c.dilationH < 1 || c.dilationW < 1 ||
      c.padH < 0 || c.padW < 0)
    return Status::error("conv2d: strides and dilations must be >= 1 and "
                         "padding >= 0");
  if (w[2] != x[3])
    return Status::error("conv2d: filter " + dims(c.w) + " has " +
                         std::to_string(w[2]) + " input channels, input " +
                         dims(c.x) + " has " + std::to_string(x[3]));
  int64_t oh =
      (x[1] + 2 * c.padH - c.dilationH * (w[0] - 1) - 1) / c.strideH + 1;
  int64_t ow =
      (x[2] + 2 * c.padW - c.dilationW * (w[1] - 1) - 1) / c.strideW + 1;
  if (y[0] != x[0] || y[1] != oh || y[2] != ow || y[3] != w[3])
    return Status::error("conv2d: output " + dims(c.y) + ", expected [" +
                         std::to_string(x[0]) + ", " + std::to_string(oh) +
                         ", " + std::to_string(ow) + ", " +
                         std::to_string(w[3]) + "] from input " + dims(c.x) +
                         " and filter " + dims(c.w));
  return Status::success();
}

void hostGemm(const GemmArgs &g) {
  int64_t m = g.c.rows, n = g.c.cols;
  int64_t k = g.transA ? g.a.rows : g.a.cols;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0; // double: the reference should not be the noisy side
      for (int64_t l = 0; l < k; ++l)
        sum += double(at(g.a, g.transA, i, l)) * at(g.b, g.transB, l, j);
      float &out = g.c.data[i * g.c.rowStride + j];
      out = g.alpha * float(sum) + (g.beta == 0.0f ? 0.0f : g.beta * out);
    }
}

void hostConv2d(ConvKind kind, const Conv2dArgs &c) {
  const int64_t N = c.x.dims[0], H = c.x.dims[1], W = c.x.dims[2],
                C = c.x.dims[3];
  const int64_t KH = c.w.dims[0], KW = c.w.dims[1], F = c.w.dims[3];
  const int64_t OH = c.y.dims[1], OW = c.y.dims[2];
  const Tensor4 &out = kind == ConvKind::Forward        ? c.y
                       : kind == ConvKind::BackwardData ? c.x
                                                        : c.w;
  size_t outSize = size_t(out.dims[0] * out.dims[1] * out.dims[2] *
                          out.dims[3]);
  std::vector<double> acc(outSize, 0.0);
  auto xi = [&](int64_t n, int64_t h, int64_t w, int64_t ch) {
    return ((n * H + h) * W + w) * C + ch;
  };
  auto wi = [&](int64_t kh, int64_t kw, int64_t ch, int64_t f) {
    return ((kh * KW + kw) * C + ch) * F + f;
  };
  auto yi = [&](int64_t n, int64_t h, int64_t w, int64_t f) {
    return ((n * OH + h) * OW + w) * F + f;
  };
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oh = 0; oh < OH; ++oh)
      for (int64_t ow = 0; ow < OW; ++ow)
        for (int64_t kh = 0; kh < KH; ++kh) {
          int64_t h = oh * c.strideH + kh * c.dilationH - c.padH;
          if (h < 0 || h >= H)
            continue;
          for (int64_t kw = 0; kw < KW; ++kw) {
            int64_t w = ow * c.strideW + kw * c.dilationW - c.padW;
            if (w < 0 || w >= W)
              continue;
            for (int64_t ch = 0; ch < C; ++ch)
              for (int64_t f = 0; f < F; ++f) {
                // Only the inputs of `kind` are read: its output may hold
                // anything.
                switch (kind) {
                case ConvKind::Forward:
                  acc[yi(n, oh, ow, f)] += double(c.x.data[xi(n, h, w, ch)]) *
                                           c.w.data[wi(kh, kw, ch, f)];
                  break;
                case ConvKind::BackwardData:
                  acc[xi(n, h, w, ch)] += double(c.y.data[yi(n, oh, ow, f)]) *
                                          c.w.data[wi(kh, kw, ch, f)];
                  break;
                case ConvKind::BackwardFilter:
                  acc[wi(kh, kw, ch, f)] +=
                      double(c.x.data[xi(n, h, w, ch)]) *
                      c.y.data[yi(n, oh, ow, f)];
                  break;
                }
              }
          }
        }
  for (size_t i = 0; i < outSize; ++i)
    out.data[i] = c.alpha * float(acc[i]) +
                  (c.beta == 0.0f ? 0.0f : c.beta * out.data[i]);
}

} // namespace weir::device
