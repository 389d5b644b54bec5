// One truth for credentials across servers (issue 10, api.md Authentication):
// two `rota serve` processes on one PostgreSQL and one Redis. A logout through
// one server, and `rota revoke-token` run from the command line, are refused by
// both servers within 1 s; the login throttle counts the failures both servers
// saw. Real processes, real sockets, real servers.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "integration/harness.hpp"
#include "integration/process.hpp"
#include "support/support.hpp"

namespace rota::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Server 0 runs with the near tier, server 1 without: both cache backends
// that forward the shared counts are in every test.
class Credentials : public ::testing::Test {
 protected:
  void SetUp() override {
    db_url_ = FreshDatabaseUrl(DbKind::kPostgres, dir_);
    ASSERT_FALSE(db_url_.empty());
    static std::atomic<int> n{0};
    std::string prefix = "cred" + RunTag() + "_" + std::to_string(n++);
    for (int i = 0; i < 2; ++i)
      std::ofstream(dir_.File("rota" + std::to_string(i) + ".toml"))
          << "[cache]\nkey_prefix = \"" << prefix << "\"\nnear = " << (i == 0 ? "true" : "false") << "\n";
    env_ = {{"ROTA_DATABASE_URL", db_url_},
            {"ROTA_CACHE_URL", TestRedisUrl()},
            {"ROTA_TODAY", "2026-11-28"},
            {"ROTA_LOG_LEVEL", "warn"}};
    std::string out;
    ASSERT_EQ(
        RunRota({"seed", "--homes", "2", "--staff-per-home", "4", "--days", "3", "--start", "2026-11-28"}, env_, &out),
        0)
        << out;
    for (int i = 0; i < 2; ++i)
      servers_.push_back(std::make_unique<RotaServer>(
          env_, dir_.File("server" + std::to_string(i) + ".log"),
          std::vector<std::string>{"--config", dir_.File("rota" + std::to_string(i) + ".toml")}));
    for (auto& s : servers_) clients_.push_back(std::make_unique<HttpClient>(s->port()));
  }

  std::string Rota(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"--config", dir_.File("rota1.toml")};
    all.insert(all.end(), args.begin(), args.end());
    std::string out;
    EXPECT_EQ(RunRota(all, env_, &out), 0) << out;
    return out;
  }

  HttpResult Login(int server, const std::string& user, const std::string& password) {
    return clients_[server]->Request("POST", "/api/login",
                                     R"({"username":")" + user + R"(","password":")" + password + R"("})");
  }

  // Polls `status_of(server)` on both servers from now until both answer 401;
  // returns the milliseconds that took (or 5000 if they never did).
  int64_t MillisUntilBothRefuse(const std::function<int(int)>& status_of) {
    auto t0 = Clock::now();
    bool refused[2] = {false, false};
    while (Clock::now() - t0 < std::chrono::seconds(5)) {
      for (int s : {0, 1})
        if (!refused[s]) refused[s] = status_of(s) == 401;
      if (refused[0] && refused[1])
        return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
      usleep(20000);
    }
    return 5000;
  }

  TempDir dir_;
  std::string db_url_;
  Env env_;
  std::vector<std::unique_ptr<RotaServer>> servers_;
  std::vector<std::unique_ptr<HttpClient>> clients_;
};

TEST_F(Credentials, ALogoutThroughOneServerIsRefusedByBothWithinOneSecond) {
  auto login = Login(0, "manager1", "rota-demo");
  ASSERT_EQ(login.status, 200) << login.body;
  std::string set = login.Header("set-cookie");
  std::string cookie = set.substr(0, set.find(';'));
  std::string csrf = Json(login.body)["csrf_token"].GetString();
  auto read = [&](int s) {
    return clients_[s]->Request("GET", "/api/homes/1/dashboard", "", {{"Cookie", cookie}}).status;
  };
  for (int round = 0; round < 3; ++round)  // both servers remember the session now
    for (int s : {0, 1}) ASSERT_EQ(read(s), 200);
  auto logout = clients_[1]->Request("POST", "/api/logout", "", {{"Cookie", cookie}, {"X-CSRF-Token", csrf}});
  ASSERT_EQ(logout.status, 204) << logout.body;
  int64_t ms = MillisUntilBothRefuse(read);
  std::printf("logout on server 1: both servers refuse the session after %lld ms\n", static_cast<long long>(ms));
  EXPECT_LT(ms, 1000);
}

TEST_F(Credentials, ARevokedTokenIsRefusedByBothWithinOneSecond) {
  std::string token = Rota({"create-token", "admin"});
  token = token.substr(0, token.find_first_of("\r\n"));
  std::string keep = Rota({"create-token", "admin", "--expires-days", "7"});
  keep = keep.substr(0, keep.find_first_of("\r\n"));
  auto read = [&](int s, const std::string& t) {
    return clients_[s]->Request("GET", "/api/homes/1/dashboard", "", {{"Authorization", "Bearer " + t}}).status;
  };
  for (int round = 0; round < 3; ++round)
    for (int s : {0, 1}) ASSERT_EQ(read(s, token), 200);
  std::string list = Rota({"list-tokens", "admin"});
  // The first token is id 1 (a fresh database); the listing shows it used.
  size_t at = list.find("\n1\tadmin\t");
  ASSERT_NE(at, std::string::npos) << list;
  std::string line = list.substr(at + 1, list.find('\n', at + 1) - at - 1);
  std::vector<std::string> fields;
  for (size_t b = 0, e; b <= line.size(); b = e + 1) {
    e = std::min(line.find('\t', b), line.size());
    fields.push_back(line.substr(b, e - b));
  }
  ASSERT_EQ(fields.size(), 5u) << line;
  EXPECT_NE(fields[3], "-") << "the token was used: " << line;
  EXPECT_EQ(fields[4], "never") << line;
  EXPECT_EQ(list.find(token), std::string::npos) << "list-tokens must never print a secret";
  Rota({"revoke-token", "1"});  // from when the command exits
  int64_t ms = MillisUntilBothRefuse([&](int s) { return read(s, token); });
  std::printf("revoke-token: both servers refuse the token after %lld ms\n", static_cast<long long>(ms));
  EXPECT_LT(ms, 1000);
  for (int s : {0, 1}) EXPECT_EQ(read(s, keep), 200) << "only the revoked token is refused";
}

TEST_F(Credentials, TheLoginThrottleCountsFailuresOnEveryServer) {
  // Five failures for one username, alternating between the servers: each saw
  // fewer than five, together five, so both refuse the right password now.
  for (int i = 0; i < 5; ++i) {
    auto r = Login(i % 2, "manager2", "wrong password");
    ASSERT_EQ(r.status, 401) << "attempt " << i << ": " << r.body;
  }
  for (int s : {0, 1}) {
    auto r = Login(s, "manager2", "rota-demo");
    EXPECT_EQ(r.status, 429) << "server " << s << ": " << r.body;
    int retry_after = r.Header("retry-after").empty() ? 0 : std::stoi(r.Header("retry-after"));
    EXPECT_GT(retry_after, 800) << "the window is 15 minutes";
    EXPECT_LE(retry_after, 900);
  }
  // Another username is not affected, and a success clears its own count everywhere.
  for (int i = 0; i < 4; ++i) ASSERT_EQ(Login(i % 2, "manager1", "wrong password").status, 401);
  ASSERT_EQ(Login(0, "manager1", "rota-demo").status, 200);
  for (int i = 0; i < 4; ++i) ASSERT_EQ(Login(1 - i % 2, "manager1", "wrong password").status, 401);
  EXPECT_EQ(Login(1, "manager1", "rota-demo").status, 200) << "the success on server 0 reset the shared count";
}

}  // namespace
}  // namespace rota::testing
