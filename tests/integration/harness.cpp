#include "integration/harness.hpp"

#include <unistd.h>

#include <atomic>

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "base/cidr.hpp"
#include "db/database.hpp"
#include "http/api.hpp"
#include "service/passwords.hpp"
#include "web/pages.hpp"

namespace rota::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

std::optional<std::string> ErrorMember(const std::string& body, const char* name) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("error") || !d["error"].IsObject()) return std::nullopt;
  const auto& e = d["error"];
  if (!e.HasMember(name) || !e[name].IsString()) return std::string();
  return std::string(e[name].GetString());
}

}  // namespace

std::string HttpResult::ErrorCode() const { return ErrorMember(body, "code").value_or(""); }
std::string HttpResult::ErrorField() const { return ErrorMember(body, "field").value_or(""); }

struct HttpClient::Conn {
  asio::io_context io;
  tcp::socket socket{io};
  beast::flat_buffer buffer;
};

HttpClient::HttpClient(int port) : port_(port) {}
HttpClient::~HttpClient() = default;

HttpResult HttpClient::Request(const std::string& method, const std::string& target, const std::string& body,
                               const std::map<std::string, std::string>& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!conn_) {
      conn_ = std::make_unique<Conn>();
      conn_->socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port_)));
    }
    bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(method), target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.keep_alive(true);
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() || method == "POST" || method == "PATCH") {
      if (!headers.count("Content-Type")) req.set(bhttp::field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    beast::error_code ec;
    bhttp::write(conn_->socket, req, ec);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 << 20);
    if (!ec) bhttp::read(conn_->socket, conn_->buffer, parser, ec);
    if (ec) {  // the server closed a kept-alive connection: retry once on a new one
      conn_.reset();
      continue;
    }
    auto res = parser.release();
    HttpResult out;
    out.status = res.result_int();
    for (const auto& h : res) {
      std::string name(h.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(h.value());
    }
    out.body = res.body();
    if (!res.keep_alive()) conn_.reset();
    return out;
  }
  if (!tolerate_no_response_) ADD_FAILURE() << method << " " << target << ": no response";
  return {};
}

std::string HttpClient::Raw(const std::string& bytes) {
  asio::io_context io;
  tcp::socket s(io);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port_)));
  asio::write(s, asio::buffer(bytes));
  std::string out;
  beast::error_code ec;
  char buf[4096];
  for (;;) {
    size_t n = s.read_some(asio::buffer(buf), ec);
    out.append(buf, n);
    if (ec) break;
  }
  return out;
}

Session LogIn(HttpClient& client, const std::string& username) {
  auto r = client.Request("POST", "/api/login", R"({"username":")" + username + R"(","password":"rota-demo"})");
  EXPECT_EQ(r.status, 200) << r.body;
  rapidjson::Document d;
  d.Parse(r.body.c_str());
  std::string set = r.Header("set-cookie");
  return {set.substr(0, set.find(';')), d.IsObject() && d.HasMember("csrf_token") ? d["csrf_token"].GetString() : ""};
}

rapidjson::Document Json(const std::string& body) {
  rapidjson::Document d;
  d.Parse(body.c_str());
  EXPECT_FALSE(d.HasParseError()) << body;
  return d;
}

TestServer::TestServer(DbKind kind, SeedShape shape, const std::string& cache_url,
                       const std::function<void(Config&)>& configure) {
  service::InitCrypto();
  db_url_ = FreshDatabaseUrl(kind, dir_);
  if (db_url_.empty()) throw std::runtime_error("no database");
  {
    auto conn = db::Connect(db_url_);
    if (!conn) throw std::runtime_error(conn.error().message);
    service::SeedOptions o;
    o.homes = shape.homes;
    o.staff_per_home = shape.staff_per_home;
    o.days = shape.days;
    o.start = *Date::Parse("2026-11-21");
    auto s = service::Seed(**conn, o);
    if (!s) throw std::runtime_error("seed: " + s.error().message);
  }
  Config config =
      Config::Load("", {{"ROTA_DATABASE_URL", db_url_}, {"ROTA_TODAY", "2026-11-28"}, {"ROTA_CACHE_URL", cache_url}});
  config.threads = 4;
  static std::atomic<int> servers{0};
  config.cache_key_prefix = "t" + RunTag() + "_" + std::to_string(servers++);
  // Off unless a test turns it on: many tests assert that the read after a
  // write misses, which a background refresh would race with.
  config.cache_refresh_after_write = false;
  // The near tier (on by default with redis://) only where a test asks for it:
  // these tests look at what Redis itself holds.
  config.cache_near = false;
  if (configure) configure(config);
  auto app = service::App::Open(config, true);
  if (!app) throw std::runtime_error(app.error().message);
  app_ = std::move(*app);
  http::AddApiRoutes(router_, *app_);
  web::AddPageRoutes(router_, *app_);
  web::AddWarmers(*app_);
  http::ServerOptions options;
  options.port = 0;
  options.threads = 4;
  options.read_timeout = std::chrono::milliseconds(5000);
  options.header_timeout = config.header_timeout;
  options.max_connections = config.max_connections;
  options.trusted_proxies = *CidrSet::Parse(config.trusted_proxies);
  options.statement_counter = [] { return db::StatementCounter::Now(); };
  server_ = std::make_unique<http::Server>(options, router_);
  auto port = server_->Listen();
  if (!port) throw std::runtime_error(port.error().message);
  port_ = *port;
  thread_ = std::thread([this] { server_->Run(); });
  auto token = app_->auth().CreateToken("admin");
  if (!token) throw std::runtime_error(token.error().message);
  admin_token_ = *token;
  client_ = std::make_unique<HttpClient>(port_);
}

TestServer::~TestServer() {
  client_.reset();
  server_->Stop();
  thread_.join();
  app_->login_pool().Shutdown();    // before server_ goes: queued logins hold its sessions
  app_->cached().WaitForLookups();  // so do cache lookups still in Redis's hands
}

std::string TestServer::ManagerToken(int64_t home) {
  auto it = manager_tokens_.find(home);
  if (it != manager_tokens_.end()) return it->second;
  std::string name = "test-manager-" + std::to_string(home);
  auto id = app_->auth().CreateUser(name, "a long password", false, home);
  if (!id) throw std::runtime_error(id.error().message);
  auto token = app_->auth().CreateToken(name);
  if (!token) throw std::runtime_error(token.error().message);
  return manager_tokens_[home] = *token;
}

HttpResult TestServer::Get(const std::string& target, const std::string& token) {
  return Send("GET", target, "", token);
}

HttpResult TestServer::Send(const std::string& method, const std::string& target, const std::string& body,
                            const std::string& token) {
  std::map<std::string, std::string> headers;
  if (!token.empty()) headers["Authorization"] = "Bearer " + token;
  return client_->Request(method, target, body, headers);
}

int64_t TestServer::SqlInt(const std::string& sql) {
  auto conn = app_->pool().Acquire();
  if (!conn) throw std::runtime_error(conn.error().message);
  auto v = (*conn)->QueryInt(sql, {});
  if (!v) throw std::runtime_error(v.error().message);
  return v->value_or(0);
}

}  // namespace rota::testing
