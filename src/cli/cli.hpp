// The `rota` command line (api.md "Command line and configuration"):
//   serve | migrate | seed | create-user | create-token | check
// Exit status: 0 on success, 1 on a failure the message explains, 2 on a usage error.
#pragma once

namespace rota::cli {

int Main(int argc, char** argv);

}  // namespace rota::cli
