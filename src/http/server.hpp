// The HTTP/1.1 server: Boost.Beast over Asio, in the shape of Beast's
// advanced_server example: a listener accepts, each session chains
// do_read -> on_read -> do_write -> on_write with keep-alive.
//
// Guarantees:
//  - `threads` I/O threads run the io_context; a handler runs on one of them
//    from start to finish (so db::StatementCounter readings around it are exact).
//  - Every read has a deadline: `read_timeout` while idle between keep-alive
//    requests and for a body, `header_timeout` (shorter) from a request's first
//    byte to the end of its header; writing a response gets `read_timeout`
//    too. A handler's own work (deferred or not) has none. A body limit
//    (`body_limit`, 1 MiB by default): a larger body answers 413
//    payload_too_large, a malformed request 400, both as api.md JSON, and
//    the connection is closed.
//  - Framing per RFC 9112 §6: a request with Transfer-Encoding is read only if
//    its coding is exactly `chunked`, on HTTP/1.1, without Content-Length;
//    anything else is 400 and the connection closes. Nothing sent after a
//    refused request is ever read as a request.
//  - HEAD is answered by the GET route (http/router.hpp) with the same status
//    and headers, Content-Length included, and no body.
//  - At most `max_connections` connections: at the cap, the connection idle
//    longest between keep-alive requests is closed to make room; when none is
//    idle, the new one is answered 503 with Retry-After and closed. When the
//    process runs out of file descriptors (EMFILE/ENFILE), accepting pauses
//    briefly instead of spinning. Listen() raises RLIMIT_NOFILE's soft limit to
//    the hard limit and lowers the cap to fit what the limit leaves.
//  - Each response carries X-Query-Count (statements executed by the handler).
//    The server writes the status line and the Server, Content-Type,
//    X-Query-Count, Connection and Content-Length headers itself; a
//    Response's own headers must not repeat them (nor Transfer-Encoding).
//    A response without its own Cache-Control gets `private, no-cache` (api.md:
//    no shared cache stores private data; static assets set their own).
//  - A deferred response (Response::Later) is written when its Reply is called,
//    from whichever thread; the connection waits for it meanwhile.
//  - One access-log line per request (spdlog, logger "access"): method, route
//    path, status, bytes, microseconds, query count, client address; and, at
//    the same point, the request's metrics (http/metrics.hpp) in `metrics`.
//  - Stop(): stops accepting, lets in-flight requests finish and be written
//    (up to `drain_timeout`), then returns from Run().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "base/cidr.hpp"
#include "base/metrics.hpp"
#include "base/status.hpp"
#include "http/router.hpp"

namespace rota::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8000;  // 0 = any free port (tests)
  int threads = 4;
  size_t body_limit = 1 << 20;
  std::chrono::milliseconds read_timeout{30000};   // idle keep-alive and body reads
  std::chrono::milliseconds header_timeout{5000};  // first byte of a request to the end of its header
  int max_connections = 10000;                     // see above; lowered to fit RLIMIT_NOFILE
  // Peers whose X-Forwarded-For names the client (Request::remote_address,
  // the access log); empty: the peer is the client.
  CidrSet trusted_proxies;
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
