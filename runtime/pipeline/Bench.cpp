// `weir data bench`: epochs of the engine over a directory, images/s each,
// and (--decode-only) the one-thread libpng rate of the same files.
#include "runtime/pipeline/Bench.h"

#include "runtime/pipeline/Internal.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace weir::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct Options {
  PipelineSpec spec;
  int64_t epochs = 2;
  bool decodeOnly = false;
};

bool parseInt(const std::string &s, int64_t &out) {
  char *end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end)
    return false;
  out = v;
  return true;
}

Result<Options> parse(const std::vector<std::string> &args) {
  Options o;
  o.spec.source.height = o.spec.source.width = 28;
  o.spec.batchSize = 128;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string &a = args[i];
    if (a == "--decode-only") {
      o.decodeOnly = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      if (!o.spec.source.directory.empty())
        return Status::error("unexpected argument '" + a + "'");
      o.spec.source.directory = a;
      continue;
    }
    // --name value or --name=value
    std::string name = a, value;
    if (size_t eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return Status::error(a + " needs a value");
    }
    int64_t v = 0;
    auto needInt = [&]() -> Status {
      if (!parseInt(value, v) || v < 0)
        return Status::error(name + ": expected a count, got '" + value + "'");
      return Status::success();
    };
    if (name == "--batch-size" || name == "--threads" || name == "--epochs" ||
        name == "--prefetch" || name == "--shuffle") {
      WEIR_RETURN_IF_ERROR(needInt());
      if (name == "--batch-size")
        o.spec.batchSize = v;
      else if (name == "--threads")
        o.spec.parallelism = int(v);
      else if (name == "--epochs")
        o.epochs = v;
      else if (name == "--prefetch")
        o.spec.prefetch = int(v);
      else
        o.spec.shuffle.bufferSize = v;
    } else if (name == "--color") {
      std::optional<ColorMode> mode = parseColorMode(value);
      if (!mode)
        return Status::error("--color: expected grayscale, rgb or rgba, got '" +
                             value + "'");
      o.spec.source.color = *mode;
    } else if (name == "--size") {
      size_t x = value.find('x');
      int64_t h = 0, w = 0;
      if (x == std::string::npos || !parseInt(value.substr(0, x), h) ||
          !parseInt(value.substr(x + 1), w) || h <= 0 || w <= 0)
        return Status::error("--size: expected HxW, got '" + value + "'");
      o.spec.source.height = h;
      o.spec.source.width = w;
    } else if (name == "--resize") {
      if (value == "none")
        o.spec.source.resize = Resize::None;
      else if (value == "bilinear")
        o.spec.source.resize = Resize::Bilinear;
      else if (value == "nearest")
        o.spec.source.resize = Resize::Nearest;
      else
        return Status::error("--resize: expected none, bilinear or nearest");
    } else {
      return Status::error("unknown option " + name);
    }
  }
  if (o.spec.source.directory.empty())
    return Status::error("usage: weir data bench DIR [--batch-size 128] "
                         "[--threads N] [--prefetch N] [--epochs 2] "
                         "[--color grayscale] [--size 28x28] [--resize none] "
                         "[--shuffle BUFFER] [--decode-only]");
  return o;
}

// One thread, every file once: readPngFile (runtime/data, a fresh tensor
// each), then the engine's decoder (into one reused buffer).
int decodeOnly(const Options &o) {
  Result<Listing> listing = listImages(o.spec.source, o.spec.interleave);
  if (!listing) {
    std::cerr << listing.status().message() << "\n";
    return 1;
  }
  const std::vector<ImageFile> &files = listing->files;
  auto start = Clock::now();
  for (const ImageFile &f : files)
    if (Result<HostTensor> r = readPngFile(f.path, o.spec.source.color); !r) {
      std::cerr << r.status().message() << "\n";
      return 1;
    }
  double libpng = double(files.size()) / since(start);
  ImageShape shape{o.spec.source.height, o.spec.source.width,
                   colorModeChannels(o.spec.source.color)};
  SlotDecoder decoder(o.spec.source.color, shape, o.spec.source.resize);
  std::vector<uint8_t> out(shape.bytes());
  start = Clock::now();
  for (const ImageFile &f : files)
    if (Status s = decoder.decodeFile(f.path, out.data(), f.size); !s.ok()) {
      std::cerr << s.message() << "\n";
      return 1;
    }
  double engine = double(files.size()) / since(start);
  std::printf("decode-only: %zu images, 1 thread: readPngFile %.0f images/s, "
              "engine decoder %.0f images/s\n",
              files.size(), libpng, engine);
  return 0;
}

} // namespace

int runBench(const std::vector<std::string> &args, const std::string &program) {
  Result<Options> parsed = parse(args);
  if (!parsed) {
    std::cerr << program << ": " << parsed.status().message() << "\n";
    return 2;
  }
  Options &o = *parsed;
  if (o.decodeOnly)
    return decodeOnly(o);
  o.spec.log = [](const std::string &line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  Result<std::unique_ptr<ImagePipeline>> opened = ImagePipeline::open(o.spec);
  if (!opened) {
    std::cerr << program << ": " << opened.status().message() << "\n";
    return 1;
  }
  ImagePipeline &p = **opened;
  std::printf("%lld images, %zu classes, batch %lld, %lld steps per epoch\n",
              (long long)p.numExamples(), p.classNames().size(),
              (long long)o.spec.batchSize, (long long)p.stepsPerEpoch());
  for (int64_t epoch = 0; epoch < o.epochs; ++epoch) {
    auto start = Clock::now();
    if (Status s = p.startEpoch(epoch); !s.ok()) {
      std::cerr << program << ": " << s.message() << "\n";
      return 1;
    }
    int64_t images = 0;
    while (true) {
      Result<const Batch *> b = p.next();
      if (!b) {
        std::cerr << program << ": " << b.status().message() << "\n";
        return 1;
      }
      if (!*b)
        break;
      images += (*b)->images.numElements() == 0 ? 0 : (*b)->images.shape()[0];
      p.release(*b);
    }
    double seconds = since(start);
    EpochStats stats = p.epochStats();
    std::printf("epoch %lld: %lld images in %.3f s, %.0f images/s (waited "
                "%.3f s, %zu skipped)\n",
                (long long)epoch + 1, (long long)images, seconds,
                double(images) / seconds, stats.waitSeconds,
                stats.skipped.size());
    std::fflush(stdout);
  }
  return 0;
}

} // namespace weir::pipeline
