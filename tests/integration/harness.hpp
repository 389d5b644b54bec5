// End-to-end harness: a real rota App serving on a real socket (127.0.0.1,
// port 0) over a real database (a fresh SQLite file or a fresh PostgreSQL
// database), seeded with small deterministic demo data, and a blocking HTTP
// client. Each TestServer owns its database, so tests do not see each other.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <rapidjson/document.h>

#include "http/router.hpp"
#include "http/server.hpp"
#include "service/app.hpp"
#include "service/seed.hpp"
#include "support/support.hpp"

namespace rota::testing {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
  std::string Header(const std::string& lower) const {
    auto it = headers.find(lower);
    return it == headers.end() ? "" : it->second;
  }
  int QueryCount() const { return std::stoi(Header("x-query-count").empty() ? "-1" : Header("x-query-count")); }
  std::string ErrorCode() const;   // error.code of a JSON error body, "" otherwise
  std::string ErrorField() const;  // error.field, "" when null or absent
};

// One keep-alive connection; reconnects when the server closes it.
class HttpClient {
 public:
  explicit HttpClient(int port);
  ~HttpClient();
  HttpResult Request(const std::string& method, const std::string& target, const std::string& body = "",
                     const std::map<std::string, std::string>& headers = {});
  // A request the server never answers (it was killed) returns status 0
  // instead of failing the test.
  void TolerateNoResponse() { tolerate_no_response_ = true; }
  // Raw bytes on a fresh connection; returns what the server sent until it closed.
  std::string Raw(const std::string& bytes);

 private:
  struct Conn;
  int port_;
  bool tolerate_no_response_ = false;
  std::unique_ptr<Conn> conn_;
};

// A JSON body parsed; a body that is not JSON fails the current test.
rapidjson::Document Json(const std::string& body);

// A browser's login: the session cookie ("rota_session=...") and the CSRF token
// its writes must send.
struct Session {
  std::string cookie;
  std::string csrf;
};
// POST /api/login as `username` (password rota-demo) through `client`; a
// refusal fails the current test and gives an empty session.
Session LogIn(HttpClient& client, const std::string& username);

struct SeedShape {
  int homes = 2;
  int staff_per_home = 8;
  int days = 14;
};

class TestServer {
 public:
  // Seeds `shape` with shifts starting 2026-11-21; today is pinned to 2026-11-28.
  // `cache_url`: memory:// or a redis:// URL (each server gets its own key prefix).
  // `configure` may change the configuration before the app opens (the
  // server's edge settings are taken from it too).
  TestServer(DbKind kind, SeedShape shape = {}, const std::string& cache_url = "memory://",
             const std::function<void(Config&)>& configure = {});
  ~TestServer();

  int port() const { return port_; }
  service::App& app() { return *app_; }
  const std::string& db_url() const { return db_url_; }
  const std::string& admin_token() const { return admin_token_; }
  // A token for a new manager of `home` (created on first use).
  std::string ManagerToken(int64_t home);
  // A client with the bearer token preset.
  HttpResult Get(const std::string& target, const std::string& token);
  HttpResult Send(const std::string& method, const std::string& target, const std::string& body,
                  const std::string& token);
  // One integer from SQL (the test's independent view of the data).
  int64_t SqlInt(const std::string& sql);

 private:
  TempDir dir_;
  std::string db_url_;
  std::unique_ptr<service::App> app_;
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::string admin_token_;
  std::map<int64_t, std::string> manager_tokens_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace rota::testing
