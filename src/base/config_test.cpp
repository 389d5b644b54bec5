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

TEST(Config, UnknownKeysAndSectionsAreRejected) {
  ExpectRejected("[server]\nprot = 80\n", {}, "prot");
  ExpectRejected("[sever]\nport = 80\n", {}, "sever");
  ExpectRejected("this is not toml", {}, "cannot read");
}

}  // namespace
}  // namespace rota
