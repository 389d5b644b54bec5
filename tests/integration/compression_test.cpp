// Compressed once, served many times (issue 14, item 5), end to end on a real
// socket: a large answer is stored gzip-compressed when it is computed, sent as
// those bytes to a client that accepts gzip and inflated for one that does not;
// Vary, the two representations' ETags and 304s; the stored value's format; the
// pages built around compressed fragments.
// Each test runs on memory:// and on the test Redis.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "cache/keys.hpp"
#include "integration/harness.hpp"
#include "service/cached_reads.hpp"
#include "service/gzip.hpp"

namespace rota::testing {
namespace {

std::string CacheUrl(const std::string& kind) {
  if (kind == "memory") return "memory://";
  const char* url = std::getenv("ROTA_TEST_REDIS_URL");
  if (!url || !*url) {
    ADD_FAILURE() << "ROTA_TEST_REDIS_URL is not set: run the suite with the README's test command";
    return "memory://";
  }
  return url;
}

// The week's shift list of home 1 (2 homes x 40 staff: ~30 KB of JSON).
constexpr const char* kShifts = "/api/homes/1/shifts?from=2026-11-28&to=2026-12-04";

class Compression : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TestServer>(DbKind::kSqlite, SeedShape{2, 40, 14}, CacheUrl(GetParam()));
    client_ = std::make_unique<HttpClient>(server_->port());
  }
  // GET `path` as the administrator with the extra `headers`.
  HttpResult Get(const std::string& path, std::map<std::string, std::string> headers = {}) {
    headers["Authorization"] = "Bearer " + server_->admin_token();
    return client_->Request("GET", path, "", headers);
  }
  HttpResult GetGzip(const std::string& path, std::map<std::string, std::string> headers = {}) {
    headers["Accept-Encoding"] = "gzip";
    return Get(path, headers);
  }
  // The answer computed without the cache: the identity bytes every representation must carry.
  std::string Uncached(const std::string& path) {
    auto r = Get(path + (path.find('?') == std::string::npos ? "?" : "&") + "nocache=1");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("x-cache"), "BYPASS");
    EXPECT_EQ(r.Header("content-encoding"), "");
    return r.body;
  }
  static std::string Inflate(const std::string& gz) {
    auto body = service::Gunzip(gz);
    EXPECT_TRUE(body) << (body ? "" : body.error().message);
    return body ? *body : std::string();
  }
  // The service's stored value under `key` (the cache's stamp trailer cut off:
  // generations as 8 bytes each, their count, a magic byte; cache/stamp.hpp).
  std::string StoredValue(const std::string& key) {
    auto raw = server_->app().cache().Get(key);
    EXPECT_TRUE(raw) << key;
    if (!raw || raw->size() < 2) return "";
    size_t trailer = 8 * static_cast<unsigned char>((*raw)[raw->size() - 2]) + 2;
    return raw->substr(0, raw->size() - trailer);
  }

  std::unique_ptr<TestServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_P(Compression, AGzipClientGetsTheStoredBytesOnMissAndHit) {
  const std::string identity = Uncached(kShifts);
  ASSERT_GT(identity.size(), 10'000u);
  auto miss = GetGzip(kShifts);
  ASSERT_EQ(miss.status, 200);
  EXPECT_EQ(miss.Header("x-cache"), "MISS");
  EXPECT_EQ(miss.Header("content-encoding"), "gzip");
  EXPECT_EQ(miss.Header("vary"), "Accept-Encoding");
  EXPECT_EQ(miss.Header("content-type"), "application/json");
  EXPECT_EQ(Inflate(miss.body), identity);
  EXPECT_LT(miss.body.size() * 4, identity.size()) << "gzip should shrink a shift list several-fold";
  auto hit = GetGzip(kShifts);
  EXPECT_EQ(hit.Header("x-cache"), "HIT");
  EXPECT_EQ(hit.Header("content-encoding"), "gzip");
  EXPECT_EQ(hit.body, miss.body) << "a hit sends the bytes compressed once, on the miss";
  EXPECT_EQ(hit.Header("etag"), miss.Header("etag"));
  EXPECT_EQ(hit.QueryCount(), 0);
}

TEST_P(Compression, ClientsThatDoNotAcceptGzipGetTheIdentityBytes) {
  const std::string identity = Uncached(kShifts);
  GetGzip(kShifts);  // stored compressed
  const std::vector<std::optional<std::string>> headers = {
      std::nullopt, "br", "identity", "gzip;q=0", "*;q=0", "br;q=1, gzip;q=0", "gzip;q=0.5, identity", "", "gzip;q=2"};
  for (const auto& h : headers) {
    std::map<std::string, std::string> extra;
    if (h) extra["Accept-Encoding"] = *h;
    auto r = Get(kShifts, extra);
    const std::string what = h ? "Accept-Encoding: " + *h : "no Accept-Encoding";
    ASSERT_EQ(r.status, 200) << what;
    EXPECT_EQ(r.Header("x-cache"), "HIT") << what;
    EXPECT_EQ(r.Header("content-encoding"), "") << what;
    EXPECT_EQ(r.Header("vary"), "Accept-Encoding") << what;
    EXPECT_EQ(r.Header("etag").find("-gz"), std::string::npos) << what;
    EXPECT_EQ(r.body, identity) << what;
  }
}

TEST_P(Compression, GzipIsSentWheneverTheHeaderAllowsIt) {
  const std::string identity = Uncached(kShifts);
  for (const char* h : {"gzip", "GZIP", "x-gzip", "*", "identity;q=0, gzip", "br, gzip;q=0.8, identity;q=0.5",
                        "deflate, gzip", " gzip ; q=1.0 "}) {
    auto r = Get(kShifts, {{"Accept-Encoding", h}});
    ASSERT_EQ(r.status, 200) << h;
    EXPECT_EQ(r.Header("content-encoding"), "gzip") << h;
    EXPECT_EQ(r.Header("vary"), "Accept-Encoding") << h;
    EXPECT_EQ(Inflate(r.body), identity) << h;
  }
}

TEST_P(Compression, EachRepresentationHasItsOwnEtagAnd304) {
  auto gz = GetGzip(kShifts);
  auto id = Get(kShifts);
  const std::string gz_etag = gz.Header("etag"), id_etag = id.Header("etag");
  ASSERT_EQ(id_etag.size(), 18u) << id_etag;  // "<16 hex>"
  EXPECT_EQ(gz_etag, id_etag.substr(0, 17) + "-gz\"");

  auto not_modified = GetGzip(kShifts, {{"If-None-Match", gz_etag}});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_TRUE(not_modified.body.empty());
  EXPECT_EQ(not_modified.Header("etag"), gz_etag);
  EXPECT_EQ(not_modified.Header("vary"), "Accept-Encoding");
  EXPECT_EQ(not_modified.Header("content-encoding"), "");

  not_modified = Get(kShifts, {{"If-None-Match", id_etag}});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_EQ(not_modified.Header("etag"), id_etag);
  EXPECT_EQ(not_modified.Header("vary"), "Accept-Encoding");

  // A validator of the other representation is not this one's: the full answer.
  auto other = GetGzip(kShifts, {{"If-None-Match", id_etag}});
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.Header("content-encoding"), "gzip");
  EXPECT_EQ(other.body, gz.body);
  other = Get(kShifts, {{"If-None-Match", gz_etag}});
  EXPECT_EQ(other.status, 200);
  EXPECT_EQ(other.body, id.body);

  // A client (or a shared cache) holding both lists both; weak comparison ignores W/.
  EXPECT_EQ(GetGzip(kShifts, {{"If-None-Match", id_etag + ", " + gz_etag}}).status, 304);
  EXPECT_EQ(Get(kShifts, {{"If-None-Match", id_etag + ", " + gz_etag}}).status, 304);
  EXPECT_EQ(GetGzip(kShifts, {{"If-None-Match", "W/" + gz_etag}}).status, 304);
  EXPECT_EQ(GetGzip(kShifts, {{"If-None-Match", "\"stale\""}}).status, 200);
}

TEST_P(Compression, AWriteChangesBothRepresentations) {
  auto before = GetGzip(kShifts);
  std::string id = std::to_string(
      server_->SqlInt("SELECT MIN(id) FROM shift WHERE home_id = 1 AND date = '2026-11-29' AND staff_id IS NOT NULL"));
  auto w = server_->Send("PATCH", "/api/shifts/" + id, R"({"staff_id":null})", server_->admin_token());
  ASSERT_EQ(w.status, 200) << w.body;
  auto after = GetGzip(kShifts, {{"If-None-Match", before.Header("etag")}});
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(after.Header("x-cache"), "MISS");
  EXPECT_NE(after.Header("etag"), before.Header("etag"));
  EXPECT_EQ(Inflate(after.body), Uncached(kShifts));
}

TEST_P(Compression, TheStoredValueIsGzipItsIdentityEtagAndItsEncoding) {
  auto r = GetGzip(kShifts);
  const std::string key = cache::Key(cache::prefix::kShift, 1, service::kCacheFormat, "2026-11-28/2026-12-04");
  std::string stored = StoredValue(key);
  ASSERT_GT(stored.size(), 17u);
  EXPECT_EQ(stored.back(), 'g');
  const std::string id_etag = Get(kShifts).Header("etag");
  EXPECT_EQ("\"" + stored.substr(stored.size() - 17, 16) + "\"", id_etag);
  EXPECT_EQ(stored.substr(0, stored.size() - 17), r.body) << "the response is the stored bytes";
  EXPECT_EQ(Inflate(stored.substr(0, stored.size() - 17)), Uncached(kShifts));
  EXPECT_EQ(cache::HashHex(Uncached(kShifts)), stored.substr(stored.size() - 17, 16));
  // The format version is in the key: values of another format are never read.
  EXPECT_NE(key.find(":v" + std::to_string(service::kCacheFormat) + ":"), std::string::npos) << key;
}

TEST_P(Compression, SmallAnswersStayIdentity) {
  const std::string identity = Uncached("/api/stats");
  ASSERT_LT(identity.size(), service::kGzipMinBytes);
  GetGzip("/api/stats");
  auto hit = GetGzip("/api/stats");
  EXPECT_EQ(hit.Header("x-cache"), "HIT");
  EXPECT_EQ(hit.Header("content-encoding"), "");
  EXPECT_EQ(hit.Header("vary"), "Accept-Encoding");
  EXPECT_EQ(hit.Header("etag").find("-gz"), std::string::npos);
  EXPECT_EQ(hit.body, identity);
  std::string stored = StoredValue(cache::Key(cache::prefix::kStats, 0, service::kCacheFormat, "2026-11-28"));
  ASSERT_FALSE(stored.empty());
  EXPECT_EQ(stored.back(), 'i');
  EXPECT_EQ(stored.substr(0, stored.size() - 17), identity);
}

TEST_P(Compression, EveryCacheableReadVariesOnAcceptEncoding) {
  for (const char* path :
       {"/api/homes/1/dashboard", "/api/homes/1/dashboard?days=31", kShifts,
        "/api/homes/1/shifts?from=2026-11-21&to=2026-12-21", "/api/homes/1/staff", "/api/homes/1/reports/monthly",
        "/api/homes/1/reports/monthly?format=csv", "/api/homes/1/compliance", "/api/homes", "/api/stats"}) {
    const std::string identity = Uncached(path);
    for (int i = 0; i < 2; ++i) {  // the miss, then the hit
      auto r = GetGzip(path);
      ASSERT_EQ(r.status, 200) << path;
      EXPECT_EQ(r.Header("vary"), "Accept-Encoding") << path;
      const bool gz = r.Header("content-encoding") == "gzip";
      EXPECT_EQ(gz, identity.size() >= service::kGzipMinBytes) << path << " " << identity.size() << " bytes";
      EXPECT_EQ(gz ? Inflate(r.body) : r.body, identity) << path;
    }
    EXPECT_EQ(Get(std::string(path) + (std::string(path).find('?') == std::string::npos ? "?" : "&") + "nocache=1",
                  {{"Accept-Encoding", "gzip"}})
                  .Header("vary"),
              "Accept-Encoding")
        << path << " (bypass)";
  }
}

TEST_P(Compression, TheCsvReportKeepsItsHeadersCompressed) {
  const std::string path = "/api/homes/1/reports/monthly?month=2026-11&format=csv";
  const std::string identity = Uncached(path);
  auto r = GetGzip(path);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "text/csv; charset=utf-8");
  EXPECT_NE(r.Header("content-disposition").find("attachment"), std::string::npos);
  EXPECT_EQ(r.Header("content-encoding") == "gzip" ? Inflate(r.body) : r.body, identity);
}

TEST_P(Compression, HeadAnswersTheHeadersOfTheRepresentation) {
  auto get = GetGzip(kShifts);
  HttpClient c(server_->port());
  // Beast's parser expects no body after a HEAD response only when told; use raw bytes.
  std::string raw = c.Raw("HEAD " + std::string(kShifts) + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                          server_->admin_token() + "\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n");
  EXPECT_NE(raw.find("Content-Encoding: gzip\r\n"), std::string::npos) << raw;
  EXPECT_NE(raw.find("Content-Length: " + std::to_string(get.body.size()) + "\r\n"), std::string::npos) << raw;
  EXPECT_TRUE(raw.ends_with("\r\n\r\n")) << "no body after a HEAD";
}

// The pages and their fragments: a fragment is stored compressed like an API
// answer; a page puts its layout around those bytes (stored deflate blocks), so
// what a browser inflates is byte-equal to the identity page.
TEST_P(Compression, PagesAndFragmentsAreSentFromTheCompressedFragment) {
  for (const char* path : {"/homes/1/", "/homes/1/panel", "/homes/1/staff/", "/homes/1/staff/panel",
                           "/homes/1/rota/?from=2026-11-28", "/homes/1/rota/grid?from=2026-11-28",
                           "/homes/1/reports/monthly/?month=2026-11", "/homes/1/compliance/", "/homes/"}) {
    auto identity = Get(path);
    ASSERT_EQ(identity.status, 200) << path;
    EXPECT_EQ(identity.Header("content-encoding"), "") << path;
    EXPECT_EQ(identity.Header("vary"), "Accept-Encoding") << path;
    auto gz = GetGzip(path);
    ASSERT_EQ(gz.status, 200) << path;
    EXPECT_EQ(gz.Header("x-cache"), "HIT") << path;
    EXPECT_EQ(gz.Header("vary"), "Accept-Encoding") << path;
    EXPECT_EQ(gz.Header("content-type"), "text/html; charset=utf-8") << path;
    const bool compressed = gz.Header("content-encoding") == "gzip";
    EXPECT_EQ(compressed ? Inflate(gz.body) : gz.body, identity.body) << path;
    if (std::string(path) != "/homes/") {  // /homes/: 2 homes, a small fragment
      EXPECT_TRUE(compressed) << path;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, Compression, ::testing::Values("memory", "redis"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace rota::testing
