// `tidelake stream`: runs and watches streaming tables (CREATE STREAMING TABLE).
//
//   stream run FILE.sql    runs the file's statements, then keeps each streaming table the file
//                          creates or refreshes up to date, one thread per table, until Ctrl-C
//                          or SIGTERM (the batch in progress completes; nothing is lost). On a
//                          terminal a status line per table shows its progress; otherwise one
//                          line per batch goes to stderr. --trigger available-now processes
//                          what is there and exits; --end-of-input also closes every open
//                          window then (the input is complete, as at the end of a backfill).
//   stream list            the lake's streaming tables: batches done, last batch, running pid
//   stream status TABLE    the table's last progress records (JSON lines)
//   stream stop TABLE      asks the process running TABLE to stop (SIGTERM)
//
// A running table is marked by `run.pid` in its checkpoint directory, removed on exit; a
// second `stream run` of the same table is refused while the first one lives.
#pragma once

#include <arrow/status.h>

#include <string>

namespace tidelake::cli {

struct StreamArgs {
  std::string lake = ".";
  std::string file;                  ///< run: the SQL file
  std::string trigger = "interval";  ///< run: interval, once or available-now
  std::string interval = "1s";       ///< run: the interval trigger's period (ms, s or m)
  bool end_of_input = false;         ///< run: with available-now, close every window at the end
  std::string table;                 ///< status, stop
  int status_lines = 10;             ///< status: how many progress records
};

arrow::Status RunStream(const StreamArgs& args);
arrow::Status ListStreams(const StreamArgs& args);
arrow::Status StreamStatus(const StreamArgs& args);
arrow::Status StopStream(const StreamArgs& args);

}  // namespace tidelake::cli
