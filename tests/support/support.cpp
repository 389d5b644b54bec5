#include "support/support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>

#include <gtest/gtest.h>
#include <libpq-fe.h>

namespace rota::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "rota-test-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

const std::string& RunTag() {
  static const std::string tag = [] {
    std::random_device rd;
    return std::to_string(getpid()) + "_" + std::to_string((uint64_t{rd()} << 32) | rd());
  }();
  return tag;
}

std::string DbKindName(DbKind k) { return k == DbKind::kSqlite ? "Sqlite" : "Postgres"; }
std::vector<DbKind> AllDbKinds() { return {DbKind::kSqlite, DbKind::kPostgres}; }

std::string FreshDatabaseUrl(DbKind kind, const TempDir& dir) {
  static std::atomic<int> counter{0};
  if (kind == DbKind::kSqlite) return "sqlite://" + dir.File("rota-" + std::to_string(counter++) + ".db");

  const char* admin = std::getenv("ROTA_TEST_PG_URL");
  if (!admin || !*admin) {
    ADD_FAILURE() << "ROTA_TEST_PG_URL is not set: run the suite with the README's test command, "
                     "which starts PostgreSQL";
    return "";
  }
  std::string name = "rota_t" + RunTag() + "_" + std::to_string(counter++);
  PGconn* c = PQconnectdb(admin);
  if (PQstatus(c) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot connect to " << admin << ": " << PQerrorMessage(c);
    PQfinish(c);
    return "";
  }
  PGresult* r = PQexec(c, ("CREATE DATABASE " + name).c_str());
  if (PQresultStatus(r) != PGRES_COMMAND_OK) ADD_FAILURE() << "CREATE DATABASE: " << PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  std::string url(admin);
  return url.substr(0, url.rfind('/') + 1) + name;
}

std::string TestRedisUrl() {
  const char* url = std::getenv("ROTA_TEST_REDIS_URL");
  if (!url || !*url) {
    ADD_FAILURE() << "ROTA_TEST_REDIS_URL is not set: run the suite with the README's test command, "
                     "which starts Redis";
    return "";
  }
  return url;
}

RedisProcess::RedisProcess(RedisOptions options) : port_(FreePort()), options_(std::move(options)) {}
RedisProcess::~RedisProcess() { Stop(); }

namespace {
std::string Shell(const std::string& cmd) {
  std::string out;
  if (FILE* f = popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
    pclose(f);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}
}  // namespace

std::string RedisCli(const std::string& url, const std::string& args) {
  return Shell("redis-cli -u '" + url + "' " + args + " 2>/dev/null");
}

std::string RedisProcess::Cli(const std::string& args) const {
  return Shell("redis-cli -p " + std::to_string(port_) + " " + options_.cli_args + " " + args + " 2>/dev/null");
}

bool RedisProcess::Start() {
  std::string ports = options_.tls ? "--port 0 --tls-port " + std::to_string(port_) : "--port " + std::to_string(port_);
  std::string cmd = "redis-server --bind 127.0.0.1 " + ports + " " + options_.server_args +
                    " --save '' --appendonly no --enable-debug-command local --daemonize yes --pidfile " +
                    dir_.File("redis.pid") + " --dir " + dir_.path() + " --logfile " + dir_.File("redis.log") +
                    " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) != 0) return false;
  for (int i = 0; i < 100; ++i) {
    if (Cli("ping") == "PONG") return running_ = true;
    usleep(50000);
  }
  return false;
}

void RedisProcess::Stop() {
  if (!running_) return;
  std::string cmd = "kill -9 $(cat " + dir_.File("redis.pid") + ") 2>/dev/null";
  (void)std::system(cmd.c_str());
  for (int i = 0; i < 100 && Cli("ping") == "PONG"; ++i) usleep(20000);
  running_ = false;
}

namespace {
std::string PgBin() { return Shell("ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1"); }
}  // namespace

PostgresProcess::PostgresProcess() : port_(FreePort()) {}
PostgresProcess::~PostgresProcess() { Stop(); }

std::string PostgresProcess::Run(const std::string& command) const {
  std::string prefix = geteuid() == 0 ? "runuser -u postgres -- " : "";
  return Shell(prefix + command + " 2>&1; echo \"rc=$?\"");
}

bool PostgresProcess::Init() {
  if (geteuid() == 0 && std::system(("chown postgres " + dir_.path()).c_str()) != 0) return false;
  std::string out = Run(PgBin() + "/initdb -D " + dir_.File("pg") + " -U rota --auth=trust -E UTF8 --locale=C.UTF-8");
  return out.find("rc=0") != std::string::npos;
}

bool PostgresProcess::Start() {
  std::string out =
      Run(PgBin() + "/pg_ctl -D " + dir_.File("pg") + " -l " + dir_.File("pg.log") + " -w -t 60 -o '-p " +
          std::to_string(port_) + " -k " + dir_.path() + " -c listen_addresses=127.0.0.1 -c fsync=off' start");
  running_ = out.find("rc=0") != std::string::npos;
  return running_;
}

void PostgresProcess::Stop() {
  if (!running_) return;
  Run(PgBin() + "/pg_ctl -D " + dir_.File("pg") + " -m fast -w stop");
  running_ = false;
}

}  // namespace rota::testing
