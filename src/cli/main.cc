// The `tidelake` command: parses arguments and dispatches to subcommands.
#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App app{"tidelake: one lake of Delta tables for batch and streaming"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "tidelake 0.1.0");
  CLI11_PARSE(app, argc, argv);
  return 0;
}
