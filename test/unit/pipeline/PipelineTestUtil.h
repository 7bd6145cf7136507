// Helpers for the pipeline tests: image trees written with libpng, and the
// batches of an epoch collected as plain bytes.
#pragma once

#include "runtime/data/Png.h"
#include "runtime/pipeline/Pipeline.h"
#include "test/unit/runtime/TestUtil.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace weir::test {

/// Writes a [h, w, c] PNG whose first two bytes are `id` (little-endian)
/// and whose other bytes are a pattern of `id`.
inline void writeIdImage(const std::string &path, int id, int64_t h = 8,
                         int64_t w = 8, int64_t c = 1) {
  std::filesystem::create_directories(
      std::filesystem::path(path).parent_path());
  Result<HostTensor> t = HostTensor::create(DType::U8, {h, w, c});
  ASSERT_TRUE(t.ok());
  for (size_t i = 0; i < t->byteSize(); ++i)
    t->bytes()[i] = uint8_t(id * 7 + int(i) * 3);
  t->bytes()[0] = uint8_t(id & 255);
  t->bytes()[1] = uint8_t(id >> 8);
  Status s = writePngFile(path, *t);
  ASSERT_TRUE(s.ok()) << s.message();
}

/// `classes` class folders c0, c1, ... with `perClass` 8x8 images each;
/// image ids are class * 1000 + index.
inline void writeTree(const std::string &dir, int classes, int perClass) {
  for (int c = 0; c < classes; ++c)
    for (int i = 0; i < perClass; ++i) {
      char name[64];
      std::snprintf(name, sizeof(name), "/c%d/img%03d.png", c, i);
      writeIdImage(dir + name, c * 1000 + i);
    }
}

inline int idOf(const uint8_t *image) { return image[0] | image[1] << 8; }

struct Collected {
  std::vector<std::vector<uint8_t>> images; // per batch, raw bytes
  std::vector<std::vector<int32_t>> labels;
  std::vector<int> ids; // every image's id, in order
  std::string error;
};

/// Every batch of `epoch` from `firstStep` on (all of them, or up to an
/// error).
inline Collected collect(pipeline::ImagePipeline &p, int64_t epoch,
                         int64_t firstStep = 0) {
  Collected out;
  Status s = p.startEpoch(epoch, firstStep);
  EXPECT_TRUE(s.ok()) << s.message();
  while (true) {
    Result<const pipeline::Batch *> b = p.next();
    if (!b.ok()) {
      out.error = b.status().message();
      break;
    }
    if (!*b)
      break;
    const HostTensor &x = (*b)->images;
    out.images.emplace_back(x.bytes(), x.bytes() + x.byteSize());
    const HostTensor &y = (*b)->labels;
    std::vector<int32_t> labels;
    if (y.numElements() > 0)
      labels.assign(y.data<int32_t>(), y.data<int32_t>() + y.numElements());
    out.labels.push_back(labels);
    size_t imageBytes = x.shape()[0] ? x.byteSize() / size_t(x.shape()[0]) : 0;
    for (int64_t r = 0; r < (x.numElements() ? x.shape()[0] : 0); ++r)
      out.ids.push_back(idOf(x.bytes() + size_t(r) * imageBytes));
    p.release(*b);
  }
  return out;
}

inline pipeline::PipelineSpec smallSpec(const std::string &dir) {
  pipeline::PipelineSpec spec;
  spec.source.directory = dir;
  spec.source.height = spec.source.width = 8;
  spec.batchSize = 16;
  return spec;
}

inline std::unique_ptr<pipeline::ImagePipeline>
openOrFail(const pipeline::PipelineSpec &spec) {
  Result<std::unique_ptr<pipeline::ImagePipeline>> p =
      pipeline::ImagePipeline::open(spec);
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? std::move(*p) : nullptr;
}

} // namespace weir::test
