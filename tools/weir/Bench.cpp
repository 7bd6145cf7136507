//===- Bench.cpp - `weir bench`: compile time and inference throughput ---===//
#include "api/Inference.h"
#include "api/Session.h"
#include "tools/weir/Commands.h"
#include "tools/weir/Flags.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>

using namespace weir;

int commands::bench() {
  auto start = std::chrono::steady_clock::now();
  auto session = Session::load(flags::model, flags::sessionOptions());
  if (!session)
    return 1;
  double loadSeconds = std::chrono::duration<double>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  unsigned threads = resolveThreads(flags::threads);
  Result<BenchResult> r = benchInference(*session, flags::function,
                                         flags::batch, threads,
                                         flags::seconds, loadSeconds);
  if (!r.ok())
    return flags::fail("bench", r.status().message());
  llvm::outs() << llvm::formatv(
      "{{\"model\": \"{0}\", \"batch\": {1}, \"threads\": {2}, "
      "\"compile_s\": {3:F3}, \"samples_per_s\": {4:F1}, "
      "\"ms_per_batch\": {5:F4}}\n",
      r->model, int64_t(flags::batch), threads, r->compileSeconds,
      r->samplesPerSecond, r->msPerBatch);
  return 0;
}
