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

int weir::runInit(const InitOptions &options) {
  auto session = Session::load(options.model, options.session);
  if (!session)
    return 1;
  std::vector<NamedTensor> tensors;
  for (auto param : session->module().getOps<ParameterOp>()) {
    auto type = cast<RankedTensorType>(param.getType());
    std::optional<DType> dtype = dtypeOf(type.getElementType());
    std::string name = param.getSymName().str();
    if (!dtype || (*dtype != DType::F32 && *dtype != DType::F64)) {
      param.emitError() << "weir init fills f32 and f64 parameters, not "
                        << type.getElementType();
      return 1;
    }
    Result<HostTensor> t = HostTensor::create(*dtype, type.getShape().vec());
    if (!t.ok()) {
      llvm::errs() << "weir init: error: " << t.status().message() << "\n";
      return 1;
    }
    InitializerAttr init = param.getInit();
    uint64_t seed = init.getSeed() ? uint64_t(*init.getSeed())
                                   : deriveSeed(options.seed, name);
    if (Status s = initialize(*t, initializerOf(init.getKind()), seed);
        !s.ok()) {
      llvm::errs() << "weir init: error: parameter '" << name
                   << "': " << s.message() << "\n";
      return 1;
    }
    tensors.push_back({name, std::move(*t)});
  }
  SafetensorsMetadata metadata{{"format", "pt"},
                               {"weir.seed", std::to_string(options.seed)}};
  if (Status s = writeSafetensors(options.output, tensors, metadata); !s.ok()) {
    llvm::errs() << "weir init: error: " << s.message() << "\n";
    return 1;
  }
  return 0;
}
