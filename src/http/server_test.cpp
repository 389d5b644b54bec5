// The server over real sockets on 127.0.0.1 (port 0), with a small POSIX client
// whose reads all have deadlines, so a misbehaving server fails a test rather
// than hanging it.
#include "http/server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

namespace rota::http {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct RawResponse {
  int status = 0;
  std::string head;                            // status line and header lines as received, without the blank line
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One client connection. Reads wait at most `timeout`.
class Conn {
 public:
  explicit Conn(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("connect failed");
  }
  ~Conn() { ::close(fd_); }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Returns false once the peer has closed or reset the connection.
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  std::optional<RawResponse> Request(const std::string& method, const std::string& target, const std::string& body = "",
                                     const std::string& extra_headers = "") {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: test\r\n" + extra_headers;
    if (!body.empty() || method == "POST") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n" + body;
    if (!Send(req)) return std::nullopt;
    return ReadResponse();
  }

  // One response (Content-Length framed), or nullopt on close or timeout.
  std::optional<RawResponse> ReadResponse(std::chrono::milliseconds timeout = 3000ms) {
    auto deadline = Clock::now() + timeout;
    size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos)
      if (!Fill(deadline)) return std::nullopt;
    RawResponse r;
    std::string head = in_.substr(0, end);
    in_.erase(0, end + 4);
    r.head = head;
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    r.status = std::stoi(status_line.substr(status_line.find(' ') + 1, 3));
    size_t pos = line_end;
    while (pos != std::string::npos && pos < head.size()) {
      size_t next = head.find("\r\n", pos + 2);
      std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        r.headers[Lower(line.substr(0, colon))] = value;
      }
      pos = next;
    }
    size_t length = r.headers.count("content-length") ? std::stoul(r.headers["content-length"]) : 0;
    while (in_.size() < length)
      if (!Fill(deadline)) return std::nullopt;
    r.body = in_.substr(0, length);
    in_.erase(0, length);
    return r;
  }

  // Everything until the server closes (or `timeout`), unparsed.
  std::string ReadAll(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (Fill(deadline)) {
    }
    std::string out = std::move(in_);
    in_.clear();
    return out;
  }

  // True if the server closes the connection within `timeout`.
  bool WaitClosed(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (!Fill(deadline)) return closed_;
    }
    return false;
  }

 private:
  // Reads more bytes; false on close (sets closed_) or on the deadline.
  bool Fill(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    in_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string in_;
  bool closed_ = false;
};

// A server on a free port, running on its own thread until Stop() or destruction.
class RunningServer {
 public:
  RunningServer(const Router& router, ServerOptions options) {
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<Server>(std::move(options), router);
    auto port = server_->Listen();
    if (!port) throw std::runtime_error(port.error().message);
    port_ = *port;
    done_ = std::async(std::launch::async, [this] { server_->Run(); });
  }
  ~RunningServer() {
    server_->Stop();
    done_.wait();
  }
  uint16_t port() const { return port_; }
  Server& server() { return *server_; }
  // True if Run() returned within `timeout`.
  bool WaitRunReturned(std::chrono::milliseconds timeout) {
    return done_.wait_for(timeout) == std::future_status::ready;
  }

 private:
  std::unique_ptr<Server> server_;
  uint16_t port_ = 0;
  std::future<void> done_;
};

ServerOptions SmallOptions() {
  ServerOptions o;
  o.threads = 2;
  o.read_timeout = 2000ms;
  return o;
}

std::string ErrorCodeOf(const RawResponse& r) {
  auto at = r.body.find(R"("code":")");
  if (at == std::string::npos) return "";
  at += 8;
  return r.body.substr(at, r.body.find('"', at) - at);
}

TEST(Server, ListenOnPortZeroReportsTheBoundPort) {
  Router router;
  Server server(SmallOptions(), router);
  auto port = server.Listen();
  ASSERT_TRUE(port.ok()) << port.error().message;
  EXPECT_NE(*port, 0);
  server.Stop();
  server.Run();  // returns at once: stopped, nothing in flight
}

TEST(Server, ListenOnAPortInUseIsUnavailable) {
  Router router;
  RunningServer first(router, SmallOptions());
  ServerOptions o = SmallOptions();
  o.port = first.port();
  Server second(o, router);
  auto port = second.Listen();
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(port.error().message.find("already in use"), std::string::npos) << port.error().message;
}

TEST(Server, RequestGetsItsHandlersBodyAndQueryCount) {
  std::atomic<uint64_t> statements{100};
  Router router;
  router.Add("GET", "/api/homes/{id}", [&](Request& req) {
    statements += 3;
    Response r = Response::Json(200, R"({"home":)" + std::to_string(req.path_ids.at(0)) + "}");
    r.SetHeader("X-Cache", "MISS");
    return r;
  });
  ServerOptions o = SmallOptions();
  o.statement_counter = [&] { return statements.load(); };
  RunningServer server(router, o);
  Conn conn(server.port());
  auto r = conn.Request("GET", "/api/homes/42");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"home":42})");
  EXPECT_EQ(r->Header("x-query-count"), "3");
  EXPECT_EQ(r->Header("x-cache"), "MISS");
  EXPECT_EQ(r->Header("server"), "rota");
  EXPECT_EQ(r->Header("content-type"), "application/json");
  EXPECT_EQ(r->Header("content-length"), "11");
}

// Metrics are recorded where the access log is written, after the response:
// poll the registry until they appear.
std::string MetricsOnceTheyContain(const metrics::Registry& registry, const std::string& needle) {
  std::string text;
  for (auto deadline = Clock::now() + 5s; Clock::now() < deadline; std::this_thread::sleep_for(5ms)) {
    metrics::TextWriter w;
    registry.Write(w);
    text = w.Take();
    if (text.find(needle) != std::string::npos) break;
  }
  return text;
}

TEST(Server, EveryRequestIsCountedByRoutePatternMethodAndStatus) {
  std::atomic<uint64_t> statements{0};
  Router router;
  router.Add("GET", "/api/homes/{id}", [&](Request&) {
    statements += 2;
    return Response::Json(200, "{}");
  });
  metrics::Registry registry;
  ServerOptions o = SmallOptions();
  o.metrics = &registry;
  o.statement_counter = [&] { return statements.load(); };
  RunningServer server(router, o);
  Conn conn(server.port());
  ASSERT_TRUE(conn.Request("GET", "/api/homes/42"));
  ASSERT_TRUE(conn.Request("GET", "/api/homes/43?x=1"));
  ASSERT_TRUE(conn.Request("POST", "/api/homes/43", "{}"));  // 405: unmatched
  ASSERT_TRUE(conn.Request("GET", "/secret/path/that/must/not/become/a/label"));
  std::string text =
      MetricsOnceTheyContain(registry, "rota_http_requests_total{route=\"unmatched\",method=\"GET\",code=\"404\"} 1");
  EXPECT_NE(text.find("rota_http_requests_total{route=\"/api/homes/{id}\",method=\"GET\",code=\"200\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rota_http_request_statements_total{route=\"/api/homes/{id}\",method=\"GET\",code=\"200\"} 4\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("rota_http_request_duration_seconds_count{route=\"/api/homes/{id}\",method=\"GET\",code=\"200\"} 2\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("rota_http_requests_total{route=\"unmatched\",method=\"POST\",code=\"405\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("/secret"), std::string::npos);
  EXPECT_EQ(text.find("/api/homes/42"), std::string::npos);
}

TEST(Server, HandlerSeesLowerCasedHeadersBodyAndRemoteAddress) {
  Router router;
  router.Add("POST", "/echo", [](Request& req) {
    return Response::Json(200, std::string(req.Header("x-custom").value_or("?")) + "|" + req.body + "|" +
                                   req.remote_address + "|" + req.Cookie("s").value_or("?"));
  });
  RunningServer server(router, SmallOptions());
  Conn conn(server.port());
  auto r = conn.Request("POST", "/echo", "hello", "X-Custom: Value\r\nCookie: a=1\r\nCookie: s=2\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "Value|hello|127.0.0.1|2");
}

TEST(Server, RouterErrorsAreJson404And405WithAllow) {
  Router router;
  router.Add("GET", "/a", [](Request&) { return Response::Json(200, "{}"); });
  router.Add("DELETE", "/a", [](Request&) { return Response::NoContent(); });
  RunningServer server(router, SmallOptions());
  Conn conn(server.port());
  auto missing = conn.Request("GET", "/x");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->body, R"({"error":{"code":"not_found","message":"no route for /x","field":null}})");
  EXPECT_EQ(missing->Header("x-query-count"), "0");
  auto wrong = conn.Request("PUT", "/a", "", "Content-Length: 0\r\n");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(ErrorCodeOf(*wrong), "method_not_allowed");
  EXPECT_EQ(wrong->Header("allow"), "GET, HEAD, DELETE");
  auto deleted = conn.Request("DELETE", "/a");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 204);
  EXPECT_EQ(deleted->headers.count("content-length"), 0u);
  EXPECT_EQ(deleted->headers.count("content-type"), 0u);
}

// The exact bytes of the status line and header block (the server formats
// them itself; these are the bytes Beast's serializer wrote before it did).
TEST(Server, ResponseHeadIsStatusLineServerTypeHandlersHeadersQueryCountConnectionLength) {
  Router router;
  router.Add("GET", "/h", [](Request&) {
    Response r = Response::Json(200, R"({"a":1})");
    r.SetHeader("X-Cache", "HIT");
    r.SetHeader("ETag", " \"abc\"\t");  // values are trimmed of spaces and tabs
    return r;
  });
  router.Add("GET", "/slow-down", [](Request&) { return Response::FromError(Error::TooManyRequests("wait")); });
  router.Add("DELETE", "/h", [](Request&) { return Response::NoContent(); });
  RunningServer server(router, SmallOptions());
  {
    Conn conn(server.port());
    auto r = conn.Request("GET", "/h");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->head,
              "HTTP/1.1 200 OK\r\nServer: rota\r\nContent-Type: application/json\r\nX-Cache: HIT\r\n"
              "ETag: \"abc\"\r\nCache-Control: private, no-cache\r\nX-Query-Count: 0\r\nContent-Length: 7");
    EXPECT_EQ(r->body, R"({"a":1})");
    auto none = conn.Request("DELETE", "/h");
    ASSERT_TRUE(none);
    EXPECT_EQ(none->head,
              "HTTP/1.1 204 No Content\r\nServer: rota\r\nCache-Control: private, no-cache\r\nX-Query-Count: 0");
    auto busy = conn.Request("GET", "/slow-down");
    ASSERT_TRUE(busy);
    EXPECT_EQ(busy->head.substr(0, busy->head.find("\r\n")), "HTTP/1.1 429 Too Many Requests");
    auto last = conn.Request("GET", "/h", "", "Connection: close\r\n");
    ASSERT_TRUE(last);
    EXPECT_EQ(last->head,
              "HTTP/1.1 200 OK\r\nServer: rota\r\nContent-Type: application/json\r\nX-Cache: HIT\r\n"
              "ETag: \"abc\"\r\nCache-Control: private, no-cache\r\nX-Query-Count: 0\r\nConnection: "
              "close\r\nContent-Length: 7");
    EXPECT_TRUE(conn.WaitClosed(2000ms));
  }
  {
    // HTTP/1.0: keep-alive only when asked for, and then said.
    Conn conn(server.port());
    ASSERT_TRUE(conn.Send("GET /h HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto kept = conn.ReadResponse();
    ASSERT_TRUE(kept);
    EXPECT_EQ(kept->head,
              "HTTP/1.0 200 OK\r\nServer: rota\r\nContent-Type: application/json\r\nX-Cache: HIT\r\n"
              "ETag: \"abc\"\r\nCache-Control: private, no-cache\r\nX-Query-Count: 0\r\nConnection: "
              "keep-alive\r\nContent-Length: 7");
    ASSERT_TRUE(conn.Send("GET /h HTTP/1.0\r\n\r\n"));
    auto closed = conn.ReadResponse();
    ASSERT_TRUE(closed);
    EXPECT_EQ(closed->head,
              "HTTP/1.0 200 OK\r\nServer: rota\r\nContent-Type: application/json\r\nX-Cache: HIT\r\n"
              "ETag: \"abc\"\r\nCache-Control: private, no-cache\r\nX-Query-Count: 0\r\nContent-Length: 7");
    EXPECT_TRUE(conn.WaitClosed(2000ms));
  }
}

TEST(Server, AHeaderValueCannotStartAnotherHeader) {
  Router router;
  router.Add("GET", "/h", [](Request&) {
    Response r = Response::Json(200, "{}");
    r.SetHeader("Location", "/x\r\nSet-Cookie: stolen=1\n");
    return r;
  });
  RunningServer server(router, SmallOptions());
  Conn conn(server.port());
  auto r = conn.Request("GET", "/h");
  ASSERT_TRUE(r);
  EXPECT_NE(r->head.find("\r\nLocation: /x  Set-Cookie: stolen=1 \r\n"), std::string::npos) << r->head;
  EXPECT_EQ(r->head.find("\r\nSet-Cookie"), std::string::npos) << r->head;
}

TEST(Server, KeepAliveServesThreeRequestsOnOneConnection) {
  std::atomic<int> calls{0};
  Router router;
  router.Add("GET", "/n", [&](Request&) { return Response::Json(200, std::to_string(++calls)); });
  RunningServer server(router, SmallOptions());
  Conn conn(server.port());
  for (int i = 1; i <= 3; ++i) {
    auto r = conn.Request("GET", "/n");
    ASSERT_TRUE(r) << "request " << i;
    EXPECT_EQ(r->body, std::to_string(i));
    EXPECT_NE(Lower(r->Header("connection")), "close");
  }
  auto last = conn.Request("GET", "/n", "", "Connection: close\r\n");
  ASSERT_TRUE(last);
  EXPECT_EQ(last->body, "4");
  EXPECT_EQ(Lower(last->Header("connection")), "close");
  EXPECT_TRUE(conn.WaitClosed(2000ms));
}

TEST(Server, BodyOverTheLimitIs413AndTheHandlerNeverRuns) {
  std::atomic<int> calls{0};
  Router router;
  router.Add("POST", "/upload", [&](Request&) {
    ++calls;
    return Response::Json(200, "{}");
  });
  ServerOptions o = SmallOptions();
  o.body_limit = 1024;
  RunningServer server(router, o);
  Conn conn(server.port());
  auto r = conn.Request("POST", "/upload", std::string(4096, 'x'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(ErrorCodeOf(*r), "payload_too_large");
  EXPECT_EQ(r->Header("content-type"), "application/json");
  EXPECT_TRUE(conn.WaitClosed(3000ms));
  EXPECT_EQ(calls, 0);

  Conn fits(server.port());
  auto ok = fits.Request("POST", "/upload", std::string(1024, 'x'));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(calls, 1);
}

TEST(Server, MalformedRequestLineIs400JsonAndCloses) {
  Router router;
  RunningServer server(router, SmallOptions());
  Conn conn(server.port());
  ASSERT_TRUE(conn.Send("THIS IS NOT HTTP\r\n\r\n"));
  auto r = conn.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(ErrorCodeOf(*r), "bad_request");
  EXPECT_EQ(r->Header("content-type"), "application/json");
  EXPECT_TRUE(conn.WaitClosed(3000ms));
}

TEST(Server, OversizedHeaderIs400) {
  Router router;
  router.Add("GET", "/", [](Request&) { return Response::Json(200, "{}"); });
  RunningServer server(router, SmallOptions());
  Conn conn(server.port());
  auto r = conn.Request("GET", "/", "", "X-Big: " + std::string(9000, 'a') + "\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(ErrorCodeOf(*r), "bad_request");
}

TEST(Server, SilentClientIsDisconnectedAfterTheReadTimeout) {
  Router router;
  ServerOptions o = SmallOptions();
  o.read_timeout = 200ms;
  RunningServer server(router, o);
  Conn conn(server.port());
  auto start = Clock::now();
  EXPECT_TRUE(conn.WaitClosed(3000ms));
  auto waited = Clock::now() - start;
  EXPECT_GE(waited, 150ms);
  EXPECT_LT(waited, 2000ms);
}

TEST(Server, TricklingClientIsDisconnectedAfterTheHeaderTimeout) {
  Router router;
  router.Add("GET", "/", [](Request&) { return Response::Json(200, "{}"); });
  ServerOptions o = SmallOptions();
  o.header_timeout = 200ms;
  RunningServer server(router, o);
  Conn conn(server.port());
  auto start = Clock::now();
  bool sent = conn.Send("GET / HTTP/1.1\r\n");
  // One header line every 50 ms: each byte arrives in time, the request never does.
  while (sent && Clock::now() - start < 3000ms) {
    std::this_thread::sleep_for(50ms);
    sent = conn.Send("X-Slow: 1\r\n");
  }
  EXPECT_FALSE(sent) << "the server kept a trickling client for 3 s";
  EXPECT_LT(Clock::now() - start, 2000ms);
}

TEST(Server, IdleKeepAliveConnectionIsClosedAfterTheReadTimeout) {
  Router router;
  router.Add("GET", "/", [](Request&) { return Response::Json(200, "{}"); });
  ServerOptions o = SmallOptions();
  o.read_timeout = 200ms;
  RunningServer server(router, o);
  Conn conn(server.port());
  ASSERT_TRUE(conn.Request("GET", "/"));
  EXPECT_TRUE(conn.WaitClosed(2000ms));
}

TEST(Server, AHandlerSlowerThanTheReadTimeoutIsStillAnswered) {
  // The deadline covers reading and writing, not the handler's own work,
  // whether it runs on the I/O thread or replies later from another.
  std::vector<std::thread> workers;
  std::mutex mu;
  Router router;
  router.Add("GET", "/slow", [](Request&) {
    std::this_thread::sleep_for(600ms);
    return Response::Json(200, R"({"slow":true})");
  });
  router.Add("GET", "/later", [&](Request&) {
    return Response::Later([&](Reply reply) {
      std::lock_guard lock(mu);
      workers.emplace_back([reply] {
        std::this_thread::sleep_for(600ms);
        reply(Response::Json(200, R"({"late":true})"));
      });
    });
  });
  ServerOptions o = SmallOptions();
  o.read_timeout = 200ms;
  o.header_timeout = 100ms;
  RunningServer server(router, o);
  Conn conn(server.port());
  auto slow = conn.Request("GET", "/slow");
  ASSERT_TRUE(slow) << "the connection was cut while its handler ran";
  EXPECT_EQ(slow->body, R"({"slow":true})");
  auto late = conn.Request("GET", "/later");
  ASSERT_TRUE(late) << "the connection was cut while its deferred response was computed";
  EXPECT_EQ(late->body, R"({"late":true})");
  std::lock_guard lock(mu);
  for (auto& t : workers) t.join();
}

// A body pattern no two offsets of which are confused: each 8-byte block is its index.
std::string CountingBody(size_t blocks) {
  std::string body(blocks * 8, '0');
  for (size_t i = 0; i < blocks; ++i) {
    char* block = body.data() + i * 8;
    for (size_t n = i, d = 7; d-- > 0; n >>= 4) block[d] = "0123456789abcdef"[n & 15];
    block[7] = '\n';
  }
  return body;
}

TEST(Server, AResponseLargerThanTheSocketBufferArrivesWholeAndTheConnectionGoesOn) {
  // More than the kernel takes in one send: the rest is written asynchronously.
  const std::string big = CountingBody(1 << 20);  // 8 MiB
  Router router;
  router.Add("GET", "/big", [&big](Request&) { return Response::Json(200, big); });
  router.Add("GET", "/small", [](Request&) { return Response::Json(200, "{}"); });
  RunningServer server(router, SmallOptions());
  Conn conn(server.port());
  ASSERT_TRUE(conn.Send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n"));
  std::this_thread::sleep_for(300ms);  // let the server fill the socket and wait
  auto r = conn.ReadResponse(10000ms);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.size(), big.size());
  EXPECT_TRUE(r->body == big) << "the body arrived out of order or altered";
  auto next = conn.Request("GET", "/small");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST(Server, AClientThatStopsReadingAResponseIsDisconnectedAfterTheReadTimeout) {
  const std::string big = CountingBody(4 << 20);  // 32 MiB: more than both sockets' buffers
  Router router;
  router.Add("GET", "/big", [&big](Request&) { return Response::Json(200, big); });
  ServerOptions o = SmallOptions();
  o.read_timeout = 300ms;
  RunningServer server(router, o);
  Conn conn(server.port());
  ASSERT_TRUE(conn.Send("GET /big HTTP/1.1\r\nHost: t\r\n\r\n"));
  std::this_thread::sleep_for(1500ms);  // reads nothing meanwhile
  auto start = Clock::now();
  std::string got = conn.ReadAll(8000ms);
  EXPECT_LT(got.size(), big.size()) << "the server waited for a stalled reader past its read timeout";
  EXPECT_LT(Clock::now() - start, 6000ms);
}

TEST(Server, PipelinedRequestsAreAllAnsweredInOrder) {
  // Sent in one go: most arrive already buffered behind the one being answered.
  Router router;
  router.Add("GET", "/n", [](Request& req) {
    auto i = req.Query("i");
    return Response::Json(200, fmt::format(R"({{"i":{}}})", i ? *i : "null"));
  });
  RunningServer server(router, SmallOptions());
  Conn conn(server.port());
  constexpr int kRequests = 3000;
  std::string pipeline;
  for (int i = 0; i < kRequests; ++i) pipeline += fmt::format("GET /n?i={} HTTP/1.1\r\nHost: t\r\n\r\n", i);
  // Sent from another thread while this one reads, so that neither side's
  // full buffers wait for the other.
  std::future<bool> sent = std::async(std::launch::async, [&] { return conn.Send(pipeline); });
  for (int i = 0; i < kRequests; ++i) {
    auto r = conn.ReadResponse(5000ms);
    ASSERT_TRUE(r) << "no answer to request " << i;
    ASSERT_EQ(r->body, fmt::format(R"({{"i":{}}})", i));
  }
  EXPECT_TRUE(sent.get());
}

TEST(Server, ThrowingHandlerIs500WithoutTheExceptionText) {
  Router router;
  router.Add("GET", "/boom", [](Request&) -> Response { throw std::runtime_error("secret database detail"); });
  router.Add("GET", "/ok", [](Request&) { return Response::Json(200, "{}"); });
  RunningServer server(router, SmallOptions());
  Conn conn(server.port());
  auto r = conn.Request("GET", "/boom");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(ErrorCodeOf(*r), "internal_error");
  EXPECT_EQ(r->body.find("secret"), std::string::npos) << r->body;
  auto after = conn.Request("GET", "/ok");  // the connection survives
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST(Server, PathAndQueryArePercentDecoded) {
  Router router;
  router.Add("GET", "/files/hello world", [](Request& req) {
    return Response::Json(200, req.path + "|" + std::string(req.Query("name").value_or("?")) + "|" +
                                   std::string(req.Query("x").value_or("?")));
  });
  RunningServer server(router, SmallOptions());
  Conn conn(server.port());
  auto r = conn.Request("GET", "/files/hello%20world?name=J%C3%B6rg+Smith%26co&x=1&x=2");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "/files/hello world|J\xC3\xB6rg Smith&co|1");
  for (const char* bad : {"/files/hello%zzworld", "/files/hello%00world", "/files/hello%20world?name=%4"}) {
    auto e = conn.Request("GET", bad);
    ASSERT_TRUE(e) << bad;
    EXPECT_EQ(e->status, 400) << bad;
    EXPECT_EQ(ErrorCodeOf(*e), "bad_request") << bad;
  }
}

TEST(Server, StopLetsAnInFlightRequestFinishThenRunReturns) {
  std::promise<void> started;
  Router router;
  router.Add("GET", "/slow", [&](Request&) {
    started.set_value();
    std::this_thread::sleep_for(300ms);
    return Response::Json(200, R"({"slow":true})");
  });
  RunningServer server(router, SmallOptions());
  Conn conn(server.port());
  ASSERT_TRUE(conn.Send("GET /slow HTTP/1.1\r\nHost: test\r\n\r\n"));
  ASSERT_EQ(started.get_future().wait_for(3000ms), std::future_status::ready);
  server.server().Stop();
  auto r = conn.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"slow":true})");
  EXPECT_EQ(Lower(r->Header("connection")), "close");
  EXPECT_TRUE(conn.WaitClosed(2000ms));
  EXPECT_TRUE(server.WaitRunReturned(2000ms));
  EXPECT_THROW(Conn{server.port()}, std::runtime_error);  // no longer accepting
}

TEST(Server, StopClosesIdleKeepAliveConnectionsAtOnce) {
  Router router;
  router.Add("GET", "/", [](Request&) { return Response::Json(200, "{}"); });
  ServerOptions o = SmallOptions();
  o.read_timeout = 30000ms;
  RunningServer server(router, o);
  Conn conn(server.port());
  ASSERT_TRUE(conn.Request("GET", "/"));
  auto start = Clock::now();
  server.server().Stop();
  EXPECT_TRUE(server.WaitRunReturned(2000ms));
  EXPECT_TRUE(conn.WaitClosed(1000ms));
  EXPECT_LT(Clock::now() - start, 2000ms);
}

TEST(Server, StopGivesUpOnStuckRequestsAfterTheDrainTimeout) {
  Router router;
  ServerOptions o = SmallOptions();
  o.read_timeout = 30000ms;
  o.drain_timeout = 300ms;
  RunningServer server(router, o);
  Conn conn(server.port());
  ASSERT_TRUE(conn.Send("GET / HTTP/1.1\r\n"));  // a request that never completes
  std::this_thread::sleep_for(100ms);
  auto start = Clock::now();
  server.server().Stop();
  EXPECT_TRUE(server.WaitRunReturned(3000ms));
  EXPECT_GE(Clock::now() - start, 250ms);
}

// --- The edge (issue 11): HEAD, framing, timeouts, the connection cap. ---

TEST(Server, HeadGetsTheGetHeadersAndLengthWithoutABody) {
  Router router;
  router.Add("GET", "/page", [](Request& req) {
    Response r = Response::Json(200, R"({"hello":"world"})");
    r.SetHeader("X-Method-Seen", req.method);
    return r;
  });
  RunningServer server(router, SmallOptions());
  Conn conn(server.port());
  ASSERT_TRUE(conn.Send("HEAD /page HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  std::string all = conn.ReadAll(3000ms);
  EXPECT_EQ(all.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_NE(all.find("\r\nContent-Length: 17\r\n"), std::string::npos) << all;  // what GET sends
  EXPECT_NE(all.find("\r\nContent-Type: application/json\r\n"), std::string::npos) << all;
  EXPECT_NE(all.find("\r\nX-Method-Seen: HEAD\r\n"), std::string::npos) << all;
  ASSERT_GE(all.size(), 4u);
  EXPECT_EQ(all.find("\r\n\r\n"), all.size() - 4) << "bytes after the head: " << all;
}

// The same, read byte-exactly: a HEAD response is its head and nothing more.
TEST(Server, HeadResponsesCarryNoBodyBytesEvenForErrors) {
  Router router;
  router.Add("GET", "/page", [](Request&) { return Response::Json(200, R"({"hello":"world"})"); });
  router.Add("POST", "/only-post", [](Request&) { return Response::Json(200, "{}"); });
  RunningServer server(router, SmallOptions());
  Conn conn(server.port());
  ASSERT_TRUE(
      conn.Send("HEAD /page HTTP/1.1\r\nHost: t\r\n\r\n"
                "HEAD /only-post HTTP/1.1\r\nHost: t\r\n\r\n"
                "HEAD /missing HTTP/1.1\r\nHost: t\r\n\r\n"
                "GET /page HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  std::string all = conn.ReadAll(3000ms);
  std::vector<std::string> heads;
  size_t at = 0;
  for (int i = 0; i < 3; ++i) {
    size_t end = all.find("\r\n\r\n", at);
    ASSERT_NE(end, std::string::npos) << all;
    heads.push_back(all.substr(at, end - at));
    at = end + 4;
  }
  EXPECT_EQ(heads[0].substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_NE(heads[1].find("HTTP/1.1 405"), std::string::npos);
  EXPECT_NE(heads[1].find("\r\nAllow: POST"), std::string::npos) << heads[1];
  EXPECT_NE(heads[1].find("\r\nContent-Length: "), std::string::npos);
  EXPECT_EQ(heads[2].substr(0, 12), "HTTP/1.1 404");
  // Right after the third head comes the GET's response, whole.
  EXPECT_EQ(all.substr(at, 15), "HTTP/1.1 200 OK") << all.substr(at);
  EXPECT_EQ(all.substr(all.size() - 17), R"({"hello":"world"})");
}

TEST(Server, AnUnknownMethodIs405WithAllowAndABody) {
  Router router;
  router.Add("GET", "/page", [](Request&) { return Response::Json(200, "{}"); });
  RunningServer server(router, SmallOptions());
  Conn conn(server.port());
  auto r = conn.Request("BREW", "/page");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->Header("allow"), "GET, HEAD");
  EXPECT_EQ(ErrorCodeOf(*r), "method_not_allowed");
}

// RFC 9112 §6: each of these is 400, the connection closes, and the request
// smuggled after it never runs.
TEST(Server, TransferEncodingOtherThanChunkedIsRefusedAndNothingAfterItRuns) {
  std::atomic<int> smuggled{0};
  Router router;
  router.Add("POST", "/in", [](Request&) { return Response::Json(200, "{}"); });
  router.Add("GET", "/smuggled", [&](Request&) {
    ++smuggled;
    return Response::Json(200, "{}");
  });
  RunningServer server(router, SmallOptions());
  const std::string next = "GET /smuggled HTTP/1.1\r\nHost: t\r\n\r\n";
  const std::vector<std::string> refused = {
      "POST /in HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n" + next,
      "POST /in HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: xchunked\r\nContent-Length: 0\r\n\r\n" + next,
      "POST /in HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n" + next,
      "POST /in HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + next,
      "POST /in HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n" + next,
      "POST /in HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" + next,
      "POST /in HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n" +
          next,
      "POST /in HTTP/1.1\r\nHost: t\r\nTransfer-Encoding:\r\n\r\n" + next,
      "POST /in HTTP/1.0\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + next,
  };
  for (const std::string& bytes : refused) {
    Conn conn(server.port());
    ASSERT_TRUE(conn.Send(bytes));
    auto r = conn.ReadResponse();
    ASSERT_TRUE(r) << bytes;
    EXPECT_EQ(r->status, 400) << bytes;
    EXPECT_EQ(ErrorCodeOf(*r), "bad_request") << bytes;
    EXPECT_EQ(Lower(r->Header("connection")), "close") << bytes;
    EXPECT_FALSE(conn.ReadResponse(300ms)) << "a second response after: " << bytes;
    EXPECT_TRUE(conn.WaitClosed(3000ms)) << bytes;
  }
  EXPECT_EQ(smuggled, 0);
}

TEST(Server, ChunkedBodiesAreReadAndTheNextRequestRuns) {
  std::atomic<int> after{0};
  Router router;
  router.Add("POST", "/in", [](Request& req) { return Response::Json(200, "\"" + req.body + "\""); });
  router.Add("GET", "/after", [&](Request&) { return Response::Json(200, std::to_string(++after)); });
  RunningServer server(router, SmallOptions());
  Conn conn(server.port());
  ASSERT_TRUE(
      conn.Send("POST /in HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
                "GET /after HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r = conn.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "\"abcde\"");
  auto next = conn.ReadResponse();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "1");
}

TEST(Server, AnIncompleteHeaderIsCutOffAfterTheHeaderTimeoutButAnIdleConnectionIsNot) {
  Router router;
  router.Add("GET", "/", [](Request&) { return Response::Json(200, "{}"); });
  ServerOptions o = SmallOptions();
  o.read_timeout = 3000ms;
  o.header_timeout = 200ms;
  RunningServer server(router, o);
  Conn idle(server.port());
  Conn slow(server.port());
  auto start = Clock::now();
  ASSERT_TRUE(slow.Send("GET / HTTP/1.1\r\nHost: t\r\n"));  // and never the blank line
  EXPECT_TRUE(slow.WaitClosed(2500ms));
  EXPECT_LT(Clock::now() - start, 2000ms);
  // The idle connection has outlived the header timeout and still works.
  auto r = idle.Request("GET", "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(Server, ResponsesWithoutTheirOwnCacheControlArePrivateNoCache) {
  Router router;
  router.Add("GET", "/data", [](Request&) { return Response::Json(200, "{}"); });
  router.Add("GET", "/asset", [](Request&) {
    Response r = Response::Json(200, "{}");
    r.SetHeader("Cache-Control", "public, max-age=31536000, immutable");
    return r;
  });
  RunningServer server(router, SmallOptions());
  Conn conn(server.port());
  auto data = conn.Request("GET", "/data");
  ASSERT_TRUE(data);
  EXPECT_EQ(data->Header("cache-control"), "private, no-cache");
  auto asset = conn.Request("GET", "/asset");
  ASSERT_TRUE(asset);
  EXPECT_EQ(asset->Header("cache-control"), "public, max-age=31536000, immutable");
  EXPECT_EQ(asset->head.find("private"), std::string::npos);
}

TEST(Server, AtTheCapTheOldestIdleConnectionMakesRoom) {
  Router router;
  router.Add("GET", "/", [](Request&) { return Response::Json(200, "{}"); });
  ServerOptions o = SmallOptions();
  o.max_connections = 3;
  o.read_timeout = 5000ms;
  RunningServer server(router, o);
  Conn oldest(server.port());
  ASSERT_TRUE(oldest.Request("GET", "/"));
  std::this_thread::sleep_for(20ms);
  Conn second(server.port());
  ASSERT_TRUE(second.Request("GET", "/"));
  Conn third(server.port());
  ASSERT_TRUE(third.Request("GET", "/"));
  Conn fourth(server.port());
  auto r = fourth.Request("GET", "/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(oldest.WaitClosed(2000ms));
  auto still = second.Request("GET", "/");
  ASSERT_TRUE(still);
  EXPECT_EQ(still->status, 200);
}

TEST(Server, AtTheCapWithNoIdleConnectionANewOneGets503) {
  Router router;
  router.Add("GET", "/", [](Request&) { return Response::Json(200, "{}"); });
  ServerOptions o = SmallOptions();
  o.max_connections = 2;
  o.header_timeout = 2000ms;
  RunningServer server(router, o);
  Conn a(server.port());
  Conn b(server.port());
  ASSERT_TRUE(a.Send("GET / HTTP/1.1\r\n"));  // both busy reading a header
  ASSERT_TRUE(b.Send("GET / HTTP/1.1\r\n"));
  std::this_thread::sleep_for(100ms);
  Conn c(server.port());
  auto r = c.ReadResponse();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->Header("retry-after"), "1");
  // The whole body, as Content-Length frames it (a miscounted length cut it short once).
  EXPECT_EQ(r->body,
            R"({"error":{"code":"unavailable","message":"too many connections: try again later","field":null}})");
  EXPECT_EQ(ErrorCodeOf(*r), "unavailable");
  EXPECT_TRUE(c.WaitClosed(2000ms));
  // a and b finish their requests normally.
  ASSERT_TRUE(a.Send("Host: t\r\n\r\n"));
  auto ra = a.ReadResponse();
  ASSERT_TRUE(ra);
  EXPECT_EQ(ra->status, 200);
}

TEST(Server, ADeferredResponseIsWrittenWhenItsReplyComesFromAnotherThread) {
  std::vector<std::thread> workers;
  std::mutex mu;
  Router router;
  router.Add("GET", "/later", [&](Request&) {
    return Response::Later([&](Reply reply) {
      std::lock_guard lock(mu);
      workers.emplace_back([reply] {
        std::this_thread::sleep_for(50ms);
        Response r = Response::Json(200, R"({"late":true})");
        r.statements_elsewhere = 3;
        reply(std::move(r));
      });
    });
  });
  router.Add("GET", "/never", [](Request&) { return Response::Later([](Reply) {}); });  // drops its Reply
  RunningServer server(router, SmallOptions());
  Conn conn(server.port());
  for (int i = 0; i < 2; ++i) {
    auto r = conn.Request("GET", "/later");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, R"({"late":true})");
    EXPECT_EQ(r->Header("x-query-count"), "3");
  }
  Conn dropped(server.port());
  ASSERT_TRUE(dropped.Send("GET /never HTTP/1.1\r\nHost: t\r\n\r\n"));
  EXPECT_TRUE(dropped.WaitClosed(2000ms));
  std::lock_guard lock(mu);
  for (auto& t : workers) t.join();
}

// A Reply given a deferred response resumes it on the connection's I/O
// thread: the second `later` runs there, not on the thread that replied
// (how a cache miss found on the cache's thread comes back to compute), and
// the statements it runs there count in X-Query-Count.
TEST(Server, ADeferredResponseRepliedDeferredAgainResumesOnAnIoThread) {
  std::atomic<uint64_t> statements{100};
  std::mutex mu;
  std::set<std::thread::id> io_threads;
  std::thread::id replier, resumed;
  std::vector<std::thread> workers;
  Router router;
  router.Add("GET", "/twice", [&](Request&) {
    std::lock_guard lock(mu);
    io_threads.insert(std::this_thread::get_id());
    return Response::Later([&](Reply reply) {
      std::lock_guard lock(mu);
      workers.emplace_back([&, reply] {
        {
          std::lock_guard lock(mu);
          replier = std::this_thread::get_id();
        }
        Response again = Response::Later([&](Reply last) {
          {
            std::lock_guard lock(mu);
            resumed = std::this_thread::get_id();
          }
          statements += 4;  // run on the I/O thread, as a miss's computation is
          Response r = Response::Json(200, R"({"resumed":true})");
          r.statements_elsewhere = 3;
          last(std::move(r));
        });
        again.statements_elsewhere = 2;
        reply(std::move(again));
      });
    });
  });
  ServerOptions o = SmallOptions();
  o.threads = 1;
  o.statement_counter = [&] { return statements.load(); };
  RunningServer server(router, o);
  Conn conn(server.port());
  auto r = conn.Request("GET", "/twice");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"resumed":true})");
  EXPECT_EQ(r->Header("x-query-count"), "9") << "2 and 3 run elsewhere, 4 on the I/O thread it resumed on";
  std::lock_guard lock(mu);
  EXPECT_NE(resumed, replier);
  EXPECT_EQ(io_threads.count(resumed), 1u) << "resumed on the server's one I/O thread";
  for (auto& t : workers) t.join();
}

// As the cache's lookup thread answers a pipeline: one thread replies to many
// deferred requests in a row (more than one drain takes, Core::Return). Each
// answer reaches its own connection, and each connection goes on.
TEST(Server, ManyDeferredResponsesRepliedTogetherFromOneThreadEachReachTheirOwnConnection) {
  constexpr int kConnections = 50;
  std::mutex mu;
  std::condition_variable all_waiting;
  std::vector<std::pair<std::string, Reply>> waiting;
  Router router;
  router.Add("GET", "/later", [&](Request& req) {
    std::string i(req.Query("i").value_or("null"));
    return Response::Later([&, i](Reply reply) {
      std::lock_guard lock(mu);
      waiting.emplace_back(i, std::move(reply));
      all_waiting.notify_one();
    });
  });
  RunningServer server(router, SmallOptions());
  std::vector<std::unique_ptr<Conn>> conns;
  for (int c = 0; c < kConnections; ++c) conns.push_back(std::make_unique<Conn>(server.port()));
  for (int round = 0; round < 2; ++round) {
    for (int c = 0; c < kConnections; ++c)
      ASSERT_TRUE(conns[c]->Send(fmt::format("GET /later?i={}-{} HTTP/1.1\r\nHost: t\r\n\r\n", round, c)));
    std::vector<std::pair<std::string, Reply>> batch;
    {
      std::unique_lock lock(mu);
      ASSERT_TRUE(all_waiting.wait_for(lock, 5s, [&] { return waiting.size() == kConnections; }))
          << waiting.size() << " of " << kConnections << " requests reached the handler";
      batch.swap(waiting);
    }
    std::thread replier([&] {
      for (auto& [i, reply] : batch) reply(Response::Json(200, fmt::format(R"({{"i":"{}"}})", i)));
    });
    for (int c = 0; c < kConnections; ++c) {
      auto r = conns[c]->ReadResponse(5000ms);
      if (!r) {
        ADD_FAILURE() << "no answer on connection " << c << " in round " << round;
        break;
      }
      EXPECT_EQ(r->body, fmt::format(R"({{"i":"{}-{}"}})", round, c));
    }
    replier.join();
    if (HasFailure()) return;
  }
}

TEST(Server, ForwardedForNamesTheClientOnlyFromATrustedPeer) {
  Router router;
  router.Add("GET", "/who", [](Request& req) { return Response::Json(200, "\"" + req.remote_address + "\""); });
  {
    RunningServer server(router, SmallOptions());
    Conn conn(server.port());
    auto r = conn.Request("GET", "/who", "", "X-Forwarded-For: 203.0.113.9\r\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "\"127.0.0.1\"");  // no proxy is trusted: the header is ignored
  }
  ServerOptions o = SmallOptions();
  o.trusted_proxies = *CidrSet::Parse("127.0.0.0/8, 10.0.0.0/8");
  RunningServer server(router, o);
  Conn conn(server.port());
  auto r = conn.Request("GET", "/who", "", "X-Forwarded-For: 6.6.6.6, 203.0.113.9, 10.1.1.1\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "\"203.0.113.9\"");
  auto none = conn.Request("GET", "/who");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->body, "\"127.0.0.1\"");
}

// Each test runs in a process of its own (gtest_discover_tests), so lowering
// this process's open-file limit here touches no other test.
TEST(Server, OutOfFileDescriptorsTheAcceptLoopPausesInsteadOfSpinning) {
  Router router;
  router.Add("GET", "/", [](Request&) { return Response::Json(200, "{}"); });
  ServerOptions o = SmallOptions();
  o.threads = 1;  // Run() starts no thread of its own, which could fail under the lowered limit
  RunningServer server(router, o);
  {
    Conn warm(server.port());  // the server is running before the limit is lowered
    ASSERT_TRUE(warm.Request("GET", "/"));
  }
  std::this_thread::sleep_for(200ms);  // its access-log line is written after the response
  // UBSan's first check of an object's dynamic type opens a pipe: with no
  // file descriptor left it would report a false error inside the server's
  // log call, so the test logs nothing while the limit is lowered.
  auto level = spdlog::get_level();
  spdlog::set_level(spdlog::level::err);
  auto access = spdlog::get("access");
  if (access) access->set_level(spdlog::level::err);
  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
  int probe = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(probe, 0);
  ::close(probe);
  rlimit low = old;
  low.rlim_cur = static_cast<rlim_t>(probe) + 64;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  std::vector<int> filler;
  for (int fd; (fd = ::open("/dev/null", O_RDONLY)) >= 0;) filler.push_back(fd);
  ASSERT_EQ(errno, EMFILE);
  ::close(filler.back());  // room for the client's socket, none for the server's accept
  filler.pop_back();

  Conn conn(server.port());  // the kernel completes the handshake; accept() fails with EMFILE
  ASSERT_TRUE(conn.Send("GET / HTTP/1.1\r\nHost: t\r\n\r\n"));
  rusage before{}, after{};
  ::getrusage(RUSAGE_SELF, &before);
  std::this_thread::sleep_for(1000ms);
  ::getrusage(RUSAGE_SELF, &after);
  auto cpu = [](const rusage& u) {
    return std::chrono::seconds(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           std::chrono::microseconds(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
  };
  auto used = std::chrono::duration_cast<std::chrono::milliseconds>(cpu(after) - cpu(before));
  EXPECT_LT(used, 300ms) << "the accept loop spins while out of file descriptors";

  for (int fd : filler) ::close(fd);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &old), 0);
  spdlog::set_level(level);
  if (access) access->set_level(level);
  auto r = conn.ReadResponse(3000ms);  // accepted at the next try, and served
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

}  // namespace
}  // namespace rota::http
