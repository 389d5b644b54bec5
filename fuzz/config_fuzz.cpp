// Fuzz target: bytes as a rota.toml -> Config::FromToml (src/base/config.hpp).
//
// Invariants: any input gives a Config or a ConfigError; any other exception
// escapes and libFuzzer reports it, as it does a crash. A Config that loads
// holds exactly the integers the file wrote for the settings it set (nothing
// narrowed or wrapped), and passes the checks Load promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include <toml.hpp>

#include "base/config.hpp"

namespace {

// An integer setting and where Config keeps it.
struct IntSetting {
  const char* section;
  const char* key;
  long (*get)(const rota::Config&);
};

const IntSetting kIntSettings[] = {
    {"server", "port", [](const rota::Config& c) -> long { return c.port; }},
    {"server", "threads", [](const rota::Config& c) -> long { return c.threads; }},
    {"server", "body_limit", [](const rota::Config& c) -> long { return c.body_limit; }},
    {"server", "read_timeout_ms", [](const rota::Config& c) -> long { return c.read_timeout_ms; }},
    {"database", "pool_size", [](const rota::Config& c) -> long { return c.pool_size; }},
    {"database", "pool_wait_ms", [](const rota::Config& c) -> long { return c.pool_wait_ms; }},
    {"cache", "max_entries", [](const rota::Config& c) -> long { return c.cache_max_entries; }},
    {"cache", "max_bytes", [](const rota::Config& c) -> long { return c.cache_max_bytes; }},
    {"cache", "pool_size", [](const rota::Config& c) -> long { return c.cache_pool_size; }},
    {"cache", "timeout_ms", [](const rota::Config& c) -> long { return c.cache_timeout_ms; }},
    {"cache", "near_max_entries", [](const rota::Config& c) -> long { return c.cache_near_max_entries; }},
    {"cache", "near_ttl_ms", [](const rota::Config& c) -> long { return c.cache_near_ttl_ms; }},
    {"cache", "near_ack_timeout_ms", [](const rota::Config& c) -> long { return c.cache_near_ack_timeout_ms; }},
    {"auth", "session_hours", [](const rota::Config& c) -> long { return c.session_hours; }},
    {"auth", "login_failures_per_username", [](const rota::Config& c) -> long { return c.login_failures_per_username; }},
    {"auth", "login_failures_per_address", [](const rota::Config& c) -> long { return c.login_failures_per_address; }},
    {"auth", "login_window_seconds", [](const rota::Config& c) -> long { return c.login_window_seconds; }},
};

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "config_fuzz: invariant failed: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  rota::Config c;
  try {
    c = rota::Config::FromToml(text, "fuzz.toml", {});
  } catch (const rota::ConfigError&) {
    return 0;  // the promised outcome for a bad file
  }
  // Loaded: the file parses, and every integer it set is the setting's value.
  std::istringstream in{std::string(text)};
  const toml::value root = toml::parse(in, "fuzz.toml");
  for (const IntSetting& s : kIntSettings) {
    if (!root.contains(s.section)) continue;
    const toml::value& section = toml::find(root, s.section);
    if (!section.contains(s.key)) continue;
    Check(toml::find<int64_t>(section, s.key) == s.get(c), "an integer setting differs from the file's value");
  }
  Check(c.port >= 0 && c.port <= 65535, "port in range");
  Check(c.threads >= 1 && c.EffectivePoolSize() >= 1, "threads and pool size positive");
  for (const auto& [alias, seconds] : c.cache_aliases) Check(seconds >= 1 && seconds <= 30L * 86400, "alias timeout");
  Check(c.cache_aliases.size() == 4, "exactly the four known aliases");
  return 0;
}
