// Reading and writing .safetensors files (named tensors plus string metadata).
#pragma once

#include "runtime/HostTensor.h"
#include "runtime/Status.h"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weir {

/// A tensor with its name, as stored in a file.
struct NamedTensor {
  std::string name;
  HostTensor tensor;
};

/// A named tensor to write, owned elsewhere.
struct NamedTensorRef {
  std::string name;
  const HostTensor *tensor;
};

/// The `__metadata__` string map, in order.
using SafetensorsMetadata = std::vector<std::pair<std::string, std::string>>;

/// The contents of a .safetensors file.
struct SafetensorsFile {
  /// In the order of the JSON header.
  std::vector<NamedTensor> tensors;
  SafetensorsMetadata metadata;

  /// The tensor named `name`, or null.
  const HostTensor *find(std::string_view name) const;
  HostTensor *find(std::string_view name);
  /// The metadata value for `key`, or null.
  const std::string *findMetadata(std::string_view key) const;
};

/// Header sizes above this (100 MB, as in the reference implementation)
/// are rejected as corrupt.
constexpr uint64_t kMaxSafetensorsHeaderSize = 100'000'000;

/// Reads and validates a whole file: header size, JSON, each tensor's
/// dtype/shape/data_offsets, that the byte count matches shape x dtype size,
/// that the tensors tile the data buffer exactly (no gap, no overlap, no
/// trailing bytes), unique names, and string-only metadata. Errors start
/// with the path and name the tensor.
Result<SafetensorsFile> readSafetensors(const std::string &path);

/// Writes the tensors, in the given order and without padding between
/// them, with `metadata` as `__metadata__` (omitted when empty), atomically
/// (temporary file, fsync, rename). The header is padded with spaces to a
/// multiple of 8 bytes. Names must be unique and not "__metadata__".
/// Readers that map tensors in place want each tensor's offset aligned to
/// its element size; order tensors by decreasing element size to get that.
Status writeSafetensors(const std::string &path,
                        const std::vector<NamedTensorRef> &tensors,
                        const SafetensorsMetadata &metadata = {});
Status writeSafetensors(const std::string &path,
                        const std::vector<NamedTensor> &tensors,
                        const SafetensorsMetadata &metadata = {});

} // namespace weir
