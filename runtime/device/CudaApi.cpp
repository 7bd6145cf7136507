// Loading the CUDA driver, cuBLAS and cuDNN with dlopen at run time.
#include "runtime/device/CudaApi.h"

#include <dlfcn.h>

#include <cstdlib>
#include <cstring>
#include <vector>

namespace weir::device::cuda {
namespace {

#ifndef WEIR_CUDA_LIB_DIR
#define WEIR_CUDA_LIB_DIR "/usr/local/cuda/lib64"
#endif

/// dlopen the first of `names` that loads, also trying WEIR_CUDA_LIB_DIR
/// (the toolkit this was configured with) for the libraries that are not on
/// the loader's path. Returns the handle, or null with the first dlerror.
void *openFirst(const std::vector<std::string> &names, std::string &error) {
  std::vector<std::string> candidates = names;
  for (const std::string &name : names)
    candidates.push_back(std::string(WEIR_CUDA_LIB_DIR) + "/" + name);
  for (const std::string &path : candidates) {
    // RTLD_LOCAL: the symbols reach us only through dlsym, never through
    // the global namespace where they could shadow a fake in the tests.
    if (void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL))
      return handle;
    if (error.empty())
      if (const char *e = dlerror())
        error = e;
  }
  return nullptr;
}

/// Resolves every name into its slot; the first missing one is the error.
template <typename Fn>
bool bind(void *lib, const char *name, Fn &slot, std::string &missing) {
  void *sym = dlsym(lib, name);
  if (!sym) {
    if (missing.empty())
      missing = name;
    return false;
  }
  slot = reinterpret_cast<Fn>(sym);
  return true;
}

#define WEIR_BIND(lib, api, fn, missing) bind(lib, #fn, api.fn, missing)

} // namespace

Status loadDriver(CudaApi &api, DriverLoadError *why) {
  auto fail = [&](std::string reason, std::string message) {
    if (why)
      *why = {reason, message};
    return Status::error(message);
  };
  std::string error;
  // WEIR_CUDA_DRIVER names another driver library: tests point it at a
  // missing file to see the no-GPU path on any machine.
  const char *override = std::getenv("WEIR_CUDA_DRIVER");
  void *lib = override ? dlopen(override, RTLD_NOW | RTLD_LOCAL)
                       : openFirst({"libcuda.so.1"}, error);
  if (!lib && override)
    if (const char *e = dlerror())
      error = e;
  if (!lib) {
    if (error.find("No such file") != std::string::npos || error.empty())
      return fail("libcuda.so.1 not found",
                  "no CUDA driver (libcuda.so.1 not found); this machine "
                  "has no NVIDIA GPU");
    return fail("libcuda.so.1 could not be loaded",
                "the CUDA driver libcuda.so.1 could not be loaded: " + error);
  }
  CudaApi t = api;
  std::string missing;
  WEIR_BIND(lib, t, cuInit, missing);
  WEIR_BIND(lib, t, cuGetErrorName, missing);
  WEIR_BIND(lib, t, cuDeviceGetCount, missing);
  WEIR_BIND(lib, t, cuDeviceGet, missing);
  WEIR_BIND(lib, t, cuDeviceGetName, missing);
  WEIR_BIND(lib, t, cuDeviceGetAttribute, missing);
  WEIR_BIND(lib, t, cuDevicePrimaryCtxRetain, missing);
  WEIR_BIND(lib, t, cuDevicePrimaryCtxRelease_v2, missing);
  WEIR_BIND(lib, t, cuCtxSetCurrent, missing);
  WEIR_BIND(lib, t, cuModuleLoadData, missing);
  WEIR_BIND(lib, t, cuModuleUnload, missing);
  WEIR_BIND(lib, t, cuModuleGetFunction, missing);
  WEIR_BIND(lib, t, cuLaunchKernel, missing);
  WEIR_BIND(lib, t, cuStreamCreate, missing);
  WEIR_BIND(lib, t, cuStreamDestroy_v2, missing);
  WEIR_BIND(lib, t, cuStreamSynchronize, missing);
  WEIR_BIND(lib, t, cuStreamWaitEvent, missing);
  WEIR_BIND(lib, t, cuEventCreate, missing);
  WEIR_BIND(lib, t, cuEventDestroy_v2, missing);
  WEIR_BIND(lib, t, cuEventRecord, missing);
  WEIR_BIND(lib, t, cuEventSynchronize, missing);
  WEIR_BIND(lib, t, cuMemAlloc_v2, missing);
  WEIR_BIND(lib, t, cuMemFree_v2, missing);
  WEIR_BIND(lib, t, cuMemHostAlloc, missing);
  WEIR_BIND(lib, t, cuMemAllocManaged, missing);
  WEIR_BIND(lib, t, cuMemFreeHost, missing);
  WEIR_BIND(lib, t, cuMemcpyHtoD_v2, missing);
  WEIR_BIND(lib, t, cuMemcpyDtoH_v2, missing);
  WEIR_BIND(lib, t, cuMemcpyHtoDAsync_v2, missing);
  WEIR_BIND(lib, t, cuMemcpyDtoHAsync_v2, missing);
  WEIR_BIND(lib, t, cuMemcpyAsync, missing);
  WEIR_BIND(lib, t, cuMemsetD32Async, missing);
  if (!missing.empty())
    return fail("libcuda.so.1 lacks " + missing,
                "the CUDA driver libcuda.so.1 is too old: it has no " +
                    missing);
  // All or nothing: the table changes only when every entry was found
  // (t started as a copy, so a cuBLAS or cuDNN part already loaded stays).
  api = t;
  return Status::success();
}

Status loadCublas(CudaApi &api) {
  std::string error;
  void *lib = openFirst({"libcublas.so.13", "libcublas.so"}, error);
  if (!lib)
    return Status::error("cuBLAS not found (libcublas.so.13: " + error +
                         "); install CUDA's libcublas or use --device=cpu");
  CudaApi t = api;
  std::string missing;
  WEIR_BIND(lib, t, cublasCreate_v2, missing);
  WEIR_BIND(lib, t, cublasDestroy_v2, missing);
  WEIR_BIND(lib, t, cublasSetStream_v2, missing);
  WEIR_BIND(lib, t, cublasSgemm_v2, missing);
  WEIR_BIND(lib, t, cublasSgeam, missing);
  if (!missing.empty())
    return Status::error("libcublas has no " + missing);
  // All or nothing: the table changes only when every entry was found.
  api = t;
  return Status::success();
}

Status loadCudnn(CudaApi &api) {
  std::string error;
  void *lib = openFirst({"libcudnn.so.9", "libcudnn.so"}, error);
  if (!lib)
    return Status::error("cuDNN not found (libcudnn.so.9: " + error +
                         "); install cuDNN 9 or use --device=cpu");
  CudaApi t = api;
  std::string missing;
  WEIR_BIND(lib, t, cudnnCreate, missing);
  WEIR_BIND(lib, t, cudnnDestroy, missing);
  WEIR_BIND(lib, t, cudnnSetStream, missing);
  WEIR_BIND(lib, t, cudnnGetErrorString, missing);
  WEIR_BIND(lib, t, cudnnCreateTensorDescriptor, missing);
  WEIR_BIND(lib, t, cudnnSetTensor4dDescriptor, missing);
  WEIR_BIND(lib, t, cudnnDestroyTensorDescriptor, missing);
  WEIR_BIND(lib, t, cudnnCreateFilterDescriptor, missing);
  WEIR_BIND(lib, t, cudnnSetFilter4dDescriptor, missing);
  WEIR_BIND(lib, t, cudnnDestroyFilterDescriptor, missing);
  WEIR_BIND(lib, t, cudnnCreateConvolutionDescriptor, missing);
  WEIR_BIND(lib, t, cudnnSetConvolution2dDescriptor, missing);
  WEIR_BIND(lib, t, cudnnSetConvolutionMathType, missing);
  WEIR_BIND(lib, t, cudnnDestroyConvolutionDescriptor, missing);
  WEIR_BIND(lib, t, cudnnGetConvolutionForwardAlgorithm_v7, missing);
  WEIR_BIND(lib, t, cudnnGetConvolutionBackwardDataAlgorithm_v7, missing);
  WEIR_BIND(lib, t, cudnnGetConvolutionBackwardFilterAlgorithm_v7, missing);
  WEIR_BIND(lib, t, cudnnGetConvolutionForwardWorkspaceSize, missing);
  WEIR_BIND(lib, t, cudnnGetConvolutionBackwardDataWorkspaceSize, missing);
  WEIR_BIND(lib, t, cudnnGetConvolutionBackwardFilterWorkspaceSize, missing);
  WEIR_BIND(lib, t, cudnnConvolutionForward, missing);
  WEIR_BIND(lib, t, cudnnConvolutionBackwardData, missing);
  WEIR_BIND(lib, t, cudnnConvolutionBackwardFilter, missing);
  if (!missing.empty())
    return Status::error("libcudnn has no " + missing);
  // All or nothing: the table changes only when every entry was found.
  api = t;
  return Status::success();
}

std::string driverError(const CudaApi &api, const char *call, CUresult r) {
  const char *name = nullptr;
  if (api.cuGetErrorName)
    api.cuGetErrorName(r, &name);
  return std::string(call) + " failed: " +
         (name ? std::string(name) : "CUDA error " + std::to_string(r));
}

} // namespace weir::device::cuda
