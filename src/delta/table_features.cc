#include "delta/table_features.h"

#include <algorithm>
#include <array>
#include <optional>
#include <set>

namespace tidelake::delta {

namespace {

// Reader features whose semantics we implement on read.
constexpr std::array<std::string_view, 7> kReadableFeatures = {
    "columnMapping", "deletionVectors", "timestampNtz", "v2Checkpoint",
    "vacuumProtocolCheck", "typeWidening", "typeWidening-preview"};

// Writer features we honour when committing.
constexpr std::array<std::string_view, 14> kWritableFeatures = {
    "appendOnly",     "invariants",     "changeDataFeed",      "columnMapping",
    "deletionVectors", "timestampNtz",  "domainMetadata",      "vacuumProtocolCheck",
    "inCommitTimestamp", "typeWidening", "typeWidening-preview", "checkConstraints",
    "generatedColumns",  "identityColumns"};

template <size_t N>
bool In(const std::array<std::string_view, N>& set, std::string_view name) {
  return std::find(set.begin(), set.end(), name) != set.end();
}

}  // namespace

bool FeatureEnabled(const Protocol& protocol, std::string_view feature) {
  if (protocol.HasReaderFeature(feature) || protocol.HasWriterFeature(feature)) return true;
  // Legacy protocol versions imply features (PROTOCOL.md, "Table Features").
  int w = protocol.min_writer_version;
  if (w >= 7) return false;
  if (feature == "appendOnly" || feature == "invariants") return w >= 2;
  if (feature == "checkConstraints") return w >= 3;
  if (feature == "changeDataFeed" || feature == "generatedColumns") return w >= 4;
  if (feature == "columnMapping") return w >= 5;
  if (feature == "identityColumns") return w >= 6;
  return false;
}

arrow::Status CheckCanRead(const Protocol& protocol) {
  if (protocol.min_reader_version > kMaxReaderVersion || protocol.min_reader_version < 1) {
    return arrow::Status::NotImplemented("unsupported Delta reader version ",
                                         protocol.min_reader_version, " (tidelake reads versions 1 to ",
                                         kMaxReaderVersion, ")");
  }
  if (protocol.min_reader_version == 3 && protocol.reader_features) {
    for (const auto& feature : *protocol.reader_features) {
      if (!In(kReadableFeatures, feature)) {
        return arrow::Status::NotImplemented("unsupported Delta reader feature '", feature,
                                             "': tidelake cannot read this table correctly");
      }
    }
  }
  return arrow::Status::OK();
}

arrow::Status CheckCanWrite(const Protocol& protocol, const Metadata& metadata) {
  ARROW_RETURN_NOT_OK(CheckCanRead(protocol));
  if (protocol.min_writer_version > kMaxWriterVersion) {
    return arrow::Status::NotImplemented("unsupported Delta writer version ",
                                         protocol.min_writer_version);
  }
  if (protocol.min_writer_version == 7 && protocol.writer_features) {
    for (const auto& feature : *protocol.writer_features) {
      if (!In(kWritableFeatures, feature)) {
        return arrow::Status::NotImplemented("unsupported Delta writer feature '", feature,
                                             "': tidelake cannot write this table correctly");
      }
    }
  }
  // Features we accept only while they are not in use: their rules need an expression engine.
  for (const auto& [key, value] : metadata.configuration) {
    if (key.rfind("delta.constraints.", 0) == 0) {
      return arrow::Status::NotImplemented("table has CHECK constraint '", key.substr(18),
                                           "' (", value, "): tidelake cannot enforce it yet, so it does not write");
    }
  }
  if (metadata.schema_string.find("delta.generationExpression") != std::string::npos) {
    return arrow::Status::NotImplemented(
        "table has generated columns: tidelake cannot compute them yet, so it does not write");
  }
  if (metadata.schema_string.find("delta.identity.") != std::string::npos) {
    return arrow::Status::NotImplemented(
        "table has an identity column: tidelake cannot assign identity values yet, so it does not write");
  }
  if (metadata.schema_string.find("delta.invariants") != std::string::npos) {
    return arrow::Status::NotImplemented(
        "table has column invariants: tidelake cannot enforce them yet, so it does not write");
  }
  return arrow::Status::OK();
}

Protocol ProtocolFor(const Metadata& metadata) {
  bool uses_timestamp_ntz = metadata.schema_string.find("\"timestamp_ntz\"") != std::string::npos;
  bool type_widening = metadata.schema_string.find("\"delta.typeChanges\"") != std::string::npos;
  auto on = [&](const char* key) {
    auto v = metadata.Config(key);
    return v && (*v == "true" || *v == "TRUE" || *v == "True");
  };
  bool dv = on("delta.enableDeletionVectors");
  bool cdf = on("delta.enableChangeDataFeed");
  bool append_only = on("delta.appendOnly");
  auto mapping = metadata.Config("delta.columnMapping.mode");
  bool column_mapping = mapping && *mapping != "none";
  bool ict = on("delta.enableInCommitTimestamps");
  Protocol p;
  if (!dv && !uses_timestamp_ntz && !ict && !type_widening) {
    // Legacy versions suffice.
    p.min_reader_version = column_mapping ? 2 : 1;
    p.min_writer_version = column_mapping ? 5 : (cdf ? 4 : 2);
    return p;
  }
  p.min_reader_version = 3;
  p.min_writer_version = 7;
  std::vector<std::string> readers, writers;
  auto both = [&](const char* f) {
    readers.emplace_back(f);
    writers.emplace_back(f);
  };
  if (dv) both("deletionVectors");
  if (uses_timestamp_ntz) both("timestampNtz");
  if (column_mapping) both("columnMapping");
  if (type_widening) both("typeWidening");
  if (cdf) writers.emplace_back("changeDataFeed");
  if (append_only) writers.emplace_back("appendOnly");
  if (ict) writers.emplace_back("inCommitTimestamp");
  writers.emplace_back("invariants");
  writers.emplace_back("appendOnly");
  std::sort(writers.begin(), writers.end());
  writers.erase(std::unique(writers.begin(), writers.end()), writers.end());
  p.reader_features = readers;
  p.writer_features = writers;
  return p;
}

namespace {

// Writer features a legacy writer version implies (PROTOCOL.md, "Writer Version Requirements").
std::vector<std::string> LegacyWriterFeatures(int32_t writer_version) {
  std::vector<std::string> out;
  if (writer_version >= 2) out.insert(out.end(), {"appendOnly", "invariants"});
  if (writer_version >= 3) out.emplace_back("checkConstraints");
  if (writer_version >= 4) out.insert(out.end(), {"changeDataFeed", "generatedColumns"});
  if (writer_version >= 5) out.emplace_back("columnMapping");
  if (writer_version >= 6) out.emplace_back("identityColumns");
  return out;
}

void AppendUnique(std::vector<std::string>* list, const std::vector<std::string>& more) {
  for (const auto& f : more) {
    if (std::find(list->begin(), list->end(), f) == list->end()) list->push_back(f);
  }
}

std::set<std::string> AsSet(const std::optional<std::vector<std::string>>& list) {
  return list ? std::set<std::string>(list->begin(), list->end()) : std::set<std::string>{};
}

}  // namespace

bool SameProtocol(const Protocol& a, const Protocol& b) {
  return a.min_reader_version == b.min_reader_version && a.min_writer_version == b.min_writer_version &&
         a.reader_features.has_value() == b.reader_features.has_value() &&
         a.writer_features.has_value() == b.writer_features.has_value() &&
         AsSet(a.reader_features) == AsSet(b.reader_features) && AsSet(a.writer_features) == AsSet(b.writer_features);
}

Protocol UnionProtocol(const Protocol& a, const Protocol& b) {
  Protocol out;
  out.min_reader_version = std::max(a.min_reader_version, b.min_reader_version);
  out.min_writer_version = std::max(a.min_writer_version, b.min_writer_version);
  if (out.min_writer_version >= 7) {
    std::vector<std::string> writers;
    for (const Protocol* p : {&a, &b}) {
      if (p->min_writer_version >= 7) {
        if (p->writer_features) AppendUnique(&writers, *p->writer_features);
      } else {
        AppendUnique(&writers, LegacyWriterFeatures(p->min_writer_version));
      }
    }
    out.writer_features = writers;
  }
  if (out.min_reader_version >= 3) {
    std::vector<std::string> readers;
    for (const Protocol* p : {&a, &b}) {
      if (p->min_reader_version >= 3) {
        if (p->reader_features) AppendUnique(&readers, *p->reader_features);
      } else if (p->min_reader_version == 2) {
        AppendUnique(&readers, {"columnMapping"});
      }
    }
    out.reader_features = readers;
    // Every reader feature is also a writer feature.
    if (out.writer_features) AppendUnique(&*out.writer_features, readers);
  }
  return out;
}

}  // namespace tidelake::delta
