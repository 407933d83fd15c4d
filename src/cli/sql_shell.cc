#include "cli/sql_shell.h"

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>

#include "cli/line_reader.h"
#include "cli/query_progress.h"
#include "common/strings.h"
#include "sql/parser.h"
#include "tidelake/session.h"

namespace tidelake::cli {

namespace {

struct ShellState {
  Session* session = nullptr;
  OutputFormat format = OutputFormat::kTable;
  std::string output;
  bool timer = false;
  bool progress = false;  ///< draw a progress line for statements that run over a second
  size_t max_table_rows = 0;  ///< rows an aligned table shows (0: all)
};

// On a terminal a table shows its first and last rows, like DuckDB's shell.
constexpr size_t kTerminalTableRows = 40;

// A progress line would interleave with rows streamed to the same terminal; aligned tables
// are printed only once all rows are in.
bool ProgressWanted(const ShellState& state) {
  if (!isatty(STDERR_FILENO)) return false;
  return state.format == OutputFormat::kTable || !state.output.empty() || !isatty(STDOUT_FILENO);
}

arrow::Status RunStatement(ShellState& state, const std::string& text) {
  auto start = std::chrono::steady_clock::now();
  QueryProgress progress(state.progress);
  ARROW_ASSIGN_OR_RAISE(auto result, state.session->Execute(text));
  if (result.rows) {
    auto rows = progress.Track(result.rows);
    auto written = WriteResult(*rows, state.format, std::cout, state.output, state.max_table_rows);
    progress.Stop();
    ARROW_RETURN_NOT_OK(written);
  } else if (!result.message.empty() && state.format == OutputFormat::kTable) {
    std::cout << result.message << "\n";
  }
  progress.Stop();
  if (state.timer) {
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cerr << "Run Time: " << seconds << " s\n";
  }
  return arrow::Status::OK();
}

arrow::Status RunScript(ShellState& state, const std::string& script, const std::string& source) {
  auto statements = sql::SplitStatements(script);
  if (!statements.ok()) return arrow::Status::Invalid(source, ": ", statements.status().message());
  for (const auto& statement : *statements) {
    auto status = RunStatement(state, statement.text);
    if (!status.ok()) {
      // Positions in the error are relative to the statement; make them relative to the script.
      std::string message = status.message();
      if (statement.begin.line > 1 && message.rfind("line ", 0) == 0) {
        uint32_t line = 0, column = 0;
        if (std::sscanf(message.c_str(), "line %u:%u", &line, &column) == 2) {
          if (line == 1) column += statement.begin.column - 1;
          line += statement.begin.line - 1;
          message = "line " + std::to_string(line) + ":" + std::to_string(column) +
                    message.substr(message.find(':', message.find(':') + 1));
        }
      }
      return arrow::Status(status.code(), source + ": " + message);
    }
  }
  return arrow::Status::OK();
}

// A meta command (.tables, .schema t, ...); false when it asks to leave.
bool RunMetaCommand(ShellState& state, const std::string& line) {
  std::istringstream words(line);
  std::string command, argument;
  words >> command >> argument;
  arrow::Status status;
  if (command == ".quit" || command == ".exit") return false;
  if (command == ".help") {
    std::cout << ".tables [zone]          list tables\n"
                 ".schema <table>         describe a table\n"
                 ".timer on|off           time statements\n"
                 ".mode table|csv|json    how results print\n"
                 ".quit                   leave\n";
  } else if (command == ".tables") {
    status = RunStatement(state, argument.empty() ? "SHOW TABLES" : "SHOW TABLES IN " + argument);
  } else if (command == ".schema") {
    status = argument.empty() ? arrow::Status::Invalid(".schema needs a table name")
                              : RunStatement(state, "DESCRIBE " + argument);
  } else if (command == ".timer") {
    if (argument == "on" || argument == "off") {
      state.timer = argument == "on";
    } else {
      status = arrow::Status::Invalid(".timer takes on or off");
    }
  } else if (command == ".mode") {
    auto format = ParseOutputFormat(argument);
    if (!format.ok() || *format == OutputFormat::kParquet) {
      status = arrow::Status::Invalid(".mode takes table, csv or json");
    } else {
      state.format = *format;
    }
  } else {
    status = arrow::Status::Invalid("unknown meta command ", command, " (.help lists them)");
  }
  if (!status.ok()) std::cerr << "Error: " << status.message() << "\n";
  return true;
}

// The interactive shell: reads until a statement is complete, runs it, reports errors.
arrow::Status Interactive(ShellState& state, LineReader& input) {
  std::cout << "tidelake SQL shell. End statements with ';'. .help for meta commands.\n";
  std::string buffer;
  while (true) {
    auto line = input.ReadLine(buffer.empty() ? "tidelake> " : "     ...> ");
    if (!line) break;
    if (buffer.empty() && !line->empty() && (*line)[0] == '.') {
      input.AddHistory(*line);
      if (!RunMetaCommand(state, *line)) break;
      continue;
    }
    buffer += *line;
    buffer += '\n';
    auto statements = sql::SplitStatements(buffer);
    // Complete when the text ends with ';' outside strings and comments.
    size_t last = buffer.find_last_not_of(" \t\r\n");
    if (last == std::string::npos) {
      buffer.clear();
      continue;
    }
    bool complete = statements.ok() && buffer[last] == ';';
    if (!complete && statements.ok()) continue;
    input.AddHistory(buffer.substr(0, last + 1));
    auto status = statements.ok() ? RunScript(state, buffer, "statement") : statements.status();
    if (!status.ok()) std::cerr << "Error: " << status.message() << "\n";
    buffer.clear();
  }
  return arrow::Status::OK();
}

// The script, file, stdin or interactive shell the arguments name.
arrow::Status RunInput(ShellState& state, const SqlArgs& args) {
  if (!args.command.empty()) return RunScript(state, args.command, "-c");
  if (!args.file.empty()) {
    std::ifstream in(args.file);
    if (!in) return arrow::Status::IOError("cannot read '", args.file, "'");
    std::stringstream text;
    text << in.rdbuf();
    return RunScript(state, text.str(), args.file);
  }
  if (isatty(STDIN_FILENO)) {
    auto input = LineReader::Make(/*terminal=*/true, DefaultHistoryFile());
    return Interactive(state, *input);
  }
  std::stringstream text;
  text << std::cin.rdbuf();
  return RunScript(state, text.str(), "stdin");
}

// The process's peak resident memory (Linux's VmHWM), when the system reports it.
std::optional<int64_t> PeakResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;  // "VmHWM:  1234 kB"
  }
  return std::nullopt;
}

}  // namespace

arrow::Status RunScriptOn(Session& session, const std::string& script, const std::string& source) {
  ShellState state;
  state.session = &session;
  return RunScript(state, script, source);
}

arrow::Status RunSql(const SqlArgs& args) {
  ShellState state;
  state.timer = args.timer;
  SessionOptions options;
  if (!args.memory_limit.empty()) {
    ARROW_ASSIGN_OR_RAISE(options.memory_limit_bytes, ParseByteSize(args.memory_limit));
  }
  ARROW_ASSIGN_OR_RAISE(state.format, ParseOutputFormat(args.format));
  state.output = args.output;
  if (state.format == OutputFormat::kParquet && state.output.empty()) {
    return arrow::Status::Invalid("--format parquet needs --output FILE");
  }
  ARROW_ASSIGN_OR_RAISE(auto session, Session::Open(args.lake, options));
  state.session = session.get();
  state.progress = ProgressWanted(state);
  if (isatty(STDOUT_FILENO) && state.output.empty()) state.max_table_rows = kTerminalTableRows;
  arrow::Status status = RunInput(state, args);
  if (state.timer) {
    if (auto peak = PeakResidentBytes()) std::cerr << "Peak memory: " << (*peak >> 20) << " MiB\n";
  }
  return status;
}

}  // namespace tidelake::cli
