//===- Compile.cpp - `weir compile`: run the pipelines up to a stage -----===//
#include "passes/Pipelines.h"
#include "passes/Transforms.h"
#include "tools/weir/Batches.h"
#include "tools/weir/Commands.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

namespace {
/// One compiled kernel module for one chip (a gpu.binary object).
struct GpuObject {
  std::string module, chip, bytes;
};

std::vector<GpuObject> gpuObjects(ModuleOp module) {
  std::vector<GpuObject> objects;
  module.walk([&](gpu::BinaryOp binary) {
    for (Attribute a : binary.getObjects()) {
      auto object = cast<gpu::ObjectAttr>(a);
      auto target = dyn_cast<NVVM::NVVMTargetAttr>(object.getTarget());
      objects.push_back({binary.getName().str(),
                         target ? target.getChip().str() : "?",
                         object.getObject().str()});
    }
  });
  return objects;
}

/// One fatbin holding a cubin per chip, made by the toolkit's fatbinary.
LogicalResult writeFatbin(const std::vector<GpuObject> &objects,
                          const std::string &toolkit, const std::string &path) {
  std::string fatbinary = toolkit + "/bin/fatbinary";
  if (!llvm::sys::fs::can_execute(fatbinary)) {
    llvm::errs() << "weir compile: " << fatbinary
                 << " not found (needed to combine several --cuda-arch)\n";
    return failure();
  }
  std::vector<std::string> args{fatbinary, "-64", "--create=" + path};
  std::vector<llvm::SmallString<128>> temps;
  for (const GpuObject &object : objects) {
    llvm::SmallString<128> temp;
    int fd;
    if (llvm::sys::fs::createTemporaryFile("weir-" + object.chip, "cubin", fd,
                                           temp)) {
      llvm::errs() << "weir compile: cannot create a temporary file\n";
      return failure();
    }
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << object.bytes;
    temps.push_back(temp);
    args.push_back("--image3=kind=elf,sm=" + object.chip.substr(3) +
                   ",file=" + std::string(temp));
  }
  SmallVector<StringRef> argRefs(args.begin(), args.end());
  std::string error;
  int rc = llvm::sys::ExecuteAndWait(fatbinary, argRefs, std::nullopt, {}, 0, 0,
                                     &error);
  for (auto &temp : temps)
    llvm::sys::fs::remove(temp);
  if (rc != 0) {
    llvm::errs() << "weir compile: fatbinary failed" << (error.empty() ? "" : ": ")
                 << error << "\n";
    return failure();
  }
  return success();
}

/// `weir compile --target=cuda`: the CPU stages weir and linalg, then gpu
/// (kernels outlined, library calls), nvvm, ptx (the PTX of every kernel
/// module for every chip) and cubin (one fatbin with a cubin per chip, or
/// the cubin itself for one chip), obj (the host code as an object file,
/// the kernels embedded, calling the runtime's mgpu* and library entry
/// points), jit (the in-process path of `weir train --device=cuda`: a cubin
/// for the first --cuda-arch, the host code loaded in the JIT with every
/// runtime call resolved; prints the entry points found, launches nothing,
/// so it runs without a GPU).
int runCompileCudaJit(const weir::CompileOptions &options) {
  auto session = weir::Session::load(options.input, options.session);
  if (!session)
    return 1;
  std::vector<std::string> entries;
  for (auto func : session->module().getOps<mlir::func::FuncOp>())
    if (!func.isExternal() && func.isPublic())
      entries.push_back(func.getSymName().str());
  std::unique_ptr<weir::JitExecutable> exe =
      session->compileForCuda(options.cudaArchs.front());
  if (!exe)
    return 1;
  for (const std::string &name : entries) {
    weir::Result<weir::PackedFunction> fn = exe->lookup(name);
    if (!fn.ok()) {
      llvm::errs() << "weir compile: " << fn.status().message() << "\n";
      return 1;
    }
    llvm::outs() << "entry " << name << "\n";
  }
  return 0;
}

int runCompileCuda(const weir::CompileOptions &options) {
  if (options.emit == "jit")
    return runCompileCudaJit(options);
  static const char *const kStages[] = {"weir", "linalg", "gpu", "nvvm", "ptx",
                                        "cubin", "obj"};
  int stage = -1;
  for (int i = 0; i < 7; ++i)
    if (options.emit == kStages[i])
      stage = i;
  if (stage < 0) {
    llvm::errs() << "weir compile: unknown --emit=" << options.emit
                 << " for --target=cuda (available: weir, linalg, gpu, nvvm, "
                    "ptx, cubin, obj, jit)\n";
    return 2;
  }
  if (stage >= 5 && options.output == "-") {
    llvm::errs() << "weir compile: --emit=" << options.emit
                 << " needs -o <file>\n";
    return 2;
  }
  weir::CudaPipelineOptions cuda;
  cuda.chips = ArrayRef<std::string>(options.cudaArchs);
  cuda.format = stage == 6 ? "fatbin" : stage == 5 ? "bin" : "isa";
  for (const std::string &chip : options.cudaArchs)
    if (!StringRef(chip).starts_with("sm_") || chip.size() < 5) {
      llvm::errs() << "weir compile: --cuda-arch wants sm_NN, got '" << chip
                   << "'\n";
      return 2;
    }

  auto session = weir::Session::load(options.input, options.session);
  if (!session)
    return 1;
  auto run = [&](void (*build)(OpPassManager &,
                               const weir::CudaPipelineOptions &)) {
    return session->runPasses([&](OpPassManager &pm) { build(pm, cuda); });
  };
  if (stage >= 1 && failed(session->runPasses(weir::buildToLinalgPipeline)))
    return 1;
  if (stage >= 2 && failed(run(weir::buildCudaKernelPipeline)))
    return 1;
  if (stage >= 3 && failed(run(weir::buildCudaNvvmPipeline)))
    return 1;
  if (stage >= 4 && failed(run(weir::buildCudaBinaryPipeline)))
    return 1;
  if (stage == 6) {
    weir::dropWeirAnnotations(session->module());
    return failed(weir::emitObjectFile(session->module(), options.output)) ? 1
                                                                           : 0;
  }
  std::vector<GpuObject> objects = gpuObjects(session->module());
  if (stage == 5) {
    if (objects.size() == 1) {
      std::string error;
      auto out = openOutputFile(options.output, &error);
      if (!out) {
        llvm::errs() << "weir compile: " << error << "\n";
        return 1;
      }
      out->os() << objects.front().bytes;
      out->keep();
      return 0;
    }
    return failed(writeFatbin(objects, cuda.toolkit, options.output)) ? 1 : 0;
  }

  std::string error;
  auto out = openOutputFile(options.output, &error);
  if (!out) {
    llvm::errs() << "weir compile: " << error << "\n";
    return 1;
  }
  if (stage == 4) {
    for (const GpuObject &object : objects)
      out->os() << "// weir: kernel module @" << object.module << " for "
                << object.chip << "\n"
                << object.bytes << "\n";
  } else {
    session->module().print(out->os());
    out->os() << "\n";
  }
  out->keep();
  return 0;
}
} // namespace

int weir::runCompile(const CompileOptions &options) {
  if (options.target == "cuda")
    return runCompileCuda(options);
  if (options.target != "cpu") {
    llvm::errs() << "weir compile: unknown --target=" << options.target
                 << " (available: cpu, cuda)\n";
    return 2;
  }
  static const char *const kStages[] = {"weir", "linalg", "llvm", "obj",
                                        "lib"};
  int stage = -1;
  for (int i = 0; i < 5; ++i)
    if (options.emit == kStages[i])
      stage = i;
  // `train`: the weir module with its training functions built.
  bool train = options.emit == "train";
  // `pipeline`: the placement of every data-pipeline stage, then the module.
  bool pipeline = options.emit == "pipeline";
  if (train || pipeline)
    stage = 0;
  if (stage < 0) {
    llvm::errs() << "weir compile: unknown --emit=" << options.emit
                 << " (available: weir, pipeline, train, linalg, llvm, obj, "
                    "lib)\n";
    return 2;
  }
  if (stage >= 3 && options.output == "-") {
    llvm::errs() << "weir compile: --emit=" << options.emit
                 << " needs -o <file>\n";
    return 2;
  }

  auto session = Session::load(options.input, options.session);
  if (!session)
    return 1;
  if (train && failed(session->buildTraining()))
    return 1;
  // A library carries the signature of its entry point, read before lowering.
  std::optional<ModelManifest> manifest;
  if (stage == 4) {
    func::FuncOp func = session->entry(options.function);
    if (!func)
      return 1;
    Result<ModelManifest> m = session->manifestOf(func);
    if (!m.ok()) {
      llvm::errs() << "weir compile: " << m.status().message() << "\n";
      return 1;
    }
    manifest = *m;
  }
  if (stage >= 1 && failed(session->runPasses(buildToLinalgPipeline)))
    return 1;
  if (stage >= 2 && failed(session->runPasses(buildCpuLoweringPipeline)))
    return 1;
  if (stage >= 3) {
    dropWeirAnnotations(session->module());
    LogicalResult written =
        stage == 3 ? emitObjectFile(session->module(), options.output)
                   : emitSharedLibrary(session->module(), *manifest,
                                       options.output);
    return failed(written) ? 1 : 0;
  }

  std::string error;
  auto out = openOutputFile(options.output, &error);
  if (!out) {
    llvm::errs() << "weir compile: " << error << "\n";
    return 1;
  }
  if (pipeline)
    printPlacement(session->module(), out->os());
  session->module().print(out->os());
  out->os() << "\n";
  out->keep();
  return 0;
}
