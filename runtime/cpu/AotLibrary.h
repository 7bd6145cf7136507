//===- AotLibrary.h - load a model compiled ahead of time ------*- C++ -*-===//
//
// `weir compile --emit=lib` writes a shared library with, besides the code,
// a JSON manifest (`weir_manifest`: entry point, input, parameter and output
// dtypes and shapes) and a packed entry point (`weir_entry`). This loader
// needs neither MLIR nor the model source: dlopen, read the manifest, call.
//
//===----------------------------------------------------------------------===//
#ifndef WEIR_RUNTIME_CPU_AOTLIBRARY_H
#define WEIR_RUNTIME_CPU_AOTLIBRARY_H

#include "runtime/cpu/Invoke.h"

#include <memory>

namespace weir {

/// A tensor in the manifest: a name (parameters only), a dtype and a shape
/// with -1 for the batch.
struct TensorSpec {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
};

struct ModelManifest {
  std::string function;
  std::vector<TensorSpec> inputs, parameters;
  TensorSpec output;
};

/// The manifest as JSON, the format `weir_manifest` holds.
std::string writeManifest(const ModelManifest &manifest);
Result<ModelManifest> parseManifest(const std::string &json);

class AotLibrary {
public:
  /// Loads `path`; errors name the path and say what is missing.
  static Result<std::unique_ptr<AotLibrary>> load(const std::string &path);
  ~AotLibrary();

  const ModelManifest &manifest() const { return manifest_; }

  /// Runs the model: inputs then parameters, in manifest order.
  Result<HostTensor> call(const std::vector<const HostTensor *> &args,
                          unsigned threads);

private:
  AotLibrary() = default;
  void *handle_ = nullptr;
  PackedFunction entry_ = nullptr;
  ModelManifest manifest_;
  std::unique_ptr<ThreadPool> pool_;
};

} // namespace weir

#endif // WEIR_RUNTIME_CPU_AOTLIBRARY_H
