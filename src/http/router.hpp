// Routes requests to handlers by method and path pattern.
//
// Patterns are literal segments and `{id}` segments; an `{id}` matches a
// positive decimal integer that fits in int64 (anything else in its place is
// simply not a match, so `/api/shifts/abc` is 404). No match for the path ->
// 404 not_found; the path matches but not the method -> 405 method_not_allowed
// with an `Allow` header. Thread-safe after setup (read-only).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "http/message.hpp"

namespace rota::http {

using Handler = std::function<Response(Request&)>;

class Router {
 public:
  // e.g. Add("GET", "/api/homes/{id}/dashboard", fn). REQUIRES: before serving.
  void Add(std::string method, std::string pattern, Handler handler);
  // Fills req.path_ids and calls the handler, or answers 404/405.
  Response Dispatch(Request& req) const;
  // The pattern that matched (for logs and metrics), or "unmatched".
  std::string RouteName(const Request& req) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  bool Match(const Route& r, std::string_view path, std::vector<int64_t>* ids) const;
  std::vector<Route> routes_;
};

}  // namespace rota::http
