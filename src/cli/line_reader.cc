#include "cli/line_reader.h"

#include <editline/readline.h>

#include <cstdlib>
#include <iostream>

namespace tidelake::cli {

namespace {

constexpr int kHistoryEntries = 2000;

class PlainReader : public LineReader {
 public:
  std::optional<std::string> ReadLine(const std::string& prompt) override {
    std::cout << prompt << std::flush;
    std::string line;
    if (!std::getline(std::cin, line)) return std::nullopt;
    return line;
  }
  void AddHistory(const std::string&) override {}
};

class EditLineReader : public LineReader {
 public:
  explicit EditLineReader(std::string history_file) : history_file_(std::move(history_file)) {
    using_history();
    stifle_history(kHistoryEntries);
    if (!history_file_.empty()) read_history(history_file_.c_str());
  }

  ~EditLineReader() override {
    if (!history_file_.empty()) write_history(history_file_.c_str());
  }

  std::optional<std::string> ReadLine(const std::string& prompt) override {
    char* raw = readline(prompt.c_str());
    if (raw == nullptr) return std::nullopt;
    std::string line(raw);
    std::free(raw);
    return line;
  }

  void AddHistory(const std::string& entry) override {
    if (entry.find_first_not_of(" \t\r\n") == std::string::npos) return;
    add_history(entry.c_str());
  }

 private:
  std::string history_file_;
};

}  // namespace

std::unique_ptr<LineReader> LineReader::Make(bool terminal, std::string history_file) {
  if (terminal) return std::make_unique<EditLineReader>(std::move(history_file));
  return std::make_unique<PlainReader>();
}

std::string DefaultHistoryFile() {
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0') return "";
  return std::string(home) + "/.tidelake_history";
}

}  // namespace tidelake::cli
