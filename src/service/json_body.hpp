// A strict reader of JSON request bodies for the write use cases.
//
// Parse() accepts exactly one JSON object (valid UTF-8, no trailing bytes,
// nesting parsed iteratively so depth cannot exhaust the stack) whose keys are
// distinct and each one of the endpoint's fields. Anything else is 400
// bad_request; an unknown or disallowed field names itself in `field`.
//
// The typed getters then read one field each and answer 422 invalid with that
// `field` when it is missing (for the required getters), null where null is not
// allowed, or of the wrong type: ids are JSON integers in 1..2^63-1 (never
// floats, strings, booleans or numbers too big for int64), dates are strict
// `YYYY-MM-DD` calendar days, strings contain no NUL character. Length and
// range rules beyond the type belong to domain/rules.hpp.
//
// Not thread-safe; a JsonBody lives for one request.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/date.hpp"
#include "base/status.hpp"

namespace rota::service {

class JsonBody {
 public:
  // 400 unless `text` is one JSON object with distinct keys, each in `allowed`.
  static Result<JsonBody> Parse(std::string_view text, std::initializer_list<std::string_view> allowed);

  JsonBody(JsonBody&&) noexcept;
  JsonBody& operator=(JsonBody&&) noexcept;
  ~JsonBody();

  bool Has(std::string_view field) const;
  bool IsNull(std::string_view field) const;  // present and null

  // Required fields: 422 when missing, null or of the wrong type.
  Result<int64_t> Id(std::string_view field) const;
  Result<std::string> String(std::string_view field) const;
  Result<Date> DateField(std::string_view field) const;
  Result<double> Double(std::string_view field) const;
  Result<bool> Bool(std::string_view field) const;
  // An array of ids (duplicates removed, ascending); at most kMaxIds.
  Result<std::vector<int64_t>> IdArray(std::string_view field) const;
  // An id or null (nullopt). REQUIRES: Has(field), else 422 missing.
  Result<std::optional<int64_t>> NullableId(std::string_view field) const;

  static constexpr size_t kMaxIds = 1000;

 private:
  struct Doc;
  explicit JsonBody(std::unique_ptr<Doc> doc);
  std::unique_ptr<Doc> doc_;
};

}  // namespace rota::service
