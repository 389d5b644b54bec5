// The HTTP/1.1 server: Boost.Beast over Asio, in the shape of Beast's
// advanced_server example: a listener accepts, each session chains
// do_read -> on_read -> do_write -> on_write with keep-alive.
//
// Guarantees:
//  - `threads` I/O threads run the io_context; a handler runs on one of them
//    from start to finish (so db::StatementCounter readings around it are exact).
//  - Every read has a deadline (`read_timeout`, also while idle between
//    keep-alive requests) and a body limit (`body_limit`, 1 MiB by default):
//    a larger body answers 413 payload_too_large, a malformed request 400, both
//    as api.md JSON, and the connection is closed.
//  - Each response carries X-Query-Count (statements executed by the handler).
//    The server writes the status line and the Server, Content-Type,
//    X-Query-Count, Connection and Content-Length headers itself; a
//    Response's own headers must not repeat them (nor Transfer-Encoding).
//  - One access-log line per request (spdlog, logger "access"): method, route
//    path, status, bytes, microseconds, query count, remote address; and, at
//    the same point, the request's metrics (http/metrics.hpp) in `metrics`.
//  - Stop(): stops accepting, lets in-flight requests finish and be written
//    (up to `drain_timeout`), then returns from Run().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/metrics.hpp"
#include "base/status.hpp"
#include "http/router.hpp"

namespace rota::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;  // 0 = any free port (tests)
  int threads = 4;
  size_t body_limit = 1 << 20;
  std::chrono::milliseconds read_timeout{30000};
  std::chrono::milliseconds drain_timeout{10000};
  // Read on the handler's thread just before and after each handler call; the
  // difference is the response's X-Query-Count (e.g. db::StatementCounter::Now).
  std::function<uint64_t()> statement_counter = [] { return uint64_t{0}; };
  // Where per-request metrics go (GET /metrics writes the default registry);
  // nullptr records none.
  metrics::Registry* metrics = &metrics::DefaultRegistry();
};

class Server {
 public:
  // `router` must outlive the server.
  Server(ServerOptions options, const Router& router);
  ~Server();

  // Binds and listens; reports the bound port (useful with port 0). An address
  // in use or that cannot be resolved -> Error::Unavailable.
  Result<uint16_t> Listen();
  // Runs the I/O threads until Stop(); REQUIRES: Listen() succeeded.
  void Run();
  // Thread-safe and signal-handler-free: call from any thread, any number of
  // times, before or during Run(). Returns at once; Run() returns when the
  // drain is over.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rota::http
