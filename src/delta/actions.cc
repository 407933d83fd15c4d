#include "delta/actions.h"

#include <simdjson.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/error.h"

namespace tidelake::delta {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;
using Json = nlohmann::ordered_json;

// A small reader over one JSON object that turns type mismatches into precise errors.
class Fields {
 public:
  Fields(object obj, std::string_view action) : obj_(obj), action_(action) {}

  bool Has(std::string_view key) const {
    auto v = obj_[key];
    return !v.error() && !v.value().is_null();
  }

  arrow::Result<std::string> String(std::string_view key) const {
    ARROW_ASSIGN_OR_RAISE(auto v, Optional<std::string_view>(key));
    if (!v) return Missing(key);
    return std::string(*v);
  }
  arrow::Result<std::optional<std::string>> OptString(std::string_view key) const {
    ARROW_ASSIGN_OR_RAISE(auto v, Optional<std::string_view>(key));
    if (!v) return std::optional<std::string>();
    return std::optional<std::string>(std::string(*v));
  }
  arrow::Result<int64_t> Int(std::string_view key) const {
    ARROW_ASSIGN_OR_RAISE(auto v, OptInt(key));
    if (!v) return Missing(key);
    return *v;
  }
  arrow::Result<std::optional<int64_t>> OptInt(std::string_view key) const {
    auto v = obj_[key];
    if (v.error() || v.value().is_null()) return std::optional<int64_t>();
    element e = v.value();
    if (e.is_int64()) return std::optional<int64_t>(int64_t(e.get_int64()));
    if (e.is_uint64()) return std::optional<int64_t>(static_cast<int64_t>(uint64_t(e.get_uint64())));
    // Some writers emit integral values as doubles (e.g. 1.0) or strings; accept exact ones.
    if (e.is_double()) {
      double d = e.get_double();
      if (d == static_cast<double>(static_cast<int64_t>(d))) return std::optional<int64_t>(int64_t(d));
    }
    return WrongType(key, "an integer");
  }
  arrow::Result<std::optional<bool>> OptBool(std::string_view key) const {
    ARROW_ASSIGN_OR_RAISE(auto v, Optional<bool>(key));
    return v;
  }
  arrow::Result<bool> Bool(std::string_view key, bool default_value) const {
    ARROW_ASSIGN_OR_RAISE(auto v, Optional<bool>(key));
    return v.value_or(default_value);
  }
  arrow::Result<std::optional<StringMap>> OptStringMap(std::string_view key) const {
    auto v = obj_[key];
    if (v.error() || v.value().is_null()) return std::optional<StringMap>();
    if (!v.value().is_object()) return WrongType(key, "an object");
    StringMap out;
    for (auto [k, val] : object(v.value())) {
      if (val.is_null()) {
        out.emplace(std::string(k), std::nullopt);
      } else if (val.is_string()) {
        out.emplace(std::string(k), std::string(std::string_view(val)));
      } else {
        // Values are strings by spec; tolerate scalars written unquoted by old writers.
        out.emplace(std::string(k), simdjson::to_string(val));
      }
    }
    return std::optional<StringMap>(std::move(out));
  }
  arrow::Result<std::map<std::string, std::string>> Dictionary(std::string_view key) const {
    ARROW_ASSIGN_OR_RAISE(auto m, OptStringMap(key));
    std::map<std::string, std::string> out;
    if (m) {
      for (auto& [k, v] : *m) {
        if (v) out.emplace(k, *v);
      }
    }
    return out;
  }
  arrow::Result<std::optional<std::vector<std::string>>> OptStringList(std::string_view key) const {
    auto v = obj_[key];
    if (v.error() || v.value().is_null()) return std::optional<std::vector<std::string>>();
    if (!v.value().is_array()) return WrongType(key, "an array of strings");
    std::vector<std::string> out;
    for (element item : simdjson::dom::array(v.value())) {
      if (!item.is_string()) return WrongType(key, "an array of strings");
      out.emplace_back(std::string_view(item));
    }
    return std::optional<std::vector<std::string>>(std::move(out));
  }
  arrow::Result<std::optional<object>> OptObject(std::string_view key) const {
    auto v = obj_[key];
    if (v.error() || v.value().is_null()) return std::optional<object>();
    if (!v.value().is_object()) return WrongType(key, "an object");
    return std::optional<object>(object(v.value()));
  }

 private:
  template <typename T>
  arrow::Result<std::optional<T>> Optional(std::string_view key) const {
    auto v = obj_[key];
    if (v.error() || v.value().is_null()) return std::optional<T>();
    auto typed = v.value().get<T>();
    if (typed.error()) {
      if constexpr (std::is_same_v<T, bool>) return WrongType(key, "a boolean");
      return WrongType(key, "a string");
    }
    return std::optional<T>(typed.value());
  }
  arrow::Status Missing(std::string_view key) const {
    return arrow::Status::Invalid(action_, " action is missing required field '", key, "'");
  }
  arrow::Status WrongType(std::string_view key, const char* expected) const {
    return arrow::Status::Invalid(action_, ".", key, " must be ", expected);
  }

  object obj_;
  std::string_view action_;
};

arrow::Result<std::optional<DeletionVectorDescriptor>> ParseDv(const Fields& f) {
  ARROW_ASSIGN_OR_RAISE(auto obj, f.OptObject("deletionVector"));
  if (!obj) return std::optional<DeletionVectorDescriptor>();
  Fields dv(*obj, "deletionVector");
  DeletionVectorDescriptor d;
  ARROW_ASSIGN_OR_RAISE(d.storage_type, dv.String("storageType"));
  ARROW_ASSIGN_OR_RAISE(d.path_or_inline_dv, dv.String("pathOrInlineDv"));
  ARROW_ASSIGN_OR_RAISE(auto offset, dv.OptInt("offset"));
  if (offset) d.offset = static_cast<int32_t>(*offset);
  ARROW_ASSIGN_OR_RAISE(auto size, dv.Int("sizeInBytes"));
  d.size_in_bytes = static_cast<int32_t>(size);
  ARROW_ASSIGN_OR_RAISE(d.cardinality, dv.Int("cardinality"));
  return std::optional<DeletionVectorDescriptor>(std::move(d));
}

arrow::Result<Action> ParseProtocol(const Fields& f) {
  Protocol p;
  ARROW_ASSIGN_OR_RAISE(auto r, f.Int("minReaderVersion"));
  ARROW_ASSIGN_OR_RAISE(auto w, f.Int("minWriterVersion"));
  p.min_reader_version = static_cast<int32_t>(r);
  p.min_writer_version = static_cast<int32_t>(w);
  ARROW_ASSIGN_OR_RAISE(p.reader_features, f.OptStringList("readerFeatures"));
  ARROW_ASSIGN_OR_RAISE(p.writer_features, f.OptStringList("writerFeatures"));
  return p;
}

arrow::Result<Action> ParseMetadata(const Fields& f) {
  Metadata m;
  ARROW_ASSIGN_OR_RAISE(m.id, f.String("id"));
  ARROW_ASSIGN_OR_RAISE(m.name, f.OptString("name"));
  ARROW_ASSIGN_OR_RAISE(m.description, f.OptString("description"));
  ARROW_ASSIGN_OR_RAISE(auto format, f.OptObject("format"));
  if (format) {
    Fields ff(*format, "metaData.format");
    ARROW_ASSIGN_OR_RAISE(auto provider, ff.OptString("provider"));
    if (provider) m.format.provider = *provider;
    ARROW_ASSIGN_OR_RAISE(m.format.options, ff.Dictionary("options"));
  }
  ARROW_ASSIGN_OR_RAISE(m.schema_string, f.String("schemaString"));
  ARROW_ASSIGN_OR_RAISE(auto parts, f.OptStringList("partitionColumns"));
  if (parts) m.partition_columns = std::move(*parts);
  ARROW_ASSIGN_OR_RAISE(m.configuration, f.Dictionary("configuration"));
  ARROW_ASSIGN_OR_RAISE(m.created_time, f.OptInt("createdTime"));
  return m;
}

arrow::Result<Action> ParseAdd(const Fields& f) {
  AddFile a;
  ARROW_ASSIGN_OR_RAISE(a.path, f.String("path"));
  ARROW_ASSIGN_OR_RAISE(auto pv, f.OptStringMap("partitionValues"));
  if (pv) a.partition_values = std::move(*pv);
  ARROW_ASSIGN_OR_RAISE(a.size, f.Int("size"));
  ARROW_ASSIGN_OR_RAISE(auto mt, f.OptInt("modificationTime"));
  a.modification_time = mt.value_or(0);
  ARROW_ASSIGN_OR_RAISE(a.data_change, f.Bool("dataChange", true));
  ARROW_ASSIGN_OR_RAISE(a.stats, f.OptString("stats"));
  ARROW_ASSIGN_OR_RAISE(a.tags, f.OptStringMap("tags"));
  ARROW_ASSIGN_OR_RAISE(a.deletion_vector, ParseDv(f));
  ARROW_ASSIGN_OR_RAISE(a.base_row_id, f.OptInt("baseRowId"));
  ARROW_ASSIGN_OR_RAISE(a.default_row_commit_version, f.OptInt("defaultRowCommitVersion"));
  ARROW_ASSIGN_OR_RAISE(a.clustering_provider, f.OptString("clusteringProvider"));
  return a;
}

arrow::Result<Action> ParseRemove(const Fields& f) {
  RemoveFile r;
  ARROW_ASSIGN_OR_RAISE(r.path, f.String("path"));
  ARROW_ASSIGN_OR_RAISE(r.deletion_timestamp, f.OptInt("deletionTimestamp"));
  ARROW_ASSIGN_OR_RAISE(r.data_change, f.Bool("dataChange", true));
  ARROW_ASSIGN_OR_RAISE(r.extended_file_metadata, f.OptBool("extendedFileMetadata"));
  ARROW_ASSIGN_OR_RAISE(r.partition_values, f.OptStringMap("partitionValues"));
  ARROW_ASSIGN_OR_RAISE(r.size, f.OptInt("size"));
  ARROW_ASSIGN_OR_RAISE(r.stats, f.OptString("stats"));
  ARROW_ASSIGN_OR_RAISE(r.tags, f.OptStringMap("tags"));
  ARROW_ASSIGN_OR_RAISE(r.deletion_vector, ParseDv(f));
  ARROW_ASSIGN_OR_RAISE(r.base_row_id, f.OptInt("baseRowId"));
  ARROW_ASSIGN_OR_RAISE(r.default_row_commit_version, f.OptInt("defaultRowCommitVersion"));
  return r;
}

arrow::Result<Action> ParseCdc(const Fields& f) {
  AddCDCFile c;
  ARROW_ASSIGN_OR_RAISE(c.path, f.String("path"));
  ARROW_ASSIGN_OR_RAISE(auto pv, f.OptStringMap("partitionValues"));
  if (pv) c.partition_values = std::move(*pv);
  ARROW_ASSIGN_OR_RAISE(c.size, f.Int("size"));
  ARROW_ASSIGN_OR_RAISE(c.data_change, f.Bool("dataChange", false));
  ARROW_ASSIGN_OR_RAISE(c.tags, f.OptStringMap("tags"));
  return c;
}

arrow::Result<Action> ParseTxn(const Fields& f) {
  Txn t;
  ARROW_ASSIGN_OR_RAISE(t.app_id, f.String("appId"));
  ARROW_ASSIGN_OR_RAISE(t.version, f.Int("version"));
  ARROW_ASSIGN_OR_RAISE(t.last_updated, f.OptInt("lastUpdated"));
  return t;
}

arrow::Result<Action> ParseCommitInfo(element value) {
  CommitInfo c;
  c.json = simdjson::to_string(value);
  if (value.is_object()) {
    Fields f(object(value), "commitInfo");
    // Provenance is free-form: a mistyped field there must not make the table unreadable.
    auto ts = f.OptInt("timestamp");
    if (ts.ok()) c.timestamp = *ts;
    auto ict = f.OptInt("inCommitTimestamp");
    if (ict.ok()) c.in_commit_timestamp = *ict;
    auto op = f.OptString("operation");
    if (op.ok()) c.operation = *op;
  }
  return c;
}

arrow::Result<Action> ParseDomainMetadata(const Fields& f) {
  DomainMetadata d;
  ARROW_ASSIGN_OR_RAISE(d.domain, f.String("domain"));
  ARROW_ASSIGN_OR_RAISE(d.configuration, f.String("configuration"));
  ARROW_ASSIGN_OR_RAISE(d.removed, f.Bool("removed", false));
  return d;
}

arrow::Result<Action> ParseSidecar(const Fields& f) {
  Sidecar s;
  ARROW_ASSIGN_OR_RAISE(s.path, f.String("path"));
  ARROW_ASSIGN_OR_RAISE(s.size_in_bytes, f.Int("sizeInBytes"));
  ARROW_ASSIGN_OR_RAISE(auto mt, f.OptInt("modificationTime"));
  s.modification_time = mt.value_or(0);
  return s;
}

arrow::Result<Action> ParseCheckpointMetadata(const Fields& f) {
  CheckpointMetadata c;
  ARROW_ASSIGN_OR_RAISE(c.version, f.Int("version"));
  return c;
}

arrow::Result<std::optional<Action>> ParseElement(element root) {
  if (!root.is_object()) return arrow::Status::Invalid("a log action must be a JSON object");
  for (auto [key, value] : object(root)) {
    if (value.is_null()) continue;
    auto known = [&](auto parse) -> arrow::Result<std::optional<Action>> {
      if (!value.is_object()) {
        return arrow::Status::Invalid("'", std::string_view(key), "' action must be a JSON object");
      }
      ARROW_ASSIGN_OR_RAISE(Action a, parse(Fields(object(value), key)));
      return std::optional<Action>(std::move(a));
    };
    if (key == "add") return known(ParseAdd);
    if (key == "remove") return known(ParseRemove);
    if (key == "metaData") return known(ParseMetadata);
    if (key == "protocol") return known(ParseProtocol);
    if (key == "txn") return known(ParseTxn);
    if (key == "cdc") return known(ParseCdc);
    if (key == "domainMetadata") return known(ParseDomainMetadata);
    if (key == "sidecar") return known(ParseSidecar);
    if (key == "checkpointMetadata") return known(ParseCheckpointMetadata);
    if (key == "commitInfo") {
      ARROW_ASSIGN_OR_RAISE(Action a, ParseCommitInfo(value));
      return std::optional<Action>(std::move(a));
    }
  }
  return std::optional<Action>();  // an action type this reader does not know: ignore it
}

Json DvJson(const DeletionVectorDescriptor& d) {
  Json j;
  j["storageType"] = d.storage_type;
  j["pathOrInlineDv"] = d.path_or_inline_dv;
  if (d.offset) j["offset"] = *d.offset;
  j["sizeInBytes"] = d.size_in_bytes;
  j["cardinality"] = d.cardinality;
  return j;
}

Json MapJson(const StringMap& m) {
  Json j = Json::object();
  for (const auto& [k, v] : m) {
    if (v) {
      j[k] = *v;
    } else {
      j[k] = nullptr;
    }
  }
  return j;
}

struct ToJsonVisitor {
  Json operator()(const Protocol& p) const {
    Json j;
    j["minReaderVersion"] = p.min_reader_version;
    j["minWriterVersion"] = p.min_writer_version;
    if (p.reader_features) j["readerFeatures"] = *p.reader_features;
    if (p.writer_features) j["writerFeatures"] = *p.writer_features;
    return Json{{"protocol", j}};
  }
  Json operator()(const Metadata& m) const {
    Json j;
    j["id"] = m.id;
    if (m.name) j["name"] = *m.name;
    if (m.description) j["description"] = *m.description;
    j["format"] = Json{{"provider", m.format.provider}, {"options", Json(m.format.options)}};
    j["schemaString"] = m.schema_string;
    j["partitionColumns"] = m.partition_columns;
    j["configuration"] = Json(m.configuration);
    if (m.created_time) j["createdTime"] = *m.created_time;
    return Json{{"metaData", j}};
  }
  Json operator()(const AddFile& a) const {
    Json j;
    j["path"] = a.path;
    j["partitionValues"] = MapJson(a.partition_values);
    j["size"] = a.size;
    j["modificationTime"] = a.modification_time;
    j["dataChange"] = a.data_change;
    if (a.stats) j["stats"] = *a.stats;
    if (a.tags) j["tags"] = MapJson(*a.tags);
    if (a.deletion_vector) j["deletionVector"] = DvJson(*a.deletion_vector);
    if (a.base_row_id) j["baseRowId"] = *a.base_row_id;
    if (a.default_row_commit_version) j["defaultRowCommitVersion"] = *a.default_row_commit_version;
    if (a.clustering_provider) j["clusteringProvider"] = *a.clustering_provider;
    return Json{{"add", j}};
  }
  Json operator()(const RemoveFile& r) const {
    Json j;
    j["path"] = r.path;
    if (r.deletion_timestamp) j["deletionTimestamp"] = *r.deletion_timestamp;
    j["dataChange"] = r.data_change;
    if (r.extended_file_metadata) j["extendedFileMetadata"] = *r.extended_file_metadata;
    if (r.partition_values) j["partitionValues"] = MapJson(*r.partition_values);
    if (r.size) j["size"] = *r.size;
    if (r.stats) j["stats"] = *r.stats;
    if (r.tags) j["tags"] = MapJson(*r.tags);
    if (r.deletion_vector) j["deletionVector"] = DvJson(*r.deletion_vector);
    if (r.base_row_id) j["baseRowId"] = *r.base_row_id;
    if (r.default_row_commit_version) j["defaultRowCommitVersion"] = *r.default_row_commit_version;
    return Json{{"remove", j}};
  }
  Json operator()(const AddCDCFile& c) const {
    Json j;
    j["path"] = c.path;
    j["partitionValues"] = MapJson(c.partition_values);
    j["size"] = c.size;
    j["dataChange"] = c.data_change;
    if (c.tags) j["tags"] = MapJson(*c.tags);
    return Json{{"cdc", j}};
  }
  Json operator()(const Txn& t) const {
    Json j;
    j["appId"] = t.app_id;
    j["version"] = t.version;
    if (t.last_updated) j["lastUpdated"] = *t.last_updated;
    return Json{{"txn", j}};
  }
  Json operator()(const CommitInfo& c) const {
    Json j = c.json.empty() ? Json::object() : Json::parse(c.json, nullptr, false);
    if (j.is_discarded() || !j.is_object()) j = Json::object();
    if (c.timestamp) j["timestamp"] = *c.timestamp;
    if (c.in_commit_timestamp) j["inCommitTimestamp"] = *c.in_commit_timestamp;
    if (c.operation) j["operation"] = *c.operation;
    return Json{{"commitInfo", j}};
  }
  Json operator()(const DomainMetadata& d) const {
    return Json{{"domainMetadata",
                 Json{{"domain", d.domain}, {"configuration", d.configuration}, {"removed", d.removed}}}};
  }
  Json operator()(const Sidecar& s) const {
    return Json{{"sidecar", Json{{"path", s.path},
                                 {"sizeInBytes", s.size_in_bytes},
                                 {"modificationTime", s.modification_time}}}};
  }
  Json operator()(const CheckpointMetadata& c) const {
    return Json{{"checkpointMetadata", Json{{"version", c.version}}}};
  }
};

bool Contains(const std::optional<std::vector<std::string>>& list, std::string_view item) {
  return list && std::find(list->begin(), list->end(), item) != list->end();
}

}  // namespace

bool Protocol::HasReaderFeature(std::string_view feature) const {
  return Contains(reader_features, feature);
}
bool Protocol::HasWriterFeature(std::string_view feature) const {
  return Contains(writer_features, feature);
}

std::optional<std::string> Metadata::Config(const std::string& key) const {
  auto it = configuration.find(key);
  if (it == configuration.end()) return std::nullopt;
  return it->second;
}

std::string DeletionVectorDescriptor::UniqueId() const {
  std::string id = storage_type + path_or_inline_dv;
  if (offset) id += "@" + std::to_string(*offset);
  return id;
}

RemoveFile RemoveFileFor(const AddFile& add, int64_t deletion_timestamp_ms, bool data_change) {
  RemoveFile rm;
  rm.path = add.path;
  rm.deletion_timestamp = deletion_timestamp_ms;
  rm.data_change = data_change;
  rm.extended_file_metadata = true;
  rm.partition_values = add.partition_values;
  rm.size = add.size;
  rm.stats = add.stats;
  rm.tags = add.tags;
  rm.deletion_vector = add.deletion_vector;
  rm.base_row_id = add.base_row_id;
  rm.default_row_commit_version = add.default_row_commit_version;
  return rm;
}

arrow::Result<std::optional<Action>> ParseAction(std::string_view json_line) {
  simdjson::dom::parser parser;
  element root;
  auto error = parser.parse(json_line.data(), json_line.size()).get(root);
  if (error) return arrow::Status::Invalid("malformed JSON: ", simdjson::error_message(error));
  return ParseElement(root);
}

arrow::Result<std::vector<Action>> ParseActions(std::string_view text) {
  std::vector<Action> actions;
  simdjson::dom::parser parser;
  size_t line_number = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    element root;
    auto error = parser.parse(line.data(), line.size()).get(root);
    if (error) {
      return arrow::Status::Invalid("line ", line_number, ": malformed JSON (",
                                    simdjson::error_message(error), ")");
    }
    auto parsed = ParseElement(root);
    if (!parsed.ok()) {
      return arrow::Status::Invalid("line ", line_number, ": ", parsed.status().message());
    }
    if (*parsed) actions.push_back(std::move(**parsed));
  }
  return actions;
}

std::string ToJson(const Action& action) { return std::visit(ToJsonVisitor{}, action).dump(); }

std::string ToCommitText(const std::vector<Action>& actions) {
  std::string out;
  for (const auto& a : actions) {
    out += ToJson(a);
    out += '\n';
  }
  return out;
}

namespace {
int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string DecodePath(std::string_view log_path) {
  std::string out;
  out.reserve(log_path.size());
  for (size_t i = 0; i < log_path.size(); ++i) {
    char c = log_path[i];
    if (c == '%' && i + 2 < log_path.size()) {
      int hi = HexValue(log_path[i + 1]);
      int lo = HexValue(log_path[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(c);
  }
  return out;
}

std::string EncodePath(std::string_view relative_path) {
  // Unreserved and sub-delims that Hadoop's Path.toUri keeps literal; everything else is
  // percent-encoded (UTF-8 bytes included), which is what Spark writes into add.path.
  static constexpr std::string_view kKeep = "-_.~!$&'()*+,;=:@/";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(relative_path.size());
  for (unsigned char c : relative_path) {
    if (c >= 0x80 || std::isalnum(c) || kKeep.find(static_cast<char>(c)) != std::string_view::npos) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace tidelake::delta
