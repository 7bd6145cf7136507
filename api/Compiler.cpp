//===- Compiler.cpp - a model through the pipelines, up to a stage -------===//
//
// The stages in pipeline order. CPU: weir -> (train) -> linalg -> llvm ->
// obj | lib. CUDA: weir -> linalg -> gpu (kernels outlined, library calls)
// -> nvvm -> ptx (every kernel module for every chip) -> cubin (one fatbin
// with a cubin per chip, or the cubin itself for one chip) | obj (the host
// code, the kernels embedded) | jit (the in-process path of
// `weir train --device=cuda`, loaded without launching anything).
//
//===----------------------------------------------------------------------===//
#include "api/Compiler.h"
#include "api/Batches.h"
#include "api/Session.h"

#include "passes/Pipelines.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using weir::Status;

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
weir::Status writeFatbin(const std::vector<GpuObject> &objects,
                         const std::string &toolkit, const std::string &path) {
  std::string fatbinary = toolkit + "/bin/fatbinary";
  if (!llvm::sys::fs::can_execute(fatbinary))
    return weir::Status::error(fatbinary + " not found (needed to combine "
                               "several --cuda-arch)");
  std::vector<std::string> args{fatbinary, "-64", "--create=" + path};
  std::vector<llvm::SmallString<128>> temps;
  for (const GpuObject &object : objects) {
    llvm::SmallString<128> temp;
    int fd;
    if (llvm::sys::fs::createTemporaryFile("weir-" + object.chip, "cubin", fd,
                                           temp))
      return weir::Status::error("cannot create a temporary file");
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
  if (rc != 0)
    return weir::Status::error("fatbinary failed" +
                               (error.empty() ? std::string() : ": " + error));
  return weir::Status();
}


const char *const kCpuStages[] = {"weir", "pipeline", "train", "linalg",
                                  "llvm", "obj", "lib"};
const char *const kCudaStages[] = {"weir", "linalg", "gpu", "nvvm",
                                   "ptx", "cubin", "obj", "jit"};

/// The index of `emit` in `stages`, or -1.
template <size_t N>
int stageIndex(const char *const (&stages)[N], const std::string &emit) {
  for (size_t i = 0; i < N; ++i)
    if (emit == stages[i])
      return int(i);
  return -1;
}

template <size_t N> std::string listOf(const char *const (&stages)[N]) {
  std::string s;
  for (size_t i = 0; i < N; ++i)
    s += (i ? ", " : "") + std::string(stages[i]);
  return s;
}

/// Writes `text` to `path` ("-": stdout).
Status writeText(const std::string &path,
                 llvm::function_ref<void(llvm::raw_ostream &)> text) {
  std::string error;
  auto out = openOutputFile(path, &error);
  if (!out)
    return Status::error(error);
  text(out->os());
  out->keep();
  return Status();
}

Status failedTo(const std::string &what) {
  return Status::error("cannot " + what);
}

/// `--target=cuda --emit=jit`: a cubin for the first chip, the host code in
/// the JIT with every runtime call resolved; lists the entry points.
Status compileCudaJit(weir::Session &session,
                      const weir::CompileRequest &request) {
  std::vector<std::string> entries;
  for (auto func : session.module().getOps<func::FuncOp>())
    if (!func.isExternal() && func.isPublic())
      entries.push_back(func.getSymName().str());
  std::unique_ptr<weir::JitExecutable> exe =
      session.compileForCuda(request.cudaArchs.front());
  if (!exe)
    return failedTo("compile for CUDA");
  for (const std::string &name : entries)
    if (weir::Result<weir::PackedFunction> fn = exe->lookup(name); !fn.ok())
      return fn.status();
  return writeText(request.output, [&](llvm::raw_ostream &os) {
    for (const std::string &name : entries)
      os << "entry " << name << "\n";
  });
}

Status compileCuda(weir::Session &session,
                   const weir::CompileRequest &request) {
  if (request.emit == "jit")
    return compileCudaJit(session, request);
  int stage = stageIndex(kCudaStages, request.emit);
  weir::CudaPipelineOptions cuda;
  cuda.chips = ArrayRef<std::string>(request.cudaArchs);
  cuda.format = stage == 6 ? "fatbin" : stage == 5 ? "bin" : "isa";
  auto run = [&](void (*build)(OpPassManager &,
                               const weir::CudaPipelineOptions &)) {
    return session.runPasses([&](OpPassManager &pm) { build(pm, cuda); });
  };
  if (stage >= 1 && failed(session.lowerToLinalg()))
    return failedTo("lower to linalg");
  if (stage >= 2 && failed(run(weir::buildCudaKernelPipeline)))
    return failedTo("outline the kernels");
  if (stage >= 3 && failed(run(weir::buildCudaNvvmPipeline)))
    return failedTo("lower the kernels to NVVM");
  if (stage >= 4 && failed(run(weir::buildCudaBinaryPipeline)))
    return failedTo("compile the kernels");
  if (stage == 6) {
    weir::dropWeirAnnotations(session.module());
    return failed(weir::emitObjectFile(session.module(), request.output))
               ? failedTo("write the object file")
               : Status();
  }
  std::vector<GpuObject> objects = gpuObjects(session.module());
  if (stage == 5) {
    if (objects.size() != 1)
      return writeFatbin(objects, cuda.toolkit, request.output);
    return writeText(request.output, [&](llvm::raw_ostream &os) {
      os << objects.front().bytes;
    });
  }
  return writeText(request.output, [&](llvm::raw_ostream &os) {
    if (stage == 4) {
      for (const GpuObject &object : objects)
        os << "// weir: kernel module @" << object.module << " for "
           << object.chip << "\n"
           << object.bytes << "\n";
      return;
    }
    session.module().print(os, session.printingFlags());
    os << "\n";
  });
}
} // namespace

Status weir::checkCompileRequest(const CompileRequest &request) {
  bool cuda = request.target == "cuda";
  if (!cuda && request.target != "cpu")
    return Status::error("unknown --target=" + request.target +
                         " (available: cpu, cuda)");
  int stage = cuda ? stageIndex(kCudaStages, request.emit)
                   : stageIndex(kCpuStages, request.emit);
  if (stage < 0)
    return Status::error("unknown --emit=" + request.emit +
                         (cuda ? " for --target=cuda (available: " +
                                     listOf(kCudaStages)
                               : " (available: " + listOf(kCpuStages)) +
                         ")");
  bool binary = cuda ? (stage == 5 || stage == 6) : stage >= 5;
  if (binary && request.output == "-")
    return Status::error("--emit=" + request.emit + " needs -o <file>");
  if (cuda && request.cudaArchs.empty())
    return Status::error("--cuda-arch names no architecture");
  for (const std::string &chip : request.cudaArchs)
    if (cuda && (!StringRef(chip).starts_with("sm_") || chip.size() < 5))
      return Status::error("--cuda-arch wants sm_NN, got '" + chip + "'");
  return Status();
}

Status weir::compileToStage(Session &session, const CompileRequest &request) {
  if (Status s = checkCompileRequest(request); !s.ok())
    return s;
  if (request.target == "cuda")
    return compileCuda(session, request);
  int stage = stageIndex(kCpuStages, request.emit);
  if (stage == 2 && failed(session.buildTraining()))
    return failedTo("build the training functions");
  // A library carries the signature of its entry point, read before
  // lowering.
  std::optional<ModelManifest> manifest;
  if (stage == 6) {
    func::FuncOp func = session.entry(request.function);
    if (!func)
      return failedTo("find the model function");
    Result<ModelManifest> m = session.manifestOf(func);
    if (!m.ok())
      return m.status();
    manifest = *m;
  }
  if (stage >= 3 && failed(session.lowerToLinalg()))
    return failedTo("lower to linalg");
  if (stage >= 4 && failed(session.runPasses(buildCpuLoweringPipeline)))
    return failedTo("lower to the LLVM dialect");
  if (stage >= 5) {
    dropWeirAnnotations(session.module());
    LogicalResult written =
        stage == 5 ? emitObjectFile(session.module(), request.output)
                   : emitSharedLibrary(session.module(), *manifest,
                                       request.output);
    return failed(written) ? failedTo("write " + request.output) : Status();
  }
  return writeText(request.output, [&](llvm::raw_ostream &os) {
    if (stage == 1)
      printPlacement(session.module(), os);
    session.module().print(os, session.printingFlags());
    os << "\n";
  });
}
