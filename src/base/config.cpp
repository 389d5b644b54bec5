#include "base/config.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml.hpp>

#include "base/cidr.hpp"
#include "base/url.hpp"

extern char** environ;

namespace rota {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The checks beyond a range, each for one setting: "" or the whole message
// after "config: ".

std::string CheckTrustedProxies(const ConfigSetting& s, const Config& c) {
  auto proxies = CidrSet::Parse(c.trusted_proxies);
  return proxies ? "" : s.Name() + ": " + proxies.error().message;
}

// It travels in an Authorization header and guards the metrics: printable, no
// spaces, and not trivially guessable.
std::string CheckMetricsToken(const ConfigSetting& s, const Config& c) {
  const std::string& t = c.metrics_token;
  if (t.empty() || (t.size() >= 16 && t.size() <= 1024 &&
                    std::none_of(t.begin(), t.end(), [](char ch) { return ch <= ' ' || ch > '~'; })))
    return "";
  return s.Name() + " must be empty or 16..1024 visible ASCII characters (no spaces)";
}

std::string CheckDatabaseUrl(const ConfigSetting& s, const Config& c) {
  for (std::string_view scheme : {"sqlite://", "postgresql://"})
    if (c.database_url.starts_with(scheme) && c.database_url.size() > scheme.size()) return "";
  return fmt::format("{} '{}' is not a supported URL", s.Name(), RedactUrl(c.database_url));
}

// ParseCacheUrl's messages name ROTA_CACHE_URL themselves, with the password redacted.
std::string CheckCacheUrl(const ConfigSetting&, const Config& c) {
  auto url = ParseCacheUrl(c.cache_url);
  return url ? "" : url.error().message;
}

std::string CheckKeyPrefix(const ConfigSetting& s, const Config& c) {
  const std::string& p = c.cache_key_prefix;
  if (!p.empty() && p.size() <= 64 &&
      p.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == std::string::npos)
    return "";
  return s.Name() + " must be 1..64 characters of [A-Za-z0-9_.-]";
}

template <std::string Config::*file>
std::string CheckReadableFile(const ConfigSetting& s, const Config& c) {
  const std::string& path = c.*file;
  if (path.empty() || std::filesystem::is_regular_file(path)) return "";
  return fmt::format("{} '{}' is not a readable file", s.Name(), path);
}

const std::set<std::string> kLogLevels = {"trace", "debug", "info", "warn", "error", "off"};

std::string CheckLogLevel(const ConfigSetting& s, const Config& c) {
  if (kLogLevels.count(c.log_level)) return "";
  return fmt::format("{} '{}' is not one of trace, debug, info, warn, error, off", s.Name(), c.log_level);
}

// The schema: every setting, in the order of the README's table. The
// descriptions are Markdown with links relative to the README (no `|`).
// clang-format off
const ConfigSetting kSettings[] = {
  {.section = "server", .key = "host", .field = &Config::host,
   .description = "address `serve` binds (`--host`)"},
  {.section = "server", .key = "port", .field = &Config::port, .min = 0, .max = 65535,
   .description = "port (`--port`)"},
  {.section = "server", .key = "threads", .field = &Config::threads, .min = 1, .max = 256,
   .description = "I/O threads; a handler runs to completion on one"},
  {.section = "server", .key = "body_limit", .field = &Config::body_limit, .min = 1, .max = 64L << 20,
   .description = "request body bytes; larger → 413"},
  {.section = "server", .key = "read_timeout_ms", .field = &Config::read_timeout, .min = 10, .max = 3'600'000,
   .description = "deadline for an idle keep-alive connection and for reading a body"},
  {.section = "server", .key = "header_timeout_ms", .field = &Config::header_timeout, .min = 10, .max = 3'600'000,
   .description = "from a request's first byte to the end of its header (slow-header clients are cut off)"},
  {.section = "server", .key = "max_connections", .field = &Config::max_connections, .env = "ROTA_MAX_CONNECTIONS",
   .min = 1, .max = 1'000'000,
   .description = "open connections at most; at the cap the connection idle longest is closed, and with none idle "
                  "a new one gets `503`. Lowered at start to fit the open-file limit (raised to its hard limit)"},
  {.section = "server", .key = "trusted_proxies", .field = &Config::trusted_proxies, .env = "ROTA_TRUSTED_PROXIES",
   .default_text = "`\"\"` (none)",
   .description = "comma-separated addresses or CIDR ranges (`10.0.0.0/8, ::1`) of proxies whose `X-Forwarded-For` "
                  "names the client (the login throttle, the access log); see [docs/deploy.md](docs/deploy.md)",
   .check = CheckTrustedProxies},
  {.section = "server", .key = "metrics_token", .field = &Config::metrics_token, .env = "ROTA_METRICS_TOKEN",
   .default_text = "`\"\"` (none)",
   .description = "a scrape token for `GET /metrics` (`Authorization: Bearer <token>`, 16..1024 visible ASCII "
                  "characters); without it only administrators may read `/metrics`",
   .check = CheckMetricsToken},

  {.section = "database", .key = "url", .field = &Config::database_url, .env = "ROTA_DATABASE_URL",
   .description = "`sqlite://relative.db`, `sqlite:///abs/path.db`, or any libpq URI "
                  "`postgresql://user:pass@host:port/db?…`, passed to libpq unchanged "
                  "(`sslmode=verify-full&sslrootcert=…`, several hosts with `target_session_attrs=read-write`; see "
                  "[docs/deploy.md](docs/deploy.md))",
   .check = CheckDatabaseUrl},
  {.section = "database", .key = "pool_size", .field = &Config::pool_size, .min = 0, .max = 1000,
   .default_text = "threads + 2", .description = "connections in the pool (0: threads + 2)"},
  {.section = "database", .key = "pool_wait_ms", .field = &Config::pool_wait, .min = 1, .max = 600'000,
   .description = "wait for a free connection, then 503"},
  {.section = "database", .key = "prepared_statements", .field = &Config::prepared_statements,
   .env = "ROTA_DATABASE_PREPARED_STATEMENTS",
   .description = "PostgreSQL: `true` prepares each statement once per connection (named); `false` sends unnamed "
                  "statements (`PQexecParams`, still bound parameters) — set it behind PgBouncer in transaction "
                  "pooling mode, where named statements do not survive from one transaction to the next"},

  {.section = "cache", .key = "url", .field = &Config::cache_url, .env = "ROTA_CACHE_URL",
   .description = "`memory://` (in-process), `redis://[[user]:password@]host[:port][/db]`, `rediss://…` (TLS), "
                  "`redis+sentinel://[[user]:password@]host:port[,host:port…]/service[/db]`, `rediss+sentinel://…`; "
                  "see [Redis in production](#redis-in-production)",
   .check = CheckCacheUrl},
  {.section = "cache", .key = "tls_ca_file", .field = &Config::cache_tls_ca_file, .env = "ROTA_CACHE_TLS_CA_FILE",
   .default_text = "`\"\"` (the system's CAs)",
   .description = "rediss://: the CAs (PEM) that sign the server's certificate",
   .check = CheckReadableFile<&Config::cache_tls_ca_file>},
  {.section = "cache", .key = "tls_cert_file", .field = &Config::cache_tls_cert_file,
   .env = "ROTA_CACHE_TLS_CERT_FILE", .default_text = "`\"\"` (none)",
   .description = "rediss://: a client certificate (PEM), with `tls_key_file`",
   .check = CheckReadableFile<&Config::cache_tls_cert_file>},
  {.section = "cache", .key = "tls_key_file", .field = &Config::cache_tls_key_file, .env = "ROTA_CACHE_TLS_KEY_FILE",
   .default_text = "`\"\"` (none)", .description = "rediss://: the client certificate's key (PEM), with `tls_cert_file`",
   .check = CheckReadableFile<&Config::cache_tls_key_file>},
  {.field = &Config::cache_sentinel_password, .env = "ROTA_CACHE_SENTINEL_PASSWORD", .default_text = "(none)",
   .description = "`redis+sentinel://`: the sentinels' own password, when they need one (the URL's password is the "
                  "data nodes'); environment only"},
  {.section = "cache", .key = "max_entries", .field = &Config::cache_max_entries, .min = 1, .max = 100'000'000,
   .description = "memory://: values kept; least recently used evicted beyond"},
  {.section = "cache", .key = "max_bytes", .field = &Config::cache_max_bytes, .min = 1, .max = 1L << 40,
   .description = "memory://: bytes of keys + values kept"},
  {.section = "cache", .key = "max_entries_per_home", .field = &Config::cache_max_entries_per_home, .min = 0,
   .max = 100'000'000, .default_text = "`0` (`max_entries` / 8)",
   .description = "values one home may hold, on every backend: one caller's scan of distinct ranges evicts its own "
                  "home's oldest values, never another home's (Redis: an index per home)"},
  {.section = "cache", .key = "max_entries_per_prefix", .field = &Config::cache_max_entries_per_prefix, .min = 0,
   .max = 100'000'000, .default_text = "`0` (half the home's share)",
   .description = "values one kind of answer (key prefix: `shift`, `dashboard`, ...) of one home may hold, on every "
                  "backend: a scan of distinct shift-list ranges evicts that home's oldest shift lists, never its "
                  "dashboard (Redis: an index per kind and home)"},
  {.section = "cache", .key = "key_prefix", .field = &Config::cache_key_prefix,
   .description = "redis://: every key starts `<prefix>:`, so deployments can share a Redis; 1..64 of "
                  "`[A-Za-z0-9_.-]`",
   .check = CheckKeyPrefix},
  {.section = "cache", .key = "pool_size", .field = &Config::cache_pool_size, .min = 1, .max = 10'000,
   .description = "redis://: connections at most"},
  {.section = "cache", .key = "timeout_ms", .field = &Config::cache_timeout, .min = 1, .max = 600'000,
   .description = "redis://: connect and socket timeout"},
  {.section = "cache", .key = "retry_after_ms", .field = &Config::cache_retry_after, .min = 10, .max = 600'000,
   .description = "redis://: after a failure, answers come from the database for this long before one request "
                  "probes Redis again; a write probes at once (waiting at most 250 ms), so that it is announced "
                  "before it is acknowledged"},
  {.section = "cache", .key = "warm_on_start", .field = &Config::cache_warm_on_start,
   .description = "`serve` warms every home in the background"},
  {.section = "cache", .key = "refresh_after_write", .field = &Config::cache_refresh_after_write,
   .env = "ROTA_CACHE_REFRESH_AFTER_WRITE",
   .description = "after a write, the server that committed it recomputes the API answers it retired that were "
                  "read twice in the last minute (at most 32; the 4 hottest before answering the write), so the "
                  "next reader hits; the read after a write then answers X-Cache: HIT"},
  {.section = "cache", .key = "near", .field = &Config::cache_near, .env = "ROTA_CACHE_NEAR",
   .description = "an in-process near tier in front of Redis: hot values answered from memory, kept coherent by "
                  "invalidation messages (see [several servers](#running-several-servers)); ignored with memory://"},
  {.section = "cache", .key = "near_max_entries", .field = &Config::cache_near_max_entries, .min = 1,
   .max = 10'000'000, .description = "values the near tier holds (least recently used evicted)"},
  {.section = "cache", .key = "near_ttl_ms", .field = &Config::cache_near_ttl, .min = 1, .max = 3'600'000,
   .description = "longest a near copy lives, a safety net behind invalidation"},
  {.section = "cache", .key = "near_ack_timeout_ms", .field = &Config::cache_near_ack_timeout, .min = 1,
   .max = 60'000,
   .description = "the near tier's lease: a write waits at most this long for every server to confirm an "
                  "invalidation, and a near tier that has heard nothing from Redis for this long (heartbeats every "
                  "quarter of it) stops answering"},

  {.section = "cache.aliases", .key = "default", .field = &Config::alias_default, .min = 1, .max = 30L * 86400,
   .description = "the time to live of the shift and staff lists, monthly reports, compliance and statistics; "
                  "seconds or `short` (300), `medium` (900), `long` (3600), `day` (86400), as for every alias",
   .named_timeouts = true},
  {.section = "cache.aliases", .key = "dashboard", .field = &Config::alias_dashboard, .min = 1, .max = 30L * 86400,
   .description = "the time to live of dashboards", .named_timeouts = true},
  {.section = "cache.aliases", .key = "template_fragments", .field = &Config::alias_template_fragments, .min = 1,
   .max = 30L * 86400, .description = "the time to live of the HTML fragments the pages render",
   .named_timeouts = true},
  {.section = "cache.aliases", .key = "static_data", .field = &Config::alias_static_data, .min = 1,
   .max = 30L * 86400,
   .description = "accepted and exported (`rota_cache_alias_ttl_seconds`) for the original design's configuration, "
                  "but no read uses it",
   .named_timeouts = true},

  {.section = "auth", .key = "session_hours", .field = &Config::session_lifetime, .min = 1, .max = 24 * 365,
   .description = "login session lifetime"},
  {.section = "auth", .key = "secure_cookies", .field = &Config::secure_cookies,
   .description = "mark cookies `Secure` and name the session cookie `__Host-rota_session` (serving behind TLS)"},
  {.section = "auth", .key = "login_failures_per_username", .field = &Config::login_failures_per_username, .min = 1,
   .max = 1'000'000, .description = "failed logins per window before a username is refused (429)"},
  {.section = "auth", .key = "login_failures_per_address", .field = &Config::login_failures_per_address, .min = 1,
   .max = 1'000'000, .description = "failed logins per window before a client address is refused (429)"},
  {.section = "auth", .key = "login_successes_per_address", .field = &Config::login_successes_per_address, .min = 1,
   .max = 1'000'000,
   .description = "successful logins per window from one client address before it is refused (429)"},
  {.section = "auth", .key = "login_window_seconds", .field = &Config::login_window, .min = 1, .max = 86'400,
   .description = "the window of these counts"},
  {.section = "auth", .key = "hash_threads", .field = &Config::hash_threads, .min = 1, .max = 64,
   .description = "threads verifying passwords (Argon2id), at nice +10, off the I/O threads"},
  {.section = "auth", .key = "hash_queue", .field = &Config::hash_queue, .min = 1, .max = 100'000,
   .description = "logins waiting for them; beyond, `POST /api/login` answers `503` with `Retry-After: 1`"},

  {.section = "log", .key = "level", .field = &Config::log_level, .env = "ROTA_LOG_LEVEL",
   .description = "`trace`, `debug`, `info`, `warn`, `error` or `off`; access log on stdout, the rest on stderr",
   .check = CheckLogLevel},
  {.field = &Config::today, .env = "ROTA_TODAY", .default_text = "(the local date)",
   .description = "pins \"today\" (`YYYY-MM-DD`) for tests and benchmarks"},
};
// clang-format on

// The value type of a member pointer.
template <class Field>
struct MemberOf;
template <class T>
struct MemberOf<T Config::*> {
  using type = T;
};

template <class T>
constexpr bool kIsDuration = false;
template <class Rep, class Period>
constexpr bool kIsDuration<std::chrono::duration<Rep, Period>> = true;

// Arrays and inline tables nested deeper than this are refused (rota.toml needs 2).
constexpr int kMaxNesting = 32;

// The original design's named timeouts.
const std::map<std::string, int64_t> kNamedTimeouts = {{"short", 300}, {"medium", 900}, {"long", 3600}, {"day", 86400}};

// "[section] key" as the file writes it.
std::string FileName(const ConfigSetting& s) { return fmt::format("[{}] {}", s.section, s.key); }

// `n` stored in a T, or a ConfigError naming the setting: a TOML integer and
// an environment variable are 64-bit, and a narrowing cast would read
// port = 4294975296 as 8000 without a word.
template <class T>
T Fit(int64_t n, const std::string& name) {
  if constexpr (kIsDuration<T>) {
    return T(n);  // every duration here counts in int64
  } else {
    if (n < std::numeric_limits<T>::min() || n > std::numeric_limits<T>::max())
      throw ConfigError(fmt::format("config: {} is out of range (got {})", name, n));
    return static_cast<T>(n);
  }
}

// Sets `s` in `c` from the file's `value`.
void ReadValue(const ConfigSetting& s, const toml::value& value, Config& c) {
  const std::string name = FileName(s);
  auto wrong_type = [&] {
    if (s.named_timeouts) return ConfigError(fmt::format("config: {} must be seconds or short|medium|long|day", name));
    return ConfigError(fmt::format("config: {} has the wrong type", name));
  };
  std::visit(
      [&](auto field) {
        using T = typename MemberOf<decltype(field)>::type;
        if constexpr (std::is_same_v<T, std::string>) {
          if (!value.is_string()) throw wrong_type();
          c.*field = value.as_string().str;
        } else if constexpr (std::is_same_v<T, bool>) {
          if (!value.is_boolean()) throw wrong_type();
          c.*field = value.as_boolean();
        } else if constexpr (std::is_integral_v<T> || kIsDuration<T>) {
          if (value.is_integer()) {
            c.*field = Fit<T>(value.as_integer(), name);
          } else if (s.named_timeouts && value.is_string() && kNamedTimeouts.count(value.as_string().str)) {
            c.*field = Fit<T>(kNamedTimeouts.at(value.as_string().str), name);
          } else {
            throw wrong_type();
          }
        } else {
          throw wrong_type();  // a Date has no key in the file
        }
      },
      s.field);
}

// Sets `s` in `c` from its environment variable's text.
void ReadEnvironment(const ConfigSetting& s, const std::string& text, Config& c) {
  std::visit(
      [&](auto field) {
        using T = typename MemberOf<decltype(field)>::type;
        if constexpr (std::is_same_v<T, std::string>) {
          c.*field = text;
        } else if constexpr (std::is_same_v<T, bool>) {
          if (text == "1" || text == "true")
            c.*field = true;
          else if (text == "0" || text == "false")
            c.*field = false;
          else
            throw ConfigError(fmt::format("config: {} '{}' must be true or false", s.env, text));
        } else if constexpr (std::is_integral_v<T> || kIsDuration<T>) {
          int64_t n = 0;
          auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
          if (text.empty() || ec != std::errc() || end != text.data() + text.size())
            throw ConfigError(fmt::format("config: {} '{}' is not a whole number", s.env, text));
          c.*field = Fit<T>(n, std::string(s.env));
        } else {
          static_assert(std::is_same_v<T, std::optional<Date>>);
          auto d = Date::Parse(text);
          if (!d) throw ConfigError(fmt::format("config: {} '{}' is not a date YYYY-MM-DD", s.env, text));
          c.*field = d;
        }
      },
      s.field);
}

// The table at `section` ("cache.aliases" is root.cache.aliases), or nullptr.
const toml::value* FindSection(const toml::value& root, std::string_view section) {
  const toml::value* at = &root;
  while (!section.empty()) {
    const auto dot = section.find('.');
    const std::string part(section.substr(0, dot));
    if (!at->is_table() || !at->contains(part)) return nullptr;
    at = &at->as_table().at(part);
    section = dot == std::string_view::npos ? std::string_view() : section.substr(dot + 1);
  }
  return at;
}

// Refuses what the schema does not know in the table `value` at `section`
// ("" for the root), recursing into the sections nested in it.
void CheckKeys(const toml::value& value, const std::string& section, const std::string& path) {
  if (!value.is_table()) {
    if (section.empty()) throw ConfigError(fmt::format("config: {} is not a TOML table", path));
    throw ConfigError(fmt::format("config: [{}] must be a table", section));
  }
  for (const auto& [key, child] : value.as_table()) {
    const std::string nested = section.empty() ? key : section + "." + key;
    const bool is_section = std::any_of(std::begin(kSettings), std::end(kSettings), [&](const ConfigSetting& s) {
      return s.section == nested || s.section.starts_with(nested + ".");
    });
    if (is_section) {
      CheckKeys(child, nested, path);
      continue;
    }
    if (section.empty()) throw ConfigError(fmt::format("config: unknown section [{}] in {}", key, path));
    std::vector<std::string_view> known;
    for (const ConfigSetting& s : kSettings)
      if (s.section == section) known.push_back(s.key);
    if (std::find(known.begin(), known.end(), key) == known.end())
      throw ConfigError(
          fmt::format("config: unknown key [{}] {} in {} (known: {})", section, key, path, fmt::join(known, ", ")));
  }
}

// Applies the parsed file `root` (named `path` in messages) to `c`.
void Apply(const toml::value& root, const std::string& path, Config& c) {
  CheckKeys(root, "", path);
  for (const ConfigSetting& s : kSettings) {
    if (s.key.empty()) continue;
    const toml::value* section = FindSection(root, s.section);
    if (section && section->contains(std::string(s.key))) ReadValue(s, section->as_table().at(std::string(s.key)), c);
  }
}

// The offset of the first byte that is not part of well-formed UTF-8 (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF), or nullopt.
std::optional<size_t> InvalidUtf8At(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
    if (b < 0x80) {
      n = 0;
    } else if (b >= 0xC2 && b <= 0xDF) {
      n = 1;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 2;
      if (b == 0xE0) lo = 0xA0;  // overlong
      if (b == 0xED) hi = 0x9F;  // surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 3;
      if (b == 0xF0) lo = 0x90;  // overlong
      if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return i;
    }
    if (s.size() - i <= n) return i;
    for (size_t k = 1; k <= n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xBF)) return i;
    }
    i += n + 1;
  }
  return std::nullopt;
}

// The deepest nesting of arrays and inline tables in TOML text, outside strings
// and comments. toml11 parses them by recursion, so a few thousand '[' exhaust
// the stack (found by fuzz/config_fuzz.cpp); ParseToml refuses deep text first.
int NestingDepth(std::string_view s) {
  int depth = 0, deepest = 0;
  size_t i = 0;
  auto starts = [&](std::string_view token) { return s.substr(i, token.size()) == token; };
  while (i < s.size()) {
    const char c = s[i];
    if (c == '#') {  // a comment, to the end of the line
      i = s.find('\n', i);
      if (i == std::string_view::npos) break;
    } else if (starts("\"\"\"") || starts("'''")) {  // multi-line string; `\` escapes only in "
      const std::string_view close = s.substr(i, 3);
      for (i += 3; i < s.size() && !starts(close); ++i)
        if (close[0] == '"' && s[i] == '\\') ++i;
      i += 3;
      while (i < s.size() && s[i] == close[0]) ++i;  // up to two quotes may end the content
      continue;
    } else if (c == '"' || c == '\'') {  // one-line string
      for (++i; i < s.size() && s[i] != c && s[i] != '\n'; ++i)
        if (c == '"' && s[i] == '\\') ++i;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
    ++i;
  }
  return deepest;
}

// Parses TOML text; `name` names it in messages. A TOML document is UTF-8 by
// definition, and toml11 3.7 reads outside its buffer when it reports invalid
// UTF-8 inside a multi-line string (found by fuzz/config_fuzz.cpp), so the
// encoding is checked before toml11 sees the text.
toml::value ParseToml(const std::string& text, const std::string& name) {
  if (auto at = InvalidUtf8At(text))
    throw ConfigError(fmt::format("config: cannot read {}: not valid UTF-8 at byte {}", name, *at));
  if (NestingDepth(text) > kMaxNesting)
    throw ConfigError(
        fmt::format("config: cannot read {}: arrays or inline tables nested deeper than {}", name, kMaxNesting));
  try {
    std::istringstream in(text);
    return toml::parse(in, name);
  } catch (const std::exception& e) {
    throw ConfigError(fmt::format("config: cannot read {}: {}", name, e.what()));
  }
}

void LoadFile(const std::string& path, Config& c) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  if (!file || !(text << file.rdbuf())) throw ConfigError(fmt::format("config: cannot read {}", path));
  Apply(ParseToml(text.str(), path), path, c);
}

// The environment overrides, then the checks every setting must pass.
void Finish(const std::map<std::string, std::string>& env, Config& c) {
  for (const ConfigSetting& s : kSettings)
    if (!s.env.empty())
      if (auto it = env.find(std::string(s.env)); it != env.end()) ReadEnvironment(s, it->second, c);

  for (const ConfigSetting& s : kSettings) {
    if (s.min != s.max) {
      const int64_t n = *s.Number(c);
      if (n < s.min || n > s.max)
        throw ConfigError(fmt::format("config: {} must be {}..{}{} (got {})", s.Name(), s.min, s.max,
                                      s.named_timeouts ? " seconds" : "", n));
    }
    if (s.check)
      if (std::string problem = s.check(s, c); !problem.empty()) throw ConfigError("config: " + problem);
  }

  // What no one setting can say alone.
  auto cache_url = ParseCacheUrl(c.cache_url);  // checked above
  if (!cache_url->tls &&
      !(c.cache_tls_ca_file.empty() && c.cache_tls_cert_file.empty() && c.cache_tls_key_file.empty()))
    throw ConfigError(
        "config: ROTA_CACHE_TLS_CA_FILE/CERT_FILE/KEY_FILE ([cache] tls_*) are set but ROTA_CACHE_URL "
        "is not rediss:// or rediss+sentinel://, so they would not be used");
  if (c.cache_tls_cert_file.empty() != c.cache_tls_key_file.empty())
    throw ConfigError(
        "config: ROTA_CACHE_TLS_CERT_FILE and ROTA_CACHE_TLS_KEY_FILE ([cache] tls_cert_file, "
        "tls_key_file) go together");
  if (!c.cache_sentinel_password.empty() && cache_url->kind != CacheUrl::Kind::kSentinel)
    throw ConfigError("config: ROTA_CACHE_SENTINEL_PASSWORD is set but ROTA_CACHE_URL is not redis+sentinel://");
}

// A Markdown table cell: `text` with nothing that would end the cell.
std::string Cell(std::string_view text) {
  std::string out;
  for (char ch : text) {
    if (ch == '|') out += '\\';
    out += ch == '\n' ? ' ' : ch;
  }
  return out;
}

}  // namespace

std::map<std::string, std::chrono::seconds> Config::CacheAliases() const {
  std::map<std::string, std::chrono::seconds> aliases;
  for (const ConfigSetting& s : kSettings)
    if (s.section == "cache.aliases") aliases.emplace(s.key, std::chrono::seconds(*s.Number(*this)));
  return aliases;
}

std::string ConfigSetting::Name() const {
  if (key.empty()) return std::string(env);
  if (env.empty()) return FileName(*this);
  return fmt::format("{} / {}", env, FileName(*this));
}

std::optional<int64_t> ConfigSetting::Number(const Config& c) const {
  return std::visit(
      [&](auto f) -> std::optional<int64_t> {
        using T = typename MemberOf<decltype(f)>::type;
        if constexpr (kIsDuration<T>)
          return static_cast<int64_t>((c.*f).count());
        else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>)
          return static_cast<int64_t>(c.*f);
        else
          return std::nullopt;
      },
      field);
}

std::span<const ConfigSetting> ConfigSchema() { return kSettings; }

std::string ConfigMarkdownTable() {
  const Config defaults;
  std::string out =
      "| setting | type | default | range | environment | meaning |\n"
      "| --- | --- | --- | --- | --- | --- |\n";
  for (const ConfigSetting& s : kSettings) {
    const std::string type = std::visit(
        [&](auto f) -> std::string {
          using T = typename MemberOf<decltype(f)>::type;
          if constexpr (std::is_same_v<T, std::string>)
            return "string";
          else if constexpr (std::is_same_v<T, bool>)
            return "boolean";
          else if constexpr (std::is_same_v<T, milliseconds>)
            return "milliseconds";
          else if constexpr (std::is_same_v<T, seconds>)
            return "seconds";
          else if constexpr (std::is_same_v<T, hours>)
            return "hours";
          else if constexpr (std::is_integral_v<T>)
            return "integer";
          else
            return "date";
        },
        s.field);
    std::string value = std::string(s.default_text);
    if (value.empty()) {
      value = std::visit(
          [&](auto f) -> std::string {
            using T = typename MemberOf<decltype(f)>::type;
            if constexpr (std::is_same_v<T, std::string>)
              return fmt::format("`{}`", defaults.*f);
            else if constexpr (std::is_same_v<T, bool>)
              return defaults.*f ? "`true`" : "`false`";
            else if constexpr (std::is_same_v<T, std::optional<Date>>)
              return "";
            else
              return fmt::format("`{}`", *s.Number(defaults));
          },
          s.field);
    }
    const std::string setting = s.key.empty() ? "" : fmt::format("`{}`", FileName(s));
    const std::string range = s.min != s.max ? fmt::format("{}..{}", s.min, s.max) : "";
    const std::string env = s.env.empty() ? "" : fmt::format("`{}`", s.env);
    out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", Cell(setting), type, Cell(value), range, env,
                       Cell(s.description));
  }
  return out;
}

Config Config::Load(const std::string& path, const std::map<std::string, std::string>& env) {
  Config c;
  if (!path.empty()) {
    if (!std::filesystem::exists(path)) throw ConfigError(fmt::format("config: {} does not exist", path));
    LoadFile(path, c);
  } else if (std::filesystem::exists("rota.toml")) {
    LoadFile("rota.toml", c);
  }
  Finish(env, c);
  return c;
}

Config Config::FromToml(std::string_view text, const std::string& name, const std::map<std::string, std::string>& env) {
  Config c;
  Apply(ParseToml(std::string(text), name), name, c);
  Finish(env, c);
  return c;
}

std::map<std::string, std::string> Config::ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string_view::npos && kv.substr(0, 5) == "ROTA_")
      env.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return env;
}

}  // namespace rota
