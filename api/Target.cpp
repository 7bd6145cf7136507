//===- Target.cpp - where a run's compiled code executes (--device) ------===//
#include "api/Training.h"

#include "runtime/device/Device.h"
#include "runtime/device/DeviceCalls.h"

#include "llvm/Support/raw_ostream.h"

using namespace weir;

namespace {
/// The first error of the library calls (cuBLAS, cuDNN, or the CPU
/// device's) that compiled code made on this thread. The calls return a
/// status that generated code does not branch on; the host checks it after
/// each call of a compiled function, so a failed call fails the step
/// instead of leaving its output unwritten.
Status libraryCallStatus() {
  const char *message = weir_device_last_error();
  if (!message || !*message)
    return Status();
  Status s = Status::error(std::string("library call failed: ") + message);
  weir_device_clear_error();
  return s;
}
} // namespace

/// Opens the CUDA device and makes it the home of everything compiled code
/// touches: tensors are managed memory from now on (the host fills
/// batches and reads results in place, kernels use the same addresses),
/// buffers the code returns go back to the device, and every call waits
/// for the device before its results are read. Returns the device's chip.
Result<std::string> weir::useCudaForCompiledCode() {
  Result<std::unique_ptr<device::Device>> opened = device::openCudaDevice();
  if (!opened.ok())
    return opened.status();
  device::Device *gpu = device::installDevice(std::move(*opened));
  void (*release)(void *) = [](void *p) {
    if (device::Device *d = device::currentDevice())
      (void)d->deallocate(p);
  };
  setTensorMemory({[](size_t bytes) -> void * {
                     Result<void *> p =
                         device::currentDevice()->allocateManaged(bytes);
                     return p.ok() ? *p : nullptr;
                   },
                   release});
  setCompiledCodeHooks({release, []() -> Status {
                          Status synced =
                              device::currentDevice()->synchronize(nullptr);
                          Status call = libraryCallStatus();
                          return synced.ok() ? call : synced;
                        }});
  return gpu->chip();
}

Result<CodeTarget> weir::resolveCodeTarget(const std::string &device,
                                           const char *command,
                                           unsigned &threads) {
  CodeTarget target;
  if (device == "cuda-emulator") {
    target.kind = CodeTarget::Kind::CudaEmulator;
    setCompiledCodeHooks({nullptr, libraryCallStatus});
    threads = 1; // one replica, as on the GPU
    llvm::errs() << "weir: " << command
                 << " with the CUDA target's program emulated on the CPU "
                    "(kernels as loops, library calls on the CPU)\n";
    return target;
  }
  Result<device::DeviceDecision> decision =
      device::resolveDeviceFlag(device, command);
  if (!decision.ok())
    return decision.status();
  if (!decision->notice.empty())
    llvm::errs() << "weir: " << decision->notice << "\n";
  if (decision->resolved != device::DeviceChoice::Cuda)
    return target;
  Result<std::string> chip = useCudaForCompiledCode();
  if (!chip.ok())
    return chip.status();
  target.kind = CodeTarget::Kind::Cuda;
  target.chip = *chip;
  threads = 1; // one replica: the GPU runs the whole batch
  llvm::errs() << "weir: " << command << " on " << decision->cudaName << " ("
               << target.chip << ")\n";
  return target;
}

