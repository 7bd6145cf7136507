// Choosing and opening devices (--device), probing for CUDA, and the
// process's current device.
#include "runtime/device/CudaDevice.h"

#include <mutex>

namespace weir::device {

Result<DeviceChoice> parseDeviceChoice(const std::string &text) {
  if (text == "cpu")
    return DeviceChoice::Cpu;
  if (text == "cuda")
    return DeviceChoice::Cuda;
  if (text == "auto")
    return DeviceChoice::Auto;
  return Status::error("unknown device '" + text +
                       "' (expected cpu, cuda or auto)");
}

Result<DeviceDecision> resolveDeviceFlag(const std::string &flag,
                                         const std::string &what) {
  Result<DeviceChoice> choice = parseDeviceChoice(flag);
  if (!choice.ok())
    return Status::error("--device: " + choice.status().message());
  DeviceDecision decision;
  if (*choice == DeviceChoice::Cpu)
    return decision;
  CudaProbe probe = probeCuda();
  if (probe.available) {
    decision.resolved = DeviceChoice::Cuda;
    decision.cudaName = probe.deviceName;
    return decision;
  }
  if (*choice == DeviceChoice::Cuda)
    return Status::error("--device=cuda: " + probe.message +
                         ", use --device=cpu or --device=auto");
  decision.notice = "no CUDA device (" + probe.reason + "); " + what +
                    " on the CPU";
  return decision;
}

namespace {

/// The driver table, loaded once per process (dlopen is not undone).
const cuda::CudaApi *driverApi(cuda::DriverLoadError &why) {
  static std::mutex mutex;
  static cuda::CudaApi api;
  static cuda::DriverLoadError error;
  static bool tried = false;
  std::lock_guard<std::mutex> lock(mutex);
  if (!tried) {
    tried = true;
    (void)cuda::loadDriver(api, &error);
  }
  why = error;
  return api.hasDriver() ? &api : nullptr;
}

} // namespace

CudaProbe probeCuda(const cuda::CudaApi &api) {
  CudaProbe probe;
  auto none = [&](const std::string &reason) {
    probe.reason = reason;
    probe.message = "no CUDA device (" + reason +
                    "); the driver is installed but sees no usable GPU";
    return probe;
  };
  cuda::CUresult r = api.cuInit(0);
  if (r != cuda::CUDA_SUCCESS)
    return none(cuda::driverError(api, "cuInit", r));
  int count = 0;
  r = api.cuDeviceGetCount(&count);
  if (r != cuda::CUDA_SUCCESS)
    return none(cuda::driverError(api, "cuDeviceGetCount", r));
  if (count == 0)
    return none("the driver reports 0 devices");
  cuda::CUdevice dev = 0;
  char name[256] = {0};
  if (api.cuDeviceGet(&dev, 0) == cuda::CUDA_SUCCESS)
    (void)api.cuDeviceGetName(name, sizeof(name) - 1, dev);
  probe.available = true;
  probe.deviceName = name[0] ? name : "CUDA device 0";
  return probe;
}

CudaProbe probeCuda() {
  cuda::DriverLoadError why;
  const cuda::CudaApi *api = driverApi(why);
  if (!api) {
    CudaProbe probe;
    probe.reason = why.reason;
    probe.message = why.message;
    return probe;
  }
  return probeCuda(*api);
}

Result<std::unique_ptr<Device>> openCudaDevice(int ordinal) {
  cuda::DriverLoadError why;
  const cuda::CudaApi *api = driverApi(why);
  if (!api)
    return Status::error(why.message);
  Result<std::unique_ptr<CudaDevice>> d = CudaDevice::create(*api, ordinal);
  if (!d.ok())
    return d.status();
  return std::unique_ptr<Device>(std::move(*d));
}

namespace {
std::mutex currentMutex;
Device *current = nullptr;
// Never destroyed: at exit the CUDA driver may already be tearing down, and
// it frees the device's resources with the process anyway.
std::unique_ptr<Device> *owned = new std::unique_ptr<Device>();
} // namespace

Device *currentDevice() {
  std::lock_guard<std::mutex> lock(currentMutex);
  return current;
}

void setCurrentDevice(Device *device) {
  std::lock_guard<std::mutex> lock(currentMutex);
  current = device;
}

Device *installDevice(std::unique_ptr<Device> device) {
  std::lock_guard<std::mutex> lock(currentMutex);
  *owned = std::move(device);
  current = owned->get();
  return current;
}

} // namespace weir::device
