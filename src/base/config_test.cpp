#include "base/config.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "support/support.hpp"

namespace rota {
namespace {

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

void ExpectRejected(const std::string& toml, const std::map<std::string, std::string>& env,
                    const std::string& names) {
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
  EXPECT_TRUE(
      Config::Load("", {{"ROTA_CACHE_URL", "redis://127.0.0.1:6379"}, {"ROTA_CACHE_NEAR", "true"}}).cache_near);
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
  ExpectRejected("", {{"ROTA_CACHE_URL", "redis://h"}, {"ROTA_CACHE_TLS_CA_FILE", "/etc/hostname"}},
                 "not rediss://");
  ExpectRejected("", {{"ROTA_CACHE_URL", "rediss://h"}, {"ROTA_CACHE_TLS_CA_FILE", "/no/such/ca.pem"}},
                 "ROTA_CACHE_TLS_CA_FILE");
  ExpectRejected("", {{"ROTA_CACHE_URL", "rediss://h"}, {"ROTA_CACHE_TLS_CERT_FILE", "/etc/hostname"}},
                 "ROTA_CACHE_TLS_KEY_FILE");
  ExpectRejected("", {{"ROTA_CACHE_URL", "redis://h"}, {"ROTA_CACHE_SENTINEL_PASSWORD", "x"}},
                 "ROTA_CACHE_SENTINEL_PASSWORD");
}

TEST(Config, CacheAliasesTakeSecondsOrNamedTimeouts) {
  testing::TempDir dir;
  auto path = Write(dir, "[cache]\nmax_entries = 50\n[cache.aliases]\ndashboard = 120\nstatic_data = \"day\"\n");
  Config c = Config::Load(path, {});
  EXPECT_EQ(c.cache_max_entries, 50);
  EXPECT_EQ(c.AliasTimeout("dashboard"), 120);
  EXPECT_EQ(c.AliasTimeout("static_data"), 86400);
  EXPECT_EQ(c.AliasTimeout("template_fragments"), 900);
  EXPECT_EQ(c.AliasTimeout("default"), 300);
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
  EXPECT_EQ(c.AliasTimeout("dashboard"), 300);
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
                             "# \xed\xa0\x80 is a surrogate\n", "[server]\nhost = \"\xc0\xaf\"\n", "x = \"\xf0\x9f\x98\"\n"};
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
}

}  // namespace
}  // namespace rota
