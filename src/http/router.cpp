#include "http/router.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace rota::http {
namespace {

constexpr std::string_view kIdSegment = "{id}";

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

Router::Segments Router::SplitPath(std::string_view path) {
  Segments out;
  size_t start = 0;
  for (;;) {
    if (out.count == kMaxSegments) {  // one more segment than any pattern has
      out.count = kMaxSegments + 1;
      return out;
    }
    size_t slash = path.find('/', start);
    out.parts[out.count++] =
        path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

void Router::Add(std::string method, std::string pattern, Handler handler) {
  Route r{std::move(method), std::move(pattern), {}, std::move(handler)};
  const Segments parts = SplitPath(r.pattern);  // split as requests are
  if (parts.count > kMaxSegments)
    throw std::invalid_argument(fmt::format("route pattern {} has more than {} segments", r.pattern, kMaxSegments));
  for (size_t i = 0; i < parts.count; ++i)
    r.segments.push_back(parts.parts[i] == kIdSegment ? Segment{"", true}
                                                      : Segment{std::string(parts.parts[i]), false});
  routes_.push_back(std::move(r));
}

bool Router::MatchPath(const Route& r, const Segments& path, Match* ids) {
  if (path.count != r.segments.size()) return false;
  size_t found = 0;
  for (size_t i = 0; i < path.count; ++i) {
    const Segment& seg = r.segments[i];
    if (seg.is_id) {
      auto id = ParseId(path.parts[i]);
      if (!id) return false;
      if (ids) ids->ids[found] = *id;
      ++found;
    } else if (seg.literal != path.parts[i]) {
      return false;
    }
  }
  if (ids) ids->id_count = found;
  return true;
}

bool Router::Serves(const std::string& route_method, std::string_view method) {
  return route_method == method || (method == "HEAD" && route_method == "GET");
}

Router::Match Router::Find(const Request& req) const {
  Match m;
  Segments path = SplitPath(req.path);
  for (size_t i = 0; i < routes_.size(); ++i) {
    const Route& r = routes_[i];
    if (Serves(r.method, req.method) && MatchPath(r, path, &m)) {
      m.index = static_cast<int>(i);
      return m;
    }
  }
  return m;  // kUnmatched, id_count 0 (MatchPath sets it only on a match)
}

Response Router::Dispatch(Request& req, const Match& match) const {
  if (match.index != kUnmatched) {
    req.path_ids.assign(match.ids.begin(), match.ids.begin() + static_cast<std::ptrdiff_t>(match.id_count));
    return routes_[static_cast<size_t>(match.index)].handler(req);
  }
  // No route for this method: 405 if the path fits another method's route
  // (listed in Add order, once each, HEAD after GET), else 404.
  Segments path = SplitPath(req.path);
  std::vector<std::string> allowed;
  auto allow = [&allowed](const std::string& method) {
    if (std::find(allowed.begin(), allowed.end(), method) == allowed.end()) allowed.push_back(method);
  };
  for (const Route& r : routes_) {
    if (!MatchPath(r, path, nullptr)) continue;
    allow(r.method);
    if (r.method == "GET") allow("HEAD");
  }
  if (allowed.empty()) return Response::FromError(Error::NotFound("no route for " + req.path));
  Response resp = Response::FromError(Error::MethodNotAllowed(
      fmt::format("{} is not allowed on {}; allowed: {}", req.method, req.path, fmt::join(allowed, ", "))));
  resp.SetHeader("Allow", fmt::format("{}", fmt::join(allowed, ", ")));
  return resp;
}

std::string Router::RouteName(const Request& req) const {
  int i = Find(req).index;
  return i == kUnmatched ? "unmatched" : routes_[static_cast<size_t>(i)].pattern;
}

std::vector<Router::RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  for (const Route& r : routes_) out.push_back({r.method, r.pattern});
  return out;
}

}  // namespace rota::http
