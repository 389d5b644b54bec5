// URLs of the engines: redaction for output, percent-decoding, and the cache URL's parser.
//
// RedactUrl is what every printed URL goes through (serve banner, `rota check`,
// `seed`, logs, error messages): nothing rota prints may carry a password.
// ParseCacheUrl reads api.md's production forms of ROTA_CACHE_URL:
//
//   memory://
//   redis://[[user]:password@]host[:port][/db]
//   rediss://...                                      the same over TLS
//   redis+sentinel://[[user]:password@]host:port[,host:port...]/service_name[/db]
//   rediss+sentinel://...                             TLS to sentinels and data nodes
//
// User names and passwords are percent-decoded (RFC 3986 section 2.1). All functions
// are pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.hpp"

namespace rota {

// `url` with every password replaced by `***`:
//   scheme://user:pw@host...           -> scheme://user:***@host...  (also ":pw@", several hosts)
//   ...?password=pw&sslpassword=pw     -> ...?password=***&sslpassword=***  (any key ending "password")
//   host=h password=pw  (libpq key/value form, quoted values too) -> host=h password=***
// When in doubt it hides more rather than less (a malformed URL is redacted from
// the first ':' of its user part to its last '@'). Never throws.
std::string RedactUrl(std::string_view url);

// RFC 3986 percent-decoding; nullopt for a '%' not followed by two hex digits.
std::optional<std::string> PercentDecode(std::string_view s);

struct HostPort {
  std::string host;  // a name, an IPv4 address, or an IPv6 address without its brackets
  int port = 0;
};

// A parsed ROTA_CACHE_URL.
struct CacheUrl {
  enum class Kind {
    kMemory,    // memory://
    kRedis,     // redis:// or rediss://: one data node
    kSentinel,  // redis+sentinel:// or rediss+sentinel://: nodes are the sentinels
  };
  Kind kind = Kind::kMemory;
  bool tls = false;                     // rediss:// and rediss+sentinel://
  std::string user;                     // decoded; empty: the default user
  std::optional<std::string> password;  // decoded; nullopt: no AUTH
  std::vector<HostPort> nodes;          // one for kRedis; the sentinels for kSentinel
  std::string service;                  // kSentinel: the master's name
  int db = 0;                           // SELECT'ed database, 0..15 (Redis' default limit is configurable)

  bool IsRedis() const { return kind != Kind::kMemory; }
};

// Parses ROTA_CACHE_URL. The error's message says what is wrong without repeating
// the password (it shows RedactUrl(url)).
Result<CacheUrl> ParseCacheUrl(std::string_view url);

// True for "localhost", 127.0.0.0/8 and ::1: where a Redis without AUTH or TLS is
// not reachable by anyone else on the network.
bool IsLoopbackHost(std::string_view host);

}  // namespace rota
