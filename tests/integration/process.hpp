// A real `rota` process for tests that need several servers or signals: runs
// the built binary (ROTA_BINARY) with the given environment, its output in a
// log file, and kills it (SIGTERM, then SIGKILL) when destroyed.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace rota::testing {

using Env = std::map<std::string, std::string>;

// Runs `rota args...` to completion; returns its exit status and fills `out` with stdout+stderr.
int RunRota(const std::vector<std::string>& args, const Env& env, std::string* out = nullptr);

class RotaServer {
 public:
  // Starts `rota [global_args...] serve --port <free port>` and waits until /healthz answers.
  RotaServer(const Env& env, const std::string& log_path, const std::vector<std::string>& global_args = {});
  ~RotaServer();
  RotaServer(const RotaServer&) = delete;
  RotaServer& operator=(const RotaServer&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Sends `signal` and waits for the exit (10 s, then SIGKILL); the wait status.
  int Kill(int signal);
  bool running() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace rota::testing
