//===- FuzzWeirParser.cpp - libFuzzer entry: any bytes through the front end -===//
//
// Parses the input as a .weir file through the API (Session::probeSource:
// every diagnostic swallowed, one MLIRContext for every input); when it
// parses, the module is verified and the model pipeline runs, so a module
// the front end accepts but the passes choke on is found too. Build and
// run: tools/fuzz/run-fuzzer.sh.
//
//===----------------------------------------------------------------------===//
#include "api/Session.h"

#include <cstddef>
#include <cstdint>

// MLIR's storage allocator (an llvm::BumpPtrAllocator in the context) is
// used both from libMLIR.so, built without ASan, and from this binary's
// instrumented inline copies (the weir types' storage): an instrumented
// copy that starts a new slab poisons all of it, and the uninstrumented
// library's allocations from that slab are never unpoisoned, so ASan
// would report them. Manual poisoning is off; ASan's own checks stay on.
extern "C" const char *__asan_default_options() {
  return "allow_user_poisoning=0";
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  if (weir::Session::probeSource(text) == weir::Session::Probe::InvalidModule)
    __builtin_trap(); // the front end returned a module that is not valid
  return 0;
}
