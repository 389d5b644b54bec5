#include "cache/redis_conn.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fmt/format.h>

namespace rota::cache {
namespace {

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

std::string Where(const HostPort& n) { return fmt::format("{}:{}", n.host, n.port); }

bool IsIpAddress(const std::string& host) {
  in6_addr a6;
  in_addr a4;
  return inet_pton(AF_INET, host.c_str(), &a4) == 1 || inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

// A TCP connection within `timeout` to any address of the node, or -1 (*why filled).
int ConnectTcp(const HostPort& node, std::chrono::milliseconds timeout, std::string* why) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(node.port);
  if (int rc = getaddrinfo(node.host.c_str(), port.c_str(), &hints, &res); rc != 0) {
    *why = fmt::format("cannot resolve {}: {}", node.host, gai_strerror(rc));
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = res; a; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
      if (ready == 1) {
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        rc = err == 0 ? 0 : -1;
        errno = err;
      } else {
        rc = -1;
        if (ready == 0) errno = ETIMEDOUT;
      }
    }
    if (rc == 0) break;
    *why = fmt::format("cannot connect to {}: {}", Where(node), std::strerror(errno ? errno : ETIMEDOUT));
    ::close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) return -1;
  int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
  return fd;
}

// RESP: *<n>\r\n then $<len>\r\n<bytes>\r\n per argument.
void AppendCommand(std::string& out, const Command& command) {
  out += '*';
  out += std::to_string(command.size());
  out += "\r\n";
  for (const auto& arg : command) {
    out += '$';
    out += std::to_string(arg.size());
    out += "\r\n";
    out += arg;
    out += "\r\n";
  }
}

std::string_view ErrorText(const redisReply* r) { return r ? std::string_view(r->str, r->len) : "no reply"; }

}  // namespace

// --- TlsContext ----------------------------------------------------------------

Result<std::shared_ptr<TlsContext>> TlsContext::Make(const TlsFiles& files) {
  // OpenSSL writes to the socket with write(2): a peer that has gone away would raise
  // SIGPIPE and kill the process. A process that left SIGPIPE at its default now ignores
  // it (as Redis and nginx do); write errors are handled where they happen.
  struct sigaction old {};
  if (sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) signal(SIGPIPE, SIG_IGN);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (!ctx) return Error::Internal("TLS: " + OpenSslError());
  std::shared_ptr<TlsContext> out(new TlsContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_mode(ctx, SSL_MODE_AUTO_RETRY);
  if (files.ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1)
      return Error::Invalid("TLS: cannot load the system's CA certificates: " + OpenSslError(), "cache_tls_ca_file");
  } else if (SSL_CTX_load_verify_locations(ctx, files.ca_file.c_str(), nullptr) != 1) {
    return Error::Invalid(
        fmt::format("ROTA_CACHE_TLS_CA_FILE / [cache] tls_ca_file '{}': {}", files.ca_file, OpenSslError()),
        "cache_tls_ca_file");
  }
  if (files.cert_file.empty() != files.key_file.empty())
    return Error::Invalid(
        "ROTA_CACHE_TLS_CERT_FILE and ROTA_CACHE_TLS_KEY_FILE ([cache] tls_cert_file, tls_key_file) go together",
        "cache_tls_cert_file");
  if (!files.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx, files.cert_file.c_str()) != 1)
      return Error::Invalid(
          fmt::format("ROTA_CACHE_TLS_CERT_FILE / [cache] tls_cert_file '{}': {}", files.cert_file, OpenSslError()),
          "cache_tls_cert_file");
    if (SSL_CTX_use_PrivateKey_file(ctx, files.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1)
      return Error::Invalid(
          fmt::format("ROTA_CACHE_TLS_KEY_FILE / [cache] tls_key_file '{}': {}", files.key_file, OpenSslError()),
          "cache_tls_key_file");
  }
  return out;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

// --- Connection ----------------------------------------------------------------

Connection::Connection(int fd, HostPort node) : fd_(fd), reader_(redisReaderCreate()), node_(std::move(node)) {}

Connection::~Connection() {
  if (ssl_) SSL_free(ssl_);
  if (fd_ >= 0) ::close(fd_);
  redisReaderFree(reader_);
}

void Connection::SetTimeout(std::chrono::milliseconds ms) {
  timeval tv{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::unique_ptr<Connection> Connection::Open(const HostPort& node, const ConnectOptions& options, ConnectError* error) {
  auto fail = [&](ConnectError::Kind kind, std::string message) -> std::unique_ptr<Connection> {
    *error = {kind, std::move(message)};
    return nullptr;
  };
  std::string why;
  int fd = ConnectTcp(node, options.connect_timeout, &why);
  if (fd < 0) return fail(ConnectError::kUnreachable, why);
  std::unique_ptr<Connection> c(new Connection(fd, node));
  c->SetTimeout(options.connect_timeout);

  if (options.tls) {
    c->ssl_ = SSL_new(options.tls->get());
    if (!c->ssl_) return fail(ConnectError::kUnreachable, "TLS: " + OpenSslError());
    SSL_set_fd(c->ssl_, fd);
    // The name (or address) in the URL must be the certificate's; SNI for names only.
    if (IsIpAddress(node.host)) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl_), node.host.c_str());
    } else {
      SSL_set_tlsext_host_name(c->ssl_, node.host.c_str());
      SSL_set1_host(c->ssl_, node.host.c_str());
    }
    ERR_clear_error();
    if (int rc = SSL_connect(c->ssl_); rc != 1) {
      int err = SSL_get_error(c->ssl_, rc);
      long verify = SSL_get_verify_result(c->ssl_);
      if (verify != X509_V_OK)
        return fail(ConnectError::kRefused, fmt::format("TLS: the certificate of {} is not trusted: {}", Where(node),
                                                        X509_verify_cert_error_string(verify)));
      if (err == SSL_ERROR_SSL)
        return fail(ConnectError::kRefused,
                    fmt::format("TLS handshake with {} failed: {}", Where(node), OpenSslError()));
      return fail(ConnectError::kUnreachable,
                  fmt::format("TLS handshake with {} failed: {}", Where(node),
                              errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : "connection closed"));
    }
  }

  // AUTH, SELECT and PING in one round trip; PING shows a server that wants a password.
  std::vector<Command> hello;
  if (options.password) {
    if (options.user.empty())
      hello.push_back({"AUTH", *options.password});
    else
      hello.push_back({"AUTH", options.user, *options.password});
  }
  if (options.db != 0) hello.push_back({"SELECT", std::to_string(options.db)});
  hello.push_back({"PING"});
  if (!c->Send(hello)) {
    // TLS 1.3: a server that refuses our certificate alerts us and closes after the
    // handshake, maybe before our first write: the alert may still be there to read.
    if (options.tls && (c->tls_refused() || (!c->Read() && c->tls_refused())))
      return fail(ConnectError::kRefused, "TLS: " + c->error());
    return fail(ConnectError::kUnreachable, c->error());
  }
  for (size_t i = 0; i < hello.size(); ++i) {
    Reply r = c->Read();
    if (!r) {
      // TLS 1.3: a server that refuses our certificate says so after the handshake.
      if (c->tls_refused()) return fail(ConnectError::kRefused, "TLS: " + c->error());
      return fail(ConnectError::kUnreachable, c->error());
    }
    if (r->type != REDIS_REPLY_ERROR) continue;
    std::string_view text = ErrorText(r.get());
    const std::string& verb = hello[i][0];
    if (verb == "AUTH")
      return fail(ConnectError::kRefused,
                  fmt::format("{} refused the credentials{}: {}", Where(node),
                              options.user.empty() ? "" : " of user '" + options.user + "'", text));
    if (verb == "SELECT")
      return fail(ConnectError::kRefused, fmt::format("{} refused database {}: {}", Where(node), options.db, text));
    if (text.starts_with("NOAUTH"))
      return fail(ConnectError::kRefused,
                  fmt::format("{} requires a password (give it in the URL): {}", Where(node), text));
    if (text.starts_with("NOPERM"))
      return fail(ConnectError::kRefused, fmt::format("{} does not allow user '{}' to PING: {}", Where(node),
                                                      options.user.empty() ? "default" : options.user, text));
    return fail(ConnectError::kUnreachable, fmt::format("{}: {}", Where(node), text));
  }
  c->SetTimeout(options.socket_timeout);
  return c;
}

bool Connection::Fail(std::string why) {
  error_ = std::move(why);
  return false;
}

bool Connection::Send(const std::vector<Command>& commands) {
  std::string bytes;
  for (const auto& command : commands) AppendCommand(bytes, command);
  return WriteAll(bytes);
}

bool Connection::WriteAll(const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    if (ssl_) {
      ERR_clear_error();
      int n = SSL_write(ssl_, bytes.data() + done, static_cast<int>(std::min<size_t>(bytes.size() - done, 1 << 30)));
      if (n <= 0) {
        int err = SSL_get_error(ssl_, n);
        tls_refused_ = err == SSL_ERROR_SSL;
        return Fail(fmt::format("write to {}: {}", Where(node_),
                                err == SSL_ERROR_SSL ? OpenSslError() : std::string(std::strerror(errno))));
      }
      done += static_cast<size_t>(n);
    } else {
      ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Fail(fmt::format("write to {}: {}", Where(node_), std::strerror(errno)));
      done += static_cast<size_t>(n);
    }
  }
  return true;
}

long Connection::ReadSome(char* buf, size_t len) {
  if (ssl_) {
    ERR_clear_error();
    int n = SSL_read(ssl_, buf, static_cast<int>(len));
    if (n > 0) return n;
    int err = SSL_get_error(ssl_, n);
    if (err == SSL_ERROR_ZERO_RETURN) return Fail(fmt::format("{} closed the connection", Where(node_))), -1;
    tls_refused_ = err == SSL_ERROR_SSL;
    Fail(fmt::format("read from {}: {}", Where(node_),
                     err == SSL_ERROR_SSL                      ? OpenSslError()
                     : errno == EAGAIN || errno == EWOULDBLOCK ? std::string("timed out")
                     : errno != 0                              ? std::string(std::strerror(errno))
                                                               : std::string("connection closed")));
    return -1;
  }
  while (true) {
    ssize_t n = ::recv(fd_, buf, len, 0);
    if (n > 0) return n;
    if (n < 0 && errno == EINTR) continue;
    if (n == 0)
      Fail(fmt::format("{} closed the connection", Where(node_)));
    else
      Fail(fmt::format("read from {}: {}", Where(node_),
                       errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : std::strerror(errno)));
    return -1;
  }
}

Reply Connection::Read() {
  while (true) {
    void* raw = nullptr;
    if (redisReaderGetReply(reader_, &raw) != REDIS_OK) {
      Fail(fmt::format("protocol error from {}: {}", Where(node_), reader_->errstr));
      return nullptr;
    }
    if (raw) return Reply(static_cast<redisReply*>(raw));
    char buf[16384];
    long n = ReadSome(buf, sizeof buf);
    if (n <= 0) return nullptr;
    if (redisReaderFeed(reader_, buf, static_cast<size_t>(n)) != REDIS_OK) {
      Fail(fmt::format("protocol error from {}", Where(node_)));
      return nullptr;
    }
  }
}

Reply Connection::Call(const Command& command) {
  if (!Send({command})) return nullptr;
  return Read();
}

void Connection::Shutdown() { ::shutdown(fd_, SHUT_RDWR); }

}  // namespace rota::cache
