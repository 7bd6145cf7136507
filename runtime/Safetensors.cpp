// The .safetensors reader (header validation, data loading) and writer.
#include "runtime/Safetensors.h"

#include "runtime/FileIO.h"
#include "runtime/Json.h"

#include <algorithm>
#include <functional>
#include <unordered_set>

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the safetensors reader and writer assume a little-endian host");

namespace weir {

const HostTensor *SafetensorsFile::find(std::string_view name) const {
  for (const NamedTensor &t : tensors)
    if (t.name == name)
      return &t.tensor;
  return nullptr;
}

HostTensor *SafetensorsFile::find(std::string_view name) {
  return const_cast<HostTensor *>(
      static_cast<const SafetensorsFile *>(this)->find(name));
}

const std::string *SafetensorsFile::findMetadata(std::string_view key) const {
  for (const auto &[k, v] : metadata)
    if (k == key)
      return &v;
  return nullptr;
}

namespace {
constexpr const char *kMetadataKey = "__metadata__";

// One tensor's header entry, validated.
struct Entry {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};

std::string offsetsText(uint64_t begin, uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

Status parseMetadata(const JsonValue &value, SafetensorsMetadata &out) {
  if (!value.isObject())
    return Status::error("'__metadata__' is not an object");
  for (size_t i = 0; i < value.size(); ++i) {
    const std::string &key = value.keyAt(i);
    if (!value.at(i).isString())
      return Status::error("'__metadata__' value for '" + key +
                           "' is not a string");
    for (const auto &kv : out)
      if (kv.first == key)
        return Status::error("duplicate '__metadata__' key '" + key + "'");
    out.emplace_back(key, value.at(i).asString());
  }
  return Status::success();
}

// Reads a JSON array of non-negative integers.
Status parseIntArray(const JsonValue *value, const char *field,
                     std::vector<int64_t> &out) {
  if (!value)
    return Status::error(std::string("missing '") + field + "'");
  bool ok = value->isArray();
  for (size_t i = 0; ok && i < value->size(); ++i)
    ok = value->at(i).isInt() && value->at(i).asInt() >= 0;
  if (!ok)
    return Status::error(std::string("'") + field +
                         "' is not an array of non-negative integers");
  for (size_t i = 0; i < value->size(); ++i)
    out.push_back(value->at(i).asInt());
  return Status::success();
}

Status parseEntry(const JsonValue &value, uint64_t bufferSize, Entry &entry) {
  if (!value.isObject())
    return Status::error("entry is not an object");
  const JsonValue *dtype = value.find("dtype");
  if (!dtype)
    return Status::error("missing 'dtype'");
  if (!dtype->isString())
    return Status::error("'dtype' is not a string");
  std::optional<DType> parsed = dtypeFromSafetensorsName(dtype->asString());
  if (!parsed)
    return Status::error("unknown or unsupported dtype '" + dtype->asString() +
                         "' (supported: F32, F64, F16, BF16, U8, I8, I32, "
                         "I64, BOOL)");
  entry.dtype = *parsed;
  WEIR_RETURN_IF_ERROR(
      parseIntArray(value.find("shape"), "shape", entry.shape));
  std::vector<int64_t> offsets;
  WEIR_RETURN_IF_ERROR(
      parseIntArray(value.find("data_offsets"), "data_offsets", offsets));
  if (offsets.size() != 2)
    return Status::error("'data_offsets' does not have 2 elements");
  entry.begin = static_cast<uint64_t>(offsets[0]);
  entry.end = static_cast<uint64_t>(offsets[1]);
  std::string offsetText = offsetsText(entry.begin, entry.end);
  if (entry.begin > entry.end)
    return Status::error("data_offsets " + offsetText + " are reversed");
  if (entry.end > bufferSize)
    return Status::error("data_offsets " + offsetText +
                         " are out of range of the " +
                         std::to_string(bufferSize) + "-byte data buffer");
  Result<int64_t> count =
      checkedNumElements(entry.shape, dtypeSize(entry.dtype));
  if (!count)
    return count.status();
  uint64_t needed = static_cast<uint64_t>(*count) * dtypeSize(entry.dtype);
  if (needed != entry.end - entry.begin)
    return Status::error("shape " + formatShape(entry.shape) + " " +
                         dtype->asString() + " needs " +
                         std::to_string(needed) + " bytes, offsets give " +
                         std::to_string(entry.end - entry.begin));
  return Status::success();
}

// The tensors must tile [0, bufferSize) exactly, as the reference requires.
Status checkCoverage(const std::vector<Entry> &entries, uint64_t bufferSize) {
  std::vector<const Entry *> sorted;
  for (const Entry &e : entries)
    sorted.push_back(&e);
  // Ties broken by header position (the entries' addresses), so messages do
  // not depend on the sort. (std::stable_sort warns with clang + libstdc++ 12.)
  std::sort(sorted.begin(), sorted.end(), [](const Entry *a, const Entry *b) {
    if (a->begin != b->begin)
      return a->begin < b->begin;
    if (a->end != b->end)
      return a->end < b->end;
    return std::less<const Entry *>()(a, b);
  });
  uint64_t covered = 0;
  const Entry *last = nullptr; // The entry reaching furthest so far.
  for (const Entry *e : sorted) {
    if (e->begin < covered)
      return Status::error("tensors '" + last->name + "' and '" + e->name +
                           "' overlap (data_offsets " +
                           offsetsText(last->begin, last->end) + " and " +
                           offsetsText(e->begin, e->end) + ")");
    if (e->begin > covered)
      return Status::error("bytes [" + std::to_string(covered) + ", " +
                           std::to_string(e->begin) +
                           ") of the data buffer belong to no tensor");
    if (e->end > covered || !last) {
      covered = e->end;
      last = e;
    }
  }
  if (covered != bufferSize)
    return Status::error("the data buffer has " + std::to_string(bufferSize) +
                         " bytes but the tensors cover only " +
                         std::to_string(covered));
  return Status::success();
}

Result<SafetensorsFile> readFile(const InputFile &file) {
  const uint64_t size = file.size();
  if (size < 8)
    return Status::error("file is too small to be safetensors (" +
                         std::to_string(size) + " bytes)");
  unsigned char prefix[8];
  WEIR_RETURN_IF_ERROR(file.readAt(0, prefix, 8));
  uint64_t headerSize = 0;
  for (int i = 7; i >= 0; --i)
    headerSize = (headerSize << 8) | prefix[i];
  if (headerSize > kMaxSafetensorsHeaderSize)
    return Status::error("header size " + std::to_string(headerSize) +
                         " is absurd (limit " +
                         std::to_string(kMaxSafetensorsHeaderSize) +
                         "); not a safetensors file?");
  if (headerSize > size - 8)
    return Status::error("header size " + std::to_string(headerSize) +
                         " is larger than the file (" + std::to_string(size) +
                         " bytes)");
  std::string header(headerSize, '\0');
  WEIR_RETURN_IF_ERROR(file.readAt(8, header.data(), headerSize));
  if (header.empty() || header[0] != '{')
    return Status::error("invalid JSON header: it does not start with '{'");
  Result<JsonValue> json = parseJson(header, /*maxDepth=*/16);
  if (!json)
    return json.status().withPrefix("invalid JSON header");
  const JsonValue &root = *json;
  const uint64_t bufferStart = 8 + headerSize;
  const uint64_t bufferSize = size - bufferStart;

  SafetensorsFile result;
  std::vector<Entry> entries;
  std::unordered_set<std::string_view> names;
  bool sawMetadata = false;
  for (size_t i = 0; i < root.size(); ++i) {
    const std::string &name = root.keyAt(i);
    if (name == kMetadataKey) {
      if (sawMetadata)
        return Status::error("duplicate '__metadata__'");
      sawMetadata = true;
      WEIR_RETURN_IF_ERROR(parseMetadata(root.at(i), result.metadata));
      continue;
    }
    if (!names.insert(name).second)
      return Status::error("duplicate tensor name '" + name + "'");
    Entry entry;
    entry.name = name;
    WEIR_RETURN_IF_ERROR(parseEntry(root.at(i), bufferSize, entry)
                             .withPrefix("tensor '" + name + "'"));
    entries.push_back(std::move(entry));
  }
  WEIR_RETURN_IF_ERROR(checkCoverage(entries, bufferSize));

  for (Entry &entry : entries) {
    Result<HostTensor> tensor =
        HostTensor::createUninitialized(entry.dtype, entry.shape);
    if (!tensor)
      return tensor.status().withPrefix("tensor '" + entry.name + "'");
    WEIR_RETURN_IF_ERROR(file.readAt(bufferStart + entry.begin,
                                     tensor->rawData(), tensor->byteSize()));
    if (entry.dtype == DType::Bool) {
      const uint8_t *bytes = tensor->bytes();
      for (int64_t j = 0; j < tensor->numElements(); ++j)
        if (bytes[j] > 1)
          return Status::error(
              "tensor '" + entry.name + "': invalid BOOL value " +
              std::to_string(bytes[j]) + " at element " + std::to_string(j));
    }
    result.tensors.push_back({std::move(entry.name), std::move(*tensor)});
  }
  return result;
}

JsonValue intArray(const std::vector<int64_t> &values) {
  JsonValue array = JsonValue::array();
  for (int64_t v : values)
    array.push(JsonValue::integer(v));
  return array;
}
} // namespace

Result<SafetensorsFile> readSafetensors(const std::string &path) {
  Result<InputFile> file = InputFile::open(path);
  if (!file)
    return file.status();
  Result<SafetensorsFile> result = readFile(*file);
  if (!result)
    return result.status().withPrefix(path);
  return result;
}

Status writeSafetensors(const std::string &path,
                        const std::vector<NamedTensorRef> &tensors,
                        const SafetensorsMetadata &metadata) {
  auto fail = [&](const std::string &message) {
    return Status::error(path + ": " + message);
  };
  JsonValue header = JsonValue::object();
  if (!metadata.empty()) {
    JsonValue meta = JsonValue::object();
    for (const auto &[key, value] : metadata) {
      if (meta.find(key))
        return fail("duplicate metadata key '" + key + "'");
      meta.append(key, JsonValue::string(value));
    }
    header.append(kMetadataKey, std::move(meta));
  }
  std::unordered_set<std::string_view> names;
  std::vector<ByteChunk> chunks(2); // Header size and header, filled below.
  uint64_t offset = 0;
  for (const NamedTensorRef &ref : tensors) {
    if (ref.name == kMetadataKey)
      return fail("a tensor cannot be named '__metadata__'");
    if (!names.insert(ref.name).second)
      return fail("duplicate tensor name '" + ref.name + "'");
    if (!ref.tensor || !ref.tensor->rawData())
      return fail("tensor '" + ref.name + "' has no storage");
    const HostTensor &t = *ref.tensor;
    JsonValue entry = JsonValue::object();
    entry.append("dtype", JsonValue::string(safetensorsDTypeName(t.dtype())));
    entry.append("shape", intArray(t.shape()));
    entry.append("data_offsets",
                 intArray({static_cast<int64_t>(offset),
                           static_cast<int64_t>(offset + t.byteSize())}));
    header.append(ref.name, std::move(entry));
    offset += t.byteSize();
    chunks.push_back({t.rawData(), t.byteSize()});
  }
  std::string json = writeJson(header);
  json.append((8 - json.size() % 8) % 8, ' ');
  unsigned char sizeBytes[8];
  for (int i = 0; i < 8; ++i)
    sizeBytes[i] =
        static_cast<unsigned char>((uint64_t(json.size()) >> (8 * i)) & 0xFF);
  chunks[0] = {sizeBytes, 8};
  chunks[1] = {json.data(), json.size()};
  return writeFileAtomically(path, chunks);
}

Status writeSafetensors(const std::string &path,
                        const std::vector<NamedTensor> &tensors,
                        const SafetensorsMetadata &metadata) {
  std::vector<NamedTensorRef> refs;
  refs.reserve(tensors.size());
  for (const NamedTensor &t : tensors)
    refs.push_back({t.name, &t.tensor});
  return writeSafetensors(path, refs, metadata);
}

} // namespace weir
