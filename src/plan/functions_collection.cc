// Array, map and struct functions: size/cardinality, array_contains, element_at,
// try_element_at, get, sort_array, array_sort, struct, named_struct, array, map.

#include <arrow/scalar.h>

#include "plan/functions_internal.h"

namespace tidelake::plan::internal {

namespace {

bool IsListType(const arrow::DataType& t) { return t.id() == arrow::Type::LIST; }

// Arrays as list<...> (large lists are cast down so kernels see one layout).
arrow::Result<cp::Expression> ArrayArg(std::string_view fn, size_t index, cp::Expression e, const arrow::Schema& input) {
  const auto t = TypeOf(e);
  if (IsListType(*t)) return e;
  if (t->id() == arrow::Type::LARGE_LIST || t->id() == arrow::Type::FIXED_SIZE_LIST) {
    return BoundCall("cast", {std::move(e)}, input,
                     std::make_shared<cp::CastOptions>(cp::CastOptions::Safe(arrow::list(t->field(0)->type()))));
  }
  if (IsNull(*t)) return Cast(std::move(e), arrow::list(arrow::null()), false, input);
  return ArgTypeError(fn, index, "an array", *t);
}

// The name Spark gives a struct field made from `e`: a column's name, else col<i>.
std::string StructFieldName(const cp::Expression& e, size_t index) {
  if (const arrow::FieldRef* ref = e.field_ref()) {
    if (const std::string* name = ref->name()) return DisplayNameOf(*name);
    if (const auto* names = ref->nested_refs(); names != nullptr && !names->empty() && names->back().name()) {
      return DisplayNameOf(*names->back().name());
    }
  }
  return "col" + std::to_string(index + 1);
}

arrow::Result<cp::Expression> ElementAt(std::string_view name, std::vector<cp::Expression>& args, const arrow::Schema& input) {
  ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
  const auto t = TypeOf(args[0]);
  if (t->id() == arrow::Type::MAP) {
    const auto key_type = static_cast<const arrow::MapType&>(*t).key_type();
    ARROW_ASSIGN_OR_RAISE(auto key, ImplicitCastTo(args[1], key_type, input));
    return BoundCall("tidelake_map_lookup", {args[0], key}, input);
  }
  ARROW_ASSIGN_OR_RAISE(auto array, ArrayArg(name, 0, args[0], input));
  ARROW_ASSIGN_OR_RAISE(auto index, IntArg(name, 1, args[1], input));
  const char* kernel = name == "element_at" ? "tidelake_element_at"
                       : name == "try_element_at" ? "tidelake_try_element_at" : "tidelake_array_get";
  return BoundCall(kernel, {array, index}, input);
}

}  // namespace

std::string DisplayNameOf(const std::string& unique_name) {
  const size_t hash = unique_name.rfind('#');
  return hash == std::string::npos ? unique_name : unique_name.substr(0, hash);
}

MaybeExpression CallCollectionFunction(std::string_view name, std::vector<cp::Expression>& args,
                                       const arrow::Schema& input) {
  if (name == "size" || name == "cardinality") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, 1));
    const auto t = TypeOf(args[0]);
    if (t->id() == arrow::Type::MAP) return BoundCall("tidelake_size", {args[0]}, input);
    ARROW_ASSIGN_OR_RAISE(auto array, ArrayArg(name, 0, args[0], input));
    return BoundCall("tidelake_size", {array}, input);
  }
  if (name == "array_contains") {
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 2, 2));
    ARROW_ASSIGN_OR_RAISE(auto array, ArrayArg(name, 0, args[0], input));
    const auto element = TypeOf(array)->field(0)->type();
    auto common = CommonType(*element, *TypeOf(args[1]));
    if (!common.ok()) {
      return arrow::Status::TypeError("function ", name, ": cannot look for a ", SqlTypeName(*TypeOf(args[1])),
                                      " in an ", SqlTypeName(*TypeOf(array)));
    }
    if (!(*common)->Equals(*element)) { ARROW_ASSIGN_OR_RAISE(array, Cast(array, arrow::list(*common), false, input)); }
    ARROW_ASSIGN_OR_RAISE(auto value, ImplicitCastTo(args[1], *common, input));
    return BoundCall("tidelake_array_contains", {array, value}, input);
  }
  if (name == "element_at" || name == "try_element_at" || name == "get") return ElementAt(name, args, input);
  if (name == "sort_array" || name == "array_sort") {
    // sort_array(a[, ascending]): NULLs first when ascending, last when descending;
    // array_sort(a): ascending, NULLs last (the comparator-lambda form is not supported).
    ARROW_RETURN_NOT_OK(CheckArity(name, args.size(), 1, name == "sort_array" ? 2 : 1));
    ARROW_ASSIGN_OR_RAISE(auto array, ArrayArg(name, 0, args[0], input));
    bool ascending = true;
    if (args.size() == 2) {
      auto value = LiteralOf(args[1]);
      if (value == nullptr || !value->is_valid || value->type->id() != arrow::Type::BOOL) {
        return ArgTypeError(name, 1, "a boolean literal", *TypeOf(args[1]));
      }
      ascending = static_cast<const arrow::BooleanScalar&>(*value).value;
    }
    const auto element = TypeOf(array)->field(0)->type();
    if (IsNested(*element)) return ArgTypeError(name, 0, "an array of atomic values", *TypeOf(array));
    const char* kernel = name == "array_sort" ? "tidelake_array_sort"
                         : ascending ? "tidelake_sort_array_asc" : "tidelake_sort_array_desc";
    return BoundCall(kernel, {array}, input);
  }
  if (name == "struct") {
    if (args.empty()) return arrow::Status::Invalid("function struct expects at least 1 argument, got 0");
    std::vector<std::string> names;
    for (size_t i = 0; i < args.size(); ++i) names.push_back(StructFieldName(args[i], i));
    return BoundCall("make_struct", std::move(args), input, std::make_shared<cp::MakeStructOptions>(names));
  }
  if (name == "named_struct") {
    if (args.empty() || args.size() % 2 != 0) {
      return arrow::Status::Invalid("function named_struct expects name/value pairs, got ", args.size(), " arguments");
    }
    std::vector<std::string> names;
    std::vector<cp::Expression> values;
    for (size_t i = 0; i < args.size(); i += 2) {
      auto field_name = StringLiteral(args[i]);
      if (!field_name) return ArgTypeError(name, i, "a string literal (a field name)", *TypeOf(args[i]));
      names.push_back(*field_name);
      values.push_back(args[i + 1]);
    }
    return BoundCall("make_struct", std::move(values), input, std::make_shared<cp::MakeStructOptions>(names));
  }
  if (name == "array") {
    ARROW_ASSIGN_OR_RAISE(args, CoerceToCommonType(name, std::move(args), input));
    ARROW_ASSIGN_OR_RAISE(auto made, BoundCall("tidelake_make_array", std::move(args), input));
    // An array of literals is a literal (percentile(x, array(0.25, 0.75)) needs one). Our
    // kernels answer arrays even for scalar input: take the one value.
    bool constant = true;
    for (const auto& arg : made.call()->arguments) constant = constant && arg.literal() != nullptr;
    if (!constant || made.call()->arguments.empty()) return made;
    auto value = cp::ExecuteScalarExpression(made, cp::ExecBatch({}, 1));
    if (!value.ok()) return made;
    std::shared_ptr<arrow::Scalar> scalar;
    if (value->is_scalar()) {
      scalar = value->scalar();
    } else {
      auto first = value->make_array()->GetScalar(0);
      if (!first.ok()) return made;
      scalar = *first;
    }
    return Literal(std::move(scalar), input);
  }
  if (name == "map") {
    if (args.size() % 2 != 0) return arrow::Status::Invalid("function map expects key/value pairs, got ", args.size(), " arguments");
    std::vector<cp::Expression> keys, values;
    for (size_t i = 0; i < args.size(); ++i) (i % 2 == 0 ? keys : values).push_back(args[i]);
    ARROW_ASSIGN_OR_RAISE(keys, CoerceToCommonType(name, std::move(keys), input));
    ARROW_ASSIGN_OR_RAISE(values, CoerceToCommonType(name, std::move(values), input));
    std::vector<cp::Expression> pairs;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (IsNullLiteral(keys[i])) return arrow::Status::Invalid("function map: a map key cannot be NULL");
      pairs.push_back(keys[i]);
      pairs.push_back(values[i]);
    }
    return BoundCall("tidelake_make_map", std::move(pairs), input);
  }
  return std::nullopt;
}

}  // namespace tidelake::plan::internal
