// Interop tests: read files numpy wrote, and have Python read files we write.
#include "runtime/Npy.h"
#include "runtime/Safetensors.h"

#include "TestUtil.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <sys/wait.h>

using namespace weir;
using namespace weir::test;

namespace {

std::string input(const std::string &name) {
  return std::string(WEIR_RUNTIME_INPUTS) + "/" + name;
}

HostTensor readInput(const std::string &name) {
  Result<HostTensor> t = readNpy(input(name));
  EXPECT_TRUE(t.ok()) << t.status().message();
  return t.ok() ? std::move(*t) : HostTensor();
}

template <typename T, typename F>
void expectElements(const HostTensor &t, F formula) {
  for (int64_t i = 0; i < t.numElements(); ++i)
    ASSERT_EQ(t.data<T>()[i], static_cast<T>(formula(i))) << "element " << i;
}

using Shape = std::vector<int64_t>;

// The values make_fixtures.py writes, restated.
TEST(NumpyFixtures, ReadEveryDTypeAndVersion) {
  HostTensor f32 = readInput("f32_v1.npy");
  EXPECT_EQ(f32.dtype(), DType::F32);
  EXPECT_EQ(f32.shape(), (Shape{2, 3, 4}));
  expectElements<float>(f32, [](int64_t i) { return i * 0.5 - 3; });

  HostTensor i64 = readInput("i64_v2.npy"); // Format version 2.0.
  EXPECT_EQ(i64.dtype(), DType::I64);
  EXPECT_EQ(i64.shape(), (Shape{3, 4}));
  expectElements<int64_t>(i64, [](int64_t i) { return (i - 5) * 1000000007; });

  HostTensor u8 = readInput("u8_v3.npy"); // Format version 3.0.
  EXPECT_EQ(u8.dtype(), DType::U8);
  EXPECT_EQ(u8.shape(), (Shape{10}));
  expectElements<uint8_t>(u8, [](int64_t i) { return i * 25; });

  HostTensor b = readInput("bool_v1.npy");
  EXPECT_EQ(b.dtype(), DType::Bool);
  EXPECT_EQ(b.shape(), (Shape{2, 3}));
  const uint8_t bools[] = {1, 0, 1, 0, 0, 1};
  expectElements<uint8_t>(b, [&](int64_t i) { return bools[i]; });

  HostTensor f16 = readInput("f16_v1.npy"); // 1.0, -2.5, 65504, 0 as half bits.
  EXPECT_EQ(f16.dtype(), DType::F16);
  const uint16_t halves[] = {0x3C00, 0xC100, 0x7BFF, 0x0000};
  expectElements<uint16_t>(f16, [&](int64_t i) { return halves[i]; });

  HostTensor f64 = readInput("f64_scalar_v1.npy");
  EXPECT_EQ(f64.dtype(), DType::F64);
  EXPECT_EQ(f64.shape(), Shape{});
  EXPECT_EQ(f64.data<double>()[0], 3.25);

  HostTensor i8 = readInput("i8_v1.npy");
  EXPECT_EQ(i8.dtype(), DType::I8);
  expectElements<int8_t>(i8, [](int64_t i) { return (i - 2) * 50; });

  HostTensor i32 = readInput("i32_v1.npy");
  EXPECT_EQ(i32.dtype(), DType::I32);
  EXPECT_EQ(i32.shape(), (Shape{2, 2}));
  const int32_t ints[] = {std::numeric_limits<int32_t>::min(), -1, 0,
                          std::numeric_limits<int32_t>::max()};
  expectElements<int32_t>(i32, [&](int64_t i) { return ints[i]; });

  HostTensor empty = readInput("i32_empty_v1.npy");
  EXPECT_EQ(empty.shape(), (Shape{0, 3}));
  EXPECT_EQ(empty.numElements(), 0);
}

TEST(NumpyFixtures, RefusedFilesNumpyWrote) {
  EXPECT_ERROR_CONTAINS(readNpy(input("bad_fortran.npy")),
                        "fortran_order True");
  EXPECT_ERROR_CONTAINS(readNpy(input("bad_bigendian.npy")),
                        "big-endian dtype '>i4' is not supported");
  EXPECT_ERROR_CONTAINS(readNpy(input("bad_complex.npy")),
                        "unsupported dtype '<c8'");
}

// writeNpy produces np.save's bytes exactly.
TEST(NumpyFixtures, WriterMatchesNpSaveByteForByte) {
  TempDir dir;
  for (const char *name :
       {"f32_v1.npy", "bool_v1.npy", "f16_v1.npy", "f64_scalar_v1.npy",
        "i8_v1.npy", "i32_v1.npy", "i32_empty_v1.npy"}) {
    HostTensor t = readInput(name);
    ASSERT_TRUE(writeNpy(dir.file(name), t).ok());
    EXPECT_EQ(readBytes(dir.file(name)), readBytes(input(name))) << name;
  }
}

TEST(SafetensorsFixture, ReadHandBuiltFile) {
  Result<SafetensorsFile> f = readSafetensors(input("model.safetensors"));
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_EQ(f->metadata,
            (SafetensorsMetadata{{"format", "pt"},
                                 {"producer", "make_fixtures.py"}}));
  std::vector<std::string> names;
  for (const NamedTensor &t : f->tensors)
    names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "dense.kernel", "dense.bias", "step", "mask", "half",
                       "bf", "pixels", "delta", "count", "empty", "precise"}));
  auto get = [&](const char *name, DType dtype,
                 Shape shape) -> const HostTensor & {
    const HostTensor *t = f->find(name);
    static const HostTensor none;
    EXPECT_NE(t, nullptr) << name;
    if (!t)
      return none;
    EXPECT_EQ(t->dtype(), dtype) << name;
    EXPECT_EQ(t->shape(), shape) << name;
    return *t;
  };
  expectElements<float>(get("dense.kernel", DType::F32, {3, 2}),
                        [](int64_t i) { return i * 0.25 - 0.5; });
  expectElements<float>(get("dense.bias", DType::F32, {2}),
                        [](int64_t i) { return i ? 1.0 : -1.0; });
  expectElements<int64_t>(get("step", DType::I64, {}),
                          [](int64_t) { return 42; });
  const uint8_t mask[] = {1, 0, 0, 1};
  expectElements<uint8_t>(get("mask", DType::Bool, {4}),
                          [&](int64_t i) { return mask[i]; });
  const uint16_t half[] = {0x3800, 0xBC00, 0x6800}; // 0.5, -1, 2048
  expectElements<uint16_t>(get("half", DType::F16, {3}),
                           [&](int64_t i) { return half[i]; });
  const uint16_t bf[] = {0x3F80, 0xC000, 0x3E20}; // 1, -2, 0.15625
  expectElements<uint16_t>(get("bf", DType::BF16, {3}),
                           [&](int64_t i) { return bf[i]; });
  const uint8_t pixels[] = {0, 255, 128, 7};
  expectElements<uint8_t>(get("pixels", DType::U8, {2, 2}),
                          [&](int64_t i) { return pixels[i]; });
  const int8_t delta[] = {-128, 0, 127};
  expectElements<int8_t>(get("delta", DType::I8, {3}),
                         [&](int64_t i) { return delta[i]; });
  const int32_t count[] = {-7, 123456};
  expectElements<int32_t>(get("count", DType::I32, {2}),
                          [&](int64_t i) { return count[i]; });
  EXPECT_EQ(get("empty", DType::F64, {0, 4}).numElements(), 0);
  const double precise[] = {M_PI, -1e300};
  expectElements<double>(get("precise", DType::F64, {2}),
                         [&](int64_t i) { return precise[i]; });

  // Our writer keeps everything, in order.
  TempDir dir;
  ASSERT_TRUE(
      writeSafetensors(dir.file("copy.safetensors"), f->tensors, f->metadata)
          .ok());
  Result<SafetensorsFile> copy = readSafetensors(dir.file("copy.safetensors"));
  ASSERT_TRUE(copy.ok()) << copy.status().message();
  EXPECT_EQ(copy->metadata, f->metadata);
  ASSERT_EQ(copy->tensors.size(), f->tensors.size());
  for (size_t i = 0; i < f->tensors.size(); ++i) {
    EXPECT_EQ(copy->tensors[i].name, f->tensors[i].name);
    EXPECT_TRUE(sameTensor(copy->tensors[i].tensor, f->tensors[i].tensor));
  }
}

// The formulas check_interop.py expects, element i of a [2, 3, 4] tensor.
HostTensor interopTensor(DType d) {
  HostTensor t = std::move(*HostTensor::create(d, {2, 3, 4}));
  for (int64_t i = 0; i < 24; ++i) {
    switch (d) {
    case DType::F64:
      t.data<double>()[i] = i * 0.25 - 1;
      break;
    case DType::I64:
      t.data<int64_t>()[i] = i * 1000000007 - 3;
      break;
    case DType::F32:
      t.data<float>()[i] = i * 0.5f - 3;
      break;
    case DType::I32:
      t.data<int32_t>()[i] = static_cast<int32_t>(i * 100003 - 500000);
      break;
    case DType::F16:
      t.data<uint16_t>()[i] = static_cast<uint16_t>(0x3C00 + i);
      break;
    case DType::BF16:
      t.data<uint16_t>()[i] = static_cast<uint16_t>(0x3F80 + i);
      break;
    case DType::U8:
      t.data<uint8_t>()[i] = static_cast<uint8_t>(i * 37 % 256);
      break;
    case DType::I8:
      t.data<int8_t>()[i] = static_cast<int8_t>(i * 37 % 256 - 128);
      break;
    case DType::Bool:
      t.data<uint8_t>()[i] = i % 3 == 0;
      break;
    }
  }
  return t;
}

// Runs `command`, returning its exit status and output.
int run(const std::string &command, std::string &output) {
  FILE *pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe)
    return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0)
    output.append(buf, n);
  int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// numpy's np.load and (when installed) the safetensors package read what we
// write. Set WEIR_INTEROP_PYTHON to pick the Python; skipped without numpy.
TEST(PythonInterop, ReadsWhatWeWrite) {
  const char *env = std::getenv("WEIR_INTEROP_PYTHON");
  std::string python = env && *env ? env : WEIR_INTEROP_PYTHON;
  std::string output;
  if (run("'" + python + "' -c 'import numpy'", output) != 0)
    GTEST_SKIP() << python << " has no numpy";

  TempDir dir;
  // Decreasing element size keeps every tensor naturally aligned.
  const DType order[] = {DType::F64, DType::I64, DType::F32,
                         DType::I32, DType::F16, DType::BF16,
                         DType::U8,  DType::I8,  DType::Bool};
  std::vector<NamedTensor> tensors;
  for (DType d : order) {
    tensors.push_back({safetensorsDTypeName(d), interopTensor(d)});
    if (d != DType::BF16) {
      ASSERT_TRUE(
          writeNpy(dir.file(std::string(safetensorsDTypeName(d)) + ".npy"),
                   tensors.back().tensor)
              .ok());
    }
  }
  ASSERT_TRUE(writeSafetensors(dir.file("all.safetensors"), tensors,
                               {{"format", "pt"}, {"producer", "weir"}})
                  .ok());
  output.clear();
  int rc = run("'" + python + "' '" + input("check_interop.py") + "' '" +
                   dir.path() + "'",
               output);
  EXPECT_EQ(rc, 0) << output;
  std::printf("%s", output.c_str());
}

} // namespace
