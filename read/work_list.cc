// The console's read-side queries; see work_list.h.
#include "read/work_list.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

#include "engine/payload.h"
#include "engine/status_macros.h"
#include "read/output.h"

namespace ogi {
namespace {

bool Matches(const DueRow& row, const DuePageOptions& options) {
  if (!options.case_query.empty() &&
      !absl::StrContains(absl::AsciiStrToLower(row.case_id),
                         absl::AsciiStrToLower(options.case_query)))
    return false;
  if (options.status.empty()) return true;
  if (options.status == "overdue")
    return row.working_days_left && *row.working_days_left < 0;
  if (options.status == "lapsed") return row.applicant_lapsed;
  return std::find(row.waiting_for.begin(), row.waiting_for.end(),
                   options.status) != row.waiting_for.end();
}

}  // namespace

absl::Status OpenCases::CatchUp() {
  absl::MutexLock lock(&mu_);
  return CatchUpLocked();
}

absl::Status OpenCases::CatchUpLocked() {
  if (store_.HeadPosition() <= position_) return absl::OkStatus();
  return store_.ScanLog(
      position_ + 1,
      [&](const v1::Event& e) -> absl::Status {
        position_ = e.position();
        if (e.has_agency_registered()) {
          scan_.parent[e.agency_id()] = e.agency_registered().parent_id();
          return absl::OkStatus();
        }
        if (!IsCasePayload(e.payload_case())) return absl::OkStatus();
        auto it = scan_.cases.find(e.case_id());
        if (it == scan_.cases.end()) {
          if (!e.has_received()) return absl::OkStatus();  // concluded
          it = scan_.cases.try_emplace(e.case_id()).first;
        }
        ApplyCaseChange(it->second, CaseChangeOf(e), e.agency_id());
        if (it->second.facts.concluded) scan_.cases.erase(it);
        return absl::OkStatus();
      },
      EventStore::ChainCheck::kSkip, EventStore::PersonalData::kSealed);
}

absl::StatusOr<std::vector<DueRow>> OpenCases::Due(const DueOptions& options,
                                                   const Calendar& calendar) {
  absl::MutexLock lock(&mu_);
  OGI_RETURN_IF_ERROR(CatchUpLocked());
  return DueListOf(scan_, options, calendar);
}

absl::StatusOr<DuePage> DuePageOf(EventStore& store,
                                  const DuePageOptions& options,
                                  const Calendar& calendar) {
  static constexpr const char* kStatuses[] = {
      "", "overdue", "lapsed", "correction", "consultation", "fee"};
  if (std::find(std::begin(kStatuses), std::end(kStatuses), options.status) ==
      std::end(kStatuses))
    return absl::InvalidArgumentError(
        "status must be overdue, lapsed, correction, consultation or fee");
  if (options.limit == 0 || options.limit > kMaxDuePage)
    return absl::InvalidArgumentError(
        absl::StrCat("limit must be 1 to ", kMaxDuePage));
  const bool past = options.due.today < options.due.clock_day;
  OGI_ASSIGN_OR_RETURN(std::vector<DueRow> rows,
                       options.open_cases != nullptr && !past
                           ? options.open_cases->Due(options.due, calendar)
                           : DueList(store, options.due, calendar));
  DuePage page;
  page.today = options.due.today;
  page.offset = options.offset;
  for (DueRow& row : rows) {
    if (!Matches(row, options)) continue;
    if (page.total >= options.offset &&
        page.total < options.offset + options.limit)
      page.rows.push_back(std::move(row));
    ++page.total;
  }
  return page;
}

std::string RenderDuePage(const DuePage& page) {
  std::string json = RenderDueList(page.rows, page.today, OutputFormat::kJson);
  // {"asOf":..,"cases":[{...},...]}\n: each case gains its codes, the object
  // its count and offset.
  std::string out =
      absl::StrCat("{\"total\":", page.total, ",\"offset\":", page.offset, ",");
  size_t row = 0;
  int depth = 0;
  bool in_string = false;
  for (size_t i = 1; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        out += c;
        out += json[++i];
        continue;
      }
      if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{') {
      ++depth;
    } else if (c == '}') {
      if (depth == 1 && row < page.rows.size()) {
        out += ",\"waitingForCodes\":[";
        for (size_t k = 0; k < page.rows[row].waiting_for.size(); ++k)
          absl::StrAppend(&out, k ? "," : "",
                          JsonString(page.rows[row].waiting_for[k]));
        out += "]";
        ++row;
      }
      --depth;
    }
    out += c;
  }
  return out;
}

absl::StatusOr<LogDigest> ParseLogDigest(absl::string_view text) {
  const size_t colon = text.find(':');
  LogDigest digest;
  std::string hex = colon == absl::string_view::npos
                        ? ""
                        : std::string(text.substr(colon + 1));
  if (colon == absl::string_view::npos ||
      !absl::SimpleAtoi(text.substr(0, colon), &digest.position) ||
      digest.position == 0 || hex.size() % 2 != 0 || hex.empty() ||
      !std::all_of(hex.begin(), hex.end(),
                   [](char c) { return absl::ascii_isxdigit(c); }))
    return absl::InvalidArgumentError(
        "digest: expected POSITION:HASH, as `ogi digest` prints and a "
        "published report carries");
  digest.link = absl::HexStringToBytes(hex);
  return digest;
}

std::string FormatLogDigest(const LogDigest& digest) {
  return absl::StrCat(digest.position, ":",
                      absl::BytesToHexString(digest.link));
}

absl::StatusOr<LogDigest> HeadDigest(EventStore& store) {
  LogDigest head;
  head.position = store.HeadPosition();
  if (head.position == 0) return head;
  OGI_ASSIGN_OR_RETURN(head.link, store.LinkAt(head.position));
  return head;
}

absl::StatusOr<std::string> CheckDigestJson(EventStore& store,
                                            const LogDigest& digest) {
  OGI_ASSIGN_OR_RETURN(LogDigest head, HeadDigest(store));
  bool extends = false;
  std::string message;
  if (digest.position > head.position) {
    message = absl::StrCat("the digest's position ", digest.position,
                           " is beyond the head (", head.position,
                           "): it was taken from another store or a later "
                           "copy of it");
  } else {
    OGI_ASSIGN_OR_RETURN(std::string link, store.LinkAt(digest.position));
    extends = link == digest.link;
    message = extends ? absl::StrCat("the log extends the digest exactly (",
                                     head.position - digest.position,
                                     " events appended since)")
                      : absl::StrCat(
                            "position ", digest.position, ": the log's hash ",
                            absl::BytesToHexString(link),
                            " is not the digest's: the log up to it is not "
                            "the one the digest was taken from");
  }
  return absl::StrCat(
      "{\"digest\":", JsonString(FormatLogDigest(digest)),
      ",\"headDigest\":", JsonString(FormatLogDigest(head)),
      ",\"extends\":", extends ? "true" : "false",
      ",\"eventsSince\":", extends ? head.position - digest.position : 0,
      ",\"message\":", JsonString(message), "}\n");
}

}  // namespace ogi
