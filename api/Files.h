//===- Files.h - what the driver writes: arrays and gradients -*- C++ -*-===//
#ifndef WEIR_API_FILES_H
#define WEIR_API_FILES_H

#include "runtime/HostTensor.h"
#include "runtime/Status.h"
#include "runtime/train/Step.h"

#include <string>

namespace weir {

/// Writes `tensor` as a .npy file, atomically (temporary file + rename).
Status writeArrayFile(const std::string &path, const HostTensor &tensor);

/// Writes a 0-d f64 `loss` and every gradient of `grads` (by parameter name)
/// as one .safetensors file, atomically.
Status writeGradientsFile(const std::string &path, double loss,
                          const ParameterMap &grads);

} // namespace weir

#endif // WEIR_API_FILES_H
