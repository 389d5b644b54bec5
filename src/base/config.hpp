// Configuration: an optional TOML file overridden by ROTA_* environment variables.
//
// Every setting, its default and its variable (api.md "Command line and
// configuration"; `rota check` validates the same table):
//
//   [server]   host            "127.0.0.1"        address `rota serve` binds (--host overrides)
//              port            8000               TCP port (--port overrides)
//              threads         4                  I/O threads; each runs handlers to completion
//              body_limit      1048576            request body bytes; larger -> 413
//              read_timeout_ms 30000              a read (headers or body) or keep-alive idle wait
//              metrics_token   ""                 ROTA_METRICS_TOKEN: a scrape token for GET /metrics
//                                                 (`Authorization: Bearer <it>`); "" = administrators only.
//                                                 16..1024 visible ASCII characters
//              header_timeout_ms 5000             a request's first byte to the end of its header
//              max_connections 10000              ROTA_MAX_CONNECTIONS: open connections at most
//                                                 (the oldest idle one closes to make room)
//              trusted_proxies ""                 ROTA_TRUSTED_PROXIES: CIDR list of proxies whose
//                                                 X-Forwarded-For names the client (base/cidr.hpp)
//   [database] url             "sqlite://rota.db" ROTA_DATABASE_URL; sqlite://PATH or postgresql://...
//              pool_size       threads + 2        connections; a request waits <= pool_wait_ms for one
//              pool_wait_ms    5000
//              prepared_statements true           ROTA_DATABASE_PREPARED_STATEMENTS: PostgreSQL named prepared
//                                                 statements; false behind PgBouncer transaction pooling
//                                                 (db/database.hpp ConnectOptions)
//   [cache]    url             "memory://"        ROTA_CACHE_URL: memory://, redis://[[user]:password@]host[:port][/db],
//                                                 rediss://... (TLS), redis+sentinel://[[user]:password@]h:p[,h:p...]/name[/db]
//              tls_ca_file     ""                 ROTA_CACHE_TLS_CA_FILE: rediss:// CAs (empty: the system's)
//              tls_cert_file   ""                 ROTA_CACHE_TLS_CERT_FILE: rediss:// client certificate (PEM)
//              tls_key_file    ""                 ROTA_CACHE_TLS_KEY_FILE: its private key (PEM)
//   ROTA_CACHE_SENTINEL_PASSWORD                  redis+sentinel://: the sentinels' password (environment only)
//              max_entries     1000               memory://: values kept (LRU beyond)
//              max_bytes       67108864           memory://: bytes of keys + values kept
//              key_prefix      "rota"             redis://: every key starts `<prefix>:`
//              pool_size       50                 redis://: connections
//              timeout_ms      5000               redis://: connect and socket timeout
//              warm_on_start   false              `serve` warms every home in the background
//              near            false              ROTA_CACHE_NEAR: redis:// with an in-process near tier
//                                                 kept coherent by pub/sub (cache/near_cache.hpp)
//              near_max_entries 1000              values the near tier holds
//              near_ttl_ms     5000               longest a near copy lives
//              near_ack_timeout_ms 200            a write waits this long for other servers' acks
//   [cache.aliases]  default 300, dashboard 300, template_fragments 900, static_data 3600:
//              seconds, or one of the named timeouts short (300), medium (900),
//              long (3600), day (86400)
//   [auth]     session_hours   12                 session cookie lifetime
//              secure_cookies  false              add `Secure` to cookies (serve behind TLS)
//              login_failures_per_username 5      failed logins per window before a username is refused (429)
//              login_failures_per_address  20     failed logins per window before an address is refused (429)
//              login_window_seconds        900    the window of the counts
//              login_successes_per_address 100    successful logins per window from one address (429 beyond)
//              hash_threads    1                  threads hashing passwords, at nice +10
//              hash_queue      32                 logins waiting for them; beyond -> 503 + Retry-After
//   [log]      level           "info"             ROTA_LOG_LEVEL: trace|debug|info|warn|error|off
//   ROTA_TODAY=YYYY-MM-DD pins "today" (tests, benchmarks).
//
// A bad value or an unknown key stops start-up with a ConfigError naming the
// setting; nothing falls back silently. Exceptions are used here only, at start-up.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "base/date.hpp"

namespace rota {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Config {
  std::string host = "127.0.0.1";
  int port = 8000;
  int threads = 4;
  long body_limit = 1 << 20;
  int read_timeout_ms = 30000;
  std::string metrics_token;  // empty: none (GET /metrics for administrators only)
  int header_timeout_ms = 5000;
  int max_connections = 10000;
  std::string trusted_proxies;  // CIDR list (base/cidr.hpp); empty: trust no proxy

  std::string database_url = "sqlite://rota.db";
  int pool_size = 0;  // 0: threads + 2
  int pool_wait_ms = 5000;
  bool prepared_statements = true;

  std::string cache_url = "memory://";
  long cache_max_entries = 1000;
  long cache_max_bytes = 64L << 20;
  std::string cache_key_prefix = "rota";
  int cache_pool_size = 50;
  int cache_timeout_ms = 5000;
  bool cache_warm_on_start = false;
  bool cache_near = false;
  long cache_near_max_entries = 1000;
  int cache_near_ttl_ms = 5000;
  int cache_near_ack_timeout_ms = 200;
  std::string cache_tls_ca_file;    // rediss://: CAs of the server's certificate; empty: the system's
  std::string cache_tls_cert_file;  // rediss://: a client certificate (with cache_tls_key_file)
  std::string cache_tls_key_file;
  std::string cache_sentinel_password;  // redis+sentinel://: the sentinels' own password (env only)
  // Cache aliases and their timeouts in seconds (the original design's CACHES).
  std::map<std::string, long> cache_aliases = {
      {"default", 300}, {"dashboard", 300}, {"template_fragments", 900}, {"static_data", 3600}};
  long AliasTimeout(const std::string& alias) const { return cache_aliases.at(alias); }

  int session_hours = 12;
  bool secure_cookies = false;
  int login_failures_per_username = 5;
  int login_failures_per_address = 20;
  int login_window_seconds = 900;
  int login_successes_per_address = 100;
  int hash_threads = 1;
  int hash_queue = 32;

  std::string log_level = "info";
  std::optional<Date> today;  // ROTA_TODAY

  int EffectivePoolSize() const { return pool_size > 0 ? pool_size : threads + 2; }
  // The pinned date, else the server's local date.
  Date Today() const { return today ? *today : LocalToday(); }

  // Loads `path` (or ./rota.toml when path is empty and that file exists), then
  // applies `env` (normally the process environment). Throws ConfigError.
  static Config Load(const std::string& path, const std::map<std::string, std::string>& env);
  // As Load, from the text of a TOML file; `name` stands for the file in messages.
  // Throws ConfigError for any text (malformed TOML included), nothing else.
  static Config FromToml(std::string_view text, const std::string& name,
                         const std::map<std::string, std::string>& env);
  static std::map<std::string, std::string> ProcessEnvironment();
};

}  // namespace rota
