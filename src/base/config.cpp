#include "base/config.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <type_traits>

#include <fmt/format.h>
#include <toml.hpp>

#include "base/cidr.hpp"
#include "base/url.hpp"

extern char** environ;

namespace rota {
namespace {

// The keys each section accepts; anything else is a typo to report.
const std::map<std::string, std::set<std::string>> kKeys = {
    {"server", {"host", "port", "threads", "body_limit", "read_timeout_ms", "metrics_token", "header_timeout_ms",
                "max_connections", "trusted_proxies"}},
    {"database", {"url", "pool_size", "pool_wait_ms", "prepared_statements"}},
    {"cache", {"url", "max_entries", "max_bytes", "key_prefix", "pool_size", "timeout_ms", "warm_on_start", "aliases",
               "near", "near_max_entries", "near_ttl_ms", "near_ack_timeout_ms", "tls_ca_file", "tls_cert_file",
               "tls_key_file"}},
    {"auth", {"session_hours", "secure_cookies", "login_failures_per_username", "login_failures_per_address",
              "login_successes_per_address", "hash_threads", "hash_queue",
              "login_window_seconds"}},
    {"log", {"level"}},
};

// Arrays and inline tables nested deeper than this are refused (rota.toml needs 2).
constexpr int kMaxNesting = 32;

const std::set<std::string> kLogLevels = {"trace", "debug", "info", "warn", "error", "off"};

template <class T>
void Read(const toml::value& section, const std::string& sec, const std::string& key, T& out) {
  if (!section.contains(key)) return;
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // A TOML integer is 64-bit; toml11 would narrow it to T without a word
    // (port = 4294975296 read as 8000), so the range is checked here.
    int64_t value = 0;
    try {
      value = toml::find<int64_t>(section, key);
    } catch (const std::exception&) {
      throw ConfigError(fmt::format("config: [{}] {} has the wrong type", sec, key));
    }
    if (value < std::numeric_limits<T>::min() || value > std::numeric_limits<T>::max())
      throw ConfigError(fmt::format("config: [{}] {} is out of range (got {})", sec, key, value));
    out = static_cast<T>(value);
  } else {
    try {
      out = toml::find<T>(section, key);
    } catch (const std::exception&) {
      throw ConfigError(fmt::format("config: [{}] {} has the wrong type", sec, key));
    }
  }
}

void Range(long value, long lo, long hi, const std::string& name) {
  if (value < lo || value > hi) throw ConfigError(fmt::format("config: {} must be {}..{} (got {})", name, lo, hi, value));
}

void CheckUrl(const std::string& url, const std::string& name, std::initializer_list<const char*> schemes) {
  for (const char* s : schemes)
    if (url.rfind(s, 0) == 0 && url.size() > std::string_view(s).size()) return;
  if (url == "memory://") return;
  throw ConfigError(fmt::format("config: {} '{}' is not a supported URL", name, RedactUrl(url)));
}

// The original design's named timeouts.
const std::map<std::string, long> kNamedTimeouts = {{"short", 300}, {"medium", 900}, {"long", 3600}, {"day", 86400}};

void ReadAliases(const toml::value& aliases, Config& c) {
  if (!aliases.is_table()) throw ConfigError("config: [cache.aliases] must be a table");
  for (const auto& [name, value] : aliases.as_table()) {
    if (!c.cache_aliases.count(name))
      throw ConfigError(fmt::format("config: unknown cache alias [cache.aliases] {} (known: default, dashboard, "
                                    "template_fragments, static_data)",
                                    name));
    long seconds = 0;
    if (value.is_integer()) {
      seconds = static_cast<long>(value.as_integer());
    } else if (value.is_string() && kNamedTimeouts.count(value.as_string().str)) {
      seconds = kNamedTimeouts.at(value.as_string().str);
    } else {
      throw ConfigError(fmt::format("config: [cache.aliases] {} must be seconds or short|medium|long|day", name));
    }
    if (seconds < 1 || seconds > 30L * 86400)
      throw ConfigError(fmt::format("config: [cache.aliases] {} must be 1..2592000 seconds", name));
    c.cache_aliases[name] = seconds;
  }
}

// Applies the parsed file `root` (named `path` in messages) to `c`.
void Apply(const toml::value& root, const std::string& path, Config& c) {
  if (!root.is_table()) throw ConfigError(fmt::format("config: {} is not a TOML table", path));
  for (const auto& [sec, value] : root.as_table()) {
    auto known = kKeys.find(sec);
    if (known == kKeys.end()) throw ConfigError(fmt::format("config: unknown section [{}] in {}", sec, path));
    if (!value.is_table()) throw ConfigError(fmt::format("config: [{}] must be a table", sec));
    for (const auto& [key, _] : value.as_table())
      if (!known->second.count(key)) throw ConfigError(fmt::format("config: unknown key [{}] {} in {}", sec, key, path));
  }
  auto section = [&](const char* name) { return root.contains(name) ? toml::find(root, name) : toml::value(); };
  auto server = section("server");
  if (server.is_table()) {
    Read(server, "server", "host", c.host);
    Read(server, "server", "port", c.port);
    Read(server, "server", "threads", c.threads);
    Read(server, "server", "body_limit", c.body_limit);
    Read(server, "server", "read_timeout_ms", c.read_timeout_ms);
    Read(server, "server", "metrics_token", c.metrics_token);
    Read(server, "server", "header_timeout_ms", c.header_timeout_ms);
    Read(server, "server", "max_connections", c.max_connections);
    Read(server, "server", "trusted_proxies", c.trusted_proxies);
  }
  auto db = section("database");
  if (db.is_table()) {
    Read(db, "database", "url", c.database_url);
    Read(db, "database", "pool_size", c.pool_size);
    Read(db, "database", "pool_wait_ms", c.pool_wait_ms);
    Read(db, "database", "prepared_statements", c.prepared_statements);
  }
  auto cache = section("cache");
  if (cache.is_table()) {
    Read(cache, "cache", "url", c.cache_url);
    Read(cache, "cache", "max_entries", c.cache_max_entries);
    Read(cache, "cache", "max_bytes", c.cache_max_bytes);
    Read(cache, "cache", "key_prefix", c.cache_key_prefix);
    Read(cache, "cache", "pool_size", c.cache_pool_size);
    Read(cache, "cache", "timeout_ms", c.cache_timeout_ms);
    Read(cache, "cache", "warm_on_start", c.cache_warm_on_start);
    Read(cache, "cache", "near", c.cache_near);
    Read(cache, "cache", "near_max_entries", c.cache_near_max_entries);
    Read(cache, "cache", "near_ttl_ms", c.cache_near_ttl_ms);
    Read(cache, "cache", "near_ack_timeout_ms", c.cache_near_ack_timeout_ms);
    Read(cache, "cache", "tls_ca_file", c.cache_tls_ca_file);
    Read(cache, "cache", "tls_cert_file", c.cache_tls_cert_file);
    Read(cache, "cache", "tls_key_file", c.cache_tls_key_file);
    if (cache.contains("aliases")) ReadAliases(toml::find(cache, "aliases"), c);
  }
  auto auth = section("auth");
  if (auth.is_table()) {
    Read(auth, "auth", "session_hours", c.session_hours);
    Read(auth, "auth", "secure_cookies", c.secure_cookies);
    Read(auth, "auth", "login_failures_per_username", c.login_failures_per_username);
    Read(auth, "auth", "login_failures_per_address", c.login_failures_per_address);
    Read(auth, "auth", "login_successes_per_address", c.login_successes_per_address);
    Read(auth, "auth", "hash_threads", c.hash_threads);
    Read(auth, "auth", "hash_queue", c.hash_queue);
    Read(auth, "auth", "login_window_seconds", c.login_window_seconds);
  }
  auto log = section("log");
  if (log.is_table()) Read(log, "log", "level", c.log_level);
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
    throw ConfigError(fmt::format("config: cannot read {}: arrays or inline tables nested deeper than {}", name,
                                  kMaxNesting));
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
  auto get = [&](const char* k) -> std::optional<std::string> {
    auto it = env.find(k);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  if (auto v = get("ROTA_DATABASE_URL")) c.database_url = *v;
  if (auto v = get("ROTA_CACHE_URL")) c.cache_url = *v;
  if (auto v = get("ROTA_CACHE_TLS_CA_FILE")) c.cache_tls_ca_file = *v;
  if (auto v = get("ROTA_CACHE_TLS_CERT_FILE")) c.cache_tls_cert_file = *v;
  if (auto v = get("ROTA_CACHE_TLS_KEY_FILE")) c.cache_tls_key_file = *v;
  if (auto v = get("ROTA_CACHE_SENTINEL_PASSWORD")) c.cache_sentinel_password = *v;
  auto get_bool = [&](const char* k, bool& out) {
    auto v = get(k);
    if (!v) return;
    if (*v == "1" || *v == "true") out = true;
    else if (*v == "0" || *v == "false") out = false;
    else throw ConfigError(fmt::format("config: {} '{}' must be true or false", k, *v));
  };
  get_bool("ROTA_CACHE_NEAR", c.cache_near);
  get_bool("ROTA_DATABASE_PREPARED_STATEMENTS", c.prepared_statements);
  if (auto v = get("ROTA_LOG_LEVEL")) c.log_level = *v;
  if (auto v = get("ROTA_METRICS_TOKEN")) c.metrics_token = *v;
  if (auto v = get("ROTA_TRUSTED_PROXIES")) c.trusted_proxies = *v;
  if (auto v = get("ROTA_MAX_CONNECTIONS")) {
    int n = 0;
    auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (v->empty() || ec != std::errc() || end != v->data() + v->size())
      throw ConfigError(fmt::format("config: ROTA_MAX_CONNECTIONS '{}' is not a whole number", *v));
    c.max_connections = n;
  }
  if (auto v = get("ROTA_TODAY")) {
    auto d = Date::Parse(*v);
    if (!d) throw ConfigError(fmt::format("config: ROTA_TODAY '{}' is not a date YYYY-MM-DD", *v));
    c.today = d;
  }

  Range(c.port, 0, 65535, "[server] port");
  Range(c.threads, 1, 256, "[server] threads");
  Range(c.body_limit, 1, 64L << 20, "[server] body_limit");
  Range(c.read_timeout_ms, 10, 3600000, "[server] read_timeout_ms");
  Range(c.header_timeout_ms, 10, 3600000, "[server] header_timeout_ms");
  Range(c.max_connections, 1, 1'000'000, "ROTA_MAX_CONNECTIONS / [server] max_connections");
  Range(c.login_successes_per_address, 1, 1'000'000, "[auth] login_successes_per_address");
  Range(c.hash_threads, 1, 64, "[auth] hash_threads");
  Range(c.hash_queue, 1, 100000, "[auth] hash_queue");
  if (auto proxies = CidrSet::Parse(c.trusted_proxies); !proxies)
    throw ConfigError("config: ROTA_TRUSTED_PROXIES / [server] trusted_proxies: " + proxies.error().message);
  Range(c.pool_size, 0, 1000, "[database] pool_size");
  Range(c.pool_wait_ms, 1, 600000, "[database] pool_wait_ms");
  Range(c.session_hours, 1, 24 * 365, "[auth] session_hours");
  Range(c.login_failures_per_username, 1, 1'000'000, "[auth] login_failures_per_username");
  Range(c.login_failures_per_address, 1, 1'000'000, "[auth] login_failures_per_address");
  Range(c.login_window_seconds, 1, 86'400, "[auth] login_window_seconds");
  Range(c.cache_max_entries, 1, 100000000, "[cache] max_entries");
  Range(c.cache_max_bytes, 1, 1L << 40, "[cache] max_bytes");
  Range(c.cache_pool_size, 1, 10000, "[cache] pool_size");
  Range(c.cache_timeout_ms, 1, 600000, "[cache] timeout_ms");
  Range(c.cache_near_max_entries, 1, 10000000, "[cache] near_max_entries");
  Range(c.cache_near_ttl_ms, 1, 3600000, "[cache] near_ttl_ms");
  Range(c.cache_near_ack_timeout_ms, 1, 60000, "[cache] near_ack_timeout_ms");
  if (c.cache_key_prefix.empty() || c.cache_key_prefix.size() > 64 ||
      c.cache_key_prefix.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") !=
          std::string::npos)
    throw ConfigError("config: [cache] key_prefix must be 1..64 characters of [A-Za-z0-9_.-]");
  CheckUrl(c.database_url, "ROTA_DATABASE_URL / [database] url", {"sqlite://", "postgresql://"});
  auto cache_url = ParseCacheUrl(c.cache_url);
  if (!cache_url) throw ConfigError("config: " + cache_url.error().message);
  if (c.cache_near && !cache_url->IsRedis())
    throw ConfigError("config: [cache] near = true needs a redis:// cache URL (memory:// is already in process)");
  if (!cache_url->tls && !(c.cache_tls_ca_file.empty() && c.cache_tls_cert_file.empty() && c.cache_tls_key_file.empty()))
    throw ConfigError("config: ROTA_CACHE_TLS_CA_FILE/CERT_FILE/KEY_FILE ([cache] tls_*) are set but ROTA_CACHE_URL "
                      "is not rediss:// or rediss+sentinel://, so they would not be used");
  if (c.cache_tls_cert_file.empty() != c.cache_tls_key_file.empty())
    throw ConfigError("config: ROTA_CACHE_TLS_CERT_FILE and ROTA_CACHE_TLS_KEY_FILE ([cache] tls_cert_file, "
                      "tls_key_file) go together");
  for (const auto& [file, name] : {std::pair{&c.cache_tls_ca_file, "ROTA_CACHE_TLS_CA_FILE / [cache] tls_ca_file"},
                                   std::pair{&c.cache_tls_cert_file, "ROTA_CACHE_TLS_CERT_FILE / [cache] tls_cert_file"},
                                   std::pair{&c.cache_tls_key_file, "ROTA_CACHE_TLS_KEY_FILE / [cache] tls_key_file"}})
    if (!file->empty() && !std::filesystem::is_regular_file(*file))
      throw ConfigError(fmt::format("config: {} '{}' is not a readable file", name, *file));
  if (!c.cache_sentinel_password.empty() && cache_url->kind != CacheUrl::Kind::kSentinel)
    throw ConfigError("config: ROTA_CACHE_SENTINEL_PASSWORD is set but ROTA_CACHE_URL is not redis+sentinel://");
  // It travels in an Authorization header and guards the metrics: printable,
  // no spaces, and not trivially guessable.
  if (!c.metrics_token.empty() &&
      (c.metrics_token.size() < 16 || c.metrics_token.size() > 1024 ||
       std::any_of(c.metrics_token.begin(), c.metrics_token.end(), [](char ch) { return ch <= ' ' || ch > '~'; })))
    throw ConfigError(
        "config: ROTA_METRICS_TOKEN / [server] metrics_token must be empty or 16..1024 visible ASCII characters "
        "(no spaces)");
  if (!kLogLevels.count(c.log_level))
    throw ConfigError(fmt::format("config: ROTA_LOG_LEVEL / [log] level '{}' is not one of trace, debug, info, "
                                  "warn, error, off",
                                  c.log_level));
}

}  // namespace

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

Config Config::FromToml(std::string_view text, const std::string& name,
                        const std::map<std::string, std::string>& env) {
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
