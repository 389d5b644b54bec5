// Transport-neutral request and response, as the handlers see them.
//
// Handlers (http/api.cpp) know nothing of sockets or Beast: the session
// (http/server.cpp) parses the wire into a Request, calls the router, and
// writes the Response. Keeping them apart lets handlers be tested without a
// socket and the transport be tested without the domain.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.hpp"

namespace rota::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded path without the query string, e.g. "/api/homes/1/dashboard"
  std::multimap<std::string, std::string, std::less<>> query;  // decoded query parameters
  std::map<std::string, std::string, std::less<>> headers;     // names lower-cased
  std::string body;
  std::string remote_address;
  std::vector<int64_t> path_ids;  // the `{id}` segments the router matched, in order

  // The first value of a query parameter, if present.
  std::optional<std::string_view> Query(std::string_view name) const;
  std::optional<std::string_view> Header(std::string_view lower_name) const;
  // A cookie's value from the Cookie header.
  std::optional<std::string> Cookie(std::string_view name) const;
};

struct Response;

// Completes a deferred response (Response::Later). Call it exactly once, from
// any thread; the session writes the response on its own strand. Dropping it
// uncalled closes the connection. Given a response that is itself deferred,
// the session calls its `later` on that strand (an I/O thread) with a new
// Reply: how work that must block comes back from a thread that must not.
using Reply = std::function<void(Response)>;

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (X-Cache, Set-Cookie, ...)
  std::string body;
  // A deferred response: when set, the rest of this Response is ignored and
  // the server calls `later` once, on the handler's thread, with the Reply that
  // will complete the request (work that must not block an I/O thread, such as
  // password hashing, runs elsewhere and replies when done).
  std::function<void(Reply)> later;
  // SQL statements the response's work executed on other threads (a deferred
  // reply's); added to the handler thread's count in X-Query-Count.
  uint64_t statements_elsewhere = 0;

  static Response Later(std::function<void(Reply)> start);
  static Response Json(int status, std::string body);
  static Response NoContent();
  // The api.md error body: {"error": {"code", "message", "field"}} with its
  // status. 500 and 503 answer PublicError's plain message (see there).
  static Response FromError(const Error& e);
  void SetHeader(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

// What a client may be told of `e` (api.md: never a database host, user or
// driver message in a body). 4xx errors are the caller's and pass unchanged;
// a 500 becomes "internal error" and a 503 "temporarily unavailable: ...", and
// the original message goes to the log (error for 500, warn for 503).
Error PublicError(const Error& e);

// Serialises the api.md error body.
std::string ErrorBody(const Error& e);

// Fills req.path and req.query from a request target ("/a%20b?x=1&y=a+b"):
// both are percent-decoded, '+' is a space in the query. A target that is not
// an absolute path, or has invalid percent-encoding or a NUL byte, is a
// bad_request Error (req is then left partly filled).
Status ParseTarget(std::string_view target, Request& req);

}  // namespace rota::http
