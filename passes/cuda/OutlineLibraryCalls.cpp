//===- OutlineLibraryCalls.cpp - GEMMs and convolutions to cuBLAS/cuDNN --===//
//
// The CUDA target leaves matrix products and convolutions to the vendor
// libraries, as XLA does: they beat any kernel this compiler would
// generate, and the fused elementwise and reduction groups around them are
// what weir-linalg-to-gpu is for. Runs on buffers, so each call writes its
// output in place (`C += A * B`, destination-passing as linalg does).
//
// The calls follow the runtime's C ABI (runtime/device/DeviceCalls.h):
// memref descriptors, i32 flags, f32 alpha and beta, i64 strides, padding
// and dilations, and an i32 status. A convolution's filter gradient, one
// generic (FilterGradConv.h), is one cuDNN backward-filter call.
//
//===----------------------------------------------------------------------===//
#include "passes/cuda/CudaTransforms.h"
#include "passes/linalg/FilterGradConv.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/TypeUtilities.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
namespace weir {
#define GEN_PASS_DEF_OUTLINELIBRARYCALLS
#include "passes/Passes.h.inc"
} // namespace weir
#pragma GCC diagnostic pop

using namespace mlir;

std::string weir::libraryDtypeSuffix(ArrayRef<Type> elementTypes) {
  auto name = [](Type t) {
    std::string s;
    llvm::raw_string_ostream os(s);
    t.print(os);
    return s;
  };
  if (llvm::all_equal(elementTypes))
    return name(elementTypes.front());
  std::string joined;
  for (Type t : elementTypes)
    joined += (joined.empty() ? "" : "_") + name(t);
  return joined;
}

namespace {

/// Emits the call and its declaration; the operands are cast to fully
/// dynamic strided memrefs so one declaration serves every shape.
class CallEmitter {
public:
  CallEmitter(ModuleOp module, ArrayRef<std::string> dtypes)
      : module_(module), symbols_(module), dtypes_(dtypes) {}

  /// Whether the runtime has an entry point for `buffers`' element types.
  bool supports(ArrayRef<Value> buffers) const {
    SmallVector<Type> elementTypes;
    for (Value buffer : buffers)
      elementTypes.push_back(getElementTypeOrSelf(buffer.getType()));
    return llvm::is_contained(dtypes_, weir::libraryDtypeSuffix(elementTypes));
  }

  void replace(linalg::LinalgOp op, StringRef base, ArrayRef<Value> buffers,
               ArrayRef<Value> scalars) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    SmallVector<Type> elementTypes;
    SmallVector<Value> args;
    for (Value buffer : buffers) {
      auto type = cast<MemRefType>(buffer.getType());
      elementTypes.push_back(type.getElementType());
      args.push_back(memref::CastOp::create(b, loc, dynamicType(type), buffer));
    }
    llvm::append_range(args, scalars);
    std::string name = (base + "_" + weir::libraryDtypeSuffix(elementTypes)).str();
    func::FuncOp callee = declare(name, ValueRange(args).getTypes(), loc);
    // The i32 status is not checked here: the runtime keeps the first error
    // (weir_device_last_error) for the host to report after the step.
    func::CallOp::create(b, loc, callee, args);
    op->erase();
  }

private:
  static MemRefType dynamicType(MemRefType type) {
    int64_t rank = type.getRank();
    SmallVector<int64_t> shape(rank, ShapedType::kDynamic);
    SmallVector<int64_t> strides(rank, ShapedType::kDynamic);
    auto layout = StridedLayoutAttr::get(type.getContext(),
                                         ShapedType::kDynamic, strides);
    return MemRefType::get(shape, type.getElementType(), layout,
                           type.getMemorySpace());
  }

  func::FuncOp declare(StringRef name, TypeRange types, Location loc) {
    if (auto existing = symbols_.lookup<func::FuncOp>(name))
      return existing;
    OpBuilder b = OpBuilder::atBlockBegin(module_.getBody());
    auto func = func::FuncOp::create(
        b, loc, name, b.getFunctionType(types, {b.getI32Type()}));
    func.setPrivate();
    func->setAttr("llvm.emit_c_interface", b.getUnitAttr());
    symbols_.insert(func);
    return func;
  }

  ModuleOp module_;
  SymbolTable symbols_;
  ArrayRef<std::string> dtypes_;
};

bool isFloatContraction(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || !linalg::isaContractionOpInterface(op))
    return false;
  return llvm::all_of(op->getOperandTypes(), [](Type t) {
    return isa<FloatType>(cast<MemRefType>(t).getElementType());
  });
}

/// The map's results as dimension positions.
SmallVector<unsigned> dimsOf(AffineMap map) {
  SmallVector<unsigned> dims;
  for (AffineExpr e : map.getResults())
    dims.push_back(cast<AffineDimExpr>(e).getPosition());
  return dims;
}

/// `C[b?, m, n] += op(A) op(B)` with one m, n, k (and at most one batch
/// dimension, leading every operand): returns transA, transB.
std::optional<std::pair<bool, bool>>
matchGemm(linalg::LinalgOp op, const linalg::ContractionDimensions &dims) {
  if (dims.m.size() != 1 || dims.n.size() != 1 || dims.k.size() != 1 ||
      dims.batch.size() > 1)
    return std::nullopt;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  if (!llvm::all_of(maps, [](AffineMap m) { return m.isProjectedPermutation(); }))
    return std::nullopt;
  SmallVector<unsigned> prefix(dims.batch.begin(), dims.batch.end());
  auto is = [&](AffineMap map, unsigned x, unsigned y) {
    SmallVector<unsigned> want(prefix);
    want.append({x, y});
    return dimsOf(map) == want;
  };
  unsigned m = dims.m[0], n = dims.n[0], k = dims.k[0];
  if (!is(maps[2], m, n))
    return std::nullopt;
  bool ta = is(maps[0], k, m), tb = is(maps[1], n, k);
  if ((!ta && !is(maps[0], m, k)) || (!tb && !is(maps[1], k, n)))
    return std::nullopt;
  return std::make_pair(ta, tb);
}

/// Whether cuDNN can read `v` as a dense tensor: an identity layout.
bool isDense(Value v) {
  return cast<MemRefType>(v.getType()).getLayout().isIdentity();
}

} // namespace

LogicalResult weir::outlineLibraryCalls(ModuleOp module,
                                        ArrayRef<std::string> dtypes) {
  SmallVector<linalg::LinalgOp> ops;
  module.walk([&](linalg::LinalgOp op) { ops.push_back(op); });
  SmallVector<std::string> defaultDtypes{"f32"};
  CallEmitter emitter(module, dtypes.empty() ? ArrayRef(defaultDtypes) : dtypes);
  for (linalg::LinalgOp op : ops) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    SmallVector<Value> buffers(op->getOperands());
    // Without an entry point for its types (f64, say) the op stays for the
    // kernel emitter: slower, never unresolved.
    if (!op.hasPureBufferSemantics() || !emitter.supports(buffers))
      continue;
    // (x, w, y, strideH, strideW, padH, padW, dilationH, dilationW,
    // alpha = 1, beta = 1): weir pads explicitly before a convolution, so
    // the padding is 0; the output holds the bias or zeros, and linalg adds
    // to it.
    auto convScalars = [&](ArrayRef<int64_t> strides,
                           ArrayRef<int64_t> dilations) -> SmallVector<Value> {
      auto i64 = [&](int64_t v) {
        return arith::ConstantIntOp::create(b, loc, v, 64).getResult();
      };
      Value one = arith::ConstantFloatOp::create(b, loc, b.getF32Type(),
                                                 APFloat(1.0f));
      return {i64(strides[0]),   i64(strides[1]),   i64(0), i64(0),
              i64(dilations[0]), i64(dilations[1]), one,    one};
    };
    // The runtime's convolutions take dense NHWC/HWCF tensors. A strided
    // output (one phase of a stride-2 convolution's input gradient, written
    // into every other pixel) stays for the kernel emitter.
    auto conv = dyn_cast<linalg::Conv2DNhwcHwcfOp>(op.getOperation());
    if (conv && llvm::all_of(buffers, isDense)) {
      SmallVector<int64_t> strides(conv.getStrides().getValues<int64_t>());
      SmallVector<int64_t> dilations(conv.getDilations().getValues<int64_t>());
      emitter.replace(op, "weir_cudnn_conv2d_fwd", buffers,
                      convScalars(strides, dilations));
      continue;
    }
    std::optional<FilterGradConv> grad = matchFilterGradConv(op);
    if (grad && llvm::all_of(buffers, isDense)) {
      // The runtime's (x, w, y) order: x, then dk (w), then dy (y).
      emitter.replace(op, "weir_cudnn_conv2d_bwd_filter",
                      {grad->input, grad->init, grad->outputGrad},
                      convScalars(grad->strides, grad->dilations));
      continue;
    }
    if (!isFloatContraction(op))
      continue;
    FailureOr<linalg::ContractionDimensions> dims =
        linalg::inferContractionDims(op);
    if (failed(dims))
      continue;
    if (auto trans = matchGemm(op, *dims)) {
      // (A, B, C, transA, transB, alpha = 1, beta = 1): C += op(A) op(B).
      Value ta = arith::ConstantIntOp::create(b, loc, trans->first, 32);
      Value tb = arith::ConstantIntOp::create(b, loc, trans->second, 32);
      Value one = arith::ConstantFloatOp::create(b, loc, b.getF32Type(),
                                                 APFloat(1.0f));
      emitter.replace(op,
                      dims->batch.empty() ? "weir_cublas_gemm"
                                          : "weir_cublas_gemm_batched",
                      buffers, {ta, tb, one, one});
    }
  }
  return success();
}

namespace {
struct OutlineLibraryCallsPass
    : weir::impl::OutlineLibraryCallsBase<OutlineLibraryCallsPass> {
  using OutlineLibraryCallsBase::OutlineLibraryCallsBase;
  void runOnOperation() override {
    if (failed(weir::outlineLibraryCalls(getOperation(), dtypes)))
      signalPassFailure();
  }
};
} // namespace
