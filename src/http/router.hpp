// Routes requests to handlers by method and path pattern.
//
// Patterns are literal segments and `{id}` segments; an `{id}` matches a
// positive decimal integer that fits in int64 (anything else in its place is
// simply not a match, so `/api/shifts/abc` is 404). No match for the path ->
// 404 not_found; the path matches but not the method -> 405 method_not_allowed
// with an `Allow` header. A GET route also serves HEAD (RFC 9110 §9.3.2: the
// handler runs as for GET, with req.method "HEAD"; the server sends no body)
// and its `Allow` lists HEAD after GET. Thread-safe after setup (read-only).
//
// The request path: Find() matches a request once, without allocating (the
// path is cut into at most kMaxSegments string_views on the stack, and each
// route is rejected by method and segment count before any segment is
// compared), and its Match is what the server logs and then dispatches.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.hpp"

namespace rota::http {

using Handler = std::function<Response(Request&)>;

class Router {
 public:
  // Longest pattern, in '/'-separated segments ("/api/homes/{id}" has 4, the
  // first one empty). A longer path matches no route.
  static constexpr size_t kMaxSegments = 16;
  static constexpr int kUnmatched = -1;

  // e.g. Add("GET", "/api/homes/{id}/dashboard", fn). REQUIRES: before serving.
  // Throws std::invalid_argument for a pattern of more than kMaxSegments
  // segments (set-up only).
  void Add(std::string method, std::string pattern, Handler handler);

  // The first route (in Add order) whose method and pattern match the request,
  // with its `{id}` values; index kUnmatched if none does (404 or 405 is then
  // worked out by Dispatch, off the hot path). Allocates nothing.
  struct Match {
    int index = kUnmatched;
    size_t id_count = 0;                      // ids[0, id_count) are the `{id}` values, in order
    std::array<int64_t, kMaxSegments> ids{};  // (entries past id_count mean nothing)
  };
  Match Find(const Request& req) const;
  // Calls the handler of `match` with req.path_ids filled, or answers 404/405.
  // REQUIRES: `match` is Find(req) on this router, req unchanged since.
  Response Dispatch(Request& req, const Match& match) const;
  // Find then Dispatch.
  Response Dispatch(Request& req) const { return Dispatch(req, Find(req)); }

  // The pattern that matched (for logs and metrics), or "unmatched".
  std::string RouteName(const Request& req) const;

  // The routes in the order they were added; Match::index indexes this list.
  struct RouteInfo {
    std::string method;
    std::string pattern;
  };
  std::vector<RouteInfo> Routes() const;
  // The pattern of route `index`. REQUIRES: 0 <= index < Routes().size().
  const std::string& Pattern(int index) const { return routes_[static_cast<size_t>(index)].pattern; }

 private:
  struct Segment {
    std::string literal;  // the text to equal, unless is_id
    bool is_id = false;   // an `{id}` segment
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;  // the pattern split on '/'
    Handler handler;
  };
  // A request path split on '/' (empty segments kept); `count` is
  // kMaxSegments + 1 when the path has more segments than any pattern.
  struct Segments {
    size_t count = 0;
    std::array<std::string_view, kMaxSegments> parts;
  };
  static Segments SplitPath(std::string_view path);
  // Whether a route added for `route_method` answers a request's `method`.
  static bool Serves(const std::string& route_method, std::string_view method);
  // Whether `path` fits route `r`'s pattern (the method is not looked at);
  // on success, its ids are in *ids (which may be null).
  static bool MatchPath(const Route& r, const Segments& path, Match* ids);
  std::vector<Route> routes_;
};

}  // namespace rota::http
