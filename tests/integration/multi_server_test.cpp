// Several `rota serve` processes on one PostgreSQL and one Redis (issue 6):
// a write acknowledged by one server is visible in the very next read at the
// other, with and without the near tier, including answers the other server
// holds in its own memory. Real processes, real sockets, real servers.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <atomic>
#include <fstream>

#include "db/database.hpp"
#include "integration/harness.hpp"
#include "integration/process.hpp"
#include "support/support.hpp"

namespace rota::testing {
namespace {

class MultiServer : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    db_url_ = FreshDatabaseUrl(DbKind::kPostgres, dir_);
    ASSERT_FALSE(db_url_.empty());
    static std::atomic<int> n{0};
    std::ofstream(dir_.File("rota.toml")) << "[cache]\nkey_prefix = \"ms" << RunTag() << "_" << n++ << "\"\n"
                                          << "near = " << (GetParam() ? "true" : "false") << "\n"
                                          << "near_ttl_ms = 600000\n";  // only invalidation may end a near copy
    env_ = {{"ROTA_DATABASE_URL", db_url_},
            {"ROTA_CACHE_URL", TestRedisUrl()},
            {"ROTA_TODAY", "2026-11-28"},
            {"ROTA_LOG_LEVEL", "warn"}};
    std::string out;
    ASSERT_EQ(
        RunRota({"seed", "--homes", "2", "--staff-per-home", "8", "--days", "14", "--start", "2026-11-21"}, env_, &out),
        0)
        << out;
    ASSERT_EQ(RunRota({"create-token", "admin"}, env_, &out), 0) << out;
    token_ = out.substr(0, out.find_first_of("\r\n"));
    auto conn = db::Connect(db_url_);
    ASSERT_TRUE(conn.ok());
    sql_ = std::move(*conn);
    for (int i = 0; i < 2; ++i)
      servers_.push_back(std::make_unique<RotaServer>(env_, dir_.File("server" + std::to_string(i) + ".log"),
                                                      std::vector<std::string>{"--config", dir_.File("rota.toml")}));
    for (auto& s : servers_) clients_.push_back(std::make_unique<HttpClient>(s->port()));
  }

  HttpResult Call(int server, const std::string& method, const std::string& target, const std::string& body = "") {
    return clients_[server]->Request(method, target, body, {{"Authorization", "Bearer " + token_}});
  }

  int64_t SqlInt(const std::string& sql) {
    int64_t v = -1;
    auto s = sql_->Query(sql, {}, [&](const db::Row& r) { v = r.Int(0); });
    EXPECT_TRUE(s.ok());
    return v;
  }

  int64_t StaffedIn7Days() {
    return SqlInt(
        "SELECT COUNT(*) FROM shift WHERE home_id = 1 AND staff_id IS NOT NULL "
        "AND date BETWEEN '2026-11-28' AND '2026-12-04'");
  }

  TempDir dir_;
  std::string db_url_;
  Env env_;
  std::string token_;
  std::unique_ptr<db::Connection> sql_;
  std::vector<std::unique_ptr<RotaServer>> servers_;
  std::vector<std::unique_ptr<HttpClient>> clients_;
};

// The staff id of `shift` in a shift list answer; 0 when vacant, -1 when absent.
int64_t StaffOf(const std::string& list, int64_t shift) {
  auto d = Json(list);
  for (const auto& s : d["shifts"].GetArray())
    if (s["id"].GetInt64() == shift) return s["staff"].IsNull() ? 0 : s["staff"]["id"].GetInt64();
  return -1;
}

TEST_P(MultiServer, AWriteThroughOneServerIsInTheNextReadAtTheOther) {
  const std::string dashboard = "/api/homes/1/dashboard?days=7";
  const std::string list = "/api/homes/1/shifts?from=2026-11-28&to=2026-12-04";
  // One staffed shift, made vacant and staffed again in turn (always allowed).
  int64_t shift = SqlInt(
      "SELECT MIN(id) FROM shift WHERE home_id = 1 AND staff_id IS NOT NULL "
      "AND date BETWEEN '2026-11-28' AND '2026-12-04'");
  int64_t staff = SqlInt("SELECT staff_id FROM shift WHERE id = " + std::to_string(shift));
  ASSERT_GT(shift, 0);
  int stale = 0, hits = 0, writes = 0;
  for (int round = 0; round < 12; ++round) {
    int writer = round % 2, reader = 1 - writer;
    // Both servers hold the current answers (in Redis, and in memory with the near tier).
    for (int s : {0, 1})
      for (int i = 0; i < 2; ++i) {
        hits += Call(s, "GET", dashboard).Header("x-cache") == "HIT";
        hits += Call(s, "GET", list).Header("x-cache") == "HIT";
      }
    int64_t now = round % 2 == 0 ? 0 : staff;
    auto w = Call(writer, "PATCH", "/api/shifts/" + std::to_string(shift),
                  now ? R"({"staff_id":)" + std::to_string(now) + "}" : std::string(R"({"staff_id":null})"));
    ASSERT_EQ(w.status, 200) << w.body;
    ++writes;
    // The very next read, at the other server and then at the writer, shows it.
    int64_t expected = StaffedIn7Days();
    for (int s : {reader, writer}) {
      auto r = Call(s, "GET", dashboard);
      ASSERT_EQ(r.status, 200);
      if (Json(r.body)["staffed_shifts"].GetInt64() != expected) ++stale;
      if (StaffOf(Call(s, "GET", list).body, shift) != now) ++stale;
    }
  }
  EXPECT_EQ(stale, 0) << "stale reads after " << writes << " acknowledged writes";
  EXPECT_GT(hits, 40) << "between writes the servers should answer from the cache";
  for (int s : {0, 1}) {
    auto stats = Json(Call(s, "GET", "/api/cache/stats").body);
    EXPECT_EQ(stats.HasMember("near"), GetParam());
    if (GetParam()) {  // hits came from memory, without Redis
      EXPECT_TRUE(stats["near"]["connected"].GetBool());
      EXPECT_GT(stats["near"]["hits"].GetInt64(), 20);
    }
  }
}

TEST_P(MultiServer, ClearingThroughOneServerEmptiesTheOthersNearTier) {
  const std::string dashboard = "/api/homes/2/dashboard?days=14";
  for (int s : {0, 1}) Call(s, "GET", dashboard);
  EXPECT_EQ(Call(1, "GET", dashboard).Header("x-cache"), "HIT");
  auto clear = Call(0, "POST", "/cache/clear/", R"({"pattern":"dashboard:*"})");
  ASSERT_EQ(clear.status, 200) << clear.body;
  EXPECT_EQ(Call(1, "GET", dashboard).Header("x-cache"), "MISS");
}

INSTANTIATE_TEST_SUITE_P(Near, MultiServer, ::testing::Bool(),
                         [](const auto& info) { return info.param ? std::string("near") : std::string("redis_only"); });

}  // namespace
}  // namespace rota::testing
