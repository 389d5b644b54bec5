// Fuzz target: bytes as what a client sends on one connection -> Beast's
// request parser (as http/server.cpp's session uses it: the same header and
// body limits, up to four pipelined requests) -> http::ParseTarget -> the
// Request accessors -> Router::RouteName and Dispatch over the real routes of
// api.md (http/api.cpp) on a real App: a SQLite file in /dev/shm seeded with
// a little demo data, and a memory:// cache.
//
// The fuzzer can authenticate: the database knows the bearer tokens
// "fuzz-admin-token" (admin) and "fuzz-manager-token" (manager of home 1),
// and the session cookie "rota_session=fuzz-session" (admin) whose CSRF token
// is "fuzz-csrf" (see http_request.dict). So writes, reads and cache
// administration all run to the database and back. The database is restored
// from its seeded copy every kResetEvery inputs, so deletions do not starve
// later inputs. POST /api/login is parsed but not dispatched: every attempt
// costs an Argon2id verification (~0.1 s, by design), which would drown the
// fuzzer; login's body is covered by json_body_fuzz.
//
// Framing is checked as the session checks it (http::CheckFraming, once the
// header is in): a refused request ends the input, so nothing pipelined
// after it is ever dispatched. HEAD is dispatched as the session does (the
// router serves it from the GET route; the session drops the body).
//
// Invariants: no crash, leak or exception escaping a handler; every status
// is 100..599 and never 500 (an internal error is a bug); every JSON body
// parses, and every error (>= 400) has the api.md shape {"error": {"code"...}}.
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <rapidjson/document.h>
#include <spdlog/spdlog.h>
#include <boost/asio/buffer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "base/config.hpp"
#include "db/database.hpp"
#include "http/api.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "http/wire.hpp"
#include "service/app.hpp"
#include "service/passwords.hpp"
#include "service/seed.hpp"

namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace fs = std::filesystem;

constexpr size_t kHeaderLimit = 8 * 1024;  // as http/server.cpp
constexpr int kMaxRequestsPerInput = 4;
constexpr int kResetEvery = 1000;

void Check(bool ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "http_request_fuzz: invariant failed: %s\n", what);
    std::abort();
  }
}

void Die(const std::string& what) {
  fprintf(stderr, "http_request_fuzz: setup failed: %s\n", what.c_str());
  std::abort();
}

// The App over a working copy of the seeded database, and its router.
class World {
 public:
  World() {
    spdlog::set_level(spdlog::level::off);
    if (!rota::service::InitCrypto()) Die("sodium_init");
    std::string base = fs::is_directory("/dev/shm") ? "/dev/shm" : fs::temp_directory_path().string();
    std::string tmpl = base + "/rota-fuzz-XXXXXX";
    if (!mkdtemp(tmpl.data())) Die("mkdtemp");
    dir_ = tmpl;
    pristine_ = dir_ + "/seeded.db";
    work_ = dir_ + "/work.db";
    Seed();
    Open();
  }
  ~World() {
    router_.reset();
    app_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  const rota::http::Router& router() {
    if (++inputs_ % kResetEvery == 0) Open();
    return *router_;
  }
  const rota::Config& config() const { return config_; }

 private:
  void Seed() {
    auto conn = rota::db::Connect("sqlite://" + pristine_);
    if (!conn) Die(conn.error().message);
    rota::service::SeedOptions o;
    o.homes = 2;
    o.staff_per_home = 6;
    o.days = 7;
    o.start = *rota::Date::Parse("2026-11-25");
    if (auto s = rota::service::Seed(**conn, o); !s) Die(s.error().message);
    auto exec = [&](std::string_view sql, const rota::db::Params& params) {
      if (auto r = (*conn)->Exec(sql, params); !r) Die(r.error().message);
    };
    const std::string now = rota::NowTimestamp();
    exec(
        "INSERT INTO api_token (user_id, token_hash, created_at) "
        "SELECT id, ?, ? FROM app_user WHERE username = 'admin'",
        {rota::service::HashSecret("fuzz-admin-token"), now});
    exec(
        "INSERT INTO api_token (user_id, token_hash, created_at) "
        "SELECT id, ?, ? FROM app_user WHERE username = 'manager1'",
        {rota::service::HashSecret("fuzz-manager-token"), now});
    exec(
        "INSERT INTO user_session (user_id, session_hash, csrf_token, created_at, expires_at) "
        "SELECT id, ?, 'fuzz-csrf', ?, '9999-12-31T00:00:00Z' FROM app_user WHERE username = 'admin'",
        {rota::service::HashSecret("fuzz-session"), now});
  }

  // (Re)opens the App on a fresh copy of the seeded database.
  void Open() {
    router_.reset();
    app_.reset();  // closes every connection, so the copy below is safe
    for (const char* suffix : {"", "-wal", "-shm"}) {
      std::error_code ec;
      fs::remove(work_ + suffix, ec);
    }
    fs::copy_file(pristine_, work_);
    config_ = rota::Config::FromToml(
        "", "fuzz.toml",
        {{"ROTA_DATABASE_URL", "sqlite://" + work_}, {"ROTA_CACHE_URL", "memory://"}, {"ROTA_TODAY", "2026-11-28"}});
    config_.threads = 1;
    auto app = rota::service::App::Open(config_, /*require_schema=*/true);
    if (!app) Die(app.error().message);
    app_ = std::move(*app);
    router_ = std::make_unique<rota::http::Router>();
    rota::http::AddApiRoutes(*router_, *app_);
  }

  std::string dir_, pristine_, work_;
  rota::Config config_;
  std::unique_ptr<rota::service::App> app_;
  std::unique_ptr<rota::http::Router> router_;
  int64_t inputs_ = 0;
};

World& TheWorld() {
  static World* world = new World();  // lives for the whole run
  return *world;
}

std::string_view View(beast::string_view s) { return {s.data(), s.size()}; }

void CheckResponse(const rota::http::Response& resp) {
  Check(resp.status >= 100 && resp.status <= 599, "a status is 100..599");
  Check(resp.status != 500, "no input makes a handler fail with 500 internal");
  if (resp.content_type != "application/json" || resp.body.empty()) return;
  rapidjson::Document doc;
  doc.Parse(resp.body.data(), resp.body.size());
  Check(!doc.HasParseError(), "a JSON response body parses");
  if (resp.status >= 400) {
    Check(doc.IsObject() && doc.HasMember("error") && doc["error"].IsObject(), "an error body is {\"error\": {...}}");
    const auto& e = doc["error"];
    Check(e.HasMember("code") && e["code"].IsString() && e.HasMember("message") && e.HasMember("field"),
          "an error has code, message and field");
  }
}

// What Session::Handle does with a parsed message (http/server.cpp).
void Serve(World& world, bhttp::request<bhttp::string_body>&& msg) {
  const rota::http::Router& router = world.router();
  rota::http::Request req;
  rota::http::FillRequest(msg, "127.0.0.1", req);
  if (rota::Status s = rota::http::ParseTarget(View(msg.target()), req); !s) {
    Check(s.error().code == rota::ErrorCode::kBadRequest, "a bad target is 400");
    CheckResponse(rota::http::Response::FromError(s.error()));
    return;
  }
  Check(!req.path.empty() && req.path.front() == '/', "a parsed path is absolute");
  Check(req.path.find('\0') == std::string::npos, "no NUL in a parsed path");
  for (const auto& [name, value] : req.query) {
    Check(req.Query(name).has_value(), "every query name is found");
    Check(name.find('\0') == std::string::npos && value.find('\0') == std::string::npos, "no NUL in the query");
  }
  (void)req.Cookie(rota::http::kSessionCookie);
  (void)req.Cookie("");
  (void)req.Header("authorization");
  (void)req.Header("x-csrf-token");
  (void)router.RouteName(req);
  if (req.method == "POST" && req.path == "/api/login") return;  // Argon2id: see the top
  CheckResponse(router.Dispatch(req));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)TheWorld();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& world = TheWorld();
  beast::flat_buffer buffer;
  auto dst = buffer.prepare(size);
  boost::asio::buffer_copy(dst, boost::asio::buffer(data, size));
  buffer.commit(size);

  for (int i = 0; i < kMaxRequestsPerInput; ++i) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(static_cast<uint64_t>(world.config().body_limit));
    parser.header_limit(kHeaderLimit);
    beast::error_code ec;
    // As http::async_read: feed what is buffered; no more bytes will come, so
    // "need more" means the client closed here.
    bool framing_checked = false;
    while (!parser.is_done()) {
      size_t used = parser.put(buffer.data(), ec);
      buffer.consume(used);
      if (!framing_checked && parser.is_header_done()) {
        // As Session::OnHeader: a refused framing ends the connection, and
        // nothing after it (its body, a pipelined request) is ever served.
        framing_checked = true;
        if (auto refused = rota::http::CheckFraming(parser.get())) {
          Check(refused->code == rota::ErrorCode::kBadRequest, "refused framing is 400");
          return 0;
        }
      }
      if (ec && ec != bhttp::error::need_more) break;
      ec = {};
      if (used == 0) {  // wants bytes that will never come
        parser.put_eof(ec);
        break;
      }
    }
    if (ec || !parser.is_done()) return 0;  // 400/413/closed: the session answers and closes
    const bool keep_alive = parser.get().keep_alive();
    Serve(world, parser.release());
    if (!keep_alive || buffer.size() == 0) return 0;
  }
  return 0;
}
