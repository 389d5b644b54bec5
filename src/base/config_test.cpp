#include "base/config.hpp"

#include <algorithm>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "support/support.hpp"

namespace rota {
namespace {

using namespace std::chrono_literals;

std::string Write(const testing::TempDir& dir, const std::string& text) {
  std::string path = dir.File("rota.toml");
  std::ofstream(path) << text;
  return path;
}

TEST(Config, DefaultsAreTheEmbeddedSetup) {
  Config c = Config::Load("", {});
  EXPECT_EQ(c.database_url, "sqlite://rota.db");
  EXPECT_EQ(c.cache_url, "memory://");
  EXPECT_EQ(c.port, 8000);
  EXPECT_EQ(c.EffectivePoolSize(), c.threads + 2);
  EXPECT_FALSE(c.today.has_value());
}

TEST(Config, FileIsOverriddenByEnvironment) {
  testing::TempDir dir;
  auto path = Write(dir, "[server]\nport = 9001\nthreads = 2\n[database]\nurl = \"sqlite://a.db\"\n");
  Config c = Config::Load(path, {{"ROTA_DATABASE_URL", "sqlite://b.db"}, {"ROTA_TODAY", "2026-11-28"}});
  EXPECT_EQ(c.port, 9001);
  EXPECT_EQ(c.threads, 2);
  EXPECT_EQ(c.database_url, "sqlite://b.db");
  ASSERT_TRUE(c.today);
  EXPECT_EQ(c.today->ToString(), "2026-11-28");
}

void ExpectRejected(const std::string& toml, const std::map<std::string, std::string>& env, const std::string& names) {
  testing::TempDir dir;
  auto path = toml.empty() ? std::string() : Write(dir, toml);
  try {
    Config::Load(path, env);
    ADD_FAILURE() << "accepted: " << toml;
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find(names), std::string::npos) << e.what();
  }
}

TEST(Config, BadValuesStopStartUpNamingTheSetting) {
  ExpectRejected("", {{"ROTA_TODAY", "2026-02-30"}}, "ROTA_TODAY");
  ExpectRejected("", {{"ROTA_DATABASE_URL", "mysql://x"}}, "ROTA_DATABASE_URL");
  ExpectRejected("", {{"ROTA_CACHE_URL", "memcached://x"}}, "ROTA_CACHE_URL");
  ExpectRejected("", {{"ROTA_LOG_LEVEL", "loud"}}, "ROTA_LOG_LEVEL");
  ExpectRejected("[server]\nport = 70000\n", {}, "[server] port");
  ExpectRejected("[server]\nport = \"eighty\"\n", {}, "[server] port");
  ExpectRejected("[server]\nthreads = 0\n", {}, "[server] threads");
  ExpectRejected("", {{"ROTA_CACHE_NEAR", "yes"}}, "ROTA_CACHE_NEAR");
  ExpectRejected("", {{"ROTA_DATABASE_PREPARED_STATEMENTS", "off"}}, "ROTA_DATABASE_PREPARED_STATEMENTS");
}

TEST(Config, BooleanEnvironmentVariablesTakeTrueFalseOneOrZero) {
  EXPECT_TRUE(Config::Load("", {}).prepared_statements);
  EXPECT_FALSE(Config::Load("", {{"ROTA_DATABASE_PREPARED_STATEMENTS", "false"}}).prepared_statements);
  EXPECT_FALSE(Config::Load("", {{"ROTA_DATABASE_PREPARED_STATEMENTS", "0"}}).prepared_statements);
  EXPECT_TRUE(Config::Load("", {{"ROTA_DATABASE_PREPARED_STATEMENTS", "1"}}).prepared_statements);
  EXPECT_TRUE(Config::Load("", {{"ROTA_CACHE_URL", "redis://127.0.0.1:6379"}, {"ROTA_CACHE_NEAR", "true"}}).cache_near);
}

TEST(Config, ProductionCacheUrlsAndTheirSettings) {
  auto c = Config::FromToml("", "t.toml",
                            {{"ROTA_CACHE_URL", "redis+sentinel://u:p%40ss@s1:26379,s2:26379/mymaster/1"},
                             {"ROTA_CACHE_SENTINEL_PASSWORD", "sentinel-pw"}});
  EXPECT_EQ(c.cache_sentinel_password, "sentinel-pw");
  EXPECT_NO_THROW(Config::FromToml("[cache]\nurl = \"rediss://:pw@cache.example:6380\"\n", "t.toml", {}));
  // A password never appears in the message about a malformed URL.
  try {
    Config::FromToml("", "t.toml", {{"ROTA_CACHE_URL", "redis://u:topsecret@h:notaport"}});
    ADD_FAILURE() << "a malformed URL was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("ROTA_CACHE_URL"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("topsecret"), std::string::npos) << e.what();
  }
  ExpectRejected("", {{"ROTA_CACHE_URL", "redis://h"}, {"ROTA_CACHE_TLS_CA_FILE", "/etc/hostname"}}, "not rediss://");
  ExpectRejected("", {{"ROTA_CACHE_URL", "rediss://h"}, {"ROTA_CACHE_TLS_CA_FILE", "/no/such/ca.pem"}},
                 "ROTA_CACHE_TLS_CA_FILE");
  ExpectRejected("", {{"ROTA_CACHE_URL", "rediss://h"}, {"ROTA_CACHE_TLS_CERT_FILE", "/etc/hostname"}},
                 "ROTA_CACHE_TLS_KEY_FILE");
  ExpectRejected("", {{"ROTA_CACHE_URL", "redis://h"}, {"ROTA_CACHE_SENTINEL_PASSWORD", "x"}},
                 "ROTA_CACHE_SENTINEL_PASSWORD");
}

TEST(Config, MaxEntriesPerHomeAndPerPrefixDefaultToZeroMeaningAShareOfMaxEntries) {
  testing::TempDir dir;
  EXPECT_EQ(Config::Load(Write(dir, "[cache]\nmax_entries = 50\n"), {}).cache_max_entries_per_home, 0);
  EXPECT_EQ(Config::Load(Write(dir, "[cache]\nmax_entries_per_home = 7\n"), {}).cache_max_entries_per_home, 7);
  ExpectRejected("[cache]\nmax_entries_per_home = -1\n", {}, "max_entries_per_home");
  EXPECT_EQ(Config::Load(Write(dir, "[cache]\nmax_entries = 50\n"), {}).cache_max_entries_per_prefix, 0);
  EXPECT_EQ(Config::Load(Write(dir, "[cache]\nmax_entries_per_prefix = 9\n"), {}).cache_max_entries_per_prefix, 9);
  ExpectRejected("[cache]\nmax_entries_per_prefix = -1\n", {}, "max_entries_per_prefix");
}

TEST(Config, CacheAliasesTakeSecondsOrNamedTimeouts) {
  testing::TempDir dir;
  auto path = Write(dir, "[cache]\nmax_entries = 50\n[cache.aliases]\ndashboard = 120\nstatic_data = \"day\"\n");
  Config c = Config::Load(path, {});
  EXPECT_EQ(c.cache_max_entries, 50);
  EXPECT_EQ(c.AliasTimeout("dashboard"), 120s);
  EXPECT_EQ(c.AliasTimeout("static_data"), 86400s);  // accepted and exported, though no read uses it
  EXPECT_EQ(c.AliasTimeout("template_fragments"), 900s);
  EXPECT_EQ(c.AliasTimeout("default"), 300s);
  ExpectRejected("[cache.aliases]\nfragments = 10\n", {}, "fragments");
  ExpectRejected("[cache.aliases]\ndashboard = \"forever\"\n", {}, "dashboard");
  ExpectRejected("[cache.aliases]\ndashboard = 0\n", {}, "dashboard");
  ExpectRejected("[cache]\nkey_prefix = \"a b\"\n", {}, "key_prefix");
}

// toml11 narrowed 64-bit integers to int silently, so 2^32 + 8000 was read as
// port 8000 and accepted (fuzz/config_fuzz.cpp checks every integer setting).
TEST(Config, IntegersThatDoNotFitTheSettingAreRejectedNotWrapped) {
  ExpectRejected("[server]\nport = 4294975296\n", {}, "[server] port");
  ExpectRejected("[server]\nthreads = 4294967297\n", {}, "[server] threads");
  ExpectRejected("[auth]\nsession_hours = -4294967284\n", {}, "[auth] session_hours");
  ExpectRejected("[cache]\ntimeout_ms = 9223372036854775807\n", {}, "[cache] timeout_ms");
}

TEST(Config, FromTomlReadsTextAsLoadReadsAFile) {
  Config c = Config::FromToml("[server]\nport = 9001\n[cache.aliases]\ndashboard = \"short\"\n", "inline.toml",
                              {{"ROTA_TODAY", "2026-11-28"}});
  EXPECT_EQ(c.port, 9001);
  EXPECT_EQ(c.AliasTimeout("dashboard"), 300s);
  ASSERT_TRUE(c.today);
  EXPECT_THROW(Config::FromToml("[server\n", "broken.toml", {}), ConfigError);
  EXPECT_THROW(Config::FromToml("[server]\nport = 1\nport = 2\n", "twice.toml", {}), ConfigError);
}

TEST(Config, MetricsTokenComesFromTheFileOrTheEnvironmentAndMustBeLongEnough) {
  EXPECT_EQ(Config::Load("", {}).metrics_token, "");
  testing::TempDir dir;
  auto path = Write(dir, "[server]\nmetrics_token = \"scrape-token-from-file\"\n");
  EXPECT_EQ(Config::Load(path, {}).metrics_token, "scrape-token-from-file");
  EXPECT_EQ(Config::Load(path, {{"ROTA_METRICS_TOKEN", "scrape-token-from-env"}}).metrics_token,
            "scrape-token-from-env");
  EXPECT_EQ(Config::Load(path, {{"ROTA_METRICS_TOKEN", ""}}).metrics_token, "");  // empty: none
  ExpectRejected("", {{"ROTA_METRICS_TOKEN", "short"}}, "ROTA_METRICS_TOKEN / [server] metrics_token");
  ExpectRejected("", {{"ROTA_METRICS_TOKEN", "has a space in the middle"}}, "metrics_token");
  ExpectRejected("[server]\nmetrics_token = 12345678901234567\n", {}, "[server] metrics_token");
}

// Found by fuzz/config_fuzz.cpp: toml11 3.7 read outside its buffer (ASan:
// heap-buffer-overflow) reporting invalid UTF-8 inside a multi-line string.
TEST(Config, TextThatIsNotUtf8IsRejectedBeforeTomlParsing) {
  const std::string bad[] = {"[database]\nurl = '''sq\x98\x98lite://a.db'''\n", "[log]\nlevel = \"\"\"in\xff\"\"\"\n",
                             "# \xed\xa0\x80 is a surrogate\n", "[server]\nhost = \"\xc0\xaf\"\n",
                             "x = \"\xf0\x9f\x98\"\n"};
  for (const std::string& text : bad) {
    try {
      Config::FromToml(text, "bad.toml", {});
      ADD_FAILURE() << "accepted: " << text;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("not valid UTF-8"), std::string::npos) << e.what();
    }
  }
  testing::TempDir dir;
  EXPECT_THROW(Config::Load(Write(dir, "[database]\nurl = '''\x98'''\n"), {}), ConfigError);
  Config c = Config::FromToml("[database]\nurl = \"sqlite://caf\xc3\xa9-\xf0\x9f\x98\x80.db\"\n", "ok.toml", {});
  EXPECT_EQ(c.database_url, "sqlite://caf\xc3\xa9-\xf0\x9f\x98\x80.db");
}

// Found by fuzz/config_fuzz.cpp: toml11 parses nested arrays and inline tables
// by recursion, and a few thousand levels overflowed the stack (SIGSEGV).
TEST(Config, DeeplyNestedValuesAreRejectedNotAStackOverflow) {
  for (const std::string& text : {"a = " + std::string(100000, '[') + std::string(100000, ']') + "\n",
                                  "[cache]\naliases = " + std::string(5000, '{') + "\n"}) {
    try {
      Config::FromToml(text, "deep.toml", {});
      ADD_FAILURE() << "accepted";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("nested deeper"), std::string::npos) << e.what();
    }
  }
  // Brackets inside strings and comments are not nesting.
  const std::string brackets(200, '[');
  Config c = Config::FromToml("# " + brackets + "\n[database]\nurl = \"sqlite://" + brackets + ".db\"\n" +
                                  "[server]\nhost = '''\n" + brackets + "''' # " + brackets + "\n",
                              "strings.toml", {});
  EXPECT_EQ(c.database_url, "sqlite://" + brackets + ".db");
  EXPECT_EQ(c.host, brackets);
}

TEST(Config, UnknownKeysAndSectionsAreRejected) {
  ExpectRejected("[server]\nprot = 80\n", {}, "prot");
  ExpectRejected("[sever]\nport = 80\n", {}, "sever");
  ExpectRejected("this is not toml", {}, "cannot read");
  ExpectRejected("[cache]\naliases = 5\n", {}, "[cache.aliases] must be a table");
  ExpectRejected("[cache.aliases]\nfragments = 10\n", {}, "known: default, dashboard, template_fragments, static_data");
}

// The file keeps api.md's integers in the unit the key names; Config holds durations.
TEST(Config, DurationsAreReadInTheUnitTheirKeyNames) {
  Config c = Config::FromToml(
      "[server]\nread_timeout_ms = 1500\nheader_timeout_ms = 700\n[database]\npool_wait_ms = 250\n"
      "[cache]\ntimeout_ms = 90\nnear_ttl_ms = 4000\nnear_ack_timeout_ms = 150\n"
      "[auth]\nsession_hours = 2\nlogin_window_seconds = 60\n",
      "units.toml", {});
  EXPECT_EQ(c.read_timeout, 1500ms);
  EXPECT_EQ(c.header_timeout, 700ms);
  EXPECT_EQ(c.pool_wait, 250ms);
  EXPECT_EQ(c.cache_timeout, 90ms);
  EXPECT_EQ(c.cache_near_ttl, 4s);
  EXPECT_EQ(c.cache_near_ack_timeout, 150ms);
  EXPECT_EQ(c.session_lifetime, 2h);
  EXPECT_EQ(c.login_window, 1min);
  ExpectRejected("[server]\nread_timeout_ms = 5\n", {}, "[server] read_timeout_ms must be 10..3600000 (got 5)");
  ExpectRejected("[auth]\nsession_hours = 1.5\n", {}, "[auth] session_hours has the wrong type");
}

TEST(Config, EnvironmentVariablesAreTypedByTheSchema) {
  EXPECT_EQ(Config::FromToml("", "t.toml", {{"ROTA_MAX_CONNECTIONS", "77"}}).max_connections, 77);
  EXPECT_FALSE(Config::FromToml("", "t.toml", {{"ROTA_DATABASE_PREPARED_STATEMENTS", "0"}}).prepared_statements);
  ExpectRejected("", {{"ROTA_MAX_CONNECTIONS", "12x"}}, "ROTA_MAX_CONNECTIONS '12x' is not a whole number");
  ExpectRejected("", {{"ROTA_MAX_CONNECTIONS", "0"}}, "ROTA_MAX_CONNECTIONS / [server] max_connections must be");
  ExpectRejected("", {{"ROTA_MAX_CONNECTIONS", "99999999999"}}, "ROTA_MAX_CONNECTIONS");
  ExpectRejected("", {{"ROTA_CACHE_NEAR", "yes"}}, "ROTA_CACHE_NEAR 'yes' must be true or false");
}

// The README's table is made from the schema (ctest config_docs compares them);
// these are the rules that keep it a table and its names unambiguous.
TEST(Config, EverySettingHasOneRowAndADistinctName) {
  std::set<std::string> names, envs;
  const Config defaults;
  for (const ConfigSetting& s : ConfigSchema()) {
    EXPECT_FALSE(s.key.empty() && s.env.empty()) << "a setting with neither a key nor a variable";
    EXPECT_TRUE(names.insert(s.Name()).second) << s.Name();
    if (!s.env.empty()) {
      EXPECT_TRUE(envs.insert(std::string(s.env)).second) << s.env;
    }
    EXPECT_FALSE(s.description.empty()) << s.Name();
    EXPECT_EQ(s.description.find('|'), std::string_view::npos) << s.Name();
    if (s.min != s.max) {
      ASSERT_TRUE(s.Number(defaults)) << s.Name() << ": a range on a setting that is not a number";
      EXPECT_GE(*s.Number(defaults), s.min) << s.Name();
      EXPECT_LE(*s.Number(defaults), s.max) << s.Name();
    }
  }
  const std::string table = ConfigMarkdownTable();
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), static_cast<long>(ConfigSchema().size()) + 2);
  EXPECT_NE(table.find("| `[server] read_timeout_ms` | milliseconds | `30000` | 10..3600000 |  | "), std::string::npos)
      << table;
  EXPECT_NE(table.find("| `[cache.aliases] static_data` | seconds | `3600` |"), std::string::npos) << table;
  EXPECT_NE(table.find("no read uses it"), std::string::npos) << table;
}

}  // namespace
}  // namespace rota
