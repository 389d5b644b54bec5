#include "http/router.hpp"

#include <algorithm>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace rota::http {
namespace {

constexpr std::string_view kIdSegment = "{id}";

// Splits on '/' keeping empty segments, so "/a/" is {"", "a", ""} and a
// trailing slash is significant.
std::vector<std::string_view> Split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t slash = s.find('/', start);
    out.push_back(s.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

// An `{id}`: 1..19 decimal digits, no sign, value in 1..INT64_MAX.
std::optional<int64_t> ParseId(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');  // 19 digits fit in uint64
  }
  if (v == 0 || v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return static_cast<int64_t>(v);
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler) {
  Route r{std::move(method), std::move(pattern), {}, std::move(handler)};
  for (std::string_view seg : Split(r.pattern)) r.segments.emplace_back(seg);
  routes_.push_back(std::move(r));
}

bool Router::Match(const Route& r, std::string_view path, std::vector<int64_t>* ids) const {
  std::vector<std::string_view> segs = Split(path);
  if (segs.size() != r.segments.size()) return false;
  std::vector<int64_t> found;
  for (size_t i = 0; i < segs.size(); ++i) {
    if (r.segments[i] == kIdSegment) {
      auto id = ParseId(segs[i]);
      if (!id) return false;
      found.push_back(*id);
    } else if (r.segments[i] != segs[i]) {
      return false;
    }
  }
  if (ids) *ids = std::move(found);
  return true;
}

Response Router::Dispatch(Request& req) const {
  std::vector<std::string> allowed;
  for (const Route& r : routes_) {
    std::vector<int64_t> ids;
    if (!Match(r, req.path, &ids)) continue;
    if (r.method == req.method) {
      req.path_ids = std::move(ids);
      return r.handler(req);
    }
    if (std::find(allowed.begin(), allowed.end(), r.method) == allowed.end()) allowed.push_back(r.method);
  }
  if (allowed.empty()) return Response::FromError(Error::NotFound("no route for " + req.path));
  Response resp = Response::FromError(
      Error::MethodNotAllowed(fmt::format("{} is not allowed on {}; allowed: {}", req.method, req.path,
                                          fmt::join(allowed, ", "))));
  resp.SetHeader("Allow", fmt::format("{}", fmt::join(allowed, ", ")));
  return resp;
}

std::string Router::RouteName(const Request& req) const {
  for (const Route& r : routes_)
    if (r.method == req.method && Match(r, req.path, nullptr)) return r.pattern;
  return "unmatched";
}

}  // namespace rota::http
