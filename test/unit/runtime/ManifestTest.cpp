// The AOT library manifest: written and parsed back, and bad text refused.
#include "runtime/cpu/AotLibrary.h"

#include <gtest/gtest.h>

using namespace weir;

TEST(Manifest, RoundTrip) {
  ModelManifest m;
  m.function = "cnn";
  m.inputs.push_back({"", DType::U8, {-1, 28, 28, 1}});
  m.parameters.push_back({"conv2d.kernel", DType::F32, {3, 3, 1, 32}});
  m.parameters.push_back({"conv2d.bias", DType::F32, {32}});
  m.output = {"", DType::F32, {-1, 10}};
  Result<ModelManifest> back = parseManifest(writeManifest(m));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->function, "cnn");
  ASSERT_EQ(back->inputs.size(), 1u);
  EXPECT_EQ(back->inputs[0].dtype, DType::U8);
  EXPECT_EQ(back->inputs[0].shape, (std::vector<int64_t>{-1, 28, 28, 1}));
  ASSERT_EQ(back->parameters.size(), 2u);
  EXPECT_EQ(back->parameters[1].name, "conv2d.bias");
  EXPECT_EQ(back->output.shape, (std::vector<int64_t>{-1, 10}));
}

TEST(Manifest, RejectsMalformed) {
  EXPECT_FALSE(parseManifest("{").ok());
  EXPECT_FALSE(parseManifest("{\"function\": \"f\"}").ok());
  EXPECT_FALSE(parseManifest(
                   "{\"function\": \"f\", \"inputs\": [{\"dtype\": \"X\", "
                   "\"shape\": [1]}], \"parameters\": [], \"output\": "
                   "{\"dtype\": \"F32\", \"shape\": [1]}}")
                   .ok());
}

TEST(AotLibrary, MissingFileIsAnError) {
  Result<std::unique_ptr<AotLibrary>> lib =
      AotLibrary::load("/nonexistent/model.so");
  ASSERT_FALSE(lib.ok());
  EXPECT_NE(lib.status().message().find("/nonexistent/model.so"),
            std::string::npos);
}
