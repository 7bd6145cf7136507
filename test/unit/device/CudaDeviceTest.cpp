// The CUDA device and the mgpu* runtime against the recording fake of the
// driver, cuBLAS and cuDNN: what is called, in which order, on which stream.
#include "FakeCudaApi.h"

#include "runtime/device/CudaDevice.h"
#include "runtime/device/DeviceCalls.h"
#include "runtime/device/HostKernels.h"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <random>
#include <sstream>

using namespace weir;
using namespace weir::device;
using fake::FakeCuda;

namespace {

std::string str(const void *p) {
  std::ostringstream os;
  os << p;
  return os.str();
}

class CudaDeviceTest : public ::testing::Test {
protected:
  void SetUp() override {
    FakeCuda::get().reset();
    Result<std::unique_ptr<CudaDevice>> d =
        CudaDevice::create(FakeCuda::get().api());
    ASSERT_TRUE(d.ok()) << d.status().message();
    dev = std::move(*d);
  }
  void TearDown() override { setCurrentDevice(nullptr); }
  FakeCuda &fake = FakeCuda::get();
  std::unique_ptr<CudaDevice> dev;
};

TEST_F(CudaDeviceTest, CreationOpensAContextAndTwoStreamsOnly) {
  EXPECT_EQ(dev->name(), "cuda:0 (Fake GPU)");
  EXPECT_EQ(dev->chip(), "sm_90");
  EXPECT_EQ(fake.count("cuInit"), 1);
  EXPECT_EQ(fake.count("cuDevicePrimaryCtxRetain"), 1);
  EXPECT_EQ(fake.count("cuStreamCreate"), 2);
  // Nothing loaded eagerly: no module, no cuBLAS, no cuDNN, no memory.
  EXPECT_EQ(fake.count("cuModuleLoadData"), 0);
  EXPECT_EQ(fake.count("cublasCreate"), 0);
  EXPECT_EQ(fake.count("cudnnCreate"), 0);
  EXPECT_EQ(fake.count("cuMemAlloc"), 0);
  EXPECT_NE(dev->computeStream(), dev->copyStream());
}

TEST_F(CudaDeviceTest, ModulesLoadOnTheFirstLaunch) {
  static const char image[] = "fake cubin";
  Result<Module> m = dev->loadModule(image, sizeof(image));
  ASSERT_TRUE(m.ok());
  Result<Function> f = dev->getFunction(*m, "kernel0");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(fake.count("cuModuleLoadData"), 0);
  EXPECT_EQ(fake.count("cuModuleGetFunction"), 0);

  ASSERT_TRUE(dev->launchKernel(*f, {4, 1, 1}, {128, 1, 1}, 0, nullptr,
                                nullptr)
                  .ok());
  int load = fake.indexOf("cuModuleLoadData");
  int get = fake.indexOf("cuModuleGetFunction");
  int launch = fake.indexOf("cuLaunchKernel");
  ASSERT_GE(load, 0);
  EXPECT_LT(load, get);
  EXPECT_LT(get, launch);
  EXPECT_EQ(fake.calls[size_t(get)].args, "name=kernel0");
  EXPECT_EQ(fake.calls[size_t(launch)].args,
            "grid=4x1x1 block=128x1x1 smem=0 stream=" +
                str(dev->computeStream()));

  ASSERT_TRUE(dev->launchKernel(*f, {1, 1, 1}, {1, 1, 1}, 0, nullptr,
                                nullptr)
                  .ok());
  EXPECT_EQ(fake.count("cuModuleLoadData"), 1);
  EXPECT_EQ(fake.count("cuModuleGetFunction"), 1);
  EXPECT_EQ(fake.count("cuLaunchKernel"), 2);
  ASSERT_TRUE(dev->unloadModule(*m).ok());
  EXPECT_EQ(fake.count("cuModuleUnload"), 1);
}

TEST_F(CudaDeviceTest, ThePoolReusesFreedBlocksOfTheSameClass) {
  Result<void *> a = dev->allocate(1000);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(fake.count("cuMemAlloc"), 1);
  EXPECT_EQ(fake.find("cuMemAlloc")->args, "bytes=1024");
  ASSERT_TRUE(dev->deallocate(*a).ok());
  EXPECT_EQ(fake.count("cuMemFree"), 0); // cached, not freed
  Result<void *> b = dev->allocate(1024);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(fake.count("cuMemAlloc"), 1);
  Result<void *> c = dev->allocate(5000); // another class
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(fake.count("cuMemAlloc"), 2);
  EXPECT_EQ(dev->poolStats().hits, 1u);
  ASSERT_TRUE(dev->deallocate(*b).ok());
  ASSERT_TRUE(dev->deallocate(*c).ok());
}

// Managed memory (what compiled CUDA code and the runtime's step buffers
// use) has a pool of its own (cuMemAllocManaged with CU_MEM_ATTACH_GLOBAL,
// size classes as the device pool). The host may touch it, so a freed
// block is reused only after the compute stream is synchronized; nothing
// calls cuMemFree (which would synchronize the device) while it runs.
TEST_F(CudaDeviceTest, ManagedMemoryIsPooledAndReusedAfterASynchronize) {
  Result<void *> m = dev->allocateManaged(1000);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(fake.find("cuMemAllocManaged")->args, "bytes=1024 flags=1");
  static_cast<float *>(*m)[249] = 1.0f; // host-accessible
  Result<void *> pooled = dev->allocate(1000);
  ASSERT_TRUE(pooled.ok());
  EXPECT_NE(*pooled, *m);
  fake.calls.clear();
  ASSERT_TRUE(dev->deallocate(*m).ok());
  ASSERT_TRUE(dev->deallocate(*pooled).ok());
  EXPECT_EQ(fake.count("cuMemFree"), 0);
  // Freed, but the device may still be using it: not handed out yet.
  Result<void *> again = dev->allocateManaged(1000);
  ASSERT_TRUE(again.ok());
  EXPECT_NE(*again, *m);
  EXPECT_EQ(fake.count("cuMemAllocManaged"), 1);
  // After the compute stream is idle it is.
  ASSERT_TRUE(dev->synchronize(nullptr).ok());
  fake.calls.clear();
  Result<void *> reused = dev->allocateManaged(900);
  ASSERT_TRUE(reused.ok());
  EXPECT_EQ(*reused, *m);
  EXPECT_EQ(fake.count("cuMemAllocManaged"), 0);
  ASSERT_TRUE(dev->deallocate(*again).ok());
  ASSERT_TRUE(dev->deallocate(*reused).ok());
  EXPECT_EQ(fake.count("cuMemFree"), 0);
  // A pointer neither pool gave out is refused.
  int local = 0;
  EXPECT_FALSE(dev->deallocate(&local).ok());
}

TEST_F(CudaDeviceTest, PinnedUploadsRunOnTheCopyStreamAndComputeWaits) {
  Result<void *> pinned = dev->allocateHostPinned(256);
  ASSERT_TRUE(pinned.ok());
  EXPECT_EQ(fake.find("cuMemHostAlloc")->args, "bytes=256 flags=1");
  Result<void *> dst = dev->allocate(256);
  ASSERT_TRUE(dst.ok());
  for (int i = 0; i < 64; ++i)
    static_cast<float *>(*pinned)[i] = float(i);

  fake.calls.clear();
  Result<Event> done = dev->uploadOnCopyStream(*dst, *pinned, 256);
  ASSERT_TRUE(done.ok()) << done.status().message();
  std::string copy = str(dev->copyStream());
  std::string compute = str(dev->computeStream());
  std::string event = str(*done);
  EXPECT_EQ(fake.names(),
            (std::vector<std::string>{"cuMemcpyHtoDAsync", "cuEventCreate",
                                      "cuEventRecord", "cuStreamWaitEvent"}));
  EXPECT_EQ(fake.calls[0].args, "bytes=256 stream=" + copy);
  EXPECT_EQ(fake.calls[2].args, "event=" + event + " stream=" + copy);
  EXPECT_EQ(fake.calls[3].args, "stream=" + compute + " event=" + event);
  EXPECT_EQ(static_cast<float *>(*dst)[63], 63.0f);

  ASSERT_TRUE(dev->synchronizeEvent(*done).ok());
  ASSERT_TRUE(dev->destroyEvent(*done).ok());
  ASSERT_TRUE(dev->freeHostPinned(*pinned).ok());
  ASSERT_TRUE(dev->deallocate(*dst).ok());
}

TEST_F(CudaDeviceTest, SynchronousCopiesGoThroughTheComputeStream) {
  Result<void *> d = dev->allocate(16);
  float in[4] = {1, 2, 3, 4}, out[4] = {};
  fake.calls.clear();
  ASSERT_TRUE(dev->copyToDevice(*d, in, 16).ok());
  ASSERT_TRUE(dev->copyToHost(out, *d, 16).ok());
  EXPECT_EQ(fake.names(), (std::vector<std::string>{
                              "cuMemcpyHtoDAsync", "cuStreamSynchronize",
                              "cuMemcpyDtoHAsync", "cuStreamSynchronize"}));
  EXPECT_EQ(out[2], 3.0f);
  ASSERT_TRUE(dev->deallocate(*d).ok());
}

// Row-major C = op(A) op(B) through column-major cuBLAS: the fake computes
// what cuBLAS would, so a wrong operand order or leading dimension shows up
// as wrong numbers as well as in the log.
TEST_F(CudaDeviceTest, GemmUsesTheColumnMajorTrick) {
  const int64_t M = 3, K = 4, N = 5;
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> dist(-1, 1);
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      std::vector<float> a(M * K), b(K * N), c(M * N), ref(M * N);
      for (float &v : a)
        v = dist(gen);
      for (float &v : b)
        v = dist(gen);
      GemmArgs g;
      g.a = ta ? Matrix{a.data(), K, M, M} : Matrix{a.data(), M, K, K};
      g.b = tb ? Matrix{b.data(), N, K, K} : Matrix{b.data(), K, N, N};
      g.c = {c.data(), M, N, N};
      g.transA = ta;
      g.transB = tb;
      fake.calls.clear();
      ASSERT_TRUE(dev->gemm(g, nullptr).ok());
      GemmArgs h = g;
      h.c.data = ref.data();
      hostGemm(h);
      for (size_t i = 0; i < c.size(); ++i)
        EXPECT_NEAR(c[i], ref[i], 1e-5) << "ta=" << ta << " tb=" << tb;
      const fake::Call *sgemm = fake.find("cublasSgemm");
      ASSERT_NE(sgemm, nullptr);
      std::string ops = std::string(tb ? "T" : "N") + (ta ? "T" : "N");
      EXPECT_EQ(sgemm->args, ops + " m=5 n=3 k=4 lda=" + (tb ? "4" : "5") +
                                 " ldb=" + (ta ? "3" : "4") + " ldc=5");
    }
}

TEST_F(CudaDeviceTest, GemmCreatesTheHandleOnceAndSetsTheStream) {
  std::vector<float> a(4, 1), b(4, 1), c(4);
  GemmArgs g;
  g.a = {a.data(), 2, 2, 2};
  g.b = {b.data(), 2, 2, 2};
  g.c = {c.data(), 2, 2, 2};
  ASSERT_TRUE(dev->gemm(g, nullptr).ok());
  ASSERT_TRUE(dev->gemm(g, nullptr).ok());
  EXPECT_EQ(fake.names("cublas"),
            (std::vector<std::string>{"cublasCreate", "cublasSetStream",
                                      "cublasSgemm", "cublasSgemm"}));
  EXPECT_EQ(fake.find("cublasSetStream")->args,
            "stream=" + str(dev->computeStream()));
  // Another stream: set again, no new handle.
  Result<Stream> s = dev->createStream();
  ASSERT_TRUE(dev->gemm(g, *s).ok());
  EXPECT_EQ(fake.count("cublasCreate"), 1);
  EXPECT_EQ(fake.count("cublasSetStream"), 2);
  EXPECT_EQ(c[0], 2.0f);
  ASSERT_TRUE(dev->destroyStream(*s).ok());
}

TEST_F(CudaDeviceTest, ConvForwardDescribesNhwcAndTransposesTheFilter) {
  const int64_t N = 1, H = 4, W = 4, C = 2, KH = 3, KW = 3, F = 3;
  std::vector<float> x(N * H * W * C, 1), w(KH * KW * C * F), y(N * 2 * 2 * F);
  for (size_t i = 0; i < w.size(); ++i)
    w[i] = float(i);
  Conv2dArgs c;
  c.x = {x.data(), {N, H, W, C}};
  c.w = {w.data(), {KH, KW, C, F}};
  c.y = {y.data(), {N, 2, 2, F}};
  ASSERT_TRUE(dev->conv2d(ConvKind::Forward, c, nullptr).ok());

  EXPECT_EQ(fake.count("cudnnCreate"), 1);
  std::vector<std::string> tensors;
  for (const fake::Call &call : fake.calls)
    if (call.name == "cudnnSetTensor4dDescriptor")
      tensors.push_back(call.args);
  EXPECT_EQ(tensors, (std::vector<std::string>{"format=1 type=0 nchw=1,2,4,4",
                                               "format=1 type=0 nchw=1,3,2,2"}));
  EXPECT_EQ(fake.find("cudnnSetFilter4dDescriptor")->args,
            "type=0 format=1 kchw=3,2,3,3");
  EXPECT_EQ(fake.find("cudnnSetConvolution2dDescriptor")->args,
            "pad=0,0 stride=1,1 dilation=1,1 mode=1 type=0");
  EXPECT_EQ(fake.find("cudnnSetConvolutionMathType")->args, "math=3");
  EXPECT_EQ(fake.find("cublasSgeam")->args, "TN m=18 n=3 lda=3 ldb=18 ldc=18");
  EXPECT_LT(fake.indexOf("cublasSgeam"),
            fake.indexOf("cudnnConvolutionForward"));
  EXPECT_EQ(fake.find("cudnnConvolutionForward")->args,
            "algo=1 workspace=4096");
  // cuDNN saw the filter as [F, KH, KW, C].
  ASSERT_EQ(fake.lastFilter.size(), w.size());
  for (int64_t f = 0; f < F; ++f)
    for (int64_t r = 0; r < KH * KW * C; ++r)
      ASSERT_EQ(fake.lastFilter[size_t(f * KH * KW * C + r)],
                w[size_t(r * F + f)]);
  // Every descriptor destroyed, scratch back in the pool.
  EXPECT_EQ(fake.count("cudnnDestroyTensorDescriptor"), 2);
  EXPECT_EQ(fake.count("cudnnDestroyFilterDescriptor"), 1);
  EXPECT_EQ(dev->poolStats().bytesInUse, 0u);
}

TEST_F(CudaDeviceTest, ConvBackwardFilterTransposesTheResultBack) {
  std::vector<float> x(16, 1), w(4 * 2, 0), dy(9 * 2, 1);
  Conv2dArgs c;
  c.x = {x.data(), {1, 4, 4, 1}};
  c.w = {w.data(), {2, 2, 1, 2}};
  c.y = {dy.data(), {1, 3, 3, 2}};
  ASSERT_TRUE(dev->conv2d(ConvKind::BackwardFilter, c, nullptr).ok());
  int conv = fake.indexOf("cudnnConvolutionBackwardFilter");
  ASSERT_GE(conv, 0);
  // beta = 0: no transpose in, one transpose out ([F, R] -> [R, F]).
  EXPECT_EQ(fake.count("cublasSgeam"), 1);
  int geam = fake.indexOf("cublasSgeam");
  EXPECT_GT(geam, conv);
  EXPECT_EQ(fake.calls[size_t(geam)].args, "TN m=2 n=4 lda=4 ldb=2 ldc=2");

  fake.calls.clear();
  ASSERT_TRUE(dev->conv2d(ConvKind::BackwardData, c, nullptr).ok());
  EXPECT_LT(fake.indexOf("cublasSgeam"),
            fake.indexOf("cudnnConvolutionBackwardData"));
  EXPECT_EQ(fake.count("cudnnCreate"), 0); // the handle is kept
}

TEST_F(CudaDeviceTest, LibraryCallsDispatchToTheCurrentDevice) {
  setCurrentDevice(dev.get());
  std::vector<float> a = {1, 2, 3, 4, 5, 6}, b = {7, 8, 9, 10, 11, 12}, c(4);
  WeirMemRef2D ma{a.data(), a.data(), 0, {2, 3}, {3, 1}};
  WeirMemRef2D mb{b.data(), b.data(), 0, {3, 2}, {2, 1}};
  WeirMemRef2D mc{c.data(), c.data(), 0, {2, 2}, {2, 1}};
  ASSERT_EQ(weir_cublas_gemm_f32(&ma, &mb, &mc, 0, 0, 1.0f, 0.0f), 0)
      << weir_device_last_error();
  EXPECT_EQ(fake.count("cublasSgemm"), 1);
  EXPECT_EQ(c, (std::vector<float>{58, 64, 139, 154}));
}

// --- the mgpu* runtime ---

TEST_F(CudaDeviceTest, MgpuHostCodeRunsOverTheDevice) {
  setCurrentDevice(dev.get());
  fake.calls.clear();
  static const char image[] = "fake fatbin";
  // What the generated global constructor does: no GPU call at all.
  void *module = mgpuModuleLoad(const_cast<char *>(image), sizeof(image));
  ASSERT_NE(module, nullptr);
  EXPECT_TRUE(fake.calls.empty());

  // What the generated function body does.
  void *stream = mgpuStreamCreate();
  EXPECT_EQ(stream, dev->computeStream());
  void *buf = mgpuMemAlloc(1024, stream, false);
  ASSERT_NE(buf, nullptr);
  float host[256];
  for (int i = 0; i < 256; ++i)
    host[i] = float(i);
  mgpuMemcpy(buf, host, sizeof(host), stream);
  void *fn = mgpuModuleGetFunction(module, "f_kernel");
  EXPECT_EQ(fn, mgpuModuleGetFunction(module, "f_kernel"));
  EXPECT_EQ(fake.count("cuModuleLoadData"), 0);
  void *params[1] = {&buf};
  mgpuLaunchKernel(fn, 2, 1, 1, 128, 1, 1, 0, stream, params, nullptr, 1);
  mgpuLaunchKernel(fn, 2, 1, 1, 128, 1, 1, 0, stream, params, nullptr, 1);
  mgpuMemFree(buf, stream);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
  EXPECT_STREQ(weir_device_last_error(), "");
  EXPECT_EQ(fake.names(),
            (std::vector<std::string>{
                "cuMemAlloc", "cuMemcpyAsync", "cuModuleLoadData",
                "cuModuleGetFunction", "cuLaunchKernel", "cuLaunchKernel",
                "cuStreamSynchronize"}));
  EXPECT_EQ(fake.find("cuModuleLoadData")->args,
            "image=" + str(static_cast<const void *>(image)));
  EXPECT_EQ(static_cast<float *>(buf)[255], 255.0f); // fake memory is host

  // What the generated global destructor does.
  mgpuModuleUnload(module);
  EXPECT_EQ(fake.count("cuModuleUnload"), 1);
}

TEST_F(CudaDeviceTest, MgpuOnTheCpuDeviceReportsTheError) {
  std::unique_ptr<Device> cpu = makeCpuDevice();
  setCurrentDevice(cpu.get());
  weir_device_clear_error();
  void *module = mgpuModuleLoad(const_cast<char *>("x"), 1);
  void *fn = mgpuModuleGetFunction(module, "k");
  mgpuLaunchKernel(fn, 1, 1, 1, 1, 1, 1, 0, nullptr, nullptr, nullptr, 0);
  EXPECT_NE(std::string(weir_device_last_error()).find("cannot load GPU"),
            std::string::npos)
      << weir_device_last_error();
  mgpuModuleUnload(module);
}

// --- probing ---

TEST(CudaProbe, ReportsNoDeviceFromTheDriver) {
  FakeCuda &fake = FakeCuda::get();
  fake.reset();
  fake.initResult = cuda::CUDA_ERROR_NO_DEVICE;
  CudaProbe p = probeCuda(fake.api());
  EXPECT_FALSE(p.available);
  EXPECT_EQ(p.reason, "cuInit failed: CUDA_ERROR_NO_DEVICE");
  fake.reset();
  fake.deviceCount = 0;
  p = probeCuda(fake.api());
  EXPECT_FALSE(p.available);
  EXPECT_EQ(p.reason, "the driver reports 0 devices");
  fake.reset();
  p = probeCuda(fake.api());
  EXPECT_TRUE(p.available);
  EXPECT_EQ(p.deviceName, "Fake GPU");
}

TEST(CudaProbe, WithoutLibcudaSaysSoPlainly) {
  if (void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL)) {
    dlclose(lib);
    GTEST_SKIP() << "this machine has libcuda.so.1";
  }
  CudaProbe p = probeCuda();
  EXPECT_FALSE(p.available);
  EXPECT_EQ(p.reason, "libcuda.so.1 not found");
  Result<std::unique_ptr<Device>> d = openCudaDevice();
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(),
            "no CUDA driver (libcuda.so.1 not found); this machine has no "
            "NVIDIA GPU");
}

} // namespace
