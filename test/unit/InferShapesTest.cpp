//===- InferShapesTest.cpp - weir::inferShapes as a library function -----===//
#include "dialect/WeirOps.h"
#include "passes/Transforms.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

class InferShapesTest : public ::testing::Test {
protected:
  InferShapesTest() {
    registry.insert<weir::WeirDialect, func::FuncDialect,
                    tensor::TensorDialect>();
    context = std::make_unique<MLIRContext>(registry);
    context->loadAllAvailableDialects();
  }

  OwningOpRef<ModuleOp> parse(StringRef text) {
    return parseSourceString<ModuleOp>(text, context.get());
  }

  DialectRegistry registry;
  std::unique_ptr<MLIRContext> context;
};

TEST_F(InferShapesTest, RefinesAStackAndTheSignature) {
  auto module = parse(R"mlir(
    weir.parameter @k : tensor<5x5x3x8xf32> init <he_normal>
    func.func @f(%x: tensor<4x32x32x3xf32>) -> tensor<*xf32> {
      %k = weir.load_param @k : tensor<5x5x3x8xf32>
      %0 = weir.conv2d %x, %k strides [2, 2] : (tensor<4x32x32x3xf32>, tensor<5x5x3x8xf32>) -> tensor<*xf32>
      %1 = weir.avg_pool2d %0 pool_size [3, 3] strides [1, 1] padding same : tensor<*xf32> -> tensor<*xf32>
      %2 = weir.global_avg_pool2d %1 : tensor<*xf32> -> tensor<*xf32>
      return %2 : tensor<*xf32>
    })mlir");
  ASSERT_TRUE(module);
  auto func = *module->getOps<func::FuncOp>().begin();
  ASSERT_TRUE(succeeded(weir::inferShapes(func)));

  // Conv: (32 - 5) / 2 + 1 = 14; same pooling keeps 14; global pool -> [4, 8].
  SmallVector<Type> types;
  func.walk([&](Operation *op) {
    if (isa<weir::Conv2DOp, weir::AvgPool2DOp, weir::GlobalAvgPool2DOp>(op))
      types.push_back(op->getResult(0).getType());
  });
  Type f32 = Float32Type::get(context.get());
  ASSERT_EQ(types.size(), 3u);
  EXPECT_EQ(types[0], RankedTensorType::get({4, 14, 14, 8}, f32));
  EXPECT_EQ(types[1], RankedTensorType::get({4, 14, 14, 8}, f32));
  EXPECT_EQ(types[2], RankedTensorType::get({4, 8}, f32));
  EXPECT_EQ(func.getResultTypes()[0], types[2]);
  EXPECT_TRUE(succeeded(verify(*module)));
}

TEST_F(InferShapesTest, ReportsTheOffendingOpLocation) {
  // The mismatch (784 features vs a 100-row kernel) is only visible once
  // the flatten's result is known, i.e. during inference, not parsing.
  auto module = parse(R"mlir(
    weir.parameter @w : tensor<100x10xf32> init <zeros>
    func.func @f(%x: tensor<?x28x28xf32>) -> tensor<*xf32> {
      %0 = weir.flatten %x : tensor<?x28x28xf32> -> tensor<*xf32>
      %w = weir.load_param @w : tensor<100x10xf32>
      %1 = weir.dense %0, %w : (tensor<*xf32>, tensor<100x10xf32>) -> tensor<*xf32> loc("model.weir":12:7)
      return %1 : tensor<*xf32>
    })mlir");
  ASSERT_TRUE(module);
  std::string message;
  std::string where;
  ScopedDiagnosticHandler handler(context.get(), [&](Diagnostic &d) {
    message = d.str();
    llvm::raw_string_ostream os(where);
    os << d.getLocation();
    return success();
  });
  auto func = *module->getOps<func::FuncOp>().begin();
  EXPECT_TRUE(failed(weir::inferShapes(func)));
  EXPECT_EQ(message, "kernel expects 100 input features, but the input has 784");
  EXPECT_EQ(where, "loc(\"model.weir\":12:7)");
}

TEST_F(InferShapesTest, KeepsOtherDialectsTypesThroughACast) {
  auto module = parse(R"mlir(
    func.func @f(%x: tensor<2x3xf32>) -> tensor<*xf32> {
      %0 = weir.relu %x : tensor<2x3xf32> -> tensor<*xf32>
      %1 = tensor.cast %0 : tensor<*xf32> to tensor<*xf32>
      return %1 : tensor<*xf32>
    })mlir");
  ASSERT_TRUE(module);
  auto func = *module->getOps<func::FuncOp>().begin();
  ASSERT_TRUE(succeeded(weir::inferShapes(func)));
  EXPECT_TRUE(succeeded(verify(*module)));
  int casts = 0;
  func.walk([&](tensor::CastOp) { ++casts; });
  EXPECT_EQ(casts, 2); // the user's own, and one back to tensor<*xf32>
}

} // namespace
