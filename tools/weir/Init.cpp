//===- Init.cpp - `weir init`: freshly initialized weights ---------------===//
#include "dialect/WeirOps.h"
#include "runtime/Safetensors.h"
#include "runtime/init/Initializers.h"
#include "tools/weir/Commands.h"

using namespace mlir;
using namespace weir;

static Initializer initializerOf(InitKind kind) {
  switch (kind) {
  case InitKind::glorot_uniform:
    return Initializer::GlorotUniform;
  case InitKind::glorot_normal:
    return Initializer::GlorotNormal;
  case InitKind::he_normal:
    return Initializer::HeNormal;
  case InitKind::he_uniform:
    return Initializer::HeUniform;
  case InitKind::zeros:
    return Initializer::Zeros;
  case InitKind::ones:
    return Initializer::Ones;
  }
  return Initializer::Zeros;
}

Result<std::vector<NamedTensor>> weir::initializeParameters(Session &session,
                                                           uint64_t runSeed) {
  std::vector<NamedTensor> tensors;
  for (auto param : session.module().getOps<ParameterOp>()) {
    auto type = cast<RankedTensorType>(param.getType());
    std::optional<DType> dtype = dtypeOf(type.getElementType());
    std::string name = param.getSymName().str();
    if (!dtype || (*dtype != DType::F32 && *dtype != DType::F64))
      return Status::error("parameter '" + name +
                           "': initializers fill f32 and f64 tensors");
    Result<HostTensor> t = HostTensor::create(*dtype, type.getShape().vec());
    if (!t.ok())
      return t.status();
    InitializerAttr init = param.getInit();
    uint64_t seed = init.getSeed() ? uint64_t(*init.getSeed())
                                   : deriveSeed(runSeed, name);
    if (Status s = initialize(*t, initializerOf(init.getKind()), seed); !s.ok())
      return s.withPrefix("parameter '" + name + "'");
    tensors.push_back({name, std::move(*t)});
  }
  return tensors;
}

int weir::runInit(const InitOptions &options) {
  auto session = Session::load(options.model, options.session);
  if (!session)
    return 1;
  Result<std::vector<NamedTensor>> tensors =
      initializeParameters(*session, options.seed);
  Status status = tensors.status();
  if (tensors.ok()) {
    SafetensorsMetadata metadata{{"format", "pt"},
                                 {"weir.seed", std::to_string(options.seed)}};
    status = writeSafetensors(options.output, *tensors, metadata);
  }
  if (!status.ok()) {
    llvm::errs() << "weir init: error: " << status.message() << "\n";
    return 1;
  }
  return 0;
}
