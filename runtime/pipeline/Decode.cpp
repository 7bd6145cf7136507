// Decoding a PNG file straight into its slot of a batch buffer, and
// tf.image.resize's bilinear and nearest-neighbor resizing.
//
// The common case (the file already has the pipeline's size and channel
// count once expanded to 8 bits) runs libpng here, writing rows into the
// slot, with libpng's memory taken from a per-worker arena so that a decode
// allocates nothing. Everything else (mode conversion, resizing, every
// error) goes through runtime/data/Png.h's decodePng, so the pixels and the
// messages are exactly that function's.
#include "runtime/pipeline/Internal.h"

#include <png.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csetjmp>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace weir::pipeline {

/// A bump allocator for libpng and zlib: reset after every image. Blocks
/// that do not fit come from malloc.
struct SlotDecoder::Arena {
  static constexpr size_t kSize = size_t(1) << 20;
  uint8_t *base = nullptr;
  size_t used = 0;
};

namespace {

png_voidp arenaMalloc(png_structp png, png_alloc_size_t size) {
  auto *arena = static_cast<SlotDecoder::Arena *>(png_get_mem_ptr(png));
  size = (size + 15) & ~png_alloc_size_t(15);
  if (arena && arena->base && size <= SlotDecoder::Arena::kSize - arena->used) {
    void *p = arena->base + arena->used;
    arena->used += size;
    return p;
  }
  return std::malloc(size);
}

void arenaFree(png_structp png, png_voidp p) {
  auto *arena = static_cast<SlotDecoder::Arena *>(png_get_mem_ptr(png));
  auto *bytes = static_cast<uint8_t *>(p);
  if (arena && arena->base && bytes >= arena->base &&
      bytes < arena->base + SlotDecoder::Arena::kSize)
    return;
  std::free(p);
}

// libpng's errors longjmp out of the "step" functions below, which hold
// only trivially destructible locals (see runtime/data/Png.cpp). The fast
// path keeps no message: on any error the file is decoded again by
// decodePng, whose message is the one reported.
void onError(png_structp png, png_const_charp) { png_longjmp(png, 1); }
void onWarning(png_structp, png_const_charp) {}

struct FastState {
  const uint8_t *data;
  size_t size, offset;
  png_structp png;
  png_infop info;
};

void onRead(png_structp png, png_bytep out, size_t length) {
  auto *s = static_cast<FastState *>(png_get_io_ptr(png));
  if (length > s->size - s->offset)
    png_error(png, "unexpected end of data");
  std::memcpy(out, s->data + s->offset, length);
  s->offset += length;
}

// Step: the structs, the chunks before IDAT, and the 8-bit expansion.
bool infoStep(FastState *s, SlotDecoder::Arena *arena) {
  s->png = png_create_read_struct_2(PNG_LIBPNG_VER_STRING, nullptr, onError,
                                    onWarning, arena, arenaMalloc, arenaFree);
  if (!s->png)
    return false;
  s->info = png_create_info_struct(s->png);
  if (!s->info)
    return false;
  if (setjmp(png_jmpbuf(s->png)))
    return false;
  png_set_read_fn(s->png, s, onRead);
  png_set_user_limits(s->png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
  png_set_keep_unknown_chunks(s->png, PNG_HANDLE_CHUNK_NEVER, nullptr, -1);
  png_read_info(s->png, s->info);
  png_set_expand(s->png);
  png_set_strip_16(s->png);
  png_set_interlace_handling(s->png);
  png_read_update_info(s->png, s->info);
  return true;
}

// Step: every row (all passes), then the rest of the file through IEND.
bool imageStep(FastState *s, png_bytepp rows) {
  if (setjmp(png_jmpbuf(s->png)))
    return false;
  png_read_image(s->png, rows);
  png_read_end(s->png, nullptr);
  return true;
}

enum class Fast { Done, Fallback, WrongSize };

} // namespace

SlotDecoder::SlotDecoder(ColorMode color, ImageShape shape, Resize resize)
    : color_(color), shape_(shape), resize_(resize), arena_(new Arena) {
  arena_->base = static_cast<uint8_t *>(std::malloc(Arena::kSize));
}

SlotDecoder::~SlotDecoder() {
  std::free(arena_->base);
  delete arena_;
}

static Status wrongSize(const std::string &what, uint64_t w, uint64_t h,
                        const ImageShape &shape) {
  // Sizes read as in .weir files: height x width.
  return Status::error(what + ": image is " + std::to_string(h) + "x" +
                       std::to_string(w) + " (height x width), expected " +
                       std::to_string(shape.height) + "x" +
                       std::to_string(shape.width) +
                       " (give images(..., interpolation: bilinear) to "
                       "resize)");
}

Status SlotDecoder::decode(const uint8_t *data, size_t size,
                           const std::string &what, uint8_t *out) {
  FastState s;
  std::memset(&s, 0, sizeof(s));
  s.data = data;
  s.size = size;
  Fast result = Fast::Fallback;
  png_uint_32 width = 0, height = 0;
  if (infoStep(&s, arena_)) {
    width = png_get_image_width(s.png, s.info);
    height = png_get_image_height(s.png, s.info);
    if (int64_t(width) != shape_.width || int64_t(height) != shape_.height) {
      result = Fast::WrongSize;
    } else if (png_get_bit_depth(s.png, s.info) == 8 &&
               png_get_channels(s.png, s.info) == shape_.channels &&
               png_get_rowbytes(s.png, s.info) ==
                   size_t(width) * size_t(shape_.channels)) {
      rows_.resize(height);
      for (png_uint_32 y = 0; y < height; ++y)
        rows_[y] = out + size_t(y) * width * size_t(shape_.channels);
      if (imageStep(&s, rows_.data()))
        result = Fast::Done;
    }
  }
  if (s.png)
    png_destroy_read_struct(&s.png, s.info ? &s.info : nullptr, nullptr);
  arena_->used = 0;
  if (result == Fast::Done)
    return Status::success();
  // A wrong size is only an error once the file is known to decode: a
  // truncated file of the wrong size is reported as truncated.
  if (result == Fast::WrongSize && resize_ == Resize::None) {
    Result<HostTensor> check = decodePng(data, size, color_, what);
    if (!check)
      return check.status();
    return wrongSize(what, width, height, shape_);
  }
  return fallback(data, size, what, out);
}

Status SlotDecoder::fallback(const uint8_t *data, size_t size,
                             const std::string &what, uint8_t *out) {
  Result<HostTensor> image = decodePng(data, size, color_, what);
  if (!image)
    return image.status();
  int64_t h = image->shape()[0], w = image->shape()[1];
  if (h == shape_.height && w == shape_.width) {
    std::memcpy(out, image->bytes(), shape_.bytes());
    return Status::success();
  }
  if (resize_ == Resize::None)
    return wrongSize(what, uint64_t(w), uint64_t(h), shape_);
  resizeImage(image->bytes(), h, w, shape_.channels, out, shape_.height,
              shape_.width, resize_);
  return Status::success();
}

Status SlotDecoder::decodeFile(const std::string &path, uint8_t *out,
                               uint64_t sizeHint) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return Status::error(path + ": cannot open: " + std::strerror(errno));
  if (sizeHint == 0) {
    struct stat st;
    if (::fstat(fd, &st) == 0)
      sizeHint = uint64_t(st.st_size);
  }
  // One read of the whole file, asking for a byte more than expected: a
  // short read of a regular file is its end, so open, read and close are
  // the only system calls. A file that grew is read on to its end.
  size_t want = size_t(sizeHint) + 1;
  if (file_.size() < want)
    file_.resize(std::max(want, 2 * file_.size()));
  size_t got = 0;
  while (true) {
    size_t ask = file_.size() - got;
    ssize_t n = ::read(fd, file_.data() + got, ask);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      std::string error = std::strerror(errno);
      ::close(fd);
      return Status::error(path + ": read failed: " + error);
    }
    got += size_t(n);
    if (size_t(n) < ask)
      break;
    file_.resize(2 * file_.size());
  }
  ::close(fd);
  if (got == 0)
    return Status::error(path + ": empty file");
  return decode(file_.data(), got, path, out);
}

namespace {

uint8_t roundToU8(float v) {
  // Round half to even (tf.round), then clamp.
  float r = std::nearbyint(v);
  return uint8_t(std::min(255.0f, std::max(0.0f, r)));
}

// TensorFlow's compute_interpolation_weights with HalfPixelScaler.
struct Lerp {
  int64_t lower, upper;
  float lerp;
};

std::vector<Lerp> lerpWeights(int64_t out, int64_t in) {
  float scale = float(in) / float(out);
  std::vector<Lerp> w(static_cast<size_t>(out));
  for (int64_t i = 0; i < out; ++i) {
    float x = (float(i) + 0.5f) * scale - 0.5f;
    float xf = std::floor(x);
    w[size_t(i)].lower = std::max<int64_t>(int64_t(xf), 0);
    w[size_t(i)].upper = std::min<int64_t>(int64_t(std::ceil(x)), in - 1);
    w[size_t(i)].lerp = x - xf;
  }
  return w;
}

// TensorFlow's resize_nearest_neighbor, half_pixel_centers, no
// align_corners: floor((i + 0.5) * scale), clamped to [0, in - 1].
int64_t nearestIndex(int64_t i, int64_t out, int64_t in) {
  float scale = float(in) / float(out);
  int64_t v = int64_t(std::floor((float(i) + 0.5f) * scale));
  return std::max<int64_t>(0, std::min(v, in - 1));
}

} // namespace

void resizeImage(const uint8_t *in, int64_t inH, int64_t inW, int64_t c,
                 uint8_t *out, int64_t outH, int64_t outW, Resize method) {
  if (method == Resize::Nearest) {
    for (int64_t y = 0; y < outH; ++y) {
      int64_t sy = nearestIndex(y, outH, inH);
      for (int64_t x = 0; x < outW; ++x) {
        int64_t sx = nearestIndex(x, outW, inW);
        std::memcpy(out + (y * outW + x) * c, in + (sy * inW + sx) * c,
                    size_t(c));
      }
    }
    return;
  }
  std::vector<Lerp> ys = lerpWeights(outH, inH), xs = lerpWeights(outW, inW);
  for (int64_t y = 0; y < outH; ++y) {
    const Lerp &wy = ys[size_t(y)];
    const uint8_t *top = in + wy.lower * inW * c;
    const uint8_t *bottom = in + wy.upper * inW * c;
    for (int64_t x = 0; x < outW; ++x) {
      const Lerp &wx = xs[size_t(x)];
      for (int64_t k = 0; k < c; ++k) {
        float tl = top[wx.lower * c + k], tr = top[wx.upper * c + k];
        float bl = bottom[wx.lower * c + k], br = bottom[wx.upper * c + k];
        float t = tl + (tr - tl) * wx.lerp;
        float b = bl + (br - bl) * wx.lerp;
        out[(y * outW + x) * c + k] = roundToU8(t + (b - t) * wy.lerp);
      }
    }
  }
}

} // namespace weir::pipeline
