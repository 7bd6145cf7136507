// Weir's own mgpu* functions, the host runtime MLIR's gpu-to-llvm code
// calls, over the current Device; module loading is deferred to the first
// launch so that the generated global constructors never touch a GPU.
#include "runtime/device/DeviceCalls.h"
#include "runtime/device/Device.h"

#include <cstdio>
#include <list>
#include <mutex>
#include <string>

namespace weir::device {

int32_t reportError(const Status &s); // DeviceCalls.cpp

namespace {

struct MgpuFunction;
/// What mgpuModuleLoad returns: the image, and its device module once a
/// kernel of it is launched.
struct MgpuModule {
  const void *image;
  size_t bytes;
  Device *device = nullptr;
  Module module = nullptr;
  std::list<MgpuFunction> functions;
};
struct MgpuFunction {
  MgpuModule *module;
  std::string name;
  Function function = nullptr; ///< of module->device
};

std::mutex mutex; // guards the lazy records above

void fail(const char *call, const Status &s) {
  if (s.ok())
    return;
  reportError(s);
  std::fprintf(stderr, "weir: %s: %s\n", call, s.message().c_str());
}

/// The current device; when none is set yet, the CUDA device is opened and
/// installed (GPU code needs one), once.
Device *mgpuDevice(const char *call) {
  if (Device *d = currentDevice())
    return d;
  static std::once_flag once;
  static Status openError;
  std::call_once(once, [] {
    Result<std::unique_ptr<Device>> d = openCudaDevice();
    if (d.ok())
      installDevice(std::move(*d));
    else
      openError = Status::error("GPU code needs a CUDA device: " +
                                d.status().message());
  });
  if (Device *d = currentDevice())
    return d;
  fail(call, openError);
  return nullptr;
}

Stream stream(void *s) { return reinterpret_cast<Stream>(s); }

} // namespace
} // namespace weir::device

using namespace weir;
using namespace weir::device;

extern "C" {

void *mgpuModuleLoad(void *data, uint64_t bytes) {
  std::lock_guard<std::mutex> lock(mutex);
  return new MgpuModule{data, size_t(bytes), nullptr, nullptr, {}};
}

void *mgpuModuleLoadJIT(void *data, int /*optLevel*/) {
  // PTX: the driver JIT-compiles it inside cuModuleLoadData.
  return mgpuModuleLoad(data, 0);
}

void mgpuModuleUnload(void *module) {
  auto *m = static_cast<MgpuModule *>(module);
  if (!m)
    return;
  std::lock_guard<std::mutex> lock(mutex);
  // At exit the device may be gone with the driver; a module never
  // launched has nothing to unload.
  if (m->module && m->device == currentDevice())
    fail("mgpuModuleUnload", m->device->unloadModule(m->module));
  delete m;
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  auto *m = static_cast<MgpuModule *>(module);
  std::lock_guard<std::mutex> lock(mutex);
  // The generated code asks before every launch: hand back the same record.
  for (MgpuFunction &f : m->functions)
    if (f.name == name)
      return &f;
  m->functions.push_back(MgpuFunction{m, name, nullptr});
  return &m->functions.back();
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *s, void **params,
                      void ** /*extra*/, uint64_t /*paramsCount*/) {
  Device *d = mgpuDevice("mgpuLaunchKernel");
  if (!d)
    return;
  auto *f = static_cast<MgpuFunction *>(function);
  Function fn;
  {
    std::lock_guard<std::mutex> lock(mutex);
    MgpuModule *m = f->module;
    if (m->device != d) {
      // First launch (or the current device changed): register the image.
      Result<Module> mod = d->loadModule(m->image, m->bytes);
      if (!mod.ok())
        return fail("mgpuLaunchKernel", mod.status());
      m->device = d;
      m->module = *mod;
      for (MgpuFunction &other : m->functions)
        other.function = nullptr;
    }
    if (!f->function) {
      Result<Function> got = d->getFunction(m->module, f->name);
      if (!got.ok())
        return fail("mgpuLaunchKernel", got.status());
      f->function = *got;
    }
    fn = f->function;
  }
  Dim3 grid{unsigned(gridX), unsigned(gridY), unsigned(gridZ)};
  Dim3 block{unsigned(blockX), unsigned(blockY), unsigned(blockZ)};
  fail("mgpuLaunchKernel",
       d->launchKernel(fn, grid, block, unsigned(smem), stream(s), params));
}

// Every stream the generated code creates is the device's compute stream:
// the weir_cublas_* / weir_cudnn_* calls run there too, and one stream keeps
// kernels and library calls in program order.
void *mgpuStreamCreate(void) {
  Device *d = mgpuDevice("mgpuStreamCreate");
  return d ? d->computeStream() : nullptr;
}

void mgpuStreamDestroy(void *s) {
  Device *d = currentDevice();
  if (d && stream(s) != d->computeStream() && stream(s) != d->copyStream())
    fail("mgpuStreamDestroy", d->destroyStream(stream(s)));
}

void mgpuStreamSynchronize(void *s) {
  if (Device *d = mgpuDevice("mgpuStreamSynchronize"))
    fail("mgpuStreamSynchronize", d->synchronize(stream(s)));
}

void mgpuStreamWaitEvent(void *s, void *event) {
  if (Device *d = mgpuDevice("mgpuStreamWaitEvent"))
    fail("mgpuStreamWaitEvent",
         d->waitEvent(stream(s), reinterpret_cast<Event>(event)));
}

void *mgpuEventCreate(void) {
  Device *d = mgpuDevice("mgpuEventCreate");
  if (!d)
    return nullptr;
  Result<Event> e = d->createEvent();
  if (!e.ok()) {
    fail("mgpuEventCreate", e.status());
    return nullptr;
  }
  return *e;
}

void mgpuEventDestroy(void *event) {
  if (Device *d = mgpuDevice("mgpuEventDestroy"))
    fail("mgpuEventDestroy", d->destroyEvent(reinterpret_cast<Event>(event)));
}

void mgpuEventSynchronize(void *event) {
  if (Device *d = mgpuDevice("mgpuEventSynchronize"))
    fail("mgpuEventSynchronize",
         d->synchronizeEvent(reinterpret_cast<Event>(event)));
}

void mgpuEventRecord(void *event, void *s) {
  if (Device *d = mgpuDevice("mgpuEventRecord"))
    fail("mgpuEventRecord",
         d->recordEvent(reinterpret_cast<Event>(event), stream(s)));
}

void *mgpuMemAlloc(uint64_t bytes, void * /*stream*/, bool isHostShared) {
  Device *d = mgpuDevice("mgpuMemAlloc");
  if (!d)
    return nullptr;
  Result<void *> p = isHostShared ? d->allocateManaged(size_t(bytes))
                                   : d->allocate(size_t(bytes));
  if (!p.ok()) {
    fail("mgpuMemAlloc", p.status());
    return nullptr;
  }
  return *p;
}

void mgpuMemFree(void *ptr, void * /*stream*/) {
  if (Device *d = mgpuDevice("mgpuMemFree"))
    fail("mgpuMemFree", d->deallocate(ptr));
}

void mgpuMemcpy(void *dst, void *src, uint64_t bytes, void *s) {
  if (Device *d = mgpuDevice("mgpuMemcpy"))
    fail("mgpuMemcpy", d->copyAsync(dst, src, size_t(bytes), stream(s)));
}

void mgpuMemset32(void *dst, uint32_t value, uint64_t count, void *s) {
  if (Device *d = mgpuDevice("mgpuMemset32"))
    fail("mgpuMemset32", d->fill32Async(dst, value, size_t(count), stream(s)));
}

void mgpuSetDefaultDevice(int32_t ordinal) {
  // Weir opens one device per process (--device); other ordinals are not
  // wired yet.
  if (ordinal != 0)
    fail("mgpuSetDefaultDevice",
         Status::error("only device 0 is supported, not " +
                       std::to_string(ordinal)));
}

} // extern "C"
