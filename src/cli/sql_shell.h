// `tidelake sql`: runs SQL against a lake — a script given with -c or -f (or piped on stdin),
// or an interactive shell on a terminal (statements end at ';' and may span lines; meta
// commands .tables, .schema <table>, .timer on|off, .quit).
//
// --memory-limit sets the session's per-query memory limit; --timer prints each statement's
// wall time (parsing, planning, running and printing) to stderr.
//
// A script stops at the first failing statement: the error (with its line:column in the
// script) goes to stderr and the command exits non-zero. The shell reports the error and goes on.
#pragma once

#include <arrow/status.h>

#include <string>

#include "cli/output.h"
#include "tidelake/session.h"

namespace tidelake::cli {

struct SqlArgs {
  std::string lake = ".";
  std::string command;  ///< -c "..."
  std::string file;     ///< -f script.sql
  std::string format = "table";
  std::string output;
  /// Memory one query may use, e.g. "4GB", "512MiB", "0" (no limit); empty: the session's
  /// default (SessionOptions::memory_limit_bytes, 4 GiB).
  std::string memory_limit;
  /// Print "Run Time: <seconds> s" to stderr after each statement (as `.timer on` does), and
  /// "Peak memory: <n> MiB" (the process's peak resident memory) at the end.
  bool timer = false;
};

arrow::Status RunSql(const SqlArgs& args);

/// Runs the statements of `script` on `session` as `tidelake sql -f` does (results as aligned
/// tables on stdout); errors name `source` and the line:column in the script.
arrow::Status RunScriptOn(Session& session, const std::string& script, const std::string& source);

}  // namespace tidelake::cli
