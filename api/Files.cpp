//===- Files.cpp - what the driver writes: arrays and gradients ----------===//
#include "api/Files.h"

#include "runtime/Npy.h"
#include "runtime/Safetensors.h"

using namespace weir;

Status weir::writeArrayFile(const std::string &path, const HostTensor &tensor) {
  return writeNpy(path, tensor);
}

Status weir::writeGradientsFile(const std::string &path, double loss,
                                const ParameterMap &grads) {
  Result<HostTensor> l = HostTensor::create(DType::F64, {});
  if (!l.ok())
    return l.status();
  l->data<double>()[0] = loss;
  std::vector<NamedTensorRef> tensors{{"loss", &*l}};
  for (auto &[name, g] : grads)
    tensors.push_back({name, &g});
  return writeSafetensors(path, tensors, {});
}
