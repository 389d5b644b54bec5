#include "service/json_body.hpp"

#include <algorithm>
#include <cstring>
#include <set>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

namespace rota::service {

struct JsonBody::Doc {
  rapidjson::Document document;
};

namespace {

// UTF-8 validated, iterative (no recursion on deep nesting), no comments,
// NaN/Infinity or trailing commas: only what RFC 8259 allows.
constexpr unsigned kParseFlags = rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag;

std::string_view Name(const rapidjson::Value& key) { return {key.GetString(), key.GetStringLength()}; }

Error Missing(std::string_view field) {
  return Error::Invalid(fmt::format("{} is required", field), std::string(field));
}

Error WrongType(std::string_view field, std::string_view what) {
  return Error::Invalid(fmt::format("{} must be {}", field, what), std::string(field));
}

bool IsId(const rapidjson::Value& v) { return v.IsInt64() && v.GetInt64() > 0; }

}  // namespace

JsonBody::JsonBody(std::unique_ptr<Doc> doc) : doc_(std::move(doc)) {}
JsonBody::JsonBody(JsonBody&&) noexcept = default;
JsonBody& JsonBody::operator=(JsonBody&&) noexcept = default;
JsonBody::~JsonBody() = default;

Result<JsonBody> JsonBody::Parse(std::string_view text, std::initializer_list<std::string_view> allowed) {
  if (text.empty()) return Error::BadRequest("the body must be a JSON object, not empty");
  auto doc = std::make_unique<Doc>();
  doc->document.Parse<kParseFlags>(text.data(), text.size());
  if (doc->document.HasParseError()) {
    return Error::BadRequest(fmt::format("the body is not valid JSON: {} (at byte {})",
                                         rapidjson::GetParseError_En(doc->document.GetParseError()),
                                         doc->document.GetErrorOffset()));
  }
  if (!doc->document.IsObject()) return Error::BadRequest("the body must be a JSON object");
  std::set<std::string_view> seen;
  for (const auto& member : doc->document.GetObject()) {
    std::string_view key = Name(member.name);
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      return Error::BadRequest(fmt::format("unknown field '{}'", key), std::string(key));
    if (!seen.insert(key).second)
      return Error::BadRequest(fmt::format("field '{}' appears more than once", key), std::string(key));
  }
  return JsonBody(std::move(doc));
}

namespace {

const rapidjson::Value* Find(const rapidjson::Document& d, std::string_view field) {
  for (const auto& member : d.GetObject()) {
    if (Name(member.name) == field) return &member.value;
  }
  return nullptr;
}

}  // namespace

bool JsonBody::Has(std::string_view field) const { return Find(doc_->document, field) != nullptr; }

bool JsonBody::IsNull(std::string_view field) const {
  const rapidjson::Value* v = Find(doc_->document, field);
  return v && v->IsNull();
}

Result<int64_t> JsonBody::Id(std::string_view field) const {
  const rapidjson::Value* v = Find(doc_->document, field);
  if (!v) return Missing(field);
  if (!IsId(*v)) return WrongType(field, "a positive integer id");
  return v->GetInt64();
}

Result<std::optional<int64_t>> JsonBody::NullableId(std::string_view field) const {
  const rapidjson::Value* v = Find(doc_->document, field);
  if (!v) return Missing(field);
  if (v->IsNull()) return std::optional<int64_t>();
  if (!IsId(*v)) return WrongType(field, "a positive integer id or null");
  return std::optional<int64_t>(v->GetInt64());
}

Result<std::string> JsonBody::String(std::string_view field) const {
  const rapidjson::Value* v = Find(doc_->document, field);
  if (!v) return Missing(field);
  if (!v->IsString()) return WrongType(field, "a string");
  std::string_view s(v->GetString(), v->GetStringLength());
  if (s.find('\0') != std::string_view::npos) return WrongType(field, "a string without NUL characters");
  return std::string(s);
}

Result<Date> JsonBody::DateField(std::string_view field) const {
  const rapidjson::Value* v = Find(doc_->document, field);
  if (!v) return Missing(field);
  std::optional<Date> d;
  if (v->IsString()) d = Date::Parse(std::string_view(v->GetString(), v->GetStringLength()));
  if (!d) return WrongType(field, "a date YYYY-MM-DD");
  return *d;
}

Result<double> JsonBody::Double(std::string_view field) const {
  const rapidjson::Value* v = Find(doc_->document, field);
  if (!v) return Missing(field);
  if (!v->IsNumber()) return WrongType(field, "a number");
  return v->GetDouble();
}

Result<bool> JsonBody::Bool(std::string_view field) const {
  const rapidjson::Value* v = Find(doc_->document, field);
  if (!v) return Missing(field);
  if (!v->IsBool()) return WrongType(field, "true or false");
  return v->GetBool();
}

Result<std::vector<int64_t>> JsonBody::IdArray(std::string_view field) const {
  const rapidjson::Value* v = Find(doc_->document, field);
  if (!v) return Missing(field);
  if (!v->IsArray()) return WrongType(field, "an array of ids");
  if (v->Size() > kMaxIds) return WrongType(field, fmt::format("an array of at most {} ids", kMaxIds));
  std::set<int64_t> ids;
  for (const auto& item : v->GetArray()) {
    if (!IsId(item)) return WrongType(field, "an array of positive integer ids");
    ids.insert(item.GetInt64());
  }
  return std::vector<int64_t>(ids.begin(), ids.end());
}

}  // namespace rota::service
