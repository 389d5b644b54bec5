// Errors as values on the request path.
//
// Every failure a client can see is an Error whose code is one of api.md's
// (`not_found`, `invalid`, ...). The HTTP layer turns an Error into the JSON error
// body and status in one place (http/message.cpp, Response::FromError); the command line prints
// `message`. Exceptions are kept for start-up and configuration.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace rota {

// The error codes of api.md, one per HTTP status.
enum class ErrorCode {
  kBadRequest,        // 400 body not JSON / not an object / unknown field
  kUnauthorized,      // 401 not logged in
  kForbidden,         // 403 not allowed, CSRF failure
  kNotFound,          // 404
  kMethodNotAllowed,  // 405
  kConflict,          // 409 conflicts with existing data
  kPayloadTooLarge,   // 413
  kInvalid,           // 422 well-formed but a field is missing, wrong type, out of range
  kTooManyRequests,   // 429 too many failed logins (an extension of api.md's list)
  kInternal,          // 500
  kUnavailable,       // 503 a dependency is down
};

int HttpStatus(ErrorCode code);
std::string_view CodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::optional<std::string> field;  // the offending field or query parameter, if any

  static Error BadRequest(std::string m, std::optional<std::string> f = std::nullopt) {
    return {ErrorCode::kBadRequest, std::move(m), std::move(f)};
  }
  static Error Unauthorized(std::string m = "authentication required") {
    return {ErrorCode::kUnauthorized, std::move(m), std::nullopt};
  }
  static Error Forbidden(std::string m = "you may not do this") {
    return {ErrorCode::kForbidden, std::move(m), std::nullopt};
  }
  static Error NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m), std::nullopt}; }
  static Error MethodNotAllowed(std::string m) { return {ErrorCode::kMethodNotAllowed, std::move(m), std::nullopt}; }
  static Error Conflict(std::string m, std::optional<std::string> f = std::nullopt) {
    return {ErrorCode::kConflict, std::move(m), std::move(f)};
  }
  static Error PayloadTooLarge(std::string m) { return {ErrorCode::kPayloadTooLarge, std::move(m), std::nullopt}; }
  static Error Invalid(std::string m, std::optional<std::string> f = std::nullopt) {
    return {ErrorCode::kInvalid, std::move(m), std::move(f)};
  }
  static Error TooManyRequests(std::string m) { return {ErrorCode::kTooManyRequests, std::move(m), std::nullopt}; }
  static Error Internal(std::string m) { return {ErrorCode::kInternal, std::move(m), std::nullopt}; }
  static Error Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m), std::nullopt}; }
};

// Status: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error e) : error_(std::move(e)) {}  // NOLINT: implicit so `return Error::NotFound(...)` works
  static Status Ok() { return {}; }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { return *error_; }
  Error&& error() && { return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

// Result<T>: a T or an Error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}       // NOLINT
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}           // NOLINT
  Result(Status s) : v_(std::in_place_index<1>, std::move(s).error()) {}  // REQUIRES: !s.ok()

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }
  Status status() const { return ok() ? Status() : Status(error()); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace rota

// Propagate an error: ROTA_TRY(expr) returns the error of a failed Status.
#define ROTA_TRY(expr)                                                                                 \
  do {                                                                                                 \
    if (auto rota_try_status_ = (expr); !rota_try_status_) return std::move(rota_try_status_).error(); \
  } while (0)

// Assign the value of a Result to `lhs`, or return its error:
// ROTA_ASSIGN(s.date, body->DateField("date")).
#define ROTA_ASSIGN(lhs, expr)                                               \
  do {                                                                       \
    auto rota_assign_result_ = (expr);                                       \
    if (!rota_assign_result_) return std::move(rota_assign_result_).error(); \
    lhs = std::move(rota_assign_result_).value();                            \
  } while (0)
