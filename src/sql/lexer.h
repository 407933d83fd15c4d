// The SQL lexer: turns source text into Tokens (see token.h) in one pass, by hand.
//
// It knows Spark SQL's lexical rules: case-insensitive words with `back quoted` names (`` `` ``
// escapes a back quote), 'single' and "double" quoted strings ('' and "" escape the quote;
// backslash escapes as Spark's unescapeSQLString: \n \t \r \b \0 \Z \' \" \\ \uXXXX, octal
// \ooo, \% and \_ kept with their backslash, any other \c is c), numbers with an optional
// fraction, exponent and Spark suffix (L S Y D F BD), `--` line comments and nested `/* */`
// block comments (hints `/*+ ... */` are comments too). The token list always ends with one
// kEnd token. Errors are arrow::Status::Invalid("line L:C: ...") naming where the bad lexeme
// starts; the lexer never reads past the input, whatever the bytes.
#pragma once

#include <arrow/result.h>

#include <string_view>
#include <vector>

#include "sql/token.h"

namespace tidelake::sql {

/// Splits `sql` into tokens; the last token is kEnd. Token::text views point into `sql`.
arrow::Result<std::vector<Token>> Tokenize(std::string_view sql);

}  // namespace tidelake::sql
