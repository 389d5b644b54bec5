#include "http/message.hpp"

#include <spdlog/spdlog.h>

#include "service/json_writer.hpp"

namespace rota::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `in`; with `plus_is_space` (query strings) '+' becomes ' '.
// Fails on a '%' not followed by two hex digits and on a NUL byte, raw or encoded.
std::optional<std::string> PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string_view> Request::Query(std::string_view name) const {
  // lower_bound: the first of equal keys, i.e. the first value in the query string.
  auto it = query.lower_bound(name);
  if (it == query.end() || it->first != name) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<std::string_view> Request::Header(std::string_view lower_name) const {
  auto it = headers.find(lower_name);
  if (it == headers.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::optional<std::string> Request::Cookie(std::string_view name) const {
  auto header = Header("cookie");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    size_t semi = rest.find(';');
    std::string_view pair = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (Trim(pair.substr(0, eq)) != name) continue;
    std::string_view value = Trim(pair.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return std::string(value);
  }
  return std::nullopt;
}

Response Response::Later(std::function<void(Reply)> start) {
  Response r;
  r.later = std::move(start);
  return r;
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Response::NoContent() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Error PublicError(const Error& e) {
  switch (e.code) {
    case ErrorCode::kInternal:
      spdlog::error("internal error answered as 500: {}", e.message);
      return Error::Internal("internal error");
    case ErrorCode::kUnavailable:
      spdlog::warn("unavailable, answered as 503: {}", e.message);
      return Error::Unavailable("temporarily unavailable: the database did not answer in time; try again shortly");
    default:
      return e;
  }
}

Response Response::FromError(const Error& e) { return Json(HttpStatus(e.code), ErrorBody(PublicError(e))); }

std::string ErrorBody(const Error& e) {
  service::JsonWriter w;
  w.BeginObject();
  w.Key("error");
  w.BeginObject();
  w.Field("code", CodeName(e.code));
  w.Field("message", e.message);
  w.Field("field", e.field);
  w.EndObject();
  w.EndObject();
  return std::move(w).Take();
}

Status ParseTarget(std::string_view target, Request& req) {
  if (target.empty() || target.front() != '/') return Error::BadRequest("the request target must be an absolute path");
  size_t q = target.find('?');
  auto path = PercentDecode(target.substr(0, q), /*plus_is_space=*/false);
  if (!path) return Error::BadRequest("invalid percent-encoding or NUL byte in the path");
  req.path = std::move(*path);
  req.query.clear();
  if (q == std::string_view::npos) return Status::Ok();
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!key || !value) return Error::BadRequest("invalid percent-encoding or NUL byte in the query string");
    req.query.emplace(std::move(*key), std::move(*value));
  }
  return Status::Ok();
}

}  // namespace rota::http
