// `tidelake sql`: runs SQL against a lake — a script given with -c or -f (or piped on stdin),
// or an interactive shell on a terminal (statements end at ';' and may span lines; meta
// commands .tables, .schema <table>, .timer on|off, .quit).
//
// A script stops at the first failing statement: the error (with its line:column in the
// script) goes to stderr and the command exits non-zero. The shell reports the error and goes on.
#pragma once

#include <arrow/status.h>

#include <string>

#include "cli/output.h"

namespace tidelake::cli {

struct SqlArgs {
  std::string lake = ".";
  std::string command;  ///< -c "..."
  std::string file;     ///< -f script.sql
  std::string format = "table";
  std::string output;
};

arrow::Status RunSql(const SqlArgs& args);

}  // namespace tidelake::cli
