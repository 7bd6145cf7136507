// Products per second of the host's vector multiply-accumulate
// instructions: f32 FMA (vfmadd231ps) against AVX512_BF16's pair dot
// product (vdpbf16ps), 12 independent accumulators each, so that the
// numbers are throughput and not latency. This decides whether
// weir-register-block's bf16-dot option pays on a host (docs/benchmarks.md).
//
//   clang-22 -O2 -mavx512f -mavx512bf16 -mavx512vl bench/dot_throughput.c \
//     -o /tmp/dot_throughput && /tmp/dot_throughput
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

enum { kChains = 12 };
static const long kSteps = 20000000;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

__attribute__((target("avx512f"))) static double fma_rate(float *sink) {
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i)
    acc[i] = _mm512_set1_ps((float)i);
  __m512 a = _mm512_set1_ps(1.0001f), b = _mm512_set1_ps(0.9999f);
  double t = now();
  for (long n = 0; n < kSteps; ++n)
    for (int i = 0; i < kChains; ++i) {
      acc[i] = _mm512_fmadd_ps(a, b, acc[i]);
      __asm__ volatile("" : "+v"(acc[i]));
    }
  t = now() - t;
  for (int i = 0; i < kChains; ++i)
    *sink += _mm512_reduce_add_ps(acc[i]);
  return kSteps * kChains * 16.0 / t; // 16 products per instruction
}

__attribute__((target("avx512f,avx512bf16"))) static double
dot_rate(float *sink) {
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i)
    acc[i] = _mm512_set1_ps((float)i);
  __m512bh a = (__m512bh)_mm512_set1_epi32(0x3f803f80);
  __m512bh b = (__m512bh)_mm512_set1_epi32(0x3f7f3f7f);
  double t = now();
  for (long n = 0; n < kSteps; ++n)
    for (int i = 0; i < kChains; ++i) {
      acc[i] = _mm512_dpbf16_ps(acc[i], a, b);
      __asm__ volatile("" : "+v"(acc[i]));
    }
  t = now() - t;
  for (int i = 0; i < kChains; ++i)
    *sink += _mm512_reduce_add_ps(acc[i]);
  return kSteps * kChains * 32.0 / t; // 32 products per instruction
}

int main(void) {
  __builtin_cpu_init();
  if (!__builtin_cpu_supports("avx512f")) {
    printf("no AVX-512 on this host: nothing to compare\n");
    return 0;
  }
  float sink = 0;
  double fma = fma_rate(&sink);
  printf("f32 FMA (zmm):      %6.1f G products/s\n", fma / 1e9);
  if (!__builtin_cpu_supports("avx512bf16")) {
    printf("no AVX512_BF16 on this host\n");
    return 0;
  }
  double dot = dot_rate(&sink);
  printf("vdpbf16ps (zmm):    %6.1f G products/s  (%.2fx f32 FMA)\n",
         dot / 1e9, dot / fma);
  return sink == 12345.f; // keeps the accumulators alive
}
