// The actions of the Delta transaction log (PROTOCOL.md, "Actions"), as plain values.
//
// A commit file is newline-delimited JSON, one action per line; a checkpoint holds the same
// actions as Parquet rows. This header owns the in-memory form of each action and its JSON
// encoding (ParseAction / ToJson); log replay, checkpoints and writers all speak these types.
// Unknown fields and unknown action types are ignored on read, as the protocol requires.
// Paths are kept exactly as they appear in the log (URI-encoded relative paths or absolute
// URIs); use DecodePath() to get a filesystem path.
#pragma once

#include <arrow/result.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tidelake::delta {

/// Partition values and tags are string -> nullable string maps in the log.
using StringMap = std::map<std::string, std::optional<std::string>>;

struct Protocol {
  int32_t min_reader_version = 1;
  int32_t min_writer_version = 2;
  /// Present only when min_reader_version == 3 / min_writer_version == 7.
  std::optional<std::vector<std::string>> reader_features;
  std::optional<std::vector<std::string>> writer_features;

  bool HasReaderFeature(std::string_view feature) const;
  bool HasWriterFeature(std::string_view feature) const;
};

struct Format {
  std::string provider = "parquet";
  std::map<std::string, std::string> options;
};

struct Metadata {
  std::string id;
  std::optional<std::string> name;
  std::optional<std::string> description;
  Format format;
  std::string schema_string;  ///< the Delta schema as JSON text
  std::vector<std::string> partition_columns;
  std::map<std::string, std::string> configuration;
  std::optional<int64_t> created_time;

  /// configuration[key] if present.
  std::optional<std::string> Config(const std::string& key) const;
};

/// Describes the rows of a data file that are deleted (PROTOCOL.md, "Deletion Vectors").
struct DeletionVectorDescriptor {
  std::string storage_type;      ///< "u" (relative, UUID), "p" (absolute path), "i" (inline)
  std::string path_or_inline_dv;
  std::optional<int32_t> offset;  ///< byte offset in the DV file ("u"/"p" only)
  int32_t size_in_bytes = 0;
  int64_t cardinality = 0;

  /// The DV's identity for log replay: storageType + pathOrInlineDv + "@" + offset.
  std::string UniqueId() const;
  bool operator==(const DeletionVectorDescriptor&) const = default;
};

struct AddFile {
  std::string path;
  StringMap partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;
  bool data_change = true;
  std::optional<std::string> stats;  ///< JSON text
  std::optional<StringMap> tags;
  std::optional<DeletionVectorDescriptor> deletion_vector;
  std::optional<int64_t> base_row_id;
  std::optional<int64_t> default_row_commit_version;
  std::optional<std::string> clustering_provider;
};

struct RemoveFile {
  std::string path;
  std::optional<int64_t> deletion_timestamp;
  bool data_change = true;
  std::optional<bool> extended_file_metadata;
  std::optional<StringMap> partition_values;
  std::optional<int64_t> size;
  std::optional<std::string> stats;
  std::optional<StringMap> tags;
  std::optional<DeletionVectorDescriptor> deletion_vector;
  std::optional<int64_t> base_row_id;
  std::optional<int64_t> default_row_commit_version;
};

struct AddCDCFile {
  std::string path;
  StringMap partition_values;
  int64_t size = 0;
  bool data_change = false;
  std::optional<StringMap> tags;
};

/// SetTransaction: the last version an application committed (idempotent writes).
struct Txn {
  std::string app_id;
  int64_t version = 0;
  std::optional<int64_t> last_updated;
};

/// Free-form provenance; kept as raw JSON so no field is lost.
struct CommitInfo {
  std::string json;  ///< the whole object, e.g. {"timestamp":...,"operation":"WRITE",...}
  std::optional<int64_t> timestamp;
  std::optional<int64_t> in_commit_timestamp;
  std::optional<std::string> operation;
};

struct DomainMetadata {
  std::string domain;
  std::string configuration;
  bool removed = false;
};

/// V2 checkpoints: a reference to a sidecar Parquet file holding add/remove actions.
struct Sidecar {
  std::string path;
  int64_t size_in_bytes = 0;
  int64_t modification_time = 0;
};

/// V2 checkpoints: the marker action that identifies a checkpoint.
struct CheckpointMetadata {
  int64_t version = 0;
};

using Action = std::variant<Protocol, Metadata, AddFile, RemoveFile, AddCDCFile, Txn, CommitInfo,
                            DomainMetadata, Sidecar, CheckpointMetadata>;

/// The remove action that retires `add`: same path, partition values, size, stats, tags and
/// deletion vector (so log replay removes exactly that logical file), extended file metadata.
/// `data_change` is false for rearrangements that change no rows (OPTIMIZE).
RemoveFile RemoveFileFor(const AddFile& add, int64_t deletion_timestamp_ms, bool data_change = true);

/// Parses one log line. Returns std::nullopt for an action type this protocol version does not
/// know (which readers must ignore) and an Invalid status for malformed JSON or a known action
/// with missing or mistyped required fields.
arrow::Result<std::optional<Action>> ParseAction(std::string_view json_line);

/// Parses a whole commit file (newline-delimited JSON). Errors name the 1-based line.
arrow::Result<std::vector<Action>> ParseActions(std::string_view text);

/// One JSON line for the action (no trailing newline), as Spark and delta-rs write it.
std::string ToJson(const Action& action);

/// Encodes actions as a commit file body: one action per line, each line ending in '\n'.
std::string ToCommitText(const std::vector<Action>& actions);

/// Turns a log path into a path relative to the table root (or an absolute URI): the log holds
/// RFC 2396 URI-encoded paths, so "a%20b/c.parquet" becomes "a b/c.parquet".
std::string DecodePath(std::string_view log_path);

/// The inverse of DecodePath for a relative path: escapes characters that are not allowed
/// unescaped in a URI path, keeping '/' as the separator.
std::string EncodePath(std::string_view relative_path);

}  // namespace tidelake::delta
