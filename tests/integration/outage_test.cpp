// Outages of the database and of a server (issue 6), with real processes:
//  - PostgreSQL stopped and started again under a running `rota serve`;
//  - a server killed with SIGKILL in the middle of a stream of writes, with a
//    second server on the same PostgreSQL and Redis.
// (Redis stopped, restarted and killed: cache_test.cpp CacheOutage and
// src/cache/*_test.cpp; Redis answering slowly: below.)
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include "base/date.hpp"
#include "db/database.hpp"
#include "db/outbox.hpp"
#include "integration/harness.hpp"
#include "integration/process.hpp"
#include "service/changes.hpp"
#include "support/support.hpp"

namespace rota::testing {
namespace {

using Clock = std::chrono::steady_clock;

std::string Seed(const Env& env) {
  std::string out;
  EXPECT_EQ(
      RunRota({"seed", "--homes", "2", "--staff-per-home", "8", "--days", "14", "--start", "2026-11-21"}, env, &out), 0)
      << out;
  EXPECT_EQ(RunRota({"create-token", "admin"}, env, &out), 0) << out;
  return out.substr(0, out.find_first_of("\r\n"));
}

int64_t SqlInt(const std::string& url, const std::string& sql) {
  auto c = db::Connect(url);
  if (!c) return -1;
  int64_t v = -1;
  (void)(*c)->Query(sql, {}, [&](const db::Row& r) { v = r.Int(0); });
  return v;
}

// What a server killed between its commit and its announcement leaves: a note
// committed together with its cache_outbox row, announced to no one.
void CommitANoteAndDie(const std::string& db_url, int64_t shift, const std::string& body) {
  auto c = db::Connect(db_url);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(db::InTransaction(**c, [&]() -> Status {
                ROTA_TRY(
                    (*c)->Exec("INSERT INTO shift_note (shift_id, author_id, body, created_at) VALUES (?, NULL, ?, "
                               "'2026-11-28T09:00:00Z')",
                               {shift, body})
                        .status());
                return db::RecordOwed(**c, {1}, service::kNotes, NowTimestamp()).status();
              }).ok());
}

// The notes server `port` shows on `shift` in `path`'s list; -1 if absent.
int64_t NotesShown(int port, const std::string& path, int64_t shift, const std::map<std::string, std::string>& auth,
                   std::string* x_cache = nullptr) {
  HttpClient c(port);
  auto r = c.Request("GET", path, "", auth);
  if (x_cache) *x_cache = r.Header("x-cache");
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("shifts")) return -1;
  for (const auto& s : d["shifts"].GetArray())
    if (s["id"].GetInt64() == shift) return s["notes"].Size();
  return -1;
}

TEST(Outage, PostgresRestartedUnderARunningServer) {
  PostgresProcess pg;
  ASSERT_TRUE(pg.Init());
  ASSERT_TRUE(pg.Start());
  TempDir dir;
  std::ofstream(dir.File("rota.toml")) << "[database]\npool_wait_ms = 1000\n";
  Env env = {{"ROTA_DATABASE_URL", pg.url()}, {"ROTA_TODAY", "2026-11-28"}, {"ROTA_LOG_LEVEL", "warn"}};
  std::string token = Seed(env);
  RotaServer server(env, dir.File("server.log"), {"--config", dir.File("rota.toml")});
  HttpClient c(server.port());
  std::map<std::string, std::string> auth = {{"Authorization", "Bearer " + token}};
  ASSERT_EQ(c.Request("GET", "/api/homes/1/dashboard", "", auth).status, 200);  // cached now
  ASSERT_EQ(c.Request("GET", "/api/homes/1/staff?nocache=1", "", auth).status, 200);

  pg.Stop();
  auto t0 = Clock::now();
  auto down = c.Request("GET", "/api/homes/1/staff?nocache=1", "", auth);
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_EQ(down.ErrorCode(), "unavailable");
  auto health = c.Request("GET", "/healthz");
  EXPECT_EQ(health.status, 503);
  EXPECT_NE(health.body.find("\"database\":\"unavailable\""), std::string::npos) << health.body;
  auto write = c.Request("PATCH", "/api/homes/1", R"({"name":"Renamed while down"})", auth);
  EXPECT_EQ(write.status, 503) << write.body;
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(10)) << "answers must not hang while the database is down";
  // What is cached, for a caller verified moments ago, is still served.
  EXPECT_EQ(c.Request("GET", "/api/homes/1/dashboard", "", auth).status, 200);

  ASSERT_TRUE(pg.Start());
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {  // the pool reconnects by itself
    status = c.Request("GET", "/api/homes/1/staff?nocache=1", "", auth).status;
    if (status != 200) usleep(100000);
  }
  EXPECT_EQ(status, 200);
  EXPECT_EQ(c.Request("PATCH", "/api/homes/1", R"({"name":"Renamed after"})", auth).status, 200);
  EXPECT_EQ(SqlInt(pg.url(), "SELECT COUNT(*) FROM care_home WHERE name = 'Renamed while down'"), 0);
  EXPECT_EQ(c.Request("GET", "/healthz").status, 200);
}

TEST(Outage, AServerKilledMidWriteLosesNoAcknowledgedWriteAndLeavesNothingStale) {
  TempDir dir;
  std::string db_url = FreshDatabaseUrl(DbKind::kPostgres, dir);
  ASSERT_FALSE(db_url.empty());
  std::ofstream(dir.File("rota.toml")) << "[cache]\nkey_prefix = \"kill" << RunTag() << "\"\n";
  Env env = {{"ROTA_DATABASE_URL", db_url},
             {"ROTA_CACHE_URL", TestRedisUrl()},
             {"ROTA_TODAY", "2026-11-28"},
             {"ROTA_LOG_LEVEL", "warn"}};
  std::string token = Seed(env);
  std::vector<std::string> args = {"--config", dir.File("rota.toml")};
  auto victim = std::make_unique<RotaServer>(env, dir.File("victim.log"), args);
  RotaServer other(env, dir.File("other.log"), args);
  std::map<std::string, std::string> auth = {{"Authorization", "Bearer " + token}};
  int64_t shift = SqlInt(db_url, "SELECT MIN(id) FROM shift WHERE home_id = 1 AND date = '2026-11-28'");
  std::string notes = "/api/homes/1/shifts?from=2026-11-28&to=2026-11-28";
  HttpClient reader(other.port());
  ASSERT_EQ(reader.Request("GET", notes, "", auth).status, 200);  // cached at the other server

  // Writers add notes through the victim as fast as they can; each remembers what was acknowledged.
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::set<int64_t> acknowledged;
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t)
    writers.emplace_back([&, t] {
      HttpClient c(victim->port());
      c.TolerateNoResponse();
      for (int i = 0; !stop; ++i) {
        try {
          auto r = c.Request("POST", "/api/shifts/" + std::to_string(shift) + "/notes",
                             R"({"body":"note )" + std::to_string(t) + "-" + std::to_string(i) + R"("})", auth);
          if (r.status == 0) return;  // the server is gone
          if (r.status != 201) continue;
          rapidjson::Document d;
          d.Parse(r.body.c_str());
          std::lock_guard lock(mu);
          acknowledged.insert(d["id"].GetInt64());
        } catch (const std::exception&) {
          return;  // the server is gone
        }
      }
    });
  // Kill it mid-stream, once a few writes are acknowledged (however slow the machine).
  for (auto waited = Clock::duration::zero(); waited < std::chrono::seconds(20);
       waited += std::chrono::milliseconds(50)) {
    {
      std::lock_guard lock(mu);
      if (acknowledged.size() > 5) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  victim->Kill(SIGKILL);
  stop = true;
  for (auto& w : writers) w.join();
  ASSERT_GT(acknowledged.size(), 5u);

  // Every acknowledged write is in the database.
  std::string ids;
  for (int64_t id : acknowledged) ids += (ids.empty() ? "" : ",") + std::to_string(id);
  EXPECT_EQ(SqlInt(db_url, "SELECT COUNT(*) FROM shift_note WHERE id IN (" + ids + ")"),
            static_cast<int64_t>(acknowledged.size()));

  // The kill may or may not have landed between a commit and its announcement
  // (a window of microseconds); make sure one such commit exists: a note and its
  // owed invalidation committed behind the servers' backs, after the other
  // server cached the list.
  ASSERT_EQ(reader.Request("GET", notes, "", auth).status, 200);
  CommitANoteAndDie(db_url, shift, "committed, never announced");
  // A new server starts (as after a crash) and replays what was owed before it serves.
  victim = std::make_unique<RotaServer>(env, dir.File("victim2.log"), args);
  int64_t in_db = SqlInt(db_url, "SELECT COUNT(*) FROM shift_note WHERE shift_id = " + std::to_string(shift));
  for (int port : {other.port(), victim->port()}) {
    std::string x_cache;
    EXPECT_EQ(NotesShown(port, notes, shift, auth, &x_cache), in_db) << "port " << port << " answered " << x_cache;
  }
  EXPECT_EQ(SqlInt(db_url, "SELECT COUNT(*) FROM cache_outbox"), 0) << "every owed invalidation was replayed";
}

// The other servers replay what a dead server owed within seconds, without any
// restart, and retire only what that write touched.
TEST(Outage, AnInvalidationADeadServerOwedIsReplayedByTheOthers) {
  TempDir dir;
  std::string db_url = FreshDatabaseUrl(DbKind::kPostgres, dir);
  ASSERT_FALSE(db_url.empty());
  std::ofstream(dir.File("rota.toml")) << "[cache]\nkey_prefix = \"owed" << RunTag() << "\"\n";
  Env env = {{"ROTA_DATABASE_URL", db_url},
             {"ROTA_CACHE_URL", TestRedisUrl()},
             {"ROTA_TODAY", "2026-11-28"},
             {"ROTA_LOG_LEVEL", "warn"}};
  std::string token = Seed(env);
  RotaServer server(env, dir.File("server.log"), {"--config", dir.File("rota.toml")});
  std::map<std::string, std::string> auth = {{"Authorization", "Bearer " + token}};
  int64_t shift = SqlInt(db_url, "SELECT MIN(id) FROM shift WHERE home_id = 1 AND date = '2026-11-28'");
  std::string notes = "/api/homes/1/shifts?from=2026-11-28&to=2026-11-28";
  std::string other_home = "/api/homes/2/shifts?from=2026-11-28&to=2026-11-28";
  HttpClient c(server.port());
  for (const auto& path : {notes, other_home}) {
    c.Request("GET", path, "", auth);
    ASSERT_EQ(c.Request("GET", path, "", auth).Header("x-cache"), "HIT") << path;
  }
  const int64_t before = NotesShown(server.port(), notes, shift, auth);
  CommitANoteAndDie(db_url, shift, "owed by a dead server");

  const auto start = Clock::now();
  int64_t shown = before;
  while (shown == before && Clock::now() - start < std::chrono::seconds(15)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    shown = NotesShown(server.port(), notes, shift, auth);
  }
  const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  EXPECT_EQ(shown, before + 1) << "after " << waited.count() << " ms";
  // kOwedAfter (2 s, in whole seconds of created_at) + one sweep (1 s), with room for a slow machine.
  EXPECT_LT(waited, std::chrono::seconds(8));
  EXPECT_EQ(SqlInt(db_url, "SELECT COUNT(*) FROM cache_outbox"), 0);
  EXPECT_EQ(c.Request("GET", other_home, "", auth).Header("x-cache"), "HIT") << "another home was retired too";
}

// A server that restarts retires nothing it did not owe: the others keep hitting.
TEST(Outage, ARestartedServerLeavesTheOthersCacheWarm) {
  TempDir dir;
  std::string db_url = FreshDatabaseUrl(DbKind::kPostgres, dir);
  ASSERT_FALSE(db_url.empty());
  std::ofstream(dir.File("rota.toml")) << "[cache]\nkey_prefix = \"warm" << RunTag() << "\"\n";
  Env env = {{"ROTA_DATABASE_URL", db_url},
             {"ROTA_CACHE_URL", TestRedisUrl()},
             {"ROTA_TODAY", "2026-11-28"},
             {"ROTA_LOG_LEVEL", "warn"}};
  std::string token = Seed(env);
  std::vector<std::string> args = {"--config", dir.File("rota.toml")};
  auto restarted = std::make_unique<RotaServer>(env, dir.File("a.log"), args);
  RotaServer other(env, dir.File("b.log"), args);
  std::map<std::string, std::string> auth = {{"Authorization", "Bearer " + token}};
  const std::vector<std::string> paths = {"/api/homes/1/dashboard", "/api/homes/2/dashboard", "/api/homes/1/staff",
                                          "/api/stats"};
  HttpClient c(other.port());
  for (const auto& p : paths) c.Request("GET", p, "", auth);
  restarted->Kill(SIGKILL);
  restarted = std::make_unique<RotaServer>(env, dir.File("a2.log"), args);
  for (const auto& p : paths) EXPECT_EQ(c.Request("GET", p, "", auth).Header("x-cache"), "HIT") << p;
  HttpClient a(restarted->port());
  for (const auto& p : paths)
    EXPECT_EQ(a.Request("GET", p, "", auth).Header("x-cache"), "HIT") << p << " at the restarted server";
}

// Two servers on one PostgreSQL and one private Redis that the test kills and
// restarts; "early" probes Redis 10 ms after a failure, "late" only after a
// minute, so that Redis can be back for one and not yet for the other, as it
// is for a moment whenever Redis comes back (bench/soak saw 0.5-1 s between
// two servers). Parameter: the near tier.
class RedisComesBack : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start());
    db_url_ = FreshDatabaseUrl(DbKind::kPostgres, dir_);
    ASSERT_FALSE(db_url_.empty());
    const std::string common = "[cache]\nkey_prefix = \"back" + RunTag() +
                               "\"\nnear = " + (GetParam() ? "true" : "false") + "\nretry_after_ms = ";
    std::ofstream(dir_.File("early.toml")) << common << "10\n";
    std::ofstream(dir_.File("late.toml")) << common << "60000\n";
    env_ = {{"ROTA_DATABASE_URL", db_url_},
            {"ROTA_CACHE_URL", redis_.url()},
            {"ROTA_TODAY", "2026-11-28"},
            {"ROTA_LOG_LEVEL", "warn"}};
    auth_ = {{"Authorization", "Bearer " + Seed(env_)}};
    early_ = std::make_unique<RotaServer>(env_, dir_.File("early.log"),
                                          std::vector<std::string>{"--config", dir_.File("early.toml")});
    late_ = std::make_unique<RotaServer>(env_, dir_.File("late.log"),
                                         std::vector<std::string>{"--config", dir_.File("late.toml")});
    shift_ = SqlInt(db_url_, "SELECT MIN(id) FROM shift WHERE home_id = 1 AND date = '2026-11-28'");
  }

  // Reads the list at `port` until it is served from Redis again (not BYPASS); its notes.
  int64_t NotesOnceCached(int port, std::string* x_cache) {
    int64_t shown = -1;
    for (int i = 0; i < 100; ++i, usleep(20000)) {
      shown = NotesShown(port, kList, shift_, auth_, x_cache);
      if (*x_cache != "BYPASS") break;
    }
    return shown;
  }

  // A note added through `port`; true when acknowledged.
  bool AddNote(int port, const std::string& body) {
    HttpClient c(port);
    return c.Request("POST", "/api/shifts/" + std::to_string(shift_) + "/notes", R"({"body":")" + body + R"("})", auth_)
               .status == 201;
  }

  // Both servers meet the dead Redis (each read opens its breaker).
  void BothSeeRedisDie() {
    redis_.Stop();
    for (RotaServer* s : {early_.get(), late_.get()}) {
      std::string x_cache;  // a near tier answers until its lease runs out
      for (int i = 0; i < 100 && x_cache != "BYPASS"; ++i, usleep(20000))
        NotesShown(s->port(), kList, shift_, auth_, &x_cache);
      EXPECT_EQ(x_cache, "BYPASS");
    }
  }

  static constexpr const char* kList = "/api/homes/1/shifts?from=2026-11-28&to=2026-11-28";
  RedisProcess redis_;
  TempDir dir_;
  std::string db_url_;
  Env env_;
  std::map<std::string, std::string> auth_;
  std::unique_ptr<RotaServer> early_, late_;
  int64_t shift_ = 0;
};

// Redis is back; "early" has found it and serves from it, "late" has not and
// takes a write: the write probes at once, so it is announced before it is
// acknowledged, not a minute later.
TEST_P(RedisComesBack, AWriteAtAServerThatHasNotNoticedIsNotHiddenFromOneThatHas) {
  BothSeeRedisDie();
  ASSERT_TRUE(redis_.Start());
  std::string x_cache;
  const int64_t before = NotesOnceCached(early_->port(), &x_cache);
  ASSERT_EQ(NotesShown(early_->port(), kList, shift_, auth_, &x_cache), before);
  ASSERT_EQ(x_cache, "HIT") << "early serves from Redis again";

  ASSERT_TRUE(AddNote(late_->port(), "taken by the server that has not noticed"));
  EXPECT_EQ(NotesShown(early_->port(), kList, shift_, auth_, &x_cache), before + 1) << "answered " << x_cache;
}

// Redis comes back with its data (an RDB saved before it died) and with it the
// answers cached before the outage; a write taken during the outage is owed by
// "late", which will not look at Redis for a minute. "early" comes back first
// and replays what the database says is owed, by any server, before it reads.
TEST_P(RedisComesBack, AWriteTakenDuringTheOutageIsRetiredByWhicheverServerIsBackFirst) {
  std::string x_cache;
  const int64_t before = NotesShown(early_->port(), kList, shift_, auth_, &x_cache);
  ASSERT_EQ(NotesShown(early_->port(), kList, shift_, auth_, &x_cache), before);
  ASSERT_EQ(x_cache, "HIT");
  ASSERT_EQ(redis_.Cli("SAVE"), "OK");
  BothSeeRedisDie();

  ASSERT_TRUE(AddNote(late_->port(), "taken during the outage"));
  // Its outbox row stays while the announcement is owed: the sweeps (every
  // second) must not settle it, or a crash of "late" would lose it.
  usleep(1500000);
  EXPECT_EQ(SqlInt(db_url_, "SELECT COUNT(*) FROM cache_outbox"), 1);

  ASSERT_TRUE(redis_.Start());
  ASSERT_NE(redis_.Cli("DBSIZE"), "0") << "Redis came back with the answers cached before";
  EXPECT_EQ(NotesOnceCached(early_->port(), &x_cache), before + 1) << "answered " << x_cache;
  EXPECT_EQ(NotesShown(early_->port(), kList, shift_, auth_, &x_cache), before + 1) << "answered " << x_cache;
}

INSTANTIATE_TEST_SUITE_P(Near, RedisComesBack, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& i) { return i.param ? "On" : "Off"; });

TEST(Outage, ASlowRedisDelaysNothingBeyondItsTimeout) {
  RedisProcess redis;
  ASSERT_TRUE(redis.Start());
  TempDir dir;
  std::string db_url = FreshDatabaseUrl(DbKind::kSqlite, dir);
  std::ofstream(dir.File("rota.toml")) << "[cache]\ntimeout_ms = 200\n";
  Env env = {{"ROTA_DATABASE_URL", db_url},
             {"ROTA_CACHE_URL", redis.url()},
             {"ROTA_TODAY", "2026-11-28"},
             {"ROTA_LOG_LEVEL", "warn"}};
  std::string token = Seed(env);
  RotaServer server(env, dir.File("server.log"), {"--config", dir.File("rota.toml")});
  HttpClient c(server.port());
  std::map<std::string, std::string> auth = {{"Authorization", "Bearer " + token}};
  ASSERT_EQ(c.Request("GET", "/api/homes/1/dashboard", "", auth).status, 200);
  // redis-cli may take a while to start on a busy machine: read until a request
  // meets the stall; it is answered from the database: BYPASS, or MISS when the
  // stall began between its generation read and its value read.
  std::thread sleeper([&] { redis.Cli("DEBUG SLEEP 2"); });
  HttpResult r;
  auto took = Clock::duration::max();
  for (auto until = Clock::now() + std::chrono::seconds(3); Clock::now() < until; usleep(20000)) {
    auto t0 = Clock::now();
    r = c.Request("GET", "/api/homes/1/dashboard", "", auth);
    took = Clock::now() - t0;
    if (r.status != 200 || r.Header("x-cache") != "HIT") break;
  }
  sleeper.join();
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.Header("x-cache") == "BYPASS" || r.Header("x-cache") == "MISS") << r.Header("x-cache");
  EXPECT_LT(took, std::chrono::milliseconds(1500)) << "the 2 s stall must cost at most the 200 ms socket timeout";
  // And it recovers by itself.
  std::string cache_state;
  for (int i = 0; i < 50 && cache_state != "HIT"; ++i, usleep(100000))
    cache_state = c.Request("GET", "/api/homes/1/dashboard", "", auth).Header("x-cache");
  EXPECT_EQ(cache_state, "HIT");
}

// Without the near tier a cached read waits for Redis off its I/O thread
// (CachedReads::GetLater). Told to stop while such a lookup is in Redis's
// hands (every client paused), the server answers it once Redis does, then
// exits cleanly: nothing replies to a session after the server is gone.
TEST(Outage, AServerStoppedWithALookupInRedisHandsAnswersItAndExitsCleanly) {
  RedisProcess redis;
  ASSERT_TRUE(redis.Start());
  TempDir dir;
  std::string db_url = FreshDatabaseUrl(DbKind::kSqlite, dir);
  Env env = {{"ROTA_DATABASE_URL", db_url},
             {"ROTA_CACHE_URL", redis.url()},
             {"ROTA_CACHE_NEAR", "false"},
             {"ROTA_TODAY", "2026-11-28"},
             {"ROTA_LOG_LEVEL", "info"}};
  std::string token = Seed(env);
  RotaServer server(env, dir.File("server.log"));
  std::map<std::string, std::string> auth = {{"Authorization", "Bearer " + token}};
  HttpClient c(server.port());
  ASSERT_EQ(c.Request("GET", "/api/homes/1/dashboard", "", auth).status, 200);
  ASSERT_EQ(c.Request("GET", "/api/homes/1/dashboard", "", auth).Header("x-cache"), "HIT");
  redis.Cli("CLIENT PAUSE 1500 ALL");
  HttpResult held;
  c.TolerateNoResponse();
  std::thread reader([&] {
    try {
      held = c.Request("GET", "/api/homes/1/dashboard", "", auth);
    } catch (const std::exception& e) {  // closed unanswered, then refused: status 0
      ADD_FAILURE() << e.what();
    }
  });
  usleep(300000);  // the request is in, its lookup waiting on the paused Redis
  const int status = server.Kill(SIGTERM);
  reader.join();
  std::ifstream log(dir.File("server.log"));
  std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_EQ(held.status, 200) << text;
  EXPECT_EQ(held.Header("x-cache"), "HIT");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;
  EXPECT_NE(text.find("stopped"), std::string::npos) << text;
}

}  // namespace
}  // namespace rota::testing
