// The HTTP edge (issue 11) over a real socket and the whole stack: HEAD on
// every GET route, caching headers, credentials kept apart, login CSRF, the
// `next` redirect, the login pool and throttles, trusted proxies.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <ctime>
#include <future>
#include <vector>

#include "base/date.hpp"
#include "db/database.hpp"
#include "integration/harness.hpp"

namespace rota::testing {
namespace {

struct Login {
  int status = 0;
  std::string cookie;  // "name=value"
  std::string set_cookie;
  std::string csrf;
  HttpResult result;
};

// The head of a raw response (up to the blank line) and what followed it.
struct Raw {
  std::string head;
  std::string rest;
  int status = 0;
  std::string Header(const std::string& name) const {
    std::string lower_head = head;
    for (char& c : lower_head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto at = lower_head.find("\r\n" + name + ": ");
    if (at == std::string::npos) return "";
    at += name.size() + 4;
    return head.substr(at, head.find("\r\n", at) - at);
  }
};

Raw SplitRaw(const std::string& bytes) {
  Raw r;
  size_t end = bytes.find("\r\n\r\n");
  r.head = bytes.substr(0, end);
  r.rest = end == std::string::npos ? "" : bytes.substr(end + 4);
  if (r.head.size() > 12) r.status = std::stoi(r.head.substr(9, 3));
  return r;
}

class Edge : public ::testing::TestWithParam<DbKind> {
 protected:
  void Start(const std::function<void(Config&)>& configure = {}) {
    server_ = std::make_unique<TestServer>(GetParam(), SeedShape{}, "memory://", configure);
  }
  TestServer& s() { return *server_; }

  Login LogIn(const std::string& username, const std::map<std::string, std::string>& headers = {}) {
    HttpClient c(s().port());
    Login out;
    out.result =
        c.Request("POST", "/api/login", R"({"username":")" + username + R"(","password":"rota-demo"})", headers);
    out.status = out.result.status;
    out.set_cookie = out.result.Header("set-cookie");
    out.cookie = out.set_cookie.substr(0, out.set_cookie.find(';'));
    rapidjson::Document d;
    d.Parse(out.result.body.c_str());
    if (!d.HasParseError() && d.IsObject() && d.HasMember("csrf_token")) out.csrf = d["csrf_token"].GetString();
    return out;
  }

  // A login with a wrong password, sent with `X-Forwarded-For: xff`: its status.
  int FailedLogin(const std::string& username, const std::string& xff) {
    HttpClient c(s().port());
    return c
        .Request("POST", "/api/login", R"({"username":")" + username + R"(","password":"wrong"})",
                 {{"X-Forwarded-For", xff}})
        .status;
  }

  // A request on a fresh connection that the server then closes: the exact bytes.
  Raw Exact(const std::string& method, const std::string& target, const std::string& extra_headers = "") {
    HttpClient c(s().port());
    return SplitRaw(c.Raw(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extra_headers +
                          "Connection: close\r\n\r\n"));
  }

  std::unique_ptr<TestServer> server_;
};

TEST_P(Edge, HeadAnswersEveryGetRouteWithItsHeadersAndNoBody) {
  Start();
  Login admin = LogIn("admin");
  ASSERT_EQ(admin.status, 200);
  HttpClient c(s().port());
  auto css = c.Request("GET", "/login");
  std::string asset = css.body.substr(css.body.find("/static/rota.css"));
  asset = asset.substr(0, asset.find('"'));
  const std::string bearer = "Authorization: Bearer " + s().admin_token() + "\r\n";
  const std::string cookie = "Cookie: " + admin.cookie + "\r\n";
  struct Case {
    std::string target;
    std::string headers;
  };
  for (const Case& k : std::vector<Case>{{"/healthz", ""},
                                         {"/api/homes/1/dashboard?days=7", bearer},
                                         {"/api/homes/1/staff", bearer},
                                         {"/api/stats", bearer},
                                         {"/api/cache/stats", bearer},
                                         {"/api/homes/1/dashboard", ""},  // 401
                                         {"/login", ""},
                                         {"/homes/", cookie},
                                         {"/homes/1/", cookie},
                                         {"/homes/1/panel", cookie},
                                         {"/homes/1/", ""},  // 302
                                         {asset, ""},
                                         {"/nope", ""}}) {
    Raw get = Exact("GET", k.target, k.headers);
    Raw head = Exact("HEAD", k.target, k.headers);
    EXPECT_EQ(head.status, get.status) << k.target;
    EXPECT_EQ(head.rest, "") << k.target << ": HEAD sent a body";
    EXPECT_EQ(head.Header("content-length"), std::to_string(get.rest.size())) << k.target;
    EXPECT_EQ(head.Header("content-type"), get.Header("content-type")) << k.target;
    EXPECT_EQ(head.Header("cache-control"), get.Header("cache-control")) << k.target;
  }
  // A HEAD on a route that only takes POST: 405 with Allow, still no body.
  Raw refused = Exact("HEAD", "/api/login");
  EXPECT_EQ(refused.status, 405);
  EXPECT_EQ(refused.Header("allow"), "POST");
  EXPECT_EQ(refused.rest, "");
  Raw brew = Exact("BREW", "/healthz");
  EXPECT_EQ(brew.status, 405);
  EXPECT_EQ(brew.Header("allow"), "GET, HEAD");
  EXPECT_NE(brew.rest.find("method_not_allowed"), std::string::npos);
}

TEST_P(Edge, PrivateReadsAndPagesAreNoCacheAssetsImmutableFragmentsCarryTheCsp) {
  Start();
  Login admin = LogIn("admin");
  HttpClient c(s().port());
  std::map<std::string, std::string> bearer = {{"Authorization", "Bearer " + s().admin_token()}};
  std::map<std::string, std::string> cookie = {{"Cookie", admin.cookie}};
  for (const char* target :
       {"/api/homes/1/dashboard", "/api/homes/1/shifts", "/api/homes/1/staff", "/api/homes/1/reports/monthly",
        "/api/homes/1/compliance", "/api/stats", "/api/cache/stats"}) {
    auto r = c.Request("GET", target, "", bearer);
    EXPECT_EQ(r.status, 200) << target;
    EXPECT_EQ(r.Header("cache-control"), "private, no-cache") << target;
  }
  auto cached = c.Request("GET", "/api/homes/1/dashboard", "", bearer);
  auto revalidated =
      c.Request("GET", "/api/homes/1/dashboard", "",
                {{"Authorization", "Bearer " + s().admin_token()}, {"If-None-Match", cached.Header("etag")}});
  EXPECT_EQ(revalidated.status, 304);
  EXPECT_EQ(revalidated.Header("cache-control"), "private, no-cache");
  for (const char* page : {"/homes/", "/homes/1/", "/cache/stats/", "/homes/1/panel", "/login"}) {
    auto r = c.Request("GET", page, "", cookie);
    EXPECT_EQ(r.Header("cache-control"), "private, no-cache") << page;
    EXPECT_NE(r.Header("content-security-policy").find("default-src 'none'"), std::string::npos) << page;
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff") << page;
  }
  auto login_page = c.Request("GET", "/login");
  std::string asset = login_page.body.substr(login_page.body.find("/static/rota.css"));
  asset = asset.substr(0, asset.find('"'));
  EXPECT_EQ(c.Request("GET", asset).Header("cache-control"), "public, max-age=31536000, immutable");
}

TEST_P(Edge, ATokenIsNeverASessionNorASessionAToken) {
  Start();
  const std::string token = s().admin_token();
  HttpClient c(s().port());
  // Remembered as a token first, then offered as a session cookie.
  ASSERT_EQ(c.Request("GET", "/api/stats", "", {{"Authorization", "Bearer " + token}}).status, 200);
  auto as_cookie = c.Request("GET", "/api/stats", "", {{"Cookie", std::string("rota_session=") + token}});
  EXPECT_EQ(as_cookie.status, 401);
  // The CSRF check used to pass a token-as-cookie with an empty X-CSRF-Token.
  auto write = c.Request("POST", "/cache/clear/", "{}",
                         {{"Cookie", std::string("rota_session=") + token}, {"X-CSRF-Token", ""}});
  EXPECT_EQ(write.status, 401);

  Login admin = LogIn("admin");
  ASSERT_EQ(admin.status, 200);
  const std::string session = admin.cookie.substr(admin.cookie.find('=') + 1);
  ASSERT_EQ(c.Request("GET", "/api/stats", "", {{"Cookie", admin.cookie}}).status, 200);
  EXPECT_EQ(c.Request("GET", "/api/stats", "", {{"Authorization", "Bearer " + session}}).status, 401);
}

TEST_P(Edge, AnEmptyCsrfTokenNeverMatches) {
  Start();
  Login admin = LogIn("admin");
  ASSERT_EQ(admin.status, 200);
  HttpClient c(s().port());
  EXPECT_EQ(c.Request("POST", "/cache/clear/", "{}", {{"Cookie", admin.cookie}, {"X-CSRF-Token", ""}}).status, 403);
  EXPECT_EQ(c.Request("POST", "/cache/clear/", "{}", {{"Cookie", admin.cookie}}).status, 403);
  EXPECT_EQ(c.Request("POST", "/cache/clear/", "{}", {{"Cookie", admin.cookie}, {"X-CSRF-Token", admin.csrf}}).status,
            200);
}

TEST_P(Edge, LoginTakesJsonOnlyAndRefusesOtherSites) {
  Start();
  HttpClient c(s().port());
  const std::string body = R"({"username":"admin","password":"rota-demo"})";
  // A cross-site HTML form can send text/plain shaped as JSON.
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"}) {
    auto r = c.Request("POST", "/api/login", body, {{"Content-Type", type}});
    EXPECT_EQ(r.status, 400) << type;
    EXPECT_EQ(r.Header("set-cookie"), "") << type;
  }
  EXPECT_EQ(c.Request("POST", "/api/login", body, {{"Content-Type", "Application/JSON; charset=utf-8"}}).status, 200);

  auto port = std::to_string(s().port());
  EXPECT_EQ(LogIn("admin", {{"Origin", "http://evil.example"}}).status, 403);
  EXPECT_EQ(LogIn("admin", {{"Origin", "null"}}).status, 403);
  EXPECT_EQ(LogIn("admin", {{"Origin", "http://127.0.0.1:1"}}).status, 403);
  EXPECT_EQ(LogIn("admin", {{"Sec-Fetch-Site", "cross-site"}}).status, 403);
  EXPECT_EQ(LogIn("admin", {{"Origin", "http://evil.example"}}).set_cookie, "");
  // The page's own script: same origin (the Host the browser sent).
  EXPECT_EQ(LogIn("admin", {{"Origin", "http://127.0.0.1"}, {"Sec-Fetch-Site", "same-origin"}}).status, 200);
  EXPECT_EQ(LogIn("admin", {{"Sec-Fetch-Site", "same-origin"}}).status, 200);
}

TEST_P(Edge, SecureCookiesUseTheHostPrefix) {
  Start([](Config& c) { c.secure_cookies = true; });
  Login admin = LogIn("admin");
  ASSERT_EQ(admin.status, 200);
  EXPECT_EQ(admin.set_cookie.rfind("__Host-rota_session=", 0), 0u) << admin.set_cookie;
  EXPECT_NE(admin.set_cookie.find("; Secure"), std::string::npos);
  EXPECT_NE(admin.set_cookie.find("; Path=/"), std::string::npos);
  EXPECT_EQ(admin.set_cookie.find("Domain"), std::string::npos);
  HttpClient c(s().port());
  EXPECT_EQ(c.Request("GET", "/api/stats", "", {{"Cookie", admin.cookie}}).status, 200);
  // The unprefixed name (which a sibling site could plant) is not read.
  std::string value = admin.cookie.substr(admin.cookie.find('=') + 1);
  EXPECT_EQ(c.Request("GET", "/api/stats", "", {{"Cookie", "rota_session=" + value}}).status, 401);
}

TEST_P(Edge, NextIsFollowedOnlyToAPathOfThisSite) {
  Start();
  Login admin = LogIn("admin");
  HttpClient c(s().port());
  std::map<std::string, std::string> cookie = {{"Cookie", admin.cookie}};
  auto same = c.Request("GET", "/login?next=/homes/1/", "", cookie);
  EXPECT_EQ(same.status, 302);
  EXPECT_EQ(same.Header("location"), "/homes/1/");
  for (const char* evil : {"/%09/evil.example/x", "//evil.example/x", "/%5Cevil.example", "https://evil.example/",
                           "/%0a/evil.example", "/x%5C..%5C..%5Cevil"}) {
    auto r = c.Request("GET", std::string("/login?next=") + evil, "", cookie);
    EXPECT_EQ(r.status, 302) << evil;
    EXPECT_EQ(r.Header("location"), "/homes/") << evil;  // an administrator's start page
  }
}

TEST_P(Edge, SuccessfulLoginsAreLimitedPerAddress) {
  Start([](Config& c) { c.login_successes_per_address = 3; });
  for (int i = 0; i < 3; ++i) EXPECT_EQ(LogIn("manager1").status, 200) << i;
  Login refused = LogIn("manager1");
  EXPECT_EQ(refused.status, 429);
  EXPECT_FALSE(refused.result.Header("retry-after").empty());
  EXPECT_EQ(LogIn("admin").status, 429);  // the address is refused, whoever it is
}

TEST_P(Edge, LoginPurgesExpiredSessions) {
  Start();
  {
    auto conn = s().app().pool().Acquire();
    ASSERT_TRUE(conn);
    for (int i = 0; i < 3; ++i)
      ASSERT_TRUE((*conn)
                      ->Exec("INSERT INTO user_session (user_id, session_hash, csrf_token, created_at, expires_at) "
                             "VALUES ((SELECT id FROM app_user WHERE username = 'admin'), ?, 'x', ?, ?)",
                             {"expired-" + std::to_string(i), FormatTimestamp(std::time(nullptr) - 100),
                              FormatTimestamp(std::time(nullptr) - 10)})
                      .ok());
  }
  EXPECT_EQ(s().SqlInt("SELECT COUNT(*) FROM user_session WHERE session_hash LIKE 'expired-%'"), 3);
  // The process's first login purges (later ones at most once a minute).
  Login admin = LogIn("admin");
  ASSERT_EQ(admin.status, 200);
  EXPECT_EQ(s().SqlInt("SELECT COUNT(*) FROM user_session WHERE session_hash LIKE 'expired-%'"), 0);
  EXPECT_EQ(s().SqlInt("SELECT COUNT(*) FROM user_session"), 1);  // the new one stays
}

TEST_P(Edge, AFullLoginPoolAnswers503WithRetryAfterAndOtherRequestsGoOn) {
  Start([](Config& c) {
    c.hash_threads = 1;
    c.hash_queue = 1;
  });
  std::vector<std::future<HttpResult>> logins;
  for (int i = 0; i < 12; ++i)
    logins.push_back(std::async(std::launch::async, [this] {
      HttpClient c(s().port());
      return c.Request("POST", "/api/login", R"({"username":"manager1","password":"rota-demo"})");
    }));
  HttpClient probe(s().port());
  EXPECT_EQ(probe.Request("GET", "/healthz").status, 200);
  int ok = 0, busy = 0;
  for (auto& f : logins) {
    HttpResult r = f.get();
    if (r.status == 200) ++ok;
    if (r.status == 503) {
      ++busy;
      EXPECT_EQ(r.Header("retry-after"), "1");
      EXPECT_EQ(r.ErrorCode(), "unavailable");
    }
  }
  EXPECT_GE(ok, 1);
  EXPECT_GE(busy, 1);
  EXPECT_EQ(ok + busy, 12);
}

TEST_P(Edge, TheThrottleCountsTheForwardedClientOnlyBehindATrustedProxy) {
  Start([](Config& c) {
    c.trusted_proxies = "127.0.0.0/8";
    c.login_failures_per_address = 2;
    c.login_failures_per_username = 100;
  });
  EXPECT_EQ(FailedLogin("a", "198.51.100.1"), 401);
  EXPECT_EQ(FailedLogin("b", "198.51.100.1"), 401);
  EXPECT_EQ(FailedLogin("c", "198.51.100.1"), 429);
  EXPECT_EQ(FailedLogin("c", "198.51.100.2"), 401);                // another client behind the same proxy
  EXPECT_EQ(FailedLogin("d", "198.51.100.1, 198.51.100.3"), 401);  // the rightmost untrusted hop counts
}

TEST_P(Edge, WithoutTrustedProxiesForwardedForIsIgnored) {
  Start([](Config& c) {
    c.login_failures_per_address = 2;
    c.login_failures_per_username = 100;
  });
  EXPECT_EQ(FailedLogin("a", "198.51.100.1"), 401);
  EXPECT_EQ(FailedLogin("b", "198.51.100.2"), 401);
  EXPECT_EQ(FailedLogin("c", "198.51.100.3"), 429);  // all one address: the peer's
}

INSTANTIATE_TEST_SUITE_P(Db, Edge, ::testing::ValuesIn(AllDbKinds()),
                         [](const auto& info) { return DbKindName(info.param); });

}  // namespace
}  // namespace rota::testing
