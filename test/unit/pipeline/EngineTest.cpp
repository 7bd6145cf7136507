// The engine: batches independent of the thread count, resume, repeat and
// drop_remainder, errors naming files, skip mode, cancellation, caches.
#include "runtime/pipeline/Internal.h"
#include "test/unit/pipeline/PipelineTestUtil.h"

#include <algorithm>
#include <set>

using namespace weir;
using namespace weir::pipeline;
using namespace weir::test;

namespace {

std::vector<int> sorted(std::vector<int> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(Engine, BatchesHoldImagesAndLabels) {
  TempDir dir;
  writeTree(dir.path(), 3, 7);
  PipelineSpec spec = smallSpec(dir.path());
  spec.batchSize = 4;
  auto p = openOrFail(spec);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->classNames(), (std::vector<std::string>{"c0", "c1", "c2"}));
  EXPECT_EQ(p->numExamples(), 21);
  EXPECT_EQ(p->stepsPerEpoch(), 6);
  Collected c = collect(*p, 0);
  ASSERT_EQ(c.error, "");
  ASSERT_EQ(c.images.size(), 6u);
  EXPECT_EQ(c.images.back().size(), 64u); // 1 row of 8x8x1
  std::vector<int> expected;
  for (int k = 0; k < 3; ++k)
    for (int i = 0; i < 7; ++i)
      expected.push_back(k * 1000 + i);
  EXPECT_EQ(c.ids, expected); // no shuffle: listing order
  size_t at = 0;
  for (const auto &labels : c.labels)
    for (int32_t l : labels)
      EXPECT_EQ(l, c.ids[at++] / 1000);
}

TEST(Engine, SameBatchesWhateverTheThreadCount) {
  TempDir dir;
  writeTree(dir.path(), 4, 25);
  PipelineSpec spec = smallSpec(dir.path());
  spec.shuffle = {30, 5, true};
  spec.batchSize = 7;
  spec.parallelism = 1;
  spec.prefetch = 1;
  auto one = openOrFail(spec);
  spec.parallelism = 3;
  spec.prefetch = 5;
  auto three = openOrFail(spec);
  spec.parallelism = 0; // auto
  spec.prefetch = 0;
  auto tuned = openOrFail(spec);
  ASSERT_TRUE(one && three && tuned);
  for (int64_t epoch : {0, 1}) {
    Collected a = collect(*one, epoch), b = collect(*three, epoch),
              c = collect(*tuned, epoch);
    ASSERT_EQ(a.error, "");
    EXPECT_EQ(a.images, b.images);
    EXPECT_EQ(a.labels, b.labels);
    EXPECT_EQ(a.images, c.images);
    EXPECT_EQ(sorted(a.ids).size(), 100u);
    EXPECT_EQ(std::set<int>(a.ids.begin(), a.ids.end()).size(), 100u);
  }
  EXPECT_NE(collect(*one, 0).ids, collect(*one, 1).ids);
}

TEST(Engine, ResumeEqualsUninterrupted) {
  TempDir dir;
  writeTree(dir.path(), 3, 20);
  PipelineSpec spec = smallSpec(dir.path());
  spec.shuffle = {64, 11, true};
  spec.batchSize = 8;
  spec.parallelism = 2;
  auto p = openOrFail(spec);
  ASSERT_TRUE(p);
  Collected full = collect(*p, 2);
  auto q = openOrFail(spec);
  Collected resumed = collect(*q, 2, 3);
  ASSERT_EQ(resumed.error, "");
  ASSERT_EQ(resumed.images.size(), full.images.size() - 3);
  EXPECT_TRUE(std::equal(resumed.images.begin(), resumed.images.end(),
                         full.images.begin() + 3));
  // Resuming at the end gives no batch.
  EXPECT_TRUE(collect(*q, 2, q->stepsPerEpoch()).images.empty());
  EXPECT_FALSE(q->startEpoch(2, q->stepsPerEpoch() + 1).ok());
}

TEST(Engine, DropRemainderAndRepeat) {
  TempDir dir;
  writeTree(dir.path(), 2, 25); // 50 images
  PipelineSpec spec = smallSpec(dir.path());
  spec.batchSize = 16;
  spec.dropRemainder = true;
  auto p = openOrFail(spec);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->stepsPerEpoch(), 3);
  Collected c = collect(*p, 0);
  ASSERT_EQ(c.images.size(), 3u);
  for (const auto &b : c.images)
    EXPECT_EQ(b.size(), 16u * 64);

  spec.dropRemainder = false;
  spec.repeat = 2;
  spec.shuffle = {100, 3, true};
  auto r = openOrFail(spec);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->stepsPerEpoch(), 7); // ceil(100 / 16)
  Collected twice = collect(*r, 0);
  ASSERT_EQ(twice.ids.size(), 100u);
  // Each pass is a permutation of the 50 images, and batches cross passes.
  std::vector<int> first(twice.ids.begin(), twice.ids.begin() + 50);
  std::vector<int> second(twice.ids.begin() + 50, twice.ids.end());
  EXPECT_EQ(sorted(first), sorted(second));
  EXPECT_EQ(std::set<int>(first.begin(), first.end()).size(), 50u);
  EXPECT_NE(first, second);
}

TEST(Engine, TruncatedFileFailsNamingIt) {
  TempDir dir;
  writeTree(dir.path(), 2, 10);
  std::string bad = dir.file("c1/img004.png");
  std::string bytes = readBytes(bad);
  writeBytes(bad, bytes.substr(0, bytes.size() / 2));
  PipelineSpec spec = smallSpec(dir.path());
  spec.batchSize = 4;
  spec.parallelism = 2;
  auto p = openOrFail(spec);
  ASSERT_TRUE(p);
  Collected c = collect(*p, 0);
  EXPECT_EQ(c.error, bad + ": truncated PNG data");
  EXPECT_EQ(c.images.size(), 3u); // the batches before the bad one
  // The error stays until the next startEpoch; then it comes again.
  EXPECT_FALSE(p->next().ok());
  EXPECT_EQ(collect(*p, 1).error, bad + ": truncated PNG data");
}

TEST(Engine, NotAPngFailsNamingIt) {
  TempDir dir;
  writeTree(dir.path(), 1, 5);
  writeBytes(dir.file("c0/fake.png"), "GIF89a, not a PNG at all");
  auto p = openOrFail(smallSpec(dir.path()));
  ASSERT_TRUE(p);
  EXPECT_EQ(collect(*p, 0).error,
            dir.file("c0/fake.png") + ": not a PNG file (bad signature)");
}

TEST(Engine, WrongSizeFailsNamingIt) {
  TempDir dir;
  writeIdImage(dir.file("a/good.png"), 1, 28, 28);
  writeIdImage(dir.file("a/wide.png"), 2, 28, 30);
  PipelineSpec spec = smallSpec(dir.path());
  spec.source.height = spec.source.width = 28;
  auto p = openOrFail(spec);
  ASSERT_TRUE(p);
  EXPECT_EQ(collect(*p, 0).error,
            dir.file("a/wide.png") +
                ": image is 28x30 (height x width), expected 28x28 (give "
                "images(..., interpolation: bilinear) to resize)");
  // With a resize it is resized.
  spec.source.resize = Resize::Bilinear;
  auto r = openOrFail(spec);
  Collected c = collect(*r, 0);
  EXPECT_EQ(c.error, "");
  EXPECT_EQ(c.ids.size(), 2u);
}

TEST(Engine, SkipModeShortensTheBatch) {
  TempDir dir;
  writeTree(dir.path(), 2, 6);
  std::string truncated = dir.file("c0/img002.png");
  writeBytes(truncated, readBytes(truncated).substr(0, 30));
  std::string wrong = dir.file("c1/img000.png");
  writeIdImage(wrong, 1000, 9, 8);
  PipelineSpec spec = smallSpec(dir.path());
  spec.batchSize = 5;
  spec.onBadImage = OnBadImage::Skip;
  spec.parallelism = 3;
  auto p = openOrFail(spec);
  ASSERT_TRUE(p);
  Collected c = collect(*p, 0);
  ASSERT_EQ(c.error, "");
  ASSERT_EQ(c.images.size(), 3u);
  EXPECT_EQ(c.images[0].size(), 4u * 64); // img002 skipped
  EXPECT_EQ(c.images[1].size(), 4u * 64); // c1/img000 skipped
  EXPECT_EQ(c.images[2].size(), 2u * 64);
  EXPECT_EQ(c.ids, (std::vector<int>{0, 1, 3, 4, 5, 1001, 1002, 1003, 1004,
                                     1005}));
  EXPECT_EQ(c.labels[1], (std::vector<int32_t>{0, 1, 1, 1}));
  EXPECT_EQ(p->epochStats().skipped,
            (std::vector<std::string>{
                truncated + ": truncated PNG data",
                wrong + ": image is 9x8 (height x width), expected 8x8 "
                        "(give images(..., interpolation: bilinear) to "
                        "resize)"}));
  EXPECT_EQ(p->epochStats().imagesDecoded, 10);
}

TEST(Engine, CancelAndDestroyMidEpoch) {
  TempDir dir;
  writeTree(dir.path(), 2, 40);
  PipelineSpec spec = smallSpec(dir.path());
  spec.batchSize = 3;
  spec.parallelism = 3;
  spec.prefetch = 2;
  for (int round = 0; round < 20; ++round) {
    auto p = openOrFail(spec);
    ASSERT_TRUE(p);
    ASSERT_TRUE(p->startEpoch(0).ok());
    Result<const Batch *> held = p->next();
    ASSERT_TRUE(held.ok() && *held);
    // Restart while holding a batch of the old epoch, release it after.
    ASSERT_TRUE(p->startEpoch(1, 2).ok());
    Result<const Batch *> b = p->next();
    ASSERT_TRUE(b.ok() && *b);
    EXPECT_EQ((*b)->step, 2);
    EXPECT_EQ((*b)->epoch, 1);
    p->release(*held);
    p->release(*b);
    if (round % 2)
      ASSERT_TRUE(p->next().ok()); // leave a batch held at destruction
  } // destroyed mid-epoch each round
  auto p = openOrFail(spec);
  ASSERT_TRUE(p->startEpoch(0).ok()); // destroyed before any next()
}

TEST(Engine, HoldingManyBatchesDoesNotHang) {
  TempDir dir;
  writeTree(dir.path(), 1, 30);
  PipelineSpec spec = smallSpec(dir.path());
  spec.batchSize = 2;
  spec.prefetch = 1;
  auto p = openOrFail(spec);
  ASSERT_TRUE(p->startEpoch(0).ok());
  std::vector<const Batch *> held;
  while (true) {
    Result<const Batch *> b = p->next();
    ASSERT_TRUE(b.ok());
    if (!*b)
      break;
    held.push_back(*b);
  }
  EXPECT_EQ(held.size(), 15u);
  std::set<const Batch *> distinct(held.begin(), held.end());
  EXPECT_EQ(distinct.size(), 15u);
}

TEST(Engine, StatsAndTunerLog) {
  TempDir dir;
  writeTree(dir.path(), 2, 50);
  PipelineSpec spec = smallSpec(dir.path());
  spec.batchSize = 4;
  std::vector<std::string> lines;
  spec.log = [&](const std::string &line) { lines.push_back(line); };
  auto p = openOrFail(spec);
  Collected c = collect(*p, 0);
  ASSERT_EQ(c.error, "");
  EpochStats s = p->epochStats();
  EXPECT_GE(s.waitSeconds, 0);
  EXPECT_EQ(s.imagesDecoded, 100);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("pipeline: ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("decode threads, prefetch"), std::string::npos)
      << lines[0];
}

TEST(Engine, MemoryCacheDecodesOnce) {
  TempDir dir;
  writeTree(dir.path(), 2, 20);
  PipelineSpec spec = smallSpec(dir.path());
  spec.cache = CacheKind::Memory;
  spec.shuffle = {40, 1, true};
  spec.parallelism = 2;
  auto p = openOrFail(spec);
  Collected e0 = collect(*p, 0);
  EXPECT_EQ(p->epochStats().imagesDecoded, 40);
  Collected e1 = collect(*p, 1);
  EXPECT_EQ(p->epochStats().imagesDecoded, 0);
  spec.cache = CacheKind::None;
  auto plain = openOrFail(spec);
  EXPECT_EQ(collect(*plain, 1).images, e1.images);
  EXPECT_EQ(collect(*plain, 0).images, e0.images);
}

TEST(Engine, CacheFileRoundTrip) {
  TempDir dir, cacheDir;
  writeTree(dir.path(), 2, 15);
  writeBytes(dir.file("c1/broken.png"), "nope");
  PipelineSpec spec = smallSpec(dir.path());
  spec.cache = CacheKind::File;
  spec.cacheFile = cacheDir.file("images.cache");
  spec.onBadImage = OnBadImage::Skip;
  spec.shuffle = {31, 2, true};
  Collected first;
  {
    auto p = openOrFail(spec);
    first = collect(*p, 0);
    EXPECT_EQ(p->epochStats().imagesDecoded, 30);
    EXPECT_EQ(p->epochStats().skipped.size(), 1u);
  }
  EXPECT_EQ(cacheDir.list(), (std::vector<std::string>{"images.cache"}));
  {
    auto p = openOrFail(spec);
    Collected again = collect(*p, 0);
    EXPECT_EQ(p->epochStats().imagesDecoded, 0); // all from the file
    EXPECT_EQ(again.images, first.images);
    EXPECT_EQ(again.labels, first.labels);
    EXPECT_EQ(p->epochStats().skipped,
              (std::vector<std::string>{dir.file("c1/broken.png") +
                                        ": not a PNG file (bad signature)"}));
  }
  // Another file changes the fingerprint: decoded again, and rewritten.
  writeIdImage(dir.file("c0/img000.png"), 4242, 8, 8);
  {
    auto p = openOrFail(spec);
    Collected changed = collect(*p, 0);
    EXPECT_EQ(p->epochStats().imagesDecoded, 30);
    EXPECT_NE(std::find(changed.ids.begin(), changed.ids.end(), 4242),
              changed.ids.end());
  }
  {
    auto p = openOrFail(spec);
    collect(*p, 0);
    EXPECT_EQ(p->epochStats().imagesDecoded, 0);
  }
}

TEST(Engine, LabelsNoneGivesNoLabels) {
  TempDir dir;
  writeTree(dir.path(), 2, 3);
  PipelineSpec spec = smallSpec(dir.path());
  spec.source.inferLabels = false;
  auto p = openOrFail(spec);
  Collected c = collect(*p, 0);
  ASSERT_EQ(c.error, "");
  EXPECT_EQ(c.ids.size(), 6u);
  EXPECT_TRUE(c.labels[0].empty());
  EXPECT_TRUE(p->classNames().empty());
}

} // namespace
