#include "stream/sink_factory.h"

#include "common/strings.h"

namespace tidelake::stream {

namespace {

// ---- blackhole: Flink's, which takes no options either

arrow::Status CheckBlackhole(const catalog::SourceDefinition& table, std::string* bad_option) {
  if (!table.options.empty()) {
    const std::string& key = table.options.begin()->first;
    if (bad_option != nullptr) *bad_option = key;
    return arrow::Status::Invalid("option '", key, "' of blackhole table '", table.name.ToString(),
                                  "' is not an option of connector 'blackhole', which takes none besides 'connector'");
  }
  if (table.watermark) {
    return arrow::Status::Invalid("blackhole table '", table.name.ToString(), "' is written, never read: it has no "
                                  "event time to declare a watermark for");
  }
  return arrow::Status::OK();
}

arrow::Result<std::unique_ptr<Sink>> MakeBlackhole(const catalog::SourceDefinition& table) {
  return std::make_unique<BlackholeSink>(table.columns);
}

// ---- the connectors

struct SinkConnector {
  std::string_view name;
  arrow::Status (*check)(const catalog::SourceDefinition& table, std::string* bad_option);
  arrow::Result<std::unique_ptr<Sink>> (*make)(const catalog::SourceDefinition& table);
};

// One entry per connector.
constexpr SinkConnector kSinkConnectors[] = {
    {"blackhole", CheckBlackhole, MakeBlackhole},
};

const SinkConnector* Find(std::string_view connector) {
  const std::string name = Lower(std::string(connector));
  for (const auto& c : kSinkConnectors) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace

bool IsSinkConnector(std::string_view connector) { return Find(connector) != nullptr; }

std::string SinkConnectorNames() {
  std::string names;
  for (const auto& c : kSinkConnectors) names += (names.empty() ? "'" : ", '") + std::string(c.name) + "'";
  return names;
}

arrow::Status CheckSinkTable(const catalog::SourceDefinition& table, std::string* bad_option) {
  const SinkConnector* c = Find(table.connector);
  if (c == nullptr) {
    return arrow::Status::Invalid("connector '", table.connector, "' cannot be written by CREATE TABLE ... WITH "
                                  "('connector' = ...): tables are written through ", SinkConnectorNames(),
                                  " (a connector that is read declares a source: CREATE SOURCE)");
  }
  return c->check(table, bad_option);
}

arrow::Result<std::unique_ptr<Sink>> MakeSink(const catalog::SourceDefinition& table) {
  const SinkConnector* c = Find(table.connector);
  if (c == nullptr) {
    return arrow::Status::Invalid("table '", table.name.ToString(), "' has connector '", table.connector,
                                  "', which no sink writes (tidelake has ", SinkConnectorNames(), ")");
  }
  return c->make(table);
}

}  // namespace tidelake::stream
