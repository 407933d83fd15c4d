// tidelake_like_segments(s) with MatchSubstringOptions: LIKE '%a%b%...%' (literal segments
// between '%', no '_' and no escapes; case-sensitive) as successive substring searches: each
// segment is looked for after the end of the previous one's first match, which is where the
// leftmost-first match of the whole pattern puts it. Arrow's match_like turns such a pattern
// into a regular expression; this gives the same answers without one. ExecutionForm
// (execution_form.h) uses it for the patterns LikeSegments accepts.

#include "plan/kernels_like_segments.h"

#include <arrow/compute/api.h>
#include <arrow/compute/kernel.h>
#include <arrow/util/bitmap_generate.h>

#include <string>
#include <string_view>
#include <vector>

#include "plan/kernels_common.h"

namespace tidelake::plan::internal {

namespace {

struct SegmentsState : cp::KernelState {
  std::vector<std::string> segments;
};

template <typename OffsetType>
arrow::Status MatchSegments(cp::KernelContext* ctx, const cp::ExecSpan& batch, cp::ExecResult* out) {
  const auto& segments = static_cast<const SegmentsState*>(ctx->state())->segments;
  const arrow::ArraySpan& in = batch[0].array;
  const auto* offsets = in.GetValues<OffsetType>(1);
  const char* data = reinterpret_cast<const char*>(in.buffers[2].data);
  arrow::ArraySpan* result = out->array_span_mutable();
  int64_t i = 0;
  arrow::internal::GenerateBitsUnrolled(result->buffers[1].data, result->offset, result->length, [&] {
    const std::string_view s(data + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i]));
    ++i;
    size_t at = 0;
    for (const auto& segment : segments) {
      const size_t found = s.find(segment, at);
      if (found == std::string_view::npos) return false;
      at = found + segment.size();
    }
    return true;
  });
  return arrow::Status::OK();
}

arrow::Result<std::unique_ptr<cp::KernelState>> InitSegments(cp::KernelContext*, const cp::KernelInitArgs& args) {
  const auto* options = static_cast<const cp::MatchSubstringOptions*>(args.options);
  if (options == nullptr) return arrow::Status::Invalid("internal error: tidelake_like_segments needs a pattern");
  auto segments = LikeSegments(options->pattern);
  if (!segments || options->ignore_case) {
    return arrow::Status::Invalid("internal error: tidelake_like_segments cannot match '", options->pattern, "'");
  }
  auto state = std::make_unique<SegmentsState>();
  state->segments = std::move(*segments);
  return state;
}

}  // namespace

std::optional<std::vector<std::string>> LikeSegments(const std::string& pattern) {
  if (pattern.size() < 2 || pattern.front() != '%' || pattern.back() != '%') return std::nullopt;
  std::vector<std::string> segments;
  std::string current;
  for (char c : pattern) {
    if (c == '_' || c == '\\') return std::nullopt;
    if (c == '%') {
      if (!current.empty()) segments.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  return segments;
}

arrow::Status RegisterLikeSegmentsKernels(cp::FunctionRegistry* registry) {
  static const cp::MatchSubstringOptions kDefaults("");
  auto function = std::make_shared<cp::ScalarFunction>("tidelake_like_segments", cp::Arity::Unary(),
                                                       cp::FunctionDoc::Empty(), &kDefaults);
  for (const auto& type : {arrow::utf8(), arrow::large_utf8()}) {
    cp::ScalarKernel kernel({cp::InputType(type->id())}, cp::OutputType(arrow::boolean()),
                            type->id() == arrow::Type::STRING ? MatchSegments<int32_t> : MatchSegments<int64_t>,
                            InitSegments);
    kernel.null_handling = cp::NullHandling::INTERSECTION;
    kernel.mem_allocation = cp::MemAllocation::PREALLOCATE;
    ARROW_RETURN_NOT_OK(function->AddKernel(std::move(kernel)));
  }
  return registry->AddFunction(std::move(function), /*allow_overwrite=*/false);
}

}  // namespace tidelake::plan::internal
