// One connection to a Redis (or a Sentinel), over TCP or TLS, shared by the Redis
// backends (redis_cache.cpp, near_cache.cpp, sentinel.cpp).
//
// The transport. Debian 12's hiredis (0.14) has no TLS, so a connection is our own
// blocking socket, wrapped in an OpenSSL session for rediss://, and hiredis is used
// for the protocol only: its reply reader (redisReader) parses what arrives, into the
// same redisReply objects hiredis's own contexts make. Commands are written as RESP
// arrays of binary-safe strings. TLS is OpenSSL's (Debian's libssl3): the server's
// certificate is verified against the system's CAs or tls_ca_file, and its name (or IP
// address) must match the host of the URL; a client certificate is sent when one is
// configured. Boost.Asio's ssl::stream would add a second event model beside the
// synchronous pool for nothing: every call here blocks its caller anyway.
//
// Every new connection authenticates before anything else (AUTH [user] password),
// SELECTs its database and PINGs, in one round trip. A connection refuses to be made,
// with ConnectError::kRefused, when the server refuses the credentials (or demands
// some we do not have), the certificate does not verify, or the TLS handshake fails:
// configuration errors, which `rota check` and `rota serve` report by setting. A
// server that cannot be reached or does not answer in time is kUnreachable.
//
// Timeouts: connecting (TCP and the TLS handshake) waits at most connect_timeout;
// each later read or write at most socket_timeout (zero: none, for a subscriber).
// A Connection is used by one thread at a time; shutting down its fd (Shutdown)
// from another thread wakes a blocked reader. SIGPIPE: writes never raise it.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/status.hpp"
#include "base/url.hpp"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace rota::cache {

struct ReplyDeleter {
  void operator()(redisReply* r) const {
    if (r) freeReplyObject(r);
  }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;
using Command = std::vector<std::string>;

// The TLS settings of rediss:// ([cache] tls_ca_file, tls_cert_file, tls_key_file).
struct TlsFiles {
  std::string ca_file;    // empty: the system's CAs
  std::string cert_file;  // client certificate (PEM chain); with key_file, or neither
  std::string key_file;
};

// An OpenSSL client context: the trusted CAs and our certificate, loaded once.
// Thread-safe; shared by every connection of a cache.
class TlsContext {
 public:
  // A configuration error (naming the setting) when a file cannot be used.
  static Result<std::shared_ptr<TlsContext>> Make(const TlsFiles& files);
  ~TlsContext();
  SSL_CTX* get() const { return ctx_; }

 private:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

// What every new connection to one kind of node needs.
struct ConnectOptions {
  std::string user;                     // empty: AUTH password (the default user)
  std::optional<std::string> password;  // nullopt: no AUTH
  int db = 0;                           // SELECT when not 0
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds socket_timeout{5000};  // zero: reads wait forever
  std::shared_ptr<TlsContext> tls;                 // null: plain TCP
};

struct ConnectError {
  enum Kind {
    kUnreachable,  // no connection, no answer in time, or the connection dropped
    kRefused,      // credentials, certificate or TLS handshake refused: a configuration error
  };
  Kind kind = kUnreachable;
  std::string message;  // says what failed, never with a password
};

class Connection {
 public:
  // Connects, authenticates, selects the db and pings. On failure returns nullptr
  // and fills *error.
  static std::unique_ptr<Connection> Open(const HostPort& node, const ConnectOptions& options, ConnectError* error);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Writes the commands in one go (a pipeline). False on failure (see error()).
  bool Send(const std::vector<Command>& commands);
  // The next reply (a Redis error reply included), or nullptr on failure or timeout.
  Reply Read();
  // Send + Read of one command.
  Reply Call(const Command& command);
  // Whether the last failure came from TLS (an alert or a bad record): a refused
  // certificate shows up this way when TLS 1.3 finishes the handshake first.
  bool tls_refused() const { return tls_refused_; }

  // Wakes a thread blocked in Read (from any thread); the connection is then dead.
  void Shutdown();
  const std::string& error() const { return error_; }
  const HostPort& node() const { return node_; }

 private:
  Connection(int fd, HostPort node);
  bool WriteAll(const std::string& bytes);
  long ReadSome(char* buf, size_t len);
  bool Fail(std::string why);
  void SetTimeout(std::chrono::milliseconds ms);

  int fd_;
  SSL* ssl_ = nullptr;
  redisReader* reader_;
  HostPort node_;
  std::string error_;
  bool tls_refused_ = false;
};

}  // namespace rota::cache
