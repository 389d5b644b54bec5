#include "support/support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
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
  std::string name = "rota_t" + std::to_string(getpid()) + "_" + std::to_string(counter++);
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

}  // namespace rota::testing
