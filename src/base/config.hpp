// Configuration: an optional TOML file overridden by ROTA_* environment variables.
//
// Every setting is one row of the schema, kSettings in config.cpp: its section
// and key, where Config keeps it, its environment variable, its range and its
// description. Reading the file, reading the environment, the checks `rota
// check` runs and the README's configuration table (`rota config --markdown`;
// ctest config_docs fails when the README differs) all come from that table,
// so a setting is added in two places: the member below and its row.
//
// Durations are std::chrono types here; in the file they stay integers in the
// unit their key names (`read_timeout_ms = 30000`, api.md's contract).
//
// A bad value or an unknown key stops start-up with a ConfigError naming the
// setting; nothing falls back silently. Exceptions are used here only, at start-up.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include "base/date.hpp"

namespace rota {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The defaults are the initialisers below; the schema's table prints them.
struct Config {
  // [server]
  std::string host = "127.0.0.1";
  int port = 8000;
  int threads = 4;
  long body_limit = 1 << 20;
  std::chrono::milliseconds read_timeout{30000};
  std::string metrics_token;  // empty: none (GET /metrics for administrators only)
  std::chrono::milliseconds header_timeout{5000};
  int max_connections = 10000;
  std::string trusted_proxies;  // CIDR list (base/cidr.hpp); empty: trust no proxy

  // [database]
  std::string database_url = "sqlite://rota.db";
  int pool_size = 0;  // 0: threads + 2
  std::chrono::milliseconds pool_wait{5000};
  bool prepared_statements = true;

  // [cache]
  std::string cache_url = "memory://";
  long cache_max_entries = 1000;
  long cache_max_bytes = 64L << 20;
  long cache_max_entries_per_home = 0;    // 0: cache_max_entries / 8 (cache::EntriesPerHome)
  long cache_max_entries_per_prefix = 0;  // 0: half the home's share (cache::EntriesPerPrefix)
  std::string cache_key_prefix = "rota";
  int cache_pool_size = 50;
  std::chrono::milliseconds cache_timeout{5000};
  std::chrono::milliseconds cache_retry_after{1000};
  bool cache_warm_on_start = false;
  bool cache_refresh_after_write = false;  // off: the read after a write reports MISS (see README)
  bool cache_near = true;                  // redis:// only (memory:// is in process already)
  long cache_near_max_entries = 1000;
  std::chrono::milliseconds cache_near_ttl{5000};
  std::chrono::milliseconds cache_near_ack_timeout{200};
  std::string cache_tls_ca_file;    // rediss://: CAs of the server's certificate; empty: the system's
  std::string cache_tls_cert_file;  // rediss://: a client certificate (with cache_tls_key_file)
  std::string cache_tls_key_file;
  std::string cache_sentinel_password;  // redis+sentinel://: the sentinels' own password (env only)

  // [cache.aliases]: the original design's CACHES, timeouts over one cache.
  std::chrono::seconds alias_default{300};
  std::chrono::seconds alias_dashboard{300};
  std::chrono::seconds alias_template_fragments{900};
  std::chrono::seconds alias_static_data{3600};  // accepted and exported; no read uses it
  // Each alias and its timeout, in the schema's order (the metrics export them).
  std::map<std::string, std::chrono::seconds> CacheAliases() const;
  // REQUIRES: `alias` is one of CacheAliases()'s.
  std::chrono::seconds AliasTimeout(const std::string& alias) const { return CacheAliases().at(alias); }

  // [auth]
  std::chrono::hours session_lifetime{12};
  bool secure_cookies = false;
  int login_failures_per_username = 5;
  int login_failures_per_address = 20;
  std::chrono::seconds login_window{900};
  int login_successes_per_address = 100;
  int hash_threads = 1;
  int hash_queue = 32;

  // [log]
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
  static Config FromToml(std::string_view text, const std::string& name, const std::map<std::string, std::string>& env);
  static std::map<std::string, std::string> ProcessEnvironment();
};

// One row of the schema.
struct ConfigSetting {
  // Where Config keeps the value. Integers and durations are written as TOML
  // integers (durations in their key's unit); a Date only comes from the environment.
  using Field = std::variant<std::string Config::*, bool Config::*, int Config::*, long Config::*,
                             std::chrono::milliseconds Config::*, std::chrono::seconds Config::*,
                             std::chrono::hours Config::*, std::optional<Date> Config::*>;

  std::string_view section;  // "server", "cache.aliases"; empty: environment only
  std::string_view key;      // the TOML key; empty: environment only
  Field field;
  std::string_view env;  // the variable that overrides the file; empty: none
  // Integers and durations, in the key's unit: the values accepted (min == max: any that fits).
  int64_t min = 0, max = 0;
  std::string_view default_text;  // for the table when the default is not simply the value ("threads + 2")
  std::string_view description;   // Markdown: the README's "meaning" column
  // Further checks of the final value (a URL, a character set): empty, or the
  // message after "config: ", naming the setting.
  std::string (*check)(const ConfigSetting&, const Config&) = nullptr;
  bool named_timeouts = false;  // [cache.aliases]: seconds or short|medium|long|day

  // How messages name it: "ROTA_X / [section] key", "[section] key" or "ROTA_X".
  std::string Name() const;
  // The value in `c` as a number, in the key's unit; nullopt for strings, booleans and dates.
  std::optional<int64_t> Number(const Config& c) const;
};

// Every setting, in the order of the README's table.
std::span<const ConfigSetting> ConfigSchema();

// The README's configuration table (GitHub Markdown), made from ConfigSchema().
std::string ConfigMarkdownTable();

}  // namespace rota
