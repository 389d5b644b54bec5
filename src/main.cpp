// Wiring only: the command line does the rest.
#include "cli/cli.hpp"

int main(int argc, char** argv) { return rota::cli::Main(argc, argv); }
