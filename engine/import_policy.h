// The one import policy, shared by `ogi import` (cli/import_command.cc) and the
// service's Import (serve/service.cc): how many refusals are collected before
// checking stops, which failures are the store's rather than an event's, and
// how a refusal is worded. An import is all or nothing: one refusal and
// nothing is written (EventStore::BeginImport).
//
// Thread-compatible.
#ifndef OGI_ENGINE_IMPORT_POLICY_H_
#define OGI_ENGINE_IMPORT_POLICY_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

#include "engine/messages.h"

namespace ogi {

// Refusals collected before checking stops (`ogi import --max-errors`
// overrides it for the command).
inline constexpr size_t kImportMaxRefusals = 100;

// Events one import over the service may carry (beyond: kResourceExhausted;
// `ogi import` has no such limit: it streams the file).
inline constexpr size_t kServiceMaxImportEvents = 2000000;

// True if a failure while checking an event is not the event's fault but the
// store's or the staging's (kUnavailable, kDataLoss, kInternal): the import
// stops at once, with nothing written, rather than count it as a refusal.
inline bool IsStoreFailure(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDataLoss(status) ||
         absl::IsInternal(status);
}

// The refusals of one import, in input order, up to `max`.
class ImportRefusals {
 public:
  explicit ImportRefusals(size_t max = kImportMaxRefusals) : max_(max) {}

  // Records that the event at `where` ("PATH:LINE", "event N") was refused
  // for `status`; returns the line "WHERE: MESSAGE". The first refusal's
  // code is the import's.
  const std::string& Add(absl::string_view where, const absl::Status& status) {
    if (lines_.empty()) code_ = status.code();
    lines_.push_back(absl::StrCat(where, ": ", status.message()));
    return lines_.back();
  }

  // Checking stops once `max` refusals are in.
  bool full() const { return lines_.size() >= max_; }
  bool empty() const { return lines_.empty(); }
  size_t count() const { return lines_.size(); }
  const std::vector<std::string>& lines() const { return lines_; }
  absl::StatusCode code() const { return code_; }

  // The one-line summary of a refused import of `name`.
  std::string Summary(absl::string_view name) const {
    return Text(Msg::kImportRefusedSummary, name, lines_.size(),
                full() ? "+" : "");
  }

 private:
  const size_t max_;
  std::vector<std::string> lines_;
  absl::StatusCode code_ = absl::StatusCode::kOk;
};

}  // namespace ogi

#endif  // OGI_ENGINE_IMPORT_POLICY_H_
