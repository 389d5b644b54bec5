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
  // Every number the schema knows (integers and durations, in the key's unit).
  for (const rota::ConfigSetting& s : rota::ConfigSchema()) {
    if (s.key.empty() || !s.Number(c)) continue;
    const toml::value* section = &root;
    for (std::string_view rest = s.section; section && !rest.empty();) {
      const std::string part(rest.substr(0, rest.find('.')));
      section = section->contains(part) ? &section->as_table().at(part) : nullptr;
      rest = rest.find('.') == std::string_view::npos ? std::string_view() : rest.substr(rest.find('.') + 1);
    }
    if (!section || !section->contains(std::string(s.key))) continue;
    const toml::value& value = section->as_table().at(std::string(s.key));
    if (value.is_integer()) Check(value.as_integer() == *s.Number(c), "a number setting differs from the file's value");
    if (s.min != s.max) Check(*s.Number(c) >= s.min && *s.Number(c) <= s.max, "a number setting outside its range");
  }
  Check(c.port >= 0 && c.port <= 65535, "port in range");
  Check(c.threads >= 1 && c.EffectivePoolSize() >= 1, "threads and pool size positive");
  for (const auto& [alias, ttl] : c.CacheAliases())
    Check(ttl.count() >= 1 && ttl.count() <= 30L * 86400, "alias timeout");
  Check(c.CacheAliases().size() == 4, "exactly the four known aliases");
  return 0;
}
