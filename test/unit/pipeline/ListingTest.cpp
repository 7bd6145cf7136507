// The listing: class order and labels, labels: none, errors, the
// validation split and the interleave order.
#include "runtime/pipeline/Internal.h"
#include "test/unit/pipeline/PipelineTestUtil.h"

#include <algorithm>
#include <set>

using namespace weir;
using namespace weir::pipeline;
using namespace weir::test;

namespace {

std::vector<std::string> relativePaths(const Listing &l, const std::string &dir) {
  std::vector<std::string> out;
  for (const ImageFile &f : l.files)
    out.push_back(f.path.substr(dir.size() + 1));
  return out;
}

TEST(Listing, ClassesSortedFilesSortedLabelsByClass) {
  TempDir dir;
  writeIdImage(dir.file("b/2.png"), 1);
  writeIdImage(dir.file("b/1.png"), 2);
  writeIdImage(dir.file("a/z.PNG"), 3);
  writeIdImage(dir.file("a/sub/y.png"), 4);
  writeIdImage(dir.file("a/m.png"), 5);
  writeIdImage(dir.file(".hidden/x.png"), 6);
  writeBytes(dir.file("a/notes.txt"), "not an image");
  writeIdImage(dir.file("top.png"), 7); // not in a class folder: ignored
  ImageSourceSpec src;
  src.directory = dir.path();
  Result<Listing> l = listImages(src, {});
  ASSERT_TRUE(l.ok()) << l.status().message();
  EXPECT_EQ(l->classNames, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(relativePaths(*l, dir.path()),
            (std::vector<std::string>{"a/m.png", "a/z.PNG", "a/sub/y.png",
                                      "b/1.png", "b/2.png"}));
  std::vector<int32_t> labels;
  for (const ImageFile &f : l->files)
    labels.push_back(f.label);
  EXPECT_EQ(labels, (std::vector<int32_t>{0, 0, 0, 1, 1}));
}

TEST(Listing, LabelsNoneListsEveryFolder) {
  TempDir dir;
  writeIdImage(dir.file("top.png"), 1);
  writeIdImage(dir.file("b/1.png"), 2);
  writeIdImage(dir.file("a/1.png"), 3);
  ImageSourceSpec src;
  src.directory = dir.path();
  src.inferLabels = false;
  Result<Listing> l = listImages(src, {});
  ASSERT_TRUE(l.ok()) << l.status().message();
  EXPECT_TRUE(l->classNames.empty());
  EXPECT_EQ(relativePaths(*l, dir.path()),
            (std::vector<std::string>{"top.png", "a/1.png", "b/1.png"}));
}

TEST(Listing, MissingDirectoryIsNamed) {
  PipelineSpec spec = smallSpec("/nonexistent/weir-images");
  auto p = ImagePipeline::open(spec);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), "/nonexistent/weir-images: no such directory");
}

TEST(Listing, EmptyClassFolderIsNamed) {
  TempDir dir;
  writeIdImage(dir.file("a/1.png"), 1);
  std::filesystem::create_directories(dir.file("b"));
  writeBytes(dir.file("b/readme.txt"), "x");
  auto p = ImagePipeline::open(smallSpec(dir.path()));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message().rfind(dir.file("b") + ": empty class folder", 0),
            0u)
      << p.status().message();
}

TEST(Listing, ValidationSplitSizesAndDisjoint) {
  for (int64_t n : {1, 7, 100, 1001}) {
    std::vector<int64_t> train = subsetIndices(n, 0.2, Subset::Training, 42);
    std::vector<int64_t> val = subsetIndices(n, 0.2, Subset::Validation, 42);
    int64_t numVal = int64_t(0.2 * double(n));
    EXPECT_EQ(int64_t(val.size()), numVal);
    EXPECT_EQ(int64_t(train.size()), n - numVal);
    std::set<int64_t> all(train.begin(), train.end());
    for (int64_t i : val)
      EXPECT_TRUE(all.insert(i).second) << "index " << i << " in both";
    EXPECT_EQ(int64_t(all.size()), n);
    EXPECT_EQ(train, subsetIndices(n, 0.2, Subset::Training, 42));
  }
  // Another seed, another split.
  EXPECT_NE(subsetIndices(100, 0.2, Subset::Validation, 1),
            subsetIndices(100, 0.2, Subset::Validation, 2));
}

TEST(Listing, ValidationSplitThroughOpen) {
  TempDir dir;
  writeTree(dir.path(), 3, 10);
  PipelineSpec spec = smallSpec(dir.path());
  spec.source.validationSplit = 0.25;
  spec.source.seed = 9;
  spec.source.subset = Subset::Training;
  auto train = openOrFail(spec);
  spec.source.subset = Subset::Validation;
  auto val = openOrFail(spec);
  ASSERT_TRUE(train && val);
  EXPECT_EQ(train->numExamples(), 23);
  EXPECT_EQ(val->numExamples(), 7);
  std::vector<int> ids = collect(*train, 0).ids;
  std::vector<int> valIds = collect(*val, 0).ids;
  std::set<int> seen(ids.begin(), ids.end());
  for (int id : valIds)
    EXPECT_TRUE(seen.insert(id).second);
  EXPECT_EQ(seen.size(), 30u);
}

TEST(Listing, InterleaveIsTfDataOrder) {
  // Runs: class 0 = {0, 1, 2}, class 1 = {3, 4}, class 2 = {5}.
  std::vector<int32_t> labels = {0, 0, 0, 1, 1, 2};
  EXPECT_EQ(interleaveOrder(labels, 2, 1),
            (std::vector<int64_t>{0, 3, 1, 4, 2, 5}));
  EXPECT_EQ(interleaveOrder(labels, 2, 2),
            (std::vector<int64_t>{0, 1, 3, 4, 2, 5}));
  EXPECT_EQ(interleaveOrder(labels, 3, 1),
            (std::vector<int64_t>{0, 3, 5, 1, 4, 2}));
  EXPECT_EQ(interleaveOrder(labels, 1, 1),
            (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
}

} // namespace
