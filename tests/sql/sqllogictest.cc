// Runs sqllogictest-style files (tests/sql/*.test) through tidelake's public Session API, each
// file in a fresh lake:
//
//   statement ok                      the statement must succeed
//   <sql, until a blank line>
//
//   statement error <text>            the statement must fail with a message containing <text>
//   <sql>
//
//   query <types> [rowsort|nosort]    types: one letter per column (I integer, R real, T text,
//   <sql>                             B boolean, D date/time); rowsort compares sorted rows
//   ----
//   <expected rows: values separated by tabs, NULL for null, (empty) for '', until a blank line>
//
// Lines starting with '#' are comments. Reals print with 6 significant digits; a line break
// inside a value prints as \n. An expected value written <REGEX>:pattern matches any value
// the (ECMAScript) pattern matches whole, for values that differ from run to run (ids, times).
// __LAKE__ in SQL and in expected rows stands for the lake's root directory (each file runs in
// a fresh lake), so a test can name a table by path: delta.`__LAKE__/raw/t`. Exit status 0
// when every record passed; otherwise each failure is printed with its file:line.
#include <arrow/api.h>
#include <arrow/util/formatting.h>

#include <algorithm>
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
  enum class Kind { kStatementOk, kStatementError, kQuery } kind;
  int line = 0;
  std::string sql;
  std::string error;  // kStatementError
  std::string types;  // kQuery
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
    } else if (word == "query") {
      r.kind = Record::Kind::kQuery;
      words >> r.types;
      std::string mode;
      words >> mode;
      r.rowsort = mode == "rowsort";
    } else {
      return arrow::Status::Invalid(path, ":", i + 1, ": expected 'statement' or 'query', found '", head, "'");
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

std::string FormatValue(const arrow::Scalar& value, char type) {
  if (!value.is_valid) return "NULL";
  // Nested values as [a, b], {key: value, ...} and {field: value, ...}.
  if (value.type->id() == arrow::Type::LIST || value.type->id() == arrow::Type::LARGE_LIST) {
    const auto& list = static_cast<const arrow::BaseListScalar&>(value);
    std::string out = "[";
    for (int64_t i = 0; i < list.value->length(); ++i) {
      auto element = list.value->GetScalar(i);
      out += (i ? ", " : "") + (element.ok() ? FormatValue(**element, 'T') : "?");
    }
    return out + "]";
  }
  if (value.type->id() == arrow::Type::MAP) {
    const auto& entries = static_cast<const arrow::StructArray&>(*static_cast<const arrow::MapScalar&>(value).value);
    std::string out = "{";
    for (int64_t i = 0; i < entries.length(); ++i) {
      auto k = entries.field(0)->GetScalar(i);
      auto v = entries.field(1)->GetScalar(i);
      out += (i ? ", " : "") + (k.ok() ? FormatValue(**k, 'T') : "?") + ": " + (v.ok() ? FormatValue(**v, 'T') : "?");
    }
    return out + "}";
  }
  if (value.type->id() == arrow::Type::STRUCT) {
    const auto& s = static_cast<const arrow::StructScalar&>(value);
    std::string out = "{";
    for (size_t i = 0; i < s.value.size(); ++i) {
      out += (i ? ", " : "") + value.type->field(static_cast<int>(i))->name() + ": " + FormatValue(*s.value[i], 'T');
    }
    return out + "}";
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
  return text.empty() ? "(empty)" : text;
}

std::string Substitute(std::string text, const std::string& lake) {
  static const std::string kLake = "__LAKE__";
  for (size_t at = text.find(kLake); at != std::string::npos; at = text.find(kLake, at + lake.size())) {
    text.replace(at, kLake.size(), lake);
  }
  return text;
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
  int failures = 0;
  auto fail = [&](const Record& r, const std::string& why) {
    ++failures;
    std::cerr << path << ":" << r.line << ": " << why << "\n  " << r.sql << "\n";
  };
  for (const auto& r : *records) {
    auto result = (*session)->Execute(Substitute(r.sql, lake.string()));
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
        } else if (status.message().find(Substitute(r.error, lake.string())) == std::string::npos) {
          fail(r, "expected an error containing '" + r.error + "', got: " + status.message());
        }
        break;
      case Record::Kind::kQuery: {
        if (!status.ok()) {
          fail(r, "query failed: " + status.message());
          break;
        }
        auto expected = r.expected;
        for (auto& e : expected) e = Substitute(e, lake.string());
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
