// Reading the interactive shell's input: on a terminal, lines come from libedit (cursor keys,
// Ctrl-R search, and a history kept in ~/.tidelake_history across sessions); otherwise they
// are read plainly from stdin. A LineReader is used from one thread.
#pragma once

#include <memory>
#include <optional>
#include <string>

namespace tidelake::cli {

class LineReader {
 public:
  virtual ~LineReader() = default;

  /// The next line without its newline, or nullopt at end of input (Ctrl-D).
  virtual std::optional<std::string> ReadLine(const std::string& prompt) = 0;

  /// Remembers a complete statement (or meta command) in the history.
  virtual void AddHistory(const std::string& entry) = 0;

  /// libedit on a terminal (history in `history_file`; empty: no history file), plain
  /// std::getline otherwise.
  static std::unique_ptr<LineReader> Make(bool terminal, std::string history_file);
};

/// ~/.tidelake_history, or empty when HOME is not set.
std::string DefaultHistoryFile();

}  // namespace tidelake::cli
