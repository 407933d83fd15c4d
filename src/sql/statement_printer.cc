// Printing statements back to canonical SQL (see ast_printer.h); expressions, queries and
// relations are printed by ast_printer.cc.
#include "sql/ast_printer.h"
#include "sql/ast_printer_internal.h"

namespace tidelake::sql {
namespace {

using printer_internal::ExprList;
using printer_internal::FormatDouble;
using printer_internal::Join;
using printer_internal::NameList;
using printer_internal::NamePath;
using printer_internal::ValueOperand;

std::string ColumnDefinitionText(const ColumnDefinition& c) {
  std::string s = QuoteIdentifier(c.name) + " " + ToString(*c.type);
  if (c.not_null) s += " NOT NULL";
  if (c.comment) s += " COMMENT " + QuoteString(*c.comment);
  return s;
}

std::string ColumnDefinitions(const std::vector<ColumnDefinition>& columns) {
  std::vector<std::string> parts;
  for (const ColumnDefinition& c : columns) parts.push_back(ColumnDefinitionText(c));
  return "(" + Join(parts, ", ") + ")";
}

std::string PropertiesText(const std::vector<TableProperty>& properties) {
  std::vector<std::string> parts;
  for (const TableProperty& p : properties) parts.push_back(QuoteString(p.key) + " = " + QuoteString(p.value));
  return "(" + Join(parts, ", ") + ")";
}

std::string AssignmentsText(const std::vector<Assignment>& assignments) {
  std::vector<std::string> parts;
  for (const Assignment& a : assignments) parts.push_back(NamePath(a.column) + " = " + ToString(*a.value));
  return Join(parts, ", ");
}

std::string MergeClauseText(const MergeClause& c) {
  std::string s = "WHEN ";
  switch (c.match) {
    case MergeMatch::kMatched: s += "MATCHED"; break;
    case MergeMatch::kNotMatchedByTarget: s += "NOT MATCHED"; break;
    case MergeMatch::kNotMatchedBySource: s += "NOT MATCHED BY SOURCE"; break;
  }
  if (c.condition) s += " AND " + ToString(*c.condition);
  s += " THEN ";
  switch (c.action) {
    case MergeAction::kUpdateAll: return s + "UPDATE SET *";
    case MergeAction::kUpdate: return s + "UPDATE SET " + AssignmentsText(c.assignments);
    case MergeAction::kDelete: return s + "DELETE";
    case MergeAction::kInsertAll: return s + "INSERT *";
    case MergeAction::kInsert: {
      std::vector<std::string> columns;
      for (const auto& column : c.insert_columns) columns.push_back(NamePath(column));
      return s + "INSERT (" + Join(columns, ", ") + ") VALUES (" + ExprList(c.insert_values) + ")";
    }
  }
  return s;
}

std::string PrintStatement(const Statement& st) {
  switch (st.kind) {
    case StatementKind::kQuery:
      return ToString(*st.As<QueryStatement>().query);
    case StatementKind::kExplain: {
      const auto& n = st.As<ExplainStatement>();
      static constexpr const char* kModes[] = {"EXPLAIN ", "EXPLAIN EXTENDED ", "EXPLAIN FORMATTED "};
      return kModes[static_cast<int>(n.mode)] + PrintStatement(*n.statement);
    }
    case StatementKind::kCreateTable: {
      const auto& n = st.As<CreateTableStatement>();
      std::string s = n.streaming ? (n.or_refresh ? "CREATE OR REFRESH STREAMING TABLE " : "CREATE STREAMING TABLE ")
                                  : (n.or_replace ? "CREATE OR REPLACE TABLE " : "CREATE TABLE ");
      if (n.if_not_exists) s += "IF NOT EXISTS ";
      s += ToString(n.name);
      if (!n.columns.empty()) s += " " + ColumnDefinitions(n.columns);
      if (n.using_format) s += " USING " + QuoteIdentifier(*n.using_format);
      if (!n.partitioned_by.empty()) s += " PARTITIONED BY " + NameList(n.partitioned_by);
      if (n.location) s += " LOCATION " + QuoteString(*n.location);
      if (n.comment) s += " COMMENT " + QuoteString(*n.comment);
      if (!n.properties.empty()) s += " TBLPROPERTIES " + PropertiesText(n.properties);
      if (n.with_pos) s += " WITH " + PropertiesText(n.with_options);
      if (n.as_query) s += " AS " + ToString(*n.as_query);
      return s;
    }
    case StatementKind::kCreateView: {
      const auto& n = st.As<CreateViewStatement>();
      std::string s = n.or_replace ? "CREATE OR REPLACE " : "CREATE ";
      if (n.temporary) s += "TEMPORARY ";
      s += "VIEW ";
      if (n.if_not_exists) s += "IF NOT EXISTS ";
      s += ToString(n.name);
      if (!n.columns.empty()) s += " " + NameList(n.columns);
      return s + " AS " + ToString(*n.query);
    }
    case StatementKind::kDrop: {
      const auto& n = st.As<DropStatement>();
      static constexpr const char* kObjects[] = {"DROP TABLE ", "DROP VIEW ", "DROP SOURCE "};
      return kObjects[static_cast<int>(n.object)] + std::string(n.if_exists ? "IF EXISTS " : "") + ToString(n.name);
    }
    case StatementKind::kAlterTable: {
      const auto& n = st.As<AlterTableStatement>();
      std::string s = "ALTER TABLE " + ToString(n.name);
      switch (n.action) {
        case AlterTableAction::kAddColumns: return s + " ADD COLUMNS " + ColumnDefinitions(n.columns);
        case AlterTableAction::kSetProperties: return s + " SET TBLPROPERTIES " + PropertiesText(n.properties);
        case AlterTableAction::kUnsetProperties: {
          std::vector<std::string> keys;
          for (const TableProperty& p : n.properties) keys.push_back(QuoteString(p.key));
          return s + " UNSET TBLPROPERTIES " + (n.if_exists ? "IF EXISTS " : "") + "(" + Join(keys, ", ") + ")";
        }
        case AlterTableAction::kRenameColumn:
          return s + " RENAME COLUMN " + NamePath(n.targets[0].parts) + " TO " + QuoteIdentifier(n.new_name);
        case AlterTableAction::kDropColumns: {
          std::vector<std::string> columns;
          for (const ColumnPath& c : n.targets) columns.push_back(NamePath(c.parts));
          return s + " DROP COLUMNS " + (n.if_exists ? "IF EXISTS " : "") + "(" + Join(columns, ", ") + ")";
        }
      }
      return s;
    }
    case StatementKind::kInsert: {
      const auto& n = st.As<InsertStatement>();
      std::string s = (n.overwrite ? "INSERT OVERWRITE " : "INSERT INTO ") + ToString(n.table);
      if (!n.partition.empty()) {
        std::vector<std::string> parts;
        for (const PartitionValue& p : n.partition) {
          parts.push_back(QuoteIdentifier(p.column) + (p.value ? " = " + ValueOperand(*p.value) : ""));
        }
        s += " PARTITION (" + Join(parts, ", ") + ")";
      }
      if (!n.columns.empty()) s += " " + NameList(n.columns);
      if (n.replace_where) s += " REPLACE WHERE " + ToString(*n.replace_where);
      return s + " " + ToString(*n.query);
    }
    case StatementKind::kDelete: {
      const auto& n = st.As<DeleteStatement>();
      std::string s = "DELETE FROM " + ToString(n.table);
      if (!n.alias.empty()) s += " AS " + QuoteIdentifier(n.alias);
      if (n.where) s += " WHERE " + ToString(*n.where);
      return s;
    }
    case StatementKind::kUpdate: {
      const auto& n = st.As<UpdateStatement>();
      std::string s = "UPDATE " + ToString(n.table);
      if (!n.alias.empty()) s += " AS " + QuoteIdentifier(n.alias);
      s += " SET " + AssignmentsText(n.assignments);
      if (n.where) s += " WHERE " + ToString(*n.where);
      return s;
    }
    case StatementKind::kMerge: {
      const auto& n = st.As<MergeStatement>();
      std::string s = "MERGE INTO " + ToString(n.target);
      if (!n.target_alias.empty()) s += " AS " + QuoteIdentifier(n.target_alias);
      std::string source = ToString(*n.source);
      if (n.source->kind == RelationKind::kJoin) source = "(" + source + ")";
      s += " USING " + source + " ON " + ToString(*n.condition);
      for (const MergeClause& c : n.clauses) s += " " + MergeClauseText(c);
      return s;
    }
    case StatementKind::kOptimize: {
      const auto& n = st.As<OptimizeStatement>();
      std::string s = "OPTIMIZE " + ToString(n.table);
      if (n.where) s += " WHERE " + ToString(*n.where);
      if (!n.zorder_by.empty()) s += " ZORDER BY (" + ExprList(n.zorder_by) + ")";
      return s;
    }
    case StatementKind::kVacuum: {
      const auto& n = st.As<VacuumStatement>();
      std::string s = "VACUUM " + ToString(n.table);
      if (n.retain_hours) s += " RETAIN " + FormatDouble(*n.retain_hours) + " HOURS";
      if (n.dry_run) s += " DRY RUN";
      return s;
    }
    case StatementKind::kDescribe: {
      const auto& n = st.As<DescribeStatement>();
      switch (n.what) {
        case DescribeKind::kTable:
          return std::string(n.extended ? "DESCRIBE TABLE EXTENDED " : "DESCRIBE TABLE ") + ToString(n.table) +
                 (n.column ? " " + NamePath(n.column->parts) : "");
        case DescribeKind::kHistory:
          return "DESCRIBE HISTORY " + ToString(n.table) + (n.limit ? " LIMIT " + std::to_string(*n.limit) : "");
        case DescribeKind::kDetail:
          return "DESCRIBE DETAIL " + ToString(n.table);
        case DescribeKind::kSource:
          return "DESCRIBE SOURCE " + ToString(n.table);
      }
      return "";
    }
    case StatementKind::kRestore: {
      const auto& n = st.As<RestoreStatement>();
      return "RESTORE TABLE " + ToString(n.table) +
             (n.target.kind == TimeTravelKind::kVersion ? " TO VERSION AS OF " : " TO TIMESTAMP AS OF ") +
             ValueOperand(*n.target.value);
    }
    case StatementKind::kAnalyze: {
      const auto& n = st.As<AnalyzeStatement>();
      std::string s = "ANALYZE TABLE " + ToString(n.table) + " COMPUTE STATISTICS";
      switch (n.mode) {
        case AnalyzeMode::kStatistics: return s;
        case AnalyzeMode::kNoScan: return s + " NOSCAN";
        case AnalyzeMode::kForAllColumns: return s + " FOR ALL COLUMNS";
        case AnalyzeMode::kForColumns: {
          std::vector<std::string> columns;
          for (const std::string& c : n.columns) columns.push_back(QuoteIdentifier(c));
          return s + " FOR COLUMNS " + Join(columns, ", ");
        }
      }
      return s;
    }
    case StatementKind::kShow: {
      const auto& n = st.As<ShowStatement>();
      std::string s;
      switch (n.what) {
        case ShowKind::kTables:
        case ShowKind::kViews:
        case ShowKind::kSources:
          s = n.what == ShowKind::kTables ? "SHOW TABLES" : n.what == ShowKind::kViews ? "SHOW VIEWS" : "SHOW SOURCES";
          if (!n.object.empty()) s += " IN " + ToString(n.object);
          if (n.pattern) s += " LIKE " + QuoteString(*n.pattern);
          return s;
        case ShowKind::kColumns: return "SHOW COLUMNS IN " + ToString(n.object);
        case ShowKind::kCreateTable: return "SHOW CREATE TABLE " + ToString(n.object);
        case ShowKind::kTblProperties:
          return "SHOW TBLPROPERTIES " + ToString(n.object) + (n.pattern ? " (" + QuoteString(*n.pattern) + ")" : "");
      }
      return s;
    }
    case StatementKind::kSet: {
      const auto& n = st.As<SetStatement>();
      if (n.key.empty()) return "SET";
      return "SET " + n.key + (n.value ? " = " + *n.value : "");
    }
    case StatementKind::kReset: {
      const auto& n = st.As<ResetStatement>();
      return n.key.empty() ? "RESET" : "RESET " + n.key;
    }
    case StatementKind::kUse:
      return "USE " + ToString(st.As<UseStatement>().name);
    case StatementKind::kRefresh:
      return "REFRESH STREAMING TABLE " + ToString(st.As<RefreshStatement>().table);
    case StatementKind::kCreateSource: {
      const auto& n = st.As<CreateSourceStatement>();
      std::vector<std::string> elements;
      for (const ColumnDefinition& c : n.columns) elements.push_back(ColumnDefinitionText(c));
      if (n.watermark) {
        elements.push_back("WATERMARK FOR " + QuoteIdentifier(n.watermark->column) + " AS " +
                           ToString(*n.watermark->expr));
      }
      return std::string("CREATE SOURCE ") + (n.if_not_exists ? "IF NOT EXISTS " : "") + ToString(n.name) + " (" +
             Join(elements, ", ") + ") WITH " + PropertiesText(n.options);
    }
  }
  return "";
}

}  // namespace

std::string ToString(const Statement& statement) { return PrintStatement(statement); }

}  // namespace tidelake::sql
