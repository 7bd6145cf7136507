//===- AotLibrary.cpp - load a model compiled ahead of time --------------===//
#include "runtime/cpu/AotLibrary.h"

#include "runtime/Json.h"

#include <dlfcn.h>

using namespace weir;

static JsonValue specJson(const TensorSpec &spec) {
  JsonValue v = JsonValue::object();
  if (!spec.name.empty())
    v.set("name", JsonValue::string(spec.name));
  v.set("dtype", JsonValue::string(safetensorsDTypeName(spec.dtype)));
  JsonValue shape = JsonValue::array();
  for (int64_t d : spec.shape)
    shape.push(JsonValue::integer(d));
  v.set("shape", std::move(shape));
  return v;
}

std::string weir::writeManifest(const ModelManifest &m) {
  JsonValue root = JsonValue::object();
  root.set("function", JsonValue::string(m.function));
  JsonValue inputs = JsonValue::array(), params = JsonValue::array();
  for (const TensorSpec &s : m.inputs)
    inputs.push(specJson(s));
  for (const TensorSpec &s : m.parameters)
    params.push(specJson(s));
  root.set("inputs", std::move(inputs));
  root.set("parameters", std::move(params));
  root.set("output", specJson(m.output));
  return writeJson(root);
}

static Result<TensorSpec> parseSpec(const JsonValue &v) {
  TensorSpec spec;
  const JsonValue *dtype = v.isObject() ? v.find("dtype") : nullptr;
  const JsonValue *shape = v.isObject() ? v.find("shape") : nullptr;
  if (!dtype || !dtype->isString() || !shape || !shape->isArray())
    return Status::error("a tensor entry lacks dtype or shape");
  std::optional<DType> d = dtypeFromSafetensorsName(dtype->asString());
  if (!d)
    return Status::error("unknown dtype '" + dtype->asString() + "'");
  spec.dtype = *d;
  for (size_t i = 0; i < shape->size(); ++i) {
    if (!shape->at(i).isInt())
      return Status::error("a shape entry is not an integer");
    spec.shape.push_back(shape->at(i).asInt());
  }
  if (const JsonValue *name = v.find("name"); name && name->isString())
    spec.name = name->asString();
  return spec;
}

Result<ModelManifest> weir::parseManifest(const std::string &json) {
  Result<JsonValue> root = parseJson(json);
  if (!root.ok())
    return root.status();
  ModelManifest m;
  const JsonValue *fn = root->isObject() ? root->find("function") : nullptr;
  const JsonValue *inputs = root->isObject() ? root->find("inputs") : nullptr;
  const JsonValue *params = root->isObject() ? root->find("parameters") : nullptr;
  const JsonValue *output = root->isObject() ? root->find("output") : nullptr;
  if (!fn || !fn->isString() || !inputs || !inputs->isArray() || !params ||
      !params->isArray() || !output)
    return Status::error("the manifest lacks function, inputs, parameters or "
                         "output");
  m.function = fn->asString();
  for (size_t i = 0; i < inputs->size(); ++i) {
    Result<TensorSpec> s = parseSpec(inputs->at(i));
    if (!s.ok())
      return s.status();
    m.inputs.push_back(*s);
  }
  for (size_t i = 0; i < params->size(); ++i) {
    Result<TensorSpec> s = parseSpec(params->at(i));
    if (!s.ok())
      return s.status();
    m.parameters.push_back(*s);
  }
  Result<TensorSpec> out = parseSpec(*output);
  if (!out.ok())
    return out.status();
  m.output = *out;
  return m;
}

AotLibrary::~AotLibrary() {
  if (handle_)
    dlclose(handle_);
}

Result<std::unique_ptr<AotLibrary>> AotLibrary::load(const std::string &path) {
  std::unique_ptr<AotLibrary> lib(new AotLibrary());
  // A path without a slash would be searched for in the library path.
  std::string where = path.find('/') == std::string::npos ? "./" + path : path;
  lib->handle_ = dlopen(where.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!lib->handle_)
    return Status::error(path + ": cannot load: " + dlerror());
  auto *manifest =
      static_cast<const char *const *>(dlsym(lib->handle_, "weir_manifest"));
  lib->entry_ = reinterpret_cast<PackedFunction>(dlsym(lib->handle_, "weir_entry"));
  if (!manifest || !*manifest || !lib->entry_)
    return Status::error(path + ": not a model compiled by `weir compile "
                                "--emit=lib` (no weir_manifest/weir_entry)");
  Result<ModelManifest> m = parseManifest(*manifest);
  if (!m.ok())
    return m.status().withPrefix(path + ": bad manifest");
  lib->manifest_ = std::move(*m);
  return lib;
}

Result<HostTensor> AotLibrary::call(const std::vector<const HostTensor *> &args,
                                    unsigned threads) {
  if (threads > 1 && (!pool_ || pool_->size() != threads))
    pool_ = std::make_unique<ThreadPool>(threads);
  return invokeBatched(entry_, manifest_.function, args,
                       manifest_.inputs.size(), manifest_.output.dtype,
                       manifest_.output.shape, threads > 1 ? pool_.get() : nullptr);
}
