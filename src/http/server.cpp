// The server in the shape of Beast 1.74's advanced_server example.
//
// A listener (Core) accepts on its strand and hands each socket to a Session
// on a strand of its own. A Session is a loop without pipelining:
//
//   DoRead -> OnFirstBytes -> DoReadHeader -> OnHeader [-> OnRead] -> Handle
//     (router, on the strand) [-> deferred Reply] -> Write -> OnWrite -> DoRead ...
//
// DoRead waits for a request's first byte under the idle deadline
// (`read_timeout`); the session is "idle" only then, and only then may Stop()
// or the connection cap close it. The header must then arrive within
// `header_timeout`; OnHeader checks the framing (Transfer-Encoding, RFC 9112)
// before any body byte is read, and the body gets `read_timeout`.
//
// The connection cap. Sessions are registered in `sessions_`; when an accept
// would exceed `max_connections`, CloseOldestIdle picks the session idle the
// longest (each publishes when it became idle in an atomic), clears its mark so
// no one picks it twice, and posts the close to its strand (where it happens
// only if the session is still idle). With none idle the new socket gets a
// fixed 503 and is closed at once. EMFILE/ENFILE from accept also closes the
// oldest idle session and retries after kAcceptBackoff, rather than at once.
//
// Beast parses requests; responses are not Beast messages: Write formats the
// status line and headers into a string the session reuses and sends it and
// the body in one gather write (a Beast response's fields tree and serializer
// were a third of a cached hit's instructions, see bench/NOTES.md).
//
// Every read and write runs under a deadline (`read_timeout`, or
// `header_timeout` for the rest of an incomplete header), so a silent or
// trickling client is disconnected. It is one deadline per connection, kept
// in a field and enforced by one timer that is re-armed only when the
// deadline moves earlier (ExpireAt), rather than Beast's tcp_stream, which
// starts and cancels a timer wait around every operation. The header is parsed
// from the first bytes read, and a response is sent with one non-blocking
// write from the handler's stack; only what the socket does not take at once
// goes through the reactor. A cached hit is thus one wake-up: read, parse,
// handle, send, read again (bench/NOTES.md). Parse failures (413, 400) are
// answered with Connection: close, after which the session half-closes and
// discards input for a short while (a "lingering close"), so the client reads
// the answer instead of a reset caused by its unread request bytes.
//
// Stopping. Stop() sets `stopping_`, then (on the acceptor's strand) closes
// the acceptor and arms the drain timer, and posts OnStop to every live
// session. A session idle between requests closes at once; a session with a
// request in flight finishes it, answers with Connection: close, and ends.
// When the last session unregisters, or the drain timer fires, the
// io_context is stopped and Run() returns. Sessions are tracked by weak
// pointers in `sessions_`, so the registry never keeps one alive.
#include "http/server.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <deque>
#include <map>
#include <optional>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "base/mutex.hpp"
#include "http/metrics.hpp"
#include "http/wire.hpp"

namespace rota::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr size_t kHeaderLimit = 8 * 1024;
// Longest wait for a rejected client to stop sending before we close.
constexpr std::chrono::milliseconds kLingerLimit{1000};
// Accepting pauses this long when the process has no file descriptor left.
constexpr std::chrono::milliseconds kAcceptBackoff{50};
// File descriptors kept for everything but client connections (database and
// cache connections, logs, the listener).
constexpr int kReservedFds = 256;
// Bytes read while waiting for a request's first byte.
constexpr size_t kFirstRead = 4096;
// Deferred responses one I/O thread takes per wake-up (Core::Return): enough
// to share a wake-up among a pipeline's answers, few enough that the others
// of a long pipeline go to other threads.
constexpr size_t kReturnsPerDrain = 16;

// Sent, without reading anything, to a connection over the cap when no other
// connection is idle: the api.md error body, its length counted here.
std::string BusyResponse() {
  std::string body = ErrorBody(Error::Unavailable("too many connections: try again later"));
  return fmt::format(
      "HTTP/1.1 503 Service Unavailable\r\nServer: rota\r\nContent-Type: application/json\r\n"
      "Retry-After: 1\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{}",
      body.size(), body);
}

// The shared "access" logger (stdout), created on first use.
std::shared_ptr<spdlog::logger> AccessLogger() {
  static Mutex mu;
  MutexLock lock(mu);
  if (auto logger = spdlog::get("access")) return logger;
  try {
    return spdlog::stdout_logger_mt("access");
  } catch (const spdlog::spdlog_ex&) {  // registered meanwhile by someone else
    return spdlog::get("access");
  }
}

void Fail(beast::error_code ec, const char* what) { spdlog::debug("http {}: {}", what, ec.message()); }

bool IsParseError(beast::error_code ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

// The process (or the system) has no file descriptor or buffer left.
bool IsOutOfResources(beast::error_code ec) {
  if (ec.category() != boost::system::system_category()) return false;
  int e = ec.value();
  return e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM;
}

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

class Session;

// A deferred response on its way back to its session (Core::Return).
struct Returned {
  std::shared_ptr<Session> session;
  Response response;
  unsigned version;
  bool keep_alive;
  bool head;
};

// The listener and everything sessions share. Member order matters: the
// io_context is destroyed after the registry it calls back into.
class Core {
 public:
  Core(ServerOptions options, const Router& router)
      : options_(std::move(options)),
        router_(router),
        access_log_(AccessLogger()),
        ioc_(std::max(1, options_.threads)),
        acceptor_(net::make_strand(ioc_)),
        accept_timer_(acceptor_.get_executor()),
        drain_timer_(ioc_),
        busy_response_(BusyResponse()) {}
  ~Core() { destroying_ = true; }
  Core(const Core&) = delete;
  Core& operator=(const Core&) = delete;

  Result<uint16_t> Listen();
  void Run();
  void Stop();

  const ServerOptions& options() const { return options_; }
  const Router& router() const { return router_; }
  spdlog::logger& access_log() { return *access_log_; }
  HttpMetrics* metrics() { return metrics_.get(); }  // null when options().metrics is
  bool stopping() const { return stopping_; }
  uint64_t Statements() const { return options_.statement_counter ? options_.statement_counter() : 0; }

  uint64_t Register(std::weak_ptr<Session> s, Session* raw);
  void Unregister(uint64_t id);

  // Brings a deferred response back from whichever thread finished it (a
  // lookup answered by the cache's lookup thread, a part computed elsewhere)
  // to its session's strand, never running it on the caller's stack. Posting
  // each to its strand costs each a wake-up of an I/O thread, and the lookup
  // thread answers a whole pipeline at once; so they are queued here, and
  // the first queued posts a drain that takes up to kReturnsPerDrain and runs
  // each on its session's strand at once (posting the next drain first when
  // more are waiting, for another thread to take).
  void Return(Returned r);

 private:
  void DrainReturns();

  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  // Asks the session idle the longest to close; false if none is idle.
  bool CloseOldestIdle();
  void StopWhenDrained();

  const ServerOptions options_;
  const Router& router_;
  std::shared_ptr<spdlog::logger> access_log_;
  std::unique_ptr<HttpMetrics> metrics_;  // made by Listen(), before any session exists
  std::atomic<bool> stopping_{false};
  std::atomic<bool> destroying_{false};  // the io_context is going away: do not stop it
  Mutex sessions_mu_;
  struct Registered {
    std::weak_ptr<Session> weak;
    Session* raw;  // valid while registered (~Session unregisters first)
  };
  std::map<uint64_t, Registered> sessions_ GUARDED_BY(sessions_mu_);
  uint64_t next_session_id_ GUARDED_BY(sessions_mu_) = 0;
  size_t max_connections_ = 0;  // set by Listen()
  bool out_of_fds_ = false;     // logged once per episode; acceptor's strand
  net::io_context ioc_;
  tcp::acceptor acceptor_;           // used on its own strand once Run() starts
  net::steady_timer accept_timer_;   // the EMFILE back-off, on the acceptor's strand
  net::steady_timer drain_timer_;    // used only by the Stop task on the acceptor's strand
  const std::string busy_response_;  // BusyResponse()
  // After ioc_ (and the registry), so destroyed first: a queued response
  // holds its session, whose destructor unregisters and closes its socket.
  Mutex returns_mu_;
  std::deque<Returned> returns_ GUARDED_BY(returns_mu_);
  bool drain_posted_ GUARDED_BY(returns_mu_) = false;  // a DrainReturns is on its way
};

// One connection. All of its members are touched only on its strand.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Core& core) : core_(core), socket_(std::move(socket)), timer_(socket_.get_executor()) {
    beast::error_code ec;
    auto endpoint = socket_.remote_endpoint(ec);
    remote_ = ec ? "-" : endpoint.address().to_string();
    socket_.non_blocking(true, ec);  // Write's first attempt must never block
  }
  ~Session() { core_.Unregister(id_); }

  void Start() {
    id_ = core_.Register(weak_from_this(), this);
    net::dispatch(socket_.get_executor(), beast::bind_front_handler(&Session::DoRead, shared_from_this()));
  }

  // Posted by Stop() and by the connection cap: a connection waiting for its
  // next request closes now; one with a request under way finishes it (DoRead
  // then closes if the server is stopping).
  void OnStop() {
    if (state_ == State::kIdle) {
      beast::error_code ec;
      socket_.cancel(ec);
    }
  }

  net::any_io_executor executor() { return socket_.get_executor(); }

  // A deferred response back on this strand (Core::Return): written, or
  // deferred again.
  void Resume(Response done, unsigned version, bool keep_alive, bool head) {
    entry_.queries += done.statements_elsewhere;
    if (done.later) return Defer(std::move(done), version, keep_alive, head);
    Write(std::move(done), version, keep_alive, head);
  }

  // When this session became idle (steady clock, ns), 0 when it is not: read
  // by the acceptor under the registry's lock to find the oldest idle one,
  // which takes it (exchange to 0) so that no one takes it twice.
  std::atomic<int64_t> idle_since{0};

 private:
  enum class State {
    kIdle,  // waiting for the first byte of a request, nothing buffered
    kBusy,  // reading, handling or writing a request, or closing
  };

  // What the access log says about the current request. One per session,
  // reset (keeping its strings' buffers) for each request.
  struct Entry {
    Clock::time_point start;
    std::string method = "-";
    std::string path = "-";
    std::string_view route = "unmatched";  // a literal or a pattern of the router, which outlives the server
    int route_index = Router::kUnmatched;
    int status = 0;
    size_t bytes = 0;
    uint64_t queries = 0;
    std::string client = "-";  // the client's address (X-Forwarded-For from a trusted proxy), else the peer's

    void Reset() {
      client.assign("-");
      start = Clock::now();
      method.assign("-");
      path.assign("-");
      route = "unmatched";
      route_index = Router::kUnmatched;
      status = 0;
      bytes = 0;
      queries = 0;
    }
  };

  void DoRead() {
    if (core_.stopping()) return DoClose();
    parser_.emplace();
    parser_->body_limit(core_.options().body_limit);
    parser_->header_limit(kHeaderLimit);
    if (buffer_.size() > 0) return DoReadHeader();  // a pipelined request is already here
    state_ = State::kIdle;
    const Clock::time_point now = Clock::now();
    idle_since.store(now.time_since_epoch().count(), std::memory_order_relaxed);
    ExpireAt(now + core_.options().read_timeout);
    socket_.async_read_some(buffer_.prepare(kFirstRead),
                            beast::bind_front_handler(&Session::OnFirstBytes, shared_from_this()));
  }

  void OnFirstBytes(beast::error_code ec, size_t bytes) {
    idle_since.store(0, std::memory_order_relaxed);
    state_ = State::kBusy;
    buffer_.commit(bytes);
    if (ec == net::error::eof) return DoClose();
    if (ec) return Fail(ec, "read");  // idle timeout, reset, or cancelled by Stop() or the cap
    DoReadHeader();
  }

  // Parses the header from what is buffered, which is all of it for nearly
  // every request (it came with the first bytes); only a header still
  // incomplete is read on, under `header_timeout`.
  void DoReadHeader() {
    beast::error_code ec = ParseBufferedHeader();
    if (ec != bhttp::error::need_more) return OnHeader(ec, 0);
    ExpireAt(Clock::now() + core_.options().header_timeout);
    bhttp::async_read_header(socket_, buffer_, *parser_,
                             beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  // Feeds buffer_ to the parser until its header is complete: need_more if
  // the header is not all here, a parse error, or success.
  beast::error_code ParseBufferedHeader() {
    beast::error_code ec;
    while (!parser_->is_header_done()) {
      if (buffer_.size() == 0) return bhttp::error::need_more;
      size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (ec) return ec;
    }
    return ec;
  }

  void OnHeader(beast::error_code ec, size_t /*bytes*/) {
    if (ec) return OnRead(ec, 0);
    if (auto refused = CheckFraming(parser_->get())) return Reject(*refused);
    if (parser_->is_done()) return OnRead(ec, 0);
    ExpireAt(Clock::now() + core_.options().read_timeout);
    bhttp::async_read(socket_, buffer_, *parser_, beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t /*bytes*/) {
    state_ = State::kBusy;
    if (ec == bhttp::error::end_of_stream) return DoClose();
    if (ec == bhttp::error::body_limit)
      return Reject(Error::PayloadTooLarge(
          fmt::format("the request body is larger than the limit of {} bytes", core_.options().body_limit)));
    if (ec == bhttp::error::header_limit)
      return Reject(Error::BadRequest(fmt::format("the request header is larger than {} bytes", kHeaderLimit)));
    if (ec && IsParseError(ec)) return Reject(Error::BadRequest("malformed HTTP request: " + ec.message()));
    if (ec) return Fail(ec, "read");     // timeout (the socket is closed), reset, or cancelled by Stop()
    ExpireAt(Clock::time_point::max());  // the handler has no deadline; Write sets the next
    Handle(parser_->release());
  }

  void Handle(bhttp::request<bhttp::string_body>&& msg) {
    entry_.Reset();
    entry_.method.assign(View(msg.method_string()));
    std::string_view target = View(msg.target());
    entry_.path.assign(target.substr(0, target.find('?')));

    Request req;
    FillRequest(msg, remote_, req);
    // Behind a trusted proxy the client is named by X-Forwarded-For.
    if (const CidrSet& trusted = core_.options().trusted_proxies; !trusted.empty()) {
      auto xff = req.Header("x-forwarded-for");
      req.remote_address = trusted.ClientAddress(remote_, xff ? *xff : std::string_view());
    }
    entry_.client.assign(req.remote_address);
    const unsigned version = msg.version();
    const bool keep_alive = msg.keep_alive();
    const bool head = msg.method() == bhttp::verb::head;
    Response resp = Serve(req, target);
    if (!resp.later) return Write(std::move(resp), version, keep_alive, head);
    Defer(std::move(resp), version, keep_alive, head);
  }

  // Calls a deferred response's `later` here, on this strand, counting the
  // statements it runs, with the Reply that brings its response back to this
  // strand. A response that comes back deferred again is resumed the same way:
  // work that another thread found it must block for (a cache miss after a
  // lookup that waited on Redis) comes back to an I/O thread.
  void Defer(Response resp, unsigned version, bool keep_alive, bool head) {
    Reply reply = [self = shared_from_this(), version, keep_alive, head](Response done) {
      Core& core = self->core_;
      core.Return(Returned{std::move(self), std::move(done), version, keep_alive, head});
    };
    const uint64_t before = core_.Statements();
    try {
      resp.later(std::move(reply));
    } catch (const std::exception& e) {
      spdlog::error("deferred handler for {} {} threw: {}", entry_.method, entry_.path, e.what());
      Write(Response::FromError(Error::Internal("internal error")), version, /*keep_alive=*/false, head);
    }
    entry_.queries += core_.Statements() - before;
  }

  // Runs the handler on this thread, counting its statements. Never throws.
  Response Serve(Request& req, std::string_view target) {
    if (Status s = ParseTarget(target, req); !s) return Response::FromError(s.error());
    try {
      // Matched once: the same match names the route and is dispatched.
      Router::Match match = core_.router().Find(req);
      entry_.route_index = match.index;
      if (match.index != Router::kUnmatched) entry_.route = core_.router().Pattern(match.index);
      uint64_t before = core_.Statements();
      Response resp = core_.router().Dispatch(req, match);
      entry_.queries = core_.Statements() - before;
      return resp;
    } catch (const std::exception& e) {
      spdlog::error("handler for {} {} threw: {}", req.method, entry_.path, e.what());
    } catch (...) {
      spdlog::error("handler for {} {} threw a non-standard exception", req.method, entry_.path);
    }
    return Response::FromError(Error::Internal("internal error"));
  }

  // Answers a request that could not be parsed, then closes.
  void Reject(const Error& e) {
    entry_.Reset();
    // The request line, if it was parsed (a 413 is found once the header is in).
    const auto& h = parser_->get();
    if (std::string_view target = View(h.target()); !target.empty()) {
      entry_.method.assign(View(h.method_string()));
      entry_.path.assign(target.substr(0, target.find('?')));
    }
    linger_ = true;
    Write(Response::FromError(e), 11, /*keep_alive=*/false, /*head=*/false);
  }

  // Sends `resp` as one gather write of two buffers: head_ (status line and
  // header block, formatted into a string reused from request to request) and
  // body_. No Beast message or fields container is built. The bytes are the
  // ones Beast's serializer wrote for the same response, in this order:
  //   HTTP/<version> <status> <reason>     reason as Beast's obsolete_reason()
  //   Server: rota
  //   Content-Type: ...                    unless resp.content_type is empty
  //   <resp.headers, in order>             values trimmed of spaces and tabs
  //   X-Query-Count: <n>
  //   Connection: close | keep-alive       only against the version's default:
  //                                        close on 1.1, keep-alive on 1.0
  //   Cache-Control: private, no-cache     unless resp.headers has one
  //   Content-Length: <n>                  except 1xx, 204 and 304, sent bodyless
  // For HEAD (`head`) the same head is sent, Content-Length included, and no body.
  // REQUIRES: resp.headers names none of the headers written here, nor
  // Transfer-Encoding (no handler does; Beast merged Connection and replaced
  // X-Query-Count, this writes them as given).
  void Write(Response resp, unsigned version, bool keep_alive, bool head) {
    bool keep = keep_alive && !core_.stopping();
    bool bodyless = resp.status / 100 == 1 || resp.status == 204 || resp.status == 304;
    body_ = bodyless ? std::string() : std::move(resp.body);
    bool own_cache_control = false;

    head_.clear();
    // "HTTP/1.1 200 OK\r\n": one digit each side of the version's dot, three for the code.
    const unsigned code = static_cast<unsigned>(resp.status);
    const char status_line[] = {'H',
                                'T',
                                'T',
                                'P',
                                '/',
                                static_cast<char>('0' + version / 10 % 10),
                                '.',
                                static_cast<char>('0' + version % 10),
                                ' ',
                                static_cast<char>('0' + code / 100 % 10),
                                static_cast<char>('0' + code / 10 % 10),
                                static_cast<char>('0' + code % 10),
                                ' '};
    head_.append(status_line, sizeof status_line);
    head_.append(View(bhttp::obsolete_reason(static_cast<bhttp::status>(code)))).append("\r\n");
    head_.append("Server: rota\r\n");
    if (!resp.content_type.empty()) AppendHeader("Content-Type", resp.content_type);
    for (const auto& [name, value] : resp.headers) {
      AppendHeader(name, value);
      own_cache_control = own_cache_control || beast::iequals(name, "Cache-Control");
    }
    if (!own_cache_control) head_.append("Cache-Control: private, no-cache\r\n");
    AppendHeader("X-Query-Count", entry_.queries);
    if (version >= 11 && !keep) head_.append("Connection: close\r\n");
    if (version < 11 && keep) head_.append("Connection: keep-alive\r\n");
    if (!bodyless) AppendHeader("Content-Length", uint64_t{body_.size()});
    head_.append("\r\n");

    if (head) body_.clear();
    entry_.status = resp.status;
    entry_.bytes = body_.size();
    Send(!keep);
  }

  // Sends head_ and body_, then OnWrite. A response the socket's send buffer
  // takes at once (nearly all of them) is sent here, without a trip through
  // the reactor, and OnWrite runs here too unless a pipelined request is
  // already buffered: that one goes through the strand's queue, so a long
  // pipeline cannot nest handlers on this stack. The rest of a response the
  // buffer did not take is written asynchronously under `read_timeout`.
  void Send(bool close) {
    std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(body_)};
    beast::error_code ec;
    const size_t sent = socket_.write_some(buffers, ec);  // non-blocking: would_block if the buffer is full
    if (ec && ec != net::error::would_block) return OnWrite(close, ec, sent);
    if (sent == head_.size() + body_.size()) {
      if (buffer_.size() == 0) return OnWrite(close, ec, sent);
      return net::post(socket_.get_executor(),
                       beast::bind_front_handler(&Session::OnWrite, shared_from_this(), close, ec, sent));
    }
    if (sent < head_.size()) {
      buffers[0] += sent;
    } else {
      buffers[0] = net::const_buffer();
      buffers[1] += sent - head_.size();
    }
    ExpireAt(Clock::now() + core_.options().read_timeout);
    net::async_write(socket_, buffers, beast::bind_front_handler(&Session::OnWrite, shared_from_this(), close));
  }

  // "<name>: <value>\r\n" onto head_, the value trimmed as Beast's fields trim
  // it. A CR or LF in a value (no handler writes one: defence in depth against
  // header injection) becomes a space.
  void AppendHeader(std::string_view name, std::string_view value) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    const size_t at = head_.size() + name.size() + 2;
    head_.append(name).append(": ").append(value).append("\r\n");
    if (value.find_first_of("\r\n") != std::string_view::npos)
      std::replace_if(
          head_.begin() + static_cast<std::ptrdiff_t>(at), head_.end() - 2,
          [](char c) { return c == '\r' || c == '\n'; }, ' ');
  }

  // "<name>: <n>\r\n" onto head_, n in decimal.
  void AppendHeader(std::string_view name, uint64_t n) {
    char digits[20];  // UINT64_MAX has 20
    char* end = std::to_chars(digits, digits + sizeof digits, n).ptr;
    head_.append(name).append(": ").append(digits, static_cast<size_t>(end - digits)).append("\r\n");
  }

  void OnWrite(bool close, beast::error_code ec, size_t /*bytes*/) {
    LogAccess();
    if (ec) return Fail(ec, "write");
    if (linger_) return DoLinger();
    if (close) return DoClose();
    DoRead();  // closes instead if the server is stopping
  }

  void LogAccess() {
    auto elapsed = Clock::now() - entry_.start;
    if (HttpMetrics* m = core_.metrics())
      m->Observe(entry_.route_index, entry_.method, entry_.status, elapsed, entry_.queries);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
    core_.access_log().info("method={} path={} route={} status={} bytes={} us={} queries={} remote={}", entry_.method,
                            entry_.path, entry_.route, entry_.status, entry_.bytes, us, entry_.queries,
                            entry_.client == "-" ? std::string_view(remote_) : entry_.client);
  }

  void DoClose() {
    state_ = State::kBusy;
    idle_since.store(0, std::memory_order_relaxed);
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
  }

  // Half-closes, then discards input until the client closes or kLingerLimit.
  void DoLinger() {
    DoClose();
    ExpireAt(Clock::now() + std::min<std::chrono::milliseconds>(core_.options().read_timeout, kLingerLimit));
    DoDiscard();
  }
  void DoDiscard() {
    socket_.async_read_some(net::buffer(discard_), beast::bind_front_handler(&Session::OnDiscard, shared_from_this()));
  }

  // The connection's one deadline: when it passes, the socket is closed, so
  // the read or write under way ends with an error and the session with it.
  // Setting it costs a store, not a timer operation: `timer_` is re-armed only
  // when the deadline moves earlier than the timer (a header still incomplete
  // after the first bytes, a lingering close); when it fires early, it waits
  // on until the deadline. time_point::max() means none (a handler running).
  void ExpireAt(Clock::time_point deadline) {
    deadline_ = deadline;
    if (deadline < timer_expiry_) ArmTimer(deadline);
  }

  void ArmTimer(Clock::time_point at) {
    timer_expiry_ = at;
    timer_.expires_at(at);  // cancels a wait under way: its OnTimer sees operation_aborted
    // A weak reference: a pending wait must not keep a finished session (and
    // its file descriptor) alive; ~Session cancels it.
    timer_.async_wait([weak = weak_from_this()](beast::error_code ec) {
      if (auto self = weak.lock()) self->OnTimer(ec);
    });
  }

  void OnTimer(beast::error_code ec) {
    if (ec == net::error::operation_aborted) return;  // re-armed, or the session is going away
    if (timer_.expiry() > Clock::now()) return;       // fired just before a re-arm: that wait is pending
    timer_expiry_ = Clock::time_point::max();
    if (deadline_ == Clock::time_point::max()) return;  // no I/O under way; ExpireAt re-arms
    if (deadline_ > Clock::now()) return ArmTimer(deadline_);
    spdlog::debug("http: {} timed out", remote_);
    socket_.close(ec);
  }
  void OnDiscard(beast::error_code ec, size_t /*bytes*/) {
    if (ec) return;  // EOF, timeout or reset: the session ends
    DoDiscard();
  }

  Core& core_;
  tcp::socket socket_;
  net::steady_timer timer_;                                    // see ExpireAt
  Clock::time_point deadline_ = Clock::time_point::max();      // of the read or write under way
  Clock::time_point timer_expiry_ = Clock::time_point::max();  // when timer_ fires, max() if not waiting
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string head_;  // the response being written: status line and headers (Write)
  std::string body_;  // ... and its body
  std::array<char, 4096> discard_{};
  std::string remote_;
  uint64_t id_ = 0;
  State state_ = State::kBusy;
  bool linger_ = false;
  Entry entry_;
};

void Core::Return(Returned r) {
  bool post;
  {
    MutexLock lock(returns_mu_);
    returns_.push_back(std::move(r));
    post = !std::exchange(drain_posted_, true);
  }
  if (post) net::post(ioc_, [this] { DrainReturns(); });
}

void Core::DrainReturns() {
  std::vector<Returned> batch;
  bool more;
  {
    MutexLock lock(returns_mu_);
    const size_t n = std::min(returns_.size(), kReturnsPerDrain);
    batch.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      batch.push_back(std::move(returns_.front()));
      returns_.pop_front();
    }
    more = !returns_.empty();
    drain_posted_ = more;  // if not, the next Return posts one
  }
  if (more) net::post(ioc_, [this] { DrainReturns(); });
  for (Returned& r : batch) {
    // On an I/O thread, not in the session's strand: dispatch runs it here
    // and now unless the strand is busy on another thread.
    net::any_io_executor ex = r.session->executor();
    net::dispatch(ex, [r = std::move(r)]() mutable {
      r.session->Resume(std::move(r.response), r.version, r.keep_alive, r.head);
    });
  }
}

uint64_t Core::Register(std::weak_ptr<Session> s, Session* raw) {
  MutexLock lock(sessions_mu_);
  uint64_t id = ++next_session_id_;
  sessions_.emplace(id, Registered{std::move(s), raw});
  return id;
}

void Core::Unregister(uint64_t id) {
  bool drained;
  {
    MutexLock lock(sessions_mu_);
    sessions_.erase(id);
    drained = sessions_.empty();
  }
  if (drained && stopping_ && !destroying_) ioc_.stop();
}

Result<uint16_t> Core::Listen() {
  // The router is complete before serving (Router::Add), so every route's
  // series can be resolved now, off the request path.
  if (options_.metrics && !metrics_) metrics_ = std::make_unique<HttpMetrics>(*options_.metrics, router_.Routes());
  max_connections_ = static_cast<size_t>(std::max(1, options_.max_connections));
  if (rlimit lim{}; ::getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    if (lim.rlim_cur < lim.rlim_max) {
      rlimit raised = lim;
      raised.rlim_cur = lim.rlim_max == RLIM_INFINITY ? rlim_t{1} << 20 : lim.rlim_max;
      if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
    }
    size_t room = lim.rlim_cur > rlim_t{kReservedFds} * 2 ? static_cast<size_t>(lim.rlim_cur) - kReservedFds
                                                          : static_cast<size_t>(lim.rlim_cur) / 2;
    if (room < max_connections_) {
      spdlog::warn("http: max_connections lowered from {} to {} to fit the open-file limit of {}", max_connections_,
                   room, static_cast<uint64_t>(lim.rlim_cur));
      max_connections_ = std::max<size_t>(1, room);
    }
  }
  beast::error_code ec;
  tcp::resolver resolver(ioc_);
  auto results = resolver.resolve(options_.host, std::to_string(options_.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty())
    return Error::Unavailable(
        fmt::format("cannot resolve the listen address {}: {}", options_.host, ec ? ec.message() : "no addresses"));
  tcp::endpoint endpoint = results.begin()->endpoint();
  auto failed = [&](std::string_view what) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    if (ec == net::error::address_in_use)
      return Error::Unavailable(
          fmt::format("cannot listen on {}:{}: the address is already in use", options_.host, options_.port));
    return Error::Unavailable(
        fmt::format("cannot listen on {}:{}: {} failed: {}", options_.host, options_.port, what, ec.message()));
  };
  if (acceptor_.open(endpoint.protocol(), ec); ec) return failed("open");
  if (acceptor_.set_option(net::socket_base::reuse_address(true), ec); ec) return failed("set_option");
  if (acceptor_.bind(endpoint, ec); ec) return failed("bind");
  if (acceptor_.listen(net::socket_base::max_listen_connections, ec); ec) return failed("listen");
  uint16_t port = acceptor_.local_endpoint(ec).port();
  if (ec) return failed("local_endpoint");
  net::dispatch(acceptor_.get_executor(), [this] { DoAccept(); });
  return port;
}

void Core::DoAccept() {
  acceptor_.async_accept(net::make_strand(ioc_), beast::bind_front_handler(&Core::OnAccept, this));
}

void Core::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping_ || !acceptor_.is_open()) return;  // the socket, if any, is closed here
  if (ec && IsOutOfResources(ec)) {
    // Accepting again at once would fail again at once (the connection waits
    // in the backlog): free what we can and pause.
    if (!out_of_fds_) spdlog::warn("http: cannot accept: {}; closing idle connections and pausing", ec.message());
    out_of_fds_ = true;
    CloseOldestIdle();
    accept_timer_.expires_after(kAcceptBackoff);
    accept_timer_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !stopping_) DoAccept();
    });
    return;
  }
  out_of_fds_ = false;
  if (ec) {
    Fail(ec, "accept");
  } else {
    size_t open;
    {
      MutexLock lock(sessions_mu_);
      open = sessions_.size();
    }
    if (open < max_connections_ || CloseOldestIdle()) {
      std::make_shared<Session>(std::move(socket), *this)->Start();
    } else {
      // Full of busy connections: say so without reading, and close.
      beast::error_code ignored;
      socket.non_blocking(true, ignored);
      socket.write_some(net::buffer(busy_response_), ignored);
      socket.shutdown(tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
      spdlog::debug("http: {} connections open: refused one with 503", open);
    }
  }
  DoAccept();
}

bool Core::CloseOldestIdle() {
  std::shared_ptr<Session> oldest;
  {
    MutexLock lock(sessions_mu_);
    // Raw pointers are safe to read here: a session unregisters, under this
    // lock, before its members are destroyed. Only the pick is locked, and its
    // reference released outside the lock.
    int64_t oldest_since = 0;
    const Registered* pick = nullptr;
    for (const auto& [id, r] : sessions_) {
      int64_t since = r.raw->idle_since.load(std::memory_order_relaxed);
      if (since != 0 && (oldest_since == 0 || since < oldest_since)) {
        oldest_since = since;
        pick = &r;
      }
    }
    if (pick && pick->raw->idle_since.exchange(0, std::memory_order_relaxed) != 0) oldest = pick->weak.lock();
  }
  if (!oldest) return false;
  // Outside the lock: the last reference may be ours, and ~Session takes it.
  auto s = oldest;
  net::post(s->executor(), [s] { s->OnStop(); });
  return true;
}

void Core::Run() {
  auto loop = [this] {
    for (;;) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("http I/O thread: {}", e.what());
      }
    }
  };
  std::vector<std::thread> extra;
  for (int i = 1; i < options_.threads; ++i) extra.emplace_back(loop);
  loop();
  for (auto& t : extra) t.join();
}

void Core::Stop() {
  if (stopping_.exchange(true)) return;
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
    drain_timer_.expires_after(options_.drain_timeout);
    drain_timer_.async_wait([this](beast::error_code wait_ec) {
      if (wait_ec) return;
      spdlog::warn("http: connections still open after the drain timeout of {} ms; stopping",
                   options_.drain_timeout.count());
      ioc_.stop();
    });
    StopWhenDrained();
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    MutexLock lock(sessions_mu_);
    for (auto& [id, r] : sessions_)
      if (auto s = r.weak.lock()) live.push_back(std::move(s));
  }
  // Outside the lock: the last reference may be ours, and ~Session takes it.
  for (auto& s : live) net::post(s->executor(), [s] { s->OnStop(); });
}

void Core::StopWhenDrained() {
  bool drained;
  {
    MutexLock lock(sessions_mu_);
    drained = sessions_.empty();
  }
  if (drained) ioc_.stop();
}

}  // namespace

struct Server::Impl : Core {
  using Core::Core;
};

Server::Server(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

Server::~Server() = default;

Result<uint16_t> Server::Listen() { return impl_->Listen(); }

void Server::Run() { impl_->Run(); }

void Server::Stop() { impl_->Stop(); }

}  // namespace rota::http
