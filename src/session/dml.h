// DELETE, UPDATE and MERGE statements: binds their conditions and values against the target
// table (and MERGE's source) and runs them through the Delta engine's DML (delta/delete.h,
// update.h, merge.h), which commits with conflict detection and writes deletion vectors or
// rewrites files as the table is configured.
//
// Expressions are bound over fields named as the Delta engine expects: the table's logical
// column names for DELETE/UPDATE, "target.<column>" and "source.<column>" for MERGE.
#pragma once

#include <arrow/result.h>
#include <arrow/table.h>

#include "delta/snapshot.h"
#include "sql/ast.h"
#include "sql/binder.h"
#include "tidelake/session.h"

namespace tidelake::session {

/// A relation whose fields are named `prefix + column` for each column of `schema`, visible under
/// `qualifier` (a column may be written bare or qualified by it): binding an expression over it
/// gives an expression over the table's column names, as the Delta engine takes them.
sql::BoundRelation RelationOver(const arrow::Schema& schema, const std::string& prefix,
                                const std::vector<std::string>& qualifier);

arrow::Result<StatementResult> RunDelete(const sql::DeleteStatement& statement, const delta::TableLocation& table,
                                         sql::Binder& binder);

arrow::Result<StatementResult> RunUpdate(const sql::UpdateStatement& statement, const delta::TableLocation& table,
                                         sql::Binder& binder);

/// `source` holds the rows of the statement's USING relation with its column names.
arrow::Result<StatementResult> RunMerge(const sql::MergeStatement& statement, const delta::TableLocation& table,
                                        const std::shared_ptr<arrow::Table>& source, sql::Binder& binder,
                                        bool merge_schema);

}  // namespace tidelake::session
