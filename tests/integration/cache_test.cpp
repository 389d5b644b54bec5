// The caching layer end to end (issue 3): HIT/MISS/BYPASS over HTTP, invalidation
// by every kind of write, isolation between homes, ETag/304, the cache
// endpoints, zero stale reads under concurrent writers, single flight. Every
// test runs on each database with each cache backend.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <thread>

#include "db/database.hpp"
#include "integration/harness.hpp"
#include "service/cached_reads.hpp"
#include "service/changes.hpp"

namespace rota::testing {
namespace {

struct Setup {
  DbKind db;
  std::string cache;  // "memory" or "redis"
};

void PrintTo(const Setup& s, std::ostream* os) { *os << DbKindName(s.db) << "/" << s.cache; }

std::string CacheUrl(const std::string& kind) {
  if (kind == "memory") return "memory://";
  const char* url = std::getenv("ROTA_TEST_REDIS_URL");
  if (!url || !*url) {
    ADD_FAILURE() << "ROTA_TEST_REDIS_URL is not set: run the suite with the README's test command";
    return "memory://";
  }
  return url;
}

class CacheE2E : public ::testing::TestWithParam<Setup> {
 protected:
  void SetUp() override { StartServer(false); }
  // A fresh server; `refresh`: [cache] refresh_after_write on (the harness turns it off).
  void StartServer(bool refresh) {
    server_.reset();
    server_ = std::make_unique<TestServer>(GetParam().db, SeedShape{2, 40, 14}, CacheUrl(GetParam().cache),
                                           [refresh](Config& c) { c.cache_refresh_after_write = refresh; });
  }
  void WriteTable(bool refresh);
  void ConcurrentWritersAndReaders();
  TestServer& s() { return *server_; }
  HttpResult Get(const std::string& path) { return s().Get(path, s().admin_token()); }
  HttpResult Send(const std::string& method, const std::string& path, const std::string& body) {
    return s().Send(method, path, body, s().admin_token());
  }
  // Reads `path` twice so that it is cached; returns the cached body.
  std::string Cached(const std::string& path) {
    Get(path);
    auto r = Get(path);
    EXPECT_EQ(r.Header("x-cache"), "HIT") << path;
    return r.body;
  }
  std::string Id(const char* sql) { return std::to_string(s().SqlInt(sql)); }

  std::unique_ptr<TestServer> server_;
};

TEST_P(CacheE2E, FirstReadMissesSecondHitsWithoutTheDatabase) {
  for (const char* path : {"/api/homes/1/dashboard", "/api/homes/1/shifts", "/api/homes/1/staff",
                           "/api/homes/1/reports/monthly", "/api/homes/1/compliance", "/api/stats"}) {
    auto first = Get(path);
    ASSERT_EQ(first.status, 200) << path;
    EXPECT_EQ(first.Header("x-cache"), "MISS") << path;
    EXPECT_GE(first.QueryCount(), 1) << path;
    // X-Query-Count includes the token's lookup once the server's 0.75 s memory
    // of it has passed (a slow miss on a loaded machine): refresh it first.
    ASSERT_EQ(Get("/api/cache/stats").status, 200);
    auto second = Get(path);
    EXPECT_EQ(second.Header("x-cache"), "HIT") << path;
    EXPECT_EQ(second.QueryCount(), 0) << path;
    EXPECT_EQ(second.body, first.body) << path;
  }
}

TEST_P(CacheE2E, EtagAnswers304) {
  auto r = Get("/api/homes/1/dashboard");
  std::string etag = r.Header("etag");
  ASSERT_FALSE(etag.empty());
  auto again = s().Send("GET", "/api/homes/1/dashboard", "", s().admin_token());
  EXPECT_EQ(again.Header("etag"), etag);
  HttpClient c(s().port());
  auto nm = c.Request("GET", "/api/homes/1/dashboard", "",
                      {{"Authorization", "Bearer " + s().admin_token()}, {"If-None-Match", etag}});
  EXPECT_EQ(nm.status, 304);
  EXPECT_TRUE(nm.body.empty());
  auto other = c.Request("GET", "/api/homes/1/dashboard", "",
                         {{"Authorization", "Bearer " + s().admin_token()}, {"If-None-Match", "\"stale\""}});
  EXPECT_EQ(other.status, 200);
}

// One write of each kind; after each, the affected reads are MISS and show it,
// and home 2's cached dashboard stays a HIT.
TEST_P(CacheE2E, EveryKindOfWriteIsSeenByTheNextRead) {
  const std::string dash1 = "/api/homes/1/dashboard", dash2 = "/api/homes/2/dashboard";
  const std::string shifts1 = "/api/homes/1/shifts", staff1 = "/api/homes/1/staff";
  auto expect_changed = [&](const std::string& path, const std::string& before, const char* what) {
    auto r = Get(path);
    EXPECT_EQ(r.Header("x-cache"), "MISS") << what << " " << path;
    EXPECT_NE(r.body, before) << what << " " << path;
  };
  auto expect_home2_untouched = [&](const char* what) { EXPECT_EQ(Get(dash2).Header("x-cache"), "HIT") << what; };
  Cached(dash2);

  // Shift created.
  std::string before = Cached(dash1);
  auto r = Send("POST", "/api/shifts", R"({"home_id":1,"unit_id":1,"shift_type_id":1,"date":"2026-11-29"})");
  ASSERT_EQ(r.status, 201) << r.body;
  std::string new_shift = std::to_string(Json(r.body)["id"].GetInt64());
  expect_changed(dash1, before, "shift created");
  expect_home2_untouched("shift created");

  // Shift changed (moved a day).
  before = Cached(shifts1);
  r = Send("PATCH", "/api/shifts/" + new_shift, R"({"date":"2026-11-30"})");
  ASSERT_EQ(r.status, 200) << r.body;
  expect_changed(shifts1, before, "shift changed");

  // Shift deleted.
  before = Cached(dash1);
  ASSERT_EQ(Send("DELETE", "/api/shifts/" + new_shift, "").status, 204);
  expect_changed(dash1, before, "shift deleted");
  expect_home2_untouched("shift deleted");

  // Staff changed.
  std::string staff_id = Id("SELECT MIN(id) FROM staff WHERE home_id = 1");
  before = Cached(staff1);
  r = Send("PATCH", "/api/staff/" + staff_id, R"({"last_name":"Renamed"})");
  ASSERT_EQ(r.status, 200) << r.body;
  expect_changed(staff1, before, "staff changed");

  // Certification added (expiring within 30 days of today).
  before = Cached(dash1);
  r = Send("POST", "/api/certifications",
           R"({"staff_id":)" + staff_id + R"(,"name":"Fire Safety","expires_on":"2026-12-05"})");
  ASSERT_EQ(r.status, 201) << r.body;
  expect_changed(dash1, before, "certification added");

  // Leave request approved (a member of staff with no shifts in those days).
  std::string free_staff =
      Id("SELECT MIN(f.id) FROM staff f WHERE f.home_id = 1 AND f.active AND NOT EXISTS "
         "(SELECT 1 FROM shift s WHERE s.staff_id = f.id AND s.date BETWEEN '2026-11-28' AND '2026-11-28')");
  r = Send("POST", "/api/leave-requests",
           R"({"staff_id":)" + free_staff + R"(,"start_date":"2026-11-28","end_date":"2026-11-28"})");
  ASSERT_EQ(r.status, 201) << r.body;
  std::string leave = std::to_string(Json(r.body)["id"].GetInt64());
  before = Cached(dash1);
  r = Send("PATCH", "/api/leave-requests/" + leave, R"({"status":"approved"})");
  ASSERT_EQ(r.status, 200) << r.body;
  expect_changed(dash1, before, "leave approved");

  // Home renamed.
  before = Cached(dash1);
  ASSERT_EQ(Send("PATCH", "/api/homes/1", R"({"name":"Renamed Home"})").status, 200);
  expect_changed(dash1, before, "home renamed");
  EXPECT_STREQ(Json(Get(dash1).body)["home"]["name"].GetString(), "Renamed Home");
  expect_home2_untouched("home renamed");

  // /api/stats follows every write.
  before = Cached("/api/stats");
  ASSERT_EQ(Send("POST", "/api/shifts", R"({"home_id":2,"unit_id":5,"shift_type_id":1,"date":"2026-11-29"})").status,
            201);
  expect_changed("/api/stats", before, "stats after a shift in home 2");
}

// The invalidation table (issue 14): every kind of write against every cached
// read. A write retires a read exactly when it changed a data family the read
// shows: then the next read is a MISS; otherwise it stays a HIT. Either way the
// answer must equal a recomputation from the database (?nocache=1), which is
// what catches a read that declares too few families (a HIT with old bytes).
// For each kind of write, every cached read: retired (MISS) exactly when the
// families meet, else HIT; with refresh after write, the retired API answers
// are recomputed in the background, so they HIT too (fragments are not
// refreshed). Always byte-equal to a recomputation.
void CacheE2E::WriteTable(bool refresh) {
  using service::CachedReads;
  struct Read {
    std::string path;
    unsigned families;
    bool refreshable = true;  // an API answer, not an HTML fragment
  };
  constexpr unsigned kPanel = service::kAllFamilies & ~(service::kNotes | service::kLinks);  // web/home_panel.cpp
  const std::vector<Read> reads = {
      {"/api/homes/1/dashboard?days=7", CachedReads::kDashboardFamilies},
      {"/api/homes/1/shifts?from=2026-11-28&to=2026-12-04", CachedReads::kShiftListFamilies},
      {"/api/homes/1/staff", CachedReads::kStaffListFamilies},
      {"/api/homes/1/reports/monthly?month=2026-11", CachedReads::kReportFamilies},
      {"/api/homes/1/compliance?from=2026-11-28&days=7", CachedReads::kComplianceFamilies},
      {"/api/stats", CachedReads::kStatsFamilies},
      {"/homes/1/panel", kPanel, false},
      {"/api/homes/2/dashboard?days=7", 0},  // another home: no write below touches it
      {"/api/homes/2/shifts?from=2026-11-28&to=2026-12-04", 0},
  };
  const std::string staff = Id("SELECT MIN(id) FROM staff WHERE home_id = 1 AND active");
  std::string shift, member, cert, leave;  // made by the writes below
  auto id_of = [](const HttpResult& r) { return std::to_string(Json(r.body)["id"].GetInt64()); };
  struct Write {
    const char* what;
    unsigned families;  // what it changes: the table under test
    std::function<HttpResult()> send;
  };
  using namespace service;
  const std::vector<Write> writes = {
      {"shift created", kShifts,
       [&] {
         auto r = Send("POST", "/api/shifts", R"({"home_id":1,"unit_id":1,"shift_type_id":1,"date":"2026-11-29"})");
         shift = id_of(r);
         return r;
       }},
      {"shift moved", kShifts, [&] { return Send("PATCH", "/api/shifts/" + shift, R"({"date":"2026-11-30"})"); }},
      {"note added", kNotes,
       [&] { return Send("POST", "/api/shifts/" + shift + "/notes", R"({"body":"Bring the hoist, \"carefully\""})"); }},
      {"shift deleted", kShifts | kNotes | kLinks, [&] { return Send("DELETE", "/api/shifts/" + shift, ""); }},
      {"staff added", kStaff | kQualifications,
       [&] {
         auto r = Send("POST", "/api/staff",
                       R"({"home_id":1,"first_name":"Ada","last_name":"New","role":"carer","qualified_unit_ids":[1]})");
         member = id_of(r);
         return r;
       }},
      {"staff renamed", kStaff | kQualifications,
       [&] { return Send("PATCH", "/api/staff/" + member, R"({"last_name":"Renamed"})"); }},
      {"certification added", kCertifications,
       [&] {
         auto r = Send("POST", "/api/certifications",
                       R"({"staff_id":)" + staff + R"(,"name":"Fire Safety","expires_on":"2026-12-05"})");
         cert = id_of(r);
         return r;
       }},
      {"certification removed", kCertifications, [&] { return Send("DELETE", "/api/certifications/" + cert, ""); }},
      {"leave requested", kLeave,
       [&] {
         auto r = Send("POST", "/api/leave-requests",
                       R"({"staff_id":)" + member + R"(,"start_date":"2026-11-28","end_date":"2026-11-29"})");
         leave = id_of(r);
         return r;
       }},
      {"leave approved", kLeave,
       [&] { return Send("PATCH", "/api/leave-requests/" + leave, R"({"status":"approved"})"); }},
      {"staff deleted", kStaff | kQualifications | kShifts | kCertifications | kLeave,
       [&] { return Send("DELETE", "/api/staff/" + member, ""); }},
      {"home renamed", kHome, [&] { return Send("PATCH", "/api/homes/1", R"({"name":"Renamed Home"})"); }},
  };
  auto fresh = [&](const std::string& path) {
    return Get(path + (path.find('?') == std::string::npos ? "?" : "&") + "nocache=1").body;
  };
  service::CachedReads& cached = s().app().cached();
  for (const Write& w : writes) {
    for (const Read& r : reads) Cached(r.path);
    const int64_t queued = cached.RefreshesQueued();
    auto done = w.send();
    ASSERT_TRUE(done.status == 200 || done.status == 201 || done.status == 204) << w.what << ": " << done.body;
    if (refresh) {
      EXPECT_GT(cached.RefreshesQueued(), queued) << w.what << " queued no refresh";
      ASSERT_TRUE(cached.WaitForRefreshes(std::chrono::seconds(30))) << w.what;
    }
    for (const Read& r : reads) {
      auto got = Get(r.path);
      ASSERT_EQ(got.status, 200) << r.path;
      const bool retired = (r.families & w.families) != 0;
      const bool miss = retired && !(refresh && r.refreshable);
      EXPECT_EQ(got.Header("x-cache"), miss ? "MISS" : "HIT") << w.what << " -> " << r.path;
      EXPECT_EQ(got.body, fresh(r.path)) << w.what << " -> " << r.path << " (a stale answer)";
    }
  }
}

TEST_P(CacheE2E, EachWriteRetiresExactlyTheReadsThatShowWhatItChanged) { WriteTable(false); }

TEST_P(CacheE2E, RefreshAfterWriteRecomputesWhatTheWriteRetiredSoTheNextReadHits) {
  StartServer(true);
  WriteTable(true);
}

// The hottest answers a write retires are recomputed before the write is
// answered: a read sent the moment the acknowledgement arrives hits, with no
// waiting for the background pool, and shows the write.
TEST_P(CacheE2E, TheHottestRetiredAnswersAreRefreshedBeforeTheWriteIsAcknowledged) {
  StartServer(true);
  const std::string dashboard = "/api/homes/1/dashboard?days=7";
  const std::string staff = Id("SELECT MIN(id) FROM staff WHERE home_id = 1 AND active");
  for (int i = 0; i < 3; ++i) {
    const int64_t before = Json(Cached(dashboard))["certifications_expiring_30d"].GetInt64();
    auto w =
        Send("POST", "/api/certifications",
             R"({"staff_id":)" + staff + R"(,"name":"Hoist )" + std::to_string(i) + R"(","expires_on":"2026-12-05"})");
    ASSERT_EQ(w.status, 201) << w.body;
    auto got = Get(dashboard);
    EXPECT_EQ(got.Header("x-cache"), "HIT") << "write " << i;
    EXPECT_EQ(got.Header("x-query-count"), "0");
    EXPECT_EQ(Json(got.body)["certifications_expiring_30d"].GetInt64(), before + 1) << "a stale answer";
  }
}

TEST_P(CacheE2E, ARejectedWriteInvalidatesNothing) {
  Cached("/api/homes/1/dashboard");
  auto r = Send("POST", "/api/shifts", R"({"home_id":1,"unit_id":999,"shift_type_id":1,"date":"2026-11-29"})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Get("/api/homes/1/dashboard").Header("x-cache"), "HIT");
}

TEST_P(CacheE2E, StatsClearAndWarmEndpoints) {
  EXPECT_EQ(Send("POST", "/cache/clear/", "").status, 200);
  auto warm = Send("POST", "/cache/warm/", R"({"home_id":1})");
  ASSERT_EQ(warm.status, 200) << warm.body;
  auto w = Json(warm.body);
  // 2 dashboards, the month's report, the fragments of the home page, the staff page, the report page,
  // the compliance page and the rota page's week from today (web/), stats, the administrators' GET /api/homes.
  EXPECT_EQ(w["warmed_keys"].GetInt64(), 10);
  EXPECT_EQ(w["homes"].Size(), 1u);
  EXPECT_EQ(Get("/api/homes/1/dashboard?days=14").Header("x-cache"), "HIT");
  auto stats = Json(Get("/api/cache/stats").body);
  EXPECT_GE(stats["total_keys"].GetInt64(), 4);
  EXPECT_GE(stats["hits"].GetInt64(), 1);
  EXPECT_TRUE(stats.HasMember("hit_rate"));
  EXPECT_TRUE(stats.HasMember("connected_clients"));
  EXPECT_GE(stats["by_prefix"]["dashboard"]["hits"].GetInt64(), 1);

  auto bad = Send("POST", "/cache/clear/", R"({"pattern":"dash'; DROP"})");
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.ErrorField(), "pattern");
  EXPECT_EQ(Send("POST", "/cache/clear/", R"({"pattern":")" + std::string(129, 'a') + "\"}").status, 422);
  auto cleared = Send("POST", "/cache/clear/", R"({"pattern":"dashboard:*"})");
  ASSERT_EQ(cleared.status, 200);
  EXPECT_GE(Json(cleared.body)["deleted"].GetInt64(), 2);
  EXPECT_EQ(Get("/api/homes/1/dashboard?days=14").Header("x-cache"), "MISS");
  EXPECT_EQ(Send("POST", "/cache/warm/", R"({"home_id":999})").status, 404);

  std::string m1 = s().ManagerToken(1);
  EXPECT_EQ(s().Get("/api/cache/stats", m1).status, 403);
  EXPECT_EQ(s().Send("POST", "/cache/clear/", "", m1).status, 403);
  EXPECT_EQ(s().Send("POST", "/cache/warm/", "", m1).status, 403);
  EXPECT_EQ(s().Send("POST", "/cache/clear/", "", "").status, 401);
}

// Writers assign and vacate shifts of home 1 while readers read its dashboard.
// Every read that starts after a write was acknowledged must show that write
// (or a later one): staffed_shifts read >= the number acknowledged as staffed
// at the read's start, and <= the number started.
TEST_P(CacheE2E, ConcurrentWritersAndReadersSeeNoStaleAnswer) { ConcurrentWritersAndReaders(); }

// The same with refresh after write: background recomputations race the
// readers and the next writes, and still nothing stale is served.
TEST_P(CacheE2E, ConcurrentWritersAndReadersSeeNoStaleAnswerWithRefreshAfterWrite) {
  StartServer(true);
  ConcurrentWritersAndReaders();
  EXPECT_GT(s().app().cached().RefreshesQueued(), 0);
}

void CacheE2E::ConcurrentWritersAndReaders() {
  // Vacant shifts of home 1 in the default 7-day range, each with its own free eligible member of staff.
  std::vector<std::pair<int64_t, int64_t>> jobs;
  {
    auto conn = s().app().pool().Acquire();
    ASSERT_TRUE(conn);
    std::set<std::pair<int64_t, std::string>> busy;
    std::vector<std::tuple<int64_t, int64_t, std::string>> vacant;
    ASSERT_TRUE(
        (*conn)->Query("SELECT id, unit_id, date FROM shift WHERE home_id = 1 AND staff_id IS NULL "
                       "AND date BETWEEN '2026-11-28' AND '2026-12-04' ORDER BY id",
                       {}, [&](const db::Row& r) { vacant.emplace_back(r.Int(0), r.Int(1), std::string(r.Text(2))); }));
    for (auto& [shift, unit, date] : vacant) {
      int64_t pick = 0;
      ASSERT_TRUE((*conn)->Query(
          "SELECT f.id FROM staff f JOIN staff_qualified_unit q ON q.staff_id = f.id AND q.unit_id = ? "
          "WHERE f.home_id = 1 AND f.active AND NOT EXISTS (SELECT 1 FROM shift o WHERE o.staff_id = f.id AND o.date = "
          "?) "
          "AND NOT EXISTS (SELECT 1 FROM leave_request l WHERE l.staff_id = f.id AND l.status = 'approved' "
          "AND l.start_date <= ? AND ? <= l.end_date) ORDER BY f.id",
          {unit, std::string_view(date), std::string_view(date), std::string_view(date)}, [&](const db::Row& r) {
            if (!pick && !busy.count({r.Int(0), date})) pick = r.Int(0);
          }));
      if (pick) {
        busy.insert({pick, date});
        jobs.emplace_back(shift, pick);
      }
    }
  }
  ASSERT_GE(jobs.size(), 4u);
  int64_t base = Json(Get("/api/homes/1/dashboard").body)["staffed_shifts"].GetInt64();

  std::atomic<int64_t> acknowledged{0}, started{0}, reads{0}, stale{0};
  std::atomic<bool> done{false};
  std::thread writer([&] {
    HttpClient c(s().port());
    std::map<std::string, std::string> auth{{"Authorization", "Bearer " + s().admin_token()}};
    for (auto& [shift, staff] : jobs) {
      started.fetch_add(1);
      auto r = c.Request("PATCH", "/api/shifts/" + std::to_string(shift),
                         R"({"staff_id":)" + std::to_string(staff) + "}", auth);
      EXPECT_EQ(r.status, 200) << r.body;
      acknowledged.fetch_add(1);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    done = true;
  });
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t)
    readers.emplace_back([&] {
      HttpClient c(s().port());
      std::map<std::string, std::string> auth{{"Authorization", "Bearer " + s().admin_token()}};
      while (!done) {
        int64_t lo = acknowledged.load();
        auto r = c.Request("GET", "/api/homes/1/dashboard", "", auth);
        int64_t hi = started.load();
        rapidjson::Document d;
        d.Parse(r.body.c_str());
        int64_t staffed = d["staffed_shifts"].GetInt64() - base;
        reads.fetch_add(1);
        if (staffed < lo || staffed > hi) stale.fetch_add(1);
      }
    });
  writer.join();
  for (auto& t : readers) t.join();
  EXPECT_GT(reads.load(), 20);
  EXPECT_EQ(stale.load(), 0) << "of " << reads.load() << " reads";
  EXPECT_EQ(Json(Get("/api/homes/1/dashboard").body)["staffed_shifts"].GetInt64(),
            base + static_cast<int64_t>(jobs.size()));
}

// 50 requests miss the same key at once: the dashboard is computed once.
TEST_P(CacheE2E, FiftyConcurrentMissesComputeOnce) {
  auto& cached = s().app().cached();
  domain::DateRange range{*Date::Parse("2026-11-20"), *Date::Parse("2026-12-10")};
  std::atomic<uint64_t> statements{0};
  std::atomic<int> misses{0}, ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i)
    threads.emplace_back([&] {
      ready.fetch_add(1);
      while (ready.load() < 50) std::this_thread::yield();
      uint64_t before = db::StatementCounter::Now();
      auto a = cached.Dashboard(1, range, false);
      statements.fetch_add(db::StatementCounter::Now() - before);
      ASSERT_TRUE(a);
      if (a->outcome == service::CacheOutcome::kMiss) misses.fetch_add(1);
    });
  for (auto& t : threads) t.join();
  uint64_t one_before = db::StatementCounter::Now();
  ASSERT_TRUE(cached.Dashboard(1, range, true));
  uint64_t one = db::StatementCounter::Now() - one_before;
  EXPECT_EQ(statements.load(), one) << misses.load() << " misses shared one computation";
}

// Redis dies mid-test: reads still answer (BYPASS, from the database), writes
// still succeed, /healthz says degraded; Redis comes back (it kept its data, as
// after a network partition): hits resume, and the write made during the outage
// is not answered stale.
TEST(CacheOutage, RedisDownThenBackServesNothingStale) {
  RedisProcess redis;
  ASSERT_TRUE(redis.Start());
  TestServer s(DbKind::kSqlite, SeedShape{2, 40, 14}, redis.url());
  const std::string& token = s.admin_token();
  const std::string dash = "/api/homes/1/dashboard";
  s.Get(dash, token);
  auto cached = s.Get(dash, token);
  ASSERT_EQ(cached.Header("x-cache"), "HIT");
  int64_t staffed_before = Json(cached.body)["staffed_shifts"].GetInt64();

  // Freeze Redis's data, then kill it: on restart it comes back with the old entries.
  redis.Cli("SAVE");
  redis.Stop();
  auto during = s.Get(dash, token);
  EXPECT_EQ(during.status, 200);
  EXPECT_EQ(during.Header("x-cache"), "BYPASS");
  auto health = s.Get("/healthz", "");
  EXPECT_EQ(health.status, 200);
  EXPECT_STREQ(Json(health.body)["cache"].GetString(), "degraded");
  int64_t shift =
      s.SqlInt("SELECT MIN(id) FROM shift WHERE home_id = 1 AND date = '2026-11-28' AND staff_id IS NOT NULL");
  auto write = s.Send("PATCH", "/api/shifts/" + std::to_string(shift), R"({"staff_id":null})", token);
  ASSERT_EQ(write.status, 200) << write.body;
  EXPECT_EQ(Json(s.Get(dash, token).body)["staffed_shifts"].GetInt64(), staffed_before - 1);

  ASSERT_TRUE(redis.Start());  // loads the saved entries: the pre-outage dashboard is in Redis again
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));  // the breaker's retry_after
  auto after = s.Get(dash, token);
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(Json(after.body)["staffed_shifts"].GetInt64(), staffed_before - 1) << "stale after the outage";
  auto hit = s.Get(dash, token);
  EXPECT_EQ(hit.Header("x-cache"), "HIT");
  EXPECT_EQ(Json(hit.body)["staffed_shifts"].GetInt64(), staffed_before - 1);
  EXPECT_STREQ(Json(s.Get("/healthz", "").body)["cache"].GetString(), "ok");
}

std::vector<Setup> Setups() {
  std::vector<Setup> out;
  for (DbKind db : AllDbKinds())
    for (const char* cache : {"memory", "redis"}) out.push_back({db, cache});
  return out;
}

INSTANTIATE_TEST_SUITE_P(All, CacheE2E, ::testing::ValuesIn(Setups()),
                         [](const auto& info) { return DbKindName(info.param.db) + "_" + info.param.cache; });

}  // namespace
}  // namespace rota::testing
