// A directory of files read as a stream (Spark's `readStream.format("csv" | "json" | "parquet")`
// over a path): every file that appears in the directory is read once, in the batch after it
// was found, with the declared columns.
//
// The offset is the log of discovered files itself, so that a batch re-run in another process
// reads exactly the same files, whatever arrived in the directory since:
//
//   {"path": dir, "next": n, "files": [[seq, name, mtime_ms, size], ...]}
//
// `next` is how many files have been discovered so far; each discovered file gets the next
// sequence number. A batch reads the files whose sequence numbers lie in [start.next, end.next).
// NextEnd lists the directory and takes the files the start offset does not hold, ordered by
// (modification time, name), at most max_files_per_trigger of them; so a file that arrives with
// an older modification time than files already read is still read once, in the next batch
// (Spark keeps a log of seen files for the same reason). A file is identified by its name:
// rewriting a file that was read does not read it again. Read checks that each file still has
// the size and modification time it was listed with, and fails naming the file otherwise
// (a file must not change once it is in the directory: write it elsewhere, or under a hidden
// name, and rename it in).
//
// The log grows with every file; with max_file_age_ms set, files older than that relative to
// the newest file seen are ignored and dropped from the log (Spark's maxFileAge), which bounds
// it. Only the directory's own files are read (no subdirectories); names starting with '.' or
// '_' (hidden, temporary, `_SUCCESS`, `_delta_log`) and HDFS's `*._COPYING_` are never read.
//
// Files are read with the batch file reader of read_csv/read_json/read_parquet
// (exec::OpenFiles), one at a time. After a batch's files, the files the next batch would take
// now (at most max_files_per_trigger, one when unset) are read ahead on a thread of their own
// while the batch runs, as Flink's and Spark's file sources prefetch; the next batch uses what
// was read for each file it does take with the same name, size and modification time. (This
// runs in every trigger mode, beside the batch; Source::ReadAhead, which only uses the wait
// between interval triggers, is left at its default.) Values are converted to the declared
// types; a value that does not convert fails the batch naming the file and, for CSV and JSON
// lines, the line.
// Parquet files are read only as far as the query needs (ReadOnly): its columns, and of its
// struct columns that it reads through field accesses only, those fields; what is not read is
// null, so every batch still has the declared columns and types.
#pragma once

#include <arrow/filesystem/filesystem.h>

#include <cstdint>
#include <functional>
#include <future>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "plan/logical_plan.h"
#include "stream/source.h"

namespace tidelake::stream {

struct FileSourceOptions {
  /// The directory: a local path or a URI arrow::fs understands (s3://, abfs://, file://).
  std::string path;
  plan::FileFormat format = plan::FileFormat::kCsv;
  /// The columns every file is read into (required). CSV files with a header and JSON lines
  /// match columns by name; headerless CSV files by position; Parquet by name, then
  /// case-insensitively, casting stored types to the declared ones.
  std::shared_ptr<arrow::Schema> schema;
  bool csv_header = true;
  char csv_delimiter = ',';
  /// At most this many new files per batch (at least one); unset: every new file.
  std::optional<int64_t> max_files_per_trigger;
  /// Only file names matching this glob (fnmatch: `*.csv`, `events-??.json`); empty: all.
  std::string path_glob_filter;
  /// Files modified less than this long ago are left for a later batch (for writers that
  /// write in place rather than renaming a finished file in).
  int64_t min_file_age_ms = 0;
  /// Ignore, and forget, files older than this relative to the newest file seen.
  std::optional<int64_t> max_file_age_ms;
  /// The wall clock (ms since the epoch), for min_file_age_ms; tests replace it.
  std::function<int64_t()> now_ms;
};

class FileSource : public Source {
 public:
  /// A source over the directory `options.path`, named `name` in its query. Fails if the
  /// directory does not exist.
  static arrow::Result<std::unique_ptr<FileSource>> Make(std::string name, FileSourceOptions options);

  const std::string& name() const override { return name_; }
  const std::shared_ptr<arrow::Schema>& schema() const override { return options_.schema; }
  arrow::Result<std::string> InitialOffset() override;
  arrow::Result<std::optional<std::string>> NextEnd(const std::string& start) override;
  arrow::Result<std::shared_ptr<arrow::Table>> Read(const std::string& start, const std::string& end) override;
  arrow::Status PrepareAvailableNow(const std::string& start) override;
  /// Parquet files: only `read.columns` are read (and the NOT NULL ones, which are checked),
  /// and of the struct columns in `read.struct_fields` only those fields (and the NOT NULL
  /// ones); the struct is then widened to its declared type, the other fields null.
  void ReadOnly(const ColumnSubset& read) override { read_only_ = read; }

  /// One file of the log an offset holds.
  struct LoggedFile {
    int64_t seq = 0;
    std::string name;
    int64_t mtime_ms = 0;
    int64_t size = 0;
  };
  /// The files an offset holds and how many were discovered (for tests and status lines).
  struct FileLog {
    int64_t next = 0;
    std::vector<LoggedFile> files;
  };
  arrow::Result<FileLog> Parse(const std::string& offset) const;

 private:
  FileSource(std::string name, FileSourceOptions options, std::shared_ptr<arrow::fs::FileSystem> fs,
             std::string dir);

  std::string Format(const FileLog& log) const;
  /// The path of a file of the directory, as exec::OpenFiles opens it.
  std::string FileUri(const std::string& file_name) const;
  bool Eligible(const std::string& file_name) const;
  /// Reads one file into the declared columns; Parquet columns decoded on Arrow's CPU pool in
  /// parallel, or on the calling thread.
  arrow::Result<std::vector<std::shared_ptr<arrow::RecordBatch>>> ReadFile(const LoggedFile& file,
                                                                           bool decode_in_parallel);
  /// The files of the directory after those `log` holds that a batch would take now, in order
  /// (their sequence numbers unset).
  arrow::Result<std::vector<LoggedFile>> NewFiles(const FileLog& log) const;
  /// Starts reading ahead the files a batch after `log` would take.
  void StartReadAhead(const FileLog& log);
  /// `file` as read ahead, if it was (and read the columns read now); false: read it.
  bool TakeReadAhead(const LoggedFile& file, std::vector<std::shared_ptr<arrow::RecordBatch>>* out);
  /// The error for a file that failed to read, with the line at fault when it can be found.
  /// The name of column `index` of a CSV file as the file has it ("" if unknown).
  std::string CsvColumnName(const std::string& file_name, int index);
  arrow::Status FileError(const std::string& file_name, const arrow::Status& status);

  std::string name_;
  FileSourceOptions options_;
  std::shared_ptr<arrow::fs::FileSystem> fs_;
  std::string dir_;  ///< the directory's path within fs_
  /// Available-now: the names of the files the directory held when the run started.
  std::optional<std::set<std::string>> available_now_;
  /// The columns the query reads (ReadOnly); none: all.
  std::optional<ColumnSubset> read_only_;
  /// Files being read ahead, with the columns they read.
  struct FileReadAhead {
    LoggedFile file;
    std::optional<ColumnSubset> read_only;
    std::future<arrow::Result<std::vector<std::shared_ptr<arrow::RecordBatch>>>> batches;
  };
  std::vector<FileReadAhead> read_ahead_;  ///< declared last: destroyed (joined) first
};

}  // namespace tidelake::stream
