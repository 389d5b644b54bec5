#include "integration/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <stdexcept>

#include "integration/harness.hpp"
#include "support/support.hpp"

namespace rota::testing {
namespace {

// fork + exec of the rota binary with `env` added to ours; output to `log_fd`.
pid_t Spawn(const std::vector<std::string>& args, const Env& env, int log_fd) {
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    dup2(log_fd, 1);
    dup2(log_fd, 2);
    std::vector<char*> argv;
    std::string bin = ROTA_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

}  // namespace

int RunRota(const std::vector<std::string>& args, const Env& env, std::string* out) {
  char path[] = "/tmp/rota-run-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  pid_t pid = Spawn(args, env, fd);
  int status = 0;
  waitpid(pid, &status, 0);
  if (out) {
    out->clear();
    lseek(fd, 0, SEEK_SET);
    std::array<char, 4096> buf;
    ssize_t n;
    while ((n = read(fd, buf.data(), buf.size())) > 0) out->append(buf.data(), static_cast<size_t>(n));
  }
  close(fd);
  unlink(path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

RotaServer::RotaServer(const Env& env, const std::string& log_path, const std::vector<std::string>& global_args)
    : port_(FreePort()) {
  int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) throw std::runtime_error("cannot open " + log_path);
  std::vector<std::string> args = global_args;
  args.insert(args.end(), {"serve", "--port", std::to_string(port_)});
  pid_ = Spawn(args, env, fd);
  close(fd);
  for (int i = 0; i < 200; ++i) {
    try {
      HttpClient c(port_);
      if (c.Request("GET", "/healthz").status == 200) return;
    } catch (const std::exception&) {
    }
    usleep(50000);
  }
  Kill(SIGKILL);
  std::string log;
  if (FILE* f = fopen(log_path.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) log.append(buf, n);
    fclose(f);
  }
  throw std::runtime_error("rota serve did not become healthy; its output:\n" +
                           log.substr(log.size() > 2000 ? log.size() - 2000 : 0));
}

RotaServer::~RotaServer() {
  if (pid_ > 0) Kill(SIGTERM);
}

int RotaServer::Kill(int signal) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, signal);
  int status = 0;
  for (int i = 0; i < 200; ++i) {  // up to 10 s, then SIGKILL
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return status;
    }
    usleep(50000);
  }
  ::kill(pid_, SIGKILL);
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

}  // namespace rota::testing
