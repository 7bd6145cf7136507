// Tests of Status/Result, the DType tables, HostTensor storage and checkFinite.
#include "runtime/HostTensor.h"
#include "runtime/Status.h"

#include "TestUtil.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>

using namespace weir;
using namespace weir::test;

namespace {

Status failIfNegative(int x) {
  if (x < 0)
    return Status::error("negative: " + std::to_string(x));
  return Status::success();
}

Status chained(int x) {
  WEIR_RETURN_IF_ERROR(failIfNegative(x));
  return Status::error("reached the end");
}

TEST(Status, SuccessAndError) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_TRUE(static_cast<bool>(ok));
  EXPECT_EQ(ok.message(), "");
  Status err = Status::error("boom");
  EXPECT_FALSE(err.ok());
  EXPECT_EQ(err.message(), "boom");
  Status copy = err;
  EXPECT_EQ(copy.message(), "boom");
  EXPECT_EQ(err.withPrefix("file.npy").message(), "file.npy: boom");
  EXPECT_TRUE(ok.withPrefix("file.npy").ok());
}

TEST(Status, ReturnIfError) {
  EXPECT_EQ(chained(-3).message(), "negative: -3");
  EXPECT_EQ(chained(3).message(), "reached the end");
}

TEST(Result, ValueAndError) {
  Result<int> value = 42;
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 42);
  Result<int> error = Status::error("no value");
  EXPECT_FALSE(error.ok());
  EXPECT_EQ(error.status().message(), "no value");
  // A success Status is not a value: it turns into an error.
  Result<int> misuse = Status::success();
  EXPECT_FALSE(misuse.ok());
  EXPECT_ERROR_CONTAINS(misuse, "internal error");
}

TEST(Result, MoveOnlyValue) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(DType, Tables) {
  const size_t sizes[] = {4, 8, 2, 2, 1, 1, 4, 8, 1};
  const char *names[] = {"F32", "F64", "F16", "BF16", "U8",
                         "I8",  "I32", "I64", "BOOL"};
  const char *descrs[] = {"<f4", "<f8", "<f2", nullptr, "|u1",
                          "|i1", "<i4", "<i8", "|b1"};
  for (int i = 0; i < 9; ++i) {
    DType d = kAllDTypes[i];
    EXPECT_EQ(dtypeSize(d), sizes[i]);
    EXPECT_STREQ(safetensorsDTypeName(d), names[i]);
    EXPECT_EQ(dtypeFromSafetensorsName(names[i]), d);
    if (descrs[i])
      EXPECT_STREQ(npyDescr(d), descrs[i]);
    else
      EXPECT_EQ(npyDescr(d), nullptr);
    EXPECT_EQ(isFloatDType(d), i < 4);
  }
  EXPECT_FALSE(dtypeFromSafetensorsName("f32").has_value());
  EXPECT_FALSE(dtypeFromSafetensorsName("C64").has_value());
  EXPECT_STREQ(dtypeName(DType::U8), "u8");
}

TEST(HostTensor, CreateIsZeroedAndAligned) {
  for (DType d : kAllDTypes) {
    Result<HostTensor> t = HostTensor::create(d, {3, 5});
    ASSERT_TRUE(t.ok()) << t.status().message();
    EXPECT_EQ(t->numElements(), 15);
    EXPECT_EQ(t->byteSize(), 15 * dtypeSize(d));
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t->rawData()) % 64, 0u);
    for (size_t i = 0; i < t->byteSize(); ++i)
      ASSERT_EQ(t->bytes()[i], 0);
  }
}

TEST(HostTensor, ScalarAndEmpty) {
  Result<HostTensor> scalar = HostTensor::create(DType::F64, {});
  ASSERT_TRUE(scalar.ok());
  EXPECT_EQ(scalar->numElements(), 1);
  EXPECT_EQ(scalar->rank(), 0);
  EXPECT_EQ(scalar->describe(), "f64[]");
  Result<HostTensor> empty = HostTensor::create(DType::I32, {4, 0, 2});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->numElements(), 0);
  EXPECT_EQ(empty->byteSize(), 0u);
  EXPECT_NE(empty->rawData(), nullptr);
}

TEST(HostTensor, BadShapes) {
  EXPECT_ERROR_CONTAINS(HostTensor::create(DType::F32, {2, -1}),
                        "negative dimension in shape [2, -1]");
  int64_t big = std::numeric_limits<int64_t>::max() / 2;
  EXPECT_ERROR_CONTAINS(HostTensor::create(DType::F32, {big, 4}),
                        "too many elements");
  // A zero dimension makes any other dimension harmless.
  EXPECT_TRUE(HostTensor::create(DType::F32, {big, 0, big}).ok());
}

TEST(HostTensor, TypedDataMoveCloneReshape) {
  HostTensor t = std::move(*HostTensor::create(DType::F32, {2, 3}));
  for (int i = 0; i < 6; ++i)
    t.data<float>()[i] = i * 1.5f;
  Result<HostTensor> copy = t.clone();
  ASSERT_TRUE(copy.ok());
  EXPECT_TRUE(sameTensor(t, *copy));
  EXPECT_NE(copy->rawData(), t.rawData());

  HostTensor moved = std::move(t);
  EXPECT_EQ(moved.data<float>()[5], 7.5f);
  EXPECT_EQ(t.rawData(), nullptr); // NOLINT: testing the moved-from state.
  EXPECT_EQ(t.numElements(), 0);

  EXPECT_TRUE(moved.reshape({3, 2}).ok());
  EXPECT_EQ(moved.shape(), (std::vector<int64_t>{3, 2}));
  EXPECT_ERROR_CONTAINS(moved.reshape({4, 2}),
                        "cannot reshape f32[3, 2] to [4, 2]");
}

TEST(CheckFinite, NamesFirstNaNByMultiIndex) {
  HostTensor t = std::move(*HostTensor::create(DType::F32, {4, 2, 20, 1}));
  float *x = t.data<float>();
  EXPECT_TRUE(checkFinite(t, "input 'x'").ok());
  // Row-major flat index of [3, 0, 17, 0]: ((3*2 + 0)*20 + 17)*1 + 0 = 137.
  x[137] = std::numeric_limits<float>::quiet_NaN();
  x[150] = std::numeric_limits<float>::infinity(); // Later: not reported.
  EXPECT_EQ(checkFinite(t, "input 'x'").message(),
            "input 'x' has a NaN at [3, 0, 17, 0]");
}

TEST(CheckFinite, InfinitiesInEveryFloatType) {
  HostTensor f64 = std::move(*HostTensor::create(DType::F64, {3}));
  f64.data<double>()[2] = -std::numeric_limits<double>::infinity();
  EXPECT_EQ(checkFinite(f64, "w").message(), "w has -Inf at [2]");

  HostTensor f16 = std::move(*HostTensor::create(DType::F16, {2, 2}));
  f16.data<uint16_t>()[0] = 0x7BFF; // 65504, the largest finite half.
  EXPECT_TRUE(checkFinite(f16, "h").ok());
  f16.data<uint16_t>()[3] = 0x7C00; // +Inf
  EXPECT_EQ(checkFinite(f16, "h").message(), "h has +Inf at [1, 1]");
  f16.data<uint16_t>()[1] = 0xFE00; // A negative NaN.
  EXPECT_EQ(checkFinite(f16, "h").message(), "h has a NaN at [0, 1]");

  HostTensor bf16 = std::move(*HostTensor::create(DType::BF16, {}));
  bf16.data<uint16_t>()[0] = 0x7F7F; // Largest finite bf16.
  EXPECT_TRUE(checkFinite(bf16, "b").ok());
  bf16.data<uint16_t>()[0] = 0x7FC0; // NaN
  EXPECT_EQ(checkFinite(bf16, "b").message(), "b has a NaN at []");
  bf16.data<uint16_t>()[0] = 0xFF80; // -Inf
  EXPECT_EQ(checkFinite(bf16, "b").message(), "b has -Inf at []");
}

TEST(CheckFinite, IntegersAreAlwaysFinite) {
  HostTensor t = patternTensor(DType::I32, {16});
  std::memset(t.rawData(), 0xFF, t.byteSize());
  EXPECT_TRUE(checkFinite(t, "i").ok());
}

// Training on CUDA switches tensor storage to managed memory mid-process:
// tensors created after the switch come from the new memory, and every
// tensor, moved or not, goes back to the memory it came from.
int customLive = 0;
void *customAllocate(size_t bytes) {
  ++customLive;
  return std::aligned_alloc(HostTensor::kAlignment, bytes);
}
void customRelease(void *p) {
  --customLive;
  std::free(p);
}

TEST(TensorMemory, EachTensorReturnsToItsOwnMemory) {
  HostTensor before = std::move(*HostTensor::create(DType::F32, {8}));
  setTensorMemory({customAllocate, customRelease});
  {
    HostTensor a = std::move(*HostTensor::create(DType::F32, {16}));
    EXPECT_EQ(customLive, 1);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(a.rawData()) % HostTensor::kAlignment, 0u);
    HostTensor b = std::move(a);  // the move carries the release
    HostTensor c = std::move(*b.clone());
    EXPECT_EQ(customLive, 2);
    c = std::move(before);        // c's custom block released, heap block adopted
    EXPECT_EQ(customLive, 1);
  }
  EXPECT_EQ(customLive, 0);       // the heap block was freed by the heap
  setTensorMemory({[](size_t n) { return std::aligned_alloc(HostTensor::kAlignment, n); },
                   [](void *p) { std::free(p); }});
  HostTensor after = std::move(*HostTensor::create(DType::F32, {4}));
  EXPECT_EQ(customLive, 0);
}

} // namespace
