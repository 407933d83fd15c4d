// Runs sqllogictest-style files (tests/sql/*.test) through tidelake's public Session API, each
// file in a fresh lake:
//
//   statement ok                      the statement must succeed
//   <sql, until a blank line>
//
//   statement error <text>            the statement must fail with a message containing <text>
//   <sql>
//
//   file <relative path>              writes the lines that follow (until a blank line) to
//   <content>                         a file under the test's scratch directory
//
//   query <types> [rowsort|nosort]    types: one letter per column (I integer, R real, T text,
//   <sql>                             B boolean, D date/time); rowsort compares sorted rows
//   ----
//   <expected rows: values separated by tabs, NULL for null, (empty) for '', until a blank line>
//
// In SQL and expected errors, __TMP__ stands for the scratch directory (where `file` writes)
// and __LAKE__ for the lake's root. With TIDELAKE_SQLTEST_TRACE set, each record's line is printed before it runs (to find the
// statement that hangs or crashes). Lines starting with '#' are comments. Reals print with 6 significant digits; arrays, maps and
// structs as Spark shows them ([1, 2], {a -> 1}, {1, x}); timestamps as 2024-01-02
// 03:04:05.000000, with a trailing Z for TIMESTAMP (not TIMESTAMP_NTZ); a line break inside a
// value prints as \n. An expected value written <REGEX>:pattern matches any value the
// (ECMAScript) pattern matches whole, for values that differ from run to run. Exit status 0
// when every record passed; otherwise each failure is printed with its file:line.
#include <arrow/api.h>
#include <arrow/util/formatting.h>

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tidelake/session.h"

namespace {

namespace fs = std::filesystem;

struct Record {
  enum class Kind { kStatementOk, kStatementError, kQuery, kFile } kind;
  int line = 0;
  std::string sql;
  std::string error;  // kStatementError
  std::string types;  // kQuery
  std::string path;   // kFile: relative to the scratch directory; the content is in `sql`
  bool rowsort = false;
  std::vector<std::string> expected;
};

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

bool Blank(const std::string& s) { return s.find_first_not_of(" \t") == std::string::npos; }

arrow::Result<std::vector<Record>> ParseFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return arrow::Status::IOError("cannot read ", path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto lines = SplitLines(buffer.str());
  std::vector<Record> records;
  size_t i = 0;
  while (i < lines.size()) {
    const std::string& head = lines[i];
    if (Blank(head) || head[0] == '#') {
      ++i;
      continue;
    }
    Record r;
    r.line = static_cast<int>(i + 1);
    std::istringstream words(head);
    std::string word;
    words >> word;
    if (word == "statement") {
      std::string what;
      words >> what;
      if (what == "ok") {
        r.kind = Record::Kind::kStatementOk;
      } else if (what == "error") {
        r.kind = Record::Kind::kStatementError;
        std::getline(words, r.error);
        r.error.erase(0, r.error.find_first_not_of(' '));
      } else {
        return arrow::Status::Invalid(path, ":", i + 1, ": expected 'statement ok' or 'statement error'");
      }
    } else if (word == "file") {
      r.kind = Record::Kind::kFile;
      words >> r.path;
      if (r.path.empty() || r.path[0] == '/' || r.path.find("..") != std::string::npos) {
        return arrow::Status::Invalid(path, ":", i + 1, ": 'file' needs a relative path inside the scratch directory");
      }
    } else if (word == "query") {
      r.kind = Record::Kind::kQuery;
      words >> r.types;
      std::string mode;
      words >> mode;
      r.rowsort = mode == "rowsort";
    } else {
      return arrow::Status::Invalid(path, ":", i + 1, ": expected 'statement', 'query' or 'file', found '", head, "'");
    }
    ++i;
    while (i < lines.size() && !Blank(lines[i]) && lines[i] != "----") {
      r.sql += lines[i] + "\n";
      ++i;
    }
    if (r.kind == Record::Kind::kQuery) {
      if (i >= lines.size() || lines[i] != "----") {
        return arrow::Status::Invalid(path, ":", r.line, ": a query needs '----' and its expected rows");
      }
      ++i;
      while (i < lines.size() && !Blank(lines[i])) r.expected.push_back(lines[i++]);
    }
    records.push_back(std::move(r));
  }
  return records;
}

std::string FormatValue(const arrow::Scalar& value, char type, bool nested = false);

// Nested values print as Spark shows them: [1, 2], {a -> 1}, {1, x} (a struct's fields).
std::string FormatNested(const arrow::Scalar& value) {
  std::string out;
  auto element = [&](const arrow::Array& values, int64_t i) {
    auto scalar = values.GetScalar(i);
    return scalar.ok() ? FormatValue(**scalar, 'T', /*nested=*/true) : "?";
  };
  switch (value.type->id()) {
    case arrow::Type::MAP: {
      const auto& entries = static_cast<const arrow::StructArray&>(*static_cast<const arrow::MapScalar&>(value).value);
      out = "{";
      for (int64_t i = 0; i < entries.length(); ++i) {
        if (i) out += ", ";
        out += element(*entries.field(0), i) + " -> " + element(*entries.field(1), i);
      }
      return out + "}";
    }
    case arrow::Type::STRUCT: {
      const auto& fields = static_cast<const arrow::StructScalar&>(value).value;
      out = "{";
      for (size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ", ";
        out += FormatValue(*fields[i], 'T', /*nested=*/true);
      }
      return out + "}";
    }
    default: {
      const auto& values = *static_cast<const arrow::BaseListScalar&>(value).value;
      out = "[";
      for (int64_t i = 0; i < values.length(); ++i) {
        if (i) out += ", ";
        out += element(values, i);
      }
      return out + "]";
    }
  }
}

// `nested`: an element of an array, map or struct, where '' prints as nothing.
std::string FormatValue(const arrow::Scalar& value, char type, bool nested) {
  if (!value.is_valid) return "NULL";
  switch (value.type->id()) {
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST:
    case arrow::Type::FIXED_SIZE_LIST:
    case arrow::Type::MAP:
    case arrow::Type::STRUCT:
      return FormatNested(value);
    default:
      break;
  }
  if (type == 'R' && arrow::is_floating(value.type->id())) {
    double d = value.type->id() == arrow::Type::FLOAT ? static_cast<const arrow::FloatScalar&>(value).value
                                                       : static_cast<const arrow::DoubleScalar&>(value).value;
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.6g", d);
    return buf;
  }
  if (value.type->id() == arrow::Type::TIMESTAMP) {
    std::string text = value.ToString();  // 2024-01-01 10:00:00.000000Z style
    return text;
  }
  std::string text = value.ToString();
  for (size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 2)) text.replace(at, 1, "\\n");
  return text.empty() && !nested ? "(empty)" : text;
}

std::vector<std::string> SplitTabs(const std::string& row) {
  std::vector<std::string> cells;
  size_t start = 0;
  while (true) {
    size_t tab = row.find('\t', start);
    cells.push_back(row.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return cells;
    start = tab + 1;
  }
}

// An expected row matches an actual one cell by cell: equal, or matched by a <REGEX>: cell.
bool RowMatches(const std::string& expected, const std::string& actual) {
  if (expected == actual) return true;
  if (expected.find("<REGEX>:") == std::string::npos) return false;
  auto want = SplitTabs(expected);
  auto got = SplitTabs(actual);
  if (want.size() != got.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (want[i].rfind("<REGEX>:", 0) == 0) {
      if (!std::regex_match(got[i], std::regex(want[i].substr(8)))) return false;
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  return true;
}

arrow::Result<std::vector<std::string>> Rows(arrow::RecordBatchReader& reader, const std::string& types) {
  std::vector<std::string> rows;
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    ARROW_RETURN_NOT_OK(reader.ReadNext(&batch));
    if (!batch) break;
    if (static_cast<size_t>(batch->num_columns()) != types.size()) {
      return arrow::Status::Invalid("the query returned ", batch->num_columns(), " columns, the test expects ",
                                    types.size());
    }
    for (int64_t r = 0; r < batch->num_rows(); ++r) {
      std::string row;
      for (int c = 0; c < batch->num_columns(); ++c) {
        ARROW_ASSIGN_OR_RAISE(auto value, batch->column(c)->GetScalar(r));
        if (c) row += '\t';
        row += FormatValue(*value, types[static_cast<size_t>(c)]);
      }
      rows.push_back(row);
    }
  }
  return rows;
}

// Runs one file; returns the number of failed records.
int RunFile(const std::string& path) {
  auto records = ParseFile(path);
  if (!records.ok()) {
    std::cerr << records.status().message() << "\n";
    return 1;
  }
  fs::path lake = fs::temp_directory_path() / ("tidelake-sqltest-" + std::to_string(::getpid()) + "-" +
                                               fs::path(path).stem().string());
  fs::remove_all(lake);
  auto session = tidelake::Session::Open(lake.string());
  if (!session.ok()) {
    std::cerr << path << ": cannot open a lake: " << session.status().ToString() << "\n";
    return 1;
  }
  fs::path scratch = lake.string() + "-files";
  fs::remove_all(scratch);
  fs::create_directories(scratch);
  auto substitute = [&](std::string text) {
    for (const auto& [token, value] : {std::pair<std::string, std::string>{"__TMP__", scratch.string()},
                                       std::pair<std::string, std::string>{"__LAKE__", lake.string()}}) {
      for (size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + value.size())) {
        text.replace(at, token.size(), value);
      }
    }
    return text;
  };
  int failures = 0;
  auto fail = [&](const Record& r, const std::string& why) {
    ++failures;
    std::cerr << path << ":" << r.line << ": " << why << "\n  " << r.sql << "\n";
  };
  const bool trace = std::getenv("TIDELAKE_SQLTEST_TRACE") != nullptr;
  for (const auto& r : *records) {
    if (trace) std::cerr << path << ":" << r.line << ": running\n";
    if (r.kind == Record::Kind::kFile) {
      fs::path target = scratch / r.path;
      fs::create_directories(target.parent_path());
      std::ofstream out(target, std::ios::binary);
      out << r.sql;
      if (!out) fail(r, "cannot write " + target.string());
      continue;
    }
    auto result = (*session)->Execute(substitute(r.sql));
    // A query's errors may surface while reading its rows.
    std::vector<std::string> rows;
    arrow::Status status = result.status();
    if (status.ok() && result->rows) {
      auto read = Rows(*result->rows, r.kind == Record::Kind::kQuery ? r.types : std::string(result->rows->schema()->num_fields(), 'T'));
      status = read.status();
      if (read.ok()) rows = *read;
    }
    switch (r.kind) {
      case Record::Kind::kStatementOk:
        if (!status.ok()) fail(r, "expected success, got: " + status.message());
        break;
      case Record::Kind::kStatementError:
        if (status.ok()) {
          fail(r, "expected an error containing '" + r.error + "', but it succeeded");
        } else if (status.message().find(substitute(r.error)) == std::string::npos) {
          fail(r, "expected an error containing '" + substitute(r.error) + "', got: " + status.message());
        }
        break;
      case Record::Kind::kFile:
        break;
      case Record::Kind::kQuery: {
        if (!status.ok()) {
          fail(r, "query failed: " + status.message());
          break;
        }
        auto expected = r.expected;
        for (auto& e : expected) e = substitute(e);
        if (r.rowsort) {
          std::sort(rows.begin(), rows.end());
          std::sort(expected.begin(), expected.end());
        }
        bool same = rows.size() == expected.size();
        for (size_t i = 0; same && i < rows.size(); ++i) same = RowMatches(expected[i], rows[i]);
        if (!same) {
          std::string why = "wrong result\n  expected:\n";
          for (const auto& e : expected) why += "    " + e + "\n";
          why += "  got:\n";
          for (const auto& g : rows) why += "    " + g + "\n";
          fail(r, why);
        }
        break;
      }
    }
  }
  fs::remove_all(lake);
  fs::remove_all(scratch);
  std::cout << path << ": " << records->size() - static_cast<size_t>(failures) << "/" << records->size()
            << " records passed\n";
  return failures;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: tidelake_sqllogictest FILE.test...\n";
    return 2;
  }
  int failures = 0;
  for (int i = 1; i < argc; ++i) failures += RunFile(argv[i]);
  return failures == 0 ? 0 : 1;
}
