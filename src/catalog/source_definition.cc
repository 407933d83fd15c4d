#include "catalog/source_definition.h"

#include <nlohmann/json.hpp>

#include "delta/schema.h"

namespace tidelake::catalog {

namespace {

constexpr int kSourceFormat = 1;

}  // namespace

arrow::Result<std::string> SourceDefinition::ToJson() const {
  if (!columns) return arrow::Status::Invalid("source '", name.ToString(), "' has no columns");
  // The columns as a Delta schema string: the one type vocabulary the lake already stores.
  ARROW_ASSIGN_OR_RAISE(std::string schema, delta::SchemaToJson(*columns));
  nlohmann::json doc{{"format", kSourceFormat},
                     {"connector", connector},
                     {"columns", nlohmann::json::parse(schema)},
                     {"options", options}};
  if (watermark) doc["watermark"] = {{"column", watermark->column}, {"delayUs", watermark->delay_us}};
  return doc.dump();
}

arrow::Result<SourceDefinition> SourceDefinition::FromJson(const TableName& name, const std::string& text,
                                                           const std::string& path) {
  auto corrupt = [&](const std::string& why) {
    return arrow::Status::Invalid("the definition of source '", name.ToString(), "' (", path, ") is corrupt: ", why);
  };
  auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return corrupt("not a JSON object");
  auto format = doc.find("format");
  if (format == doc.end() || !format->is_number_integer() || format->get<int64_t>() != kSourceFormat) {
    return corrupt("unknown format");
  }
  SourceDefinition out;
  out.name = name;
  auto connector = doc.find("connector");
  if (connector == doc.end() || !connector->is_string()) return corrupt("no connector");
  out.connector = connector->get<std::string>();
  auto columns = doc.find("columns");
  if (columns == doc.end() || !columns->is_object()) return corrupt("no columns");
  auto schema = delta::SchemaFromJson(columns->dump());
  if (!schema.ok()) return corrupt(schema.status().message());
  out.columns = *schema;
  auto options = doc.find("options");
  if (options != doc.end()) {
    if (!options->is_object()) return corrupt("options is not an object");
    for (const auto& [key, value] : options->items()) {
      if (!value.is_string()) return corrupt("option '" + key + "' is not a string");
      out.options[key] = value.get<std::string>();
    }
  }
  auto watermark = doc.find("watermark");
  if (watermark != doc.end() && !watermark->is_null()) {
    if (!watermark->is_object() || !watermark->contains("column") || !(*watermark)["column"].is_string() ||
        !watermark->contains("delayUs") || !(*watermark)["delayUs"].is_number_integer()) {
      return corrupt("the watermark needs a column and a delayUs");
    }
    out.watermark = SourceWatermark{(*watermark)["column"].get<std::string>(), (*watermark)["delayUs"].get<int64_t>()};
  }
  return out;
}

}  // namespace tidelake::catalog
