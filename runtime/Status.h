// Status and Result<T>: the runtime's errors as values, never exceptions.
#pragma once

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace weir {

/// Success, or an error carrying a human-readable message. A success is one
/// null pointer (no allocation), so returning Status on hot paths is cheap.
class [[nodiscard]] Status {
public:
  /// A success.
  Status() = default;
  static Status success() { return Status(); }
  /// An error. The message says what failed and where (path, tensor, offset).
  static Status error(std::string message) {
    Status s;
    s.message_ = std::make_shared<const std::string>(std::move(message));
    return s;
  }

  bool ok() const { return message_ == nullptr; }
  explicit operator bool() const { return ok(); }
  /// The error message; empty for a success.
  const std::string &message() const {
    static const std::string empty;
    return message_ ? *message_ : empty;
  }
  /// A copy of this error with `prefix + ": "` in front of its message;
  /// a success stays a success.
  Status withPrefix(const std::string &prefix) const {
    return ok() ? Status() : error(prefix + ": " + *message_);
  }

private:
  // Shared and immutable: copying an error is a reference-count bump.
  std::shared_ptr<const std::string> message_;
};

/// A value of type T, or the error that prevented producing it.
template <typename T> class [[nodiscard]] Result {
public:
  // Two overloads rather than one by-value constructor so that `return x;`
  // moves a local x in C++17.
  Result(const T &value) : value_(value) {}
  Result(T &&value) : value_(std::move(value)) {}
  /// From an error. A success Status carries no value, which is a bug in the
  /// caller; it becomes an error instead of an empty Result.
  Result(Status status)
      : status_(status.ok() ? Status::error("internal error: Result built "
                                            "from a success Status")
                            : std::move(status)) {}

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Status &status() const { return status_; }

  T &value() & {
    assert(ok() && "value() of a failed Result");
    return *value_;
  }
  const T &value() const & {
    assert(ok() && "value() of a failed Result");
    return *value_;
  }
  T &&value() && {
    assert(ok() && "value() of a failed Result");
    return std::move(*value_);
  }
  T &operator*() & { return value(); }
  const T &operator*() const & { return value(); }
  T &&operator*() && { return std::move(*this).value(); }
  T *operator->() { return &value(); }
  const T *operator->() const { return &value(); }

private:
  std::optional<T> value_;
  Status status_;
};

} // namespace weir

/// Returns the Status of `expr` from the enclosing function if it is an error.
#define WEIR_RETURN_IF_ERROR(expr)                                             \
  do {                                                                         \
    ::weir::Status weirStatus_ = (expr);                                       \
    if (!weirStatus_.ok())                                                     \
      return weirStatus_;                                                      \
  } while (false)
