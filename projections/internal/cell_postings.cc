// The postings of a case; see cell_postings.h.
#include "projections/internal/cell_postings.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

#include "projections/internal/report_rules.h"

namespace ogi::projections_internal {

uint32_t DecidingVersion(const CaseState& s, PayloadCase step,
                         absl::CivilDay on) {
  uint32_t version = 0;
  for (size_t i = 0; i < s.steps.size(); ++i) {
    if (s.steps[i].payload == step && s.steps[i].on() == on)
      version = static_cast<uint32_t>(i + 1);
  }
  return version;
}

uint32_t AppealDecidingVersion(const CaseState& s, const Appeal& appeal) {
  uint32_t version = 0;
  for (size_t i = 0; i < s.steps.size(); ++i) {
    const CaseStep& step = s.steps[i];
    if (step.ref != appeal.id) continue;
    if (step.payload == v1::Event::kAppealFiled ||
        (step.payload == v1::Event::kAppealDecided &&
         appeal.result_in_filing_year != 0 &&
         step.on().year() == appeal.filed_on.year())) {
      version = static_cast<uint32_t>(i + 1);
    }
  }
  return version;
}

std::string CellPrefix(absl::string_view agency, CellKind kind, int year) {
  std::string key;
  key.reserve(agency.size() + 4);
  key.append(agency.data(), agency.size());
  key.push_back('\0');
  key.push_back(static_cast<char>(kind));
  key.push_back(static_cast<char>((year >> 8) & 0xff));
  key.push_back(static_cast<char>(year & 0xff));
  return key;
}

std::string ChangePrefix(absl::string_view agency, CellKind kind, int year,
                         uint64_t position) {
  std::string key = "\x01";
  key += CellPrefix(agency, kind, year);
  for (int i = 7; i >= 0; --i)
    key.push_back(static_cast<char>((position >> (8 * i)) & 0xff));
  return key;
}

bool ChangeKeyOf(absl::string_view posting_key, uint64_t position,
                 std::string& out) {
  const size_t agency_end = posting_key.find('\0');
  // agency 0x00 kind year(2)
  if (agency_end == absl::string_view::npos || agency_end == 0 ||
      posting_key.size() < agency_end + 4)
    return false;
  const size_t prefix = agency_end + 4;
  out.clear();
  out.reserve(posting_key.size() + 9);
  out.push_back('\x01');
  out.append(posting_key.data(), prefix);
  for (int i = 7; i >= 0; --i)
    out.push_back(static_cast<char>((position >> (8 * i)) & 0xff));
  out.append(posting_key.data() + prefix, posting_key.size() - prefix);
  return true;
}

int64_t FeeOfDetail(absl::string_view detail) {
  if (detail.size() != 8) return -1;
  uint64_t fen = 0;
  for (const char c : detail) fen = (fen << 8) | static_cast<unsigned char>(c);
  return static_cast<int64_t>(fen);
}

bool SplitPostingRest(absl::string_view rest, PostingRest& out) {
  const size_t end = rest.find('\0');
  if (end == absl::string_view::npos || end == 0) return false;
  out.case_id = rest.substr(0, end);
  out.detail = rest.substr(end + 1);
  return true;
}

namespace {

void Post(std::vector<CellPosting>& out, absl::string_view agency,
          CellKind kind, int year, absl::string_view case_id,
          std::initializer_list<int> detail, absl::string_view tail,
          uint32_t version) {
  std::string key = CellPrefix(agency, kind, year);
  absl::StrAppend(&key, case_id);
  key.push_back('\0');
  for (const int d : detail) key.push_back(static_cast<char>(d));
  key.append(tail.data(), tail.size());
  out.push_back(CellPosting{std::move(key), version});
}

// The last payment dated in `year`.
uint32_t LastFeeVersion(const CaseState& s, int year) {
  uint32_t version = 0;
  for (size_t i = 0; i < s.steps.size(); ++i) {
    if (s.steps[i].payload == v1::Event::kFeePaid &&
        s.steps[i].on().year() == year)
      version = static_cast<uint32_t>(i + 1);
  }
  return version;
}

}  // namespace

std::vector<CellPosting> CellPostingsOf(absl::string_view case_id,
                                        const CaseState& s) {
  std::vector<CellPosting> out;
  const CaseFacts& f = s.facts;
  if (!f.received) return out;
  const absl::string_view agency = s.agency_id;
  const int column = ColumnOf(f);
  const int received = static_cast<int>(f.received_on.year());
  const uint32_t receipt =
      DecidingVersion(s, v1::Event::kReceived, f.received_on);
  Post(out, agency, CellKind::kNew, received, case_id, {column}, {}, receipt);
  if (f.concluded) {
    const int concluded = static_cast<int>(f.concluded_on.year());
    for (int year = received; year < concluded; ++year) {
      Post(out, agency, CellKind::kCarried, year, case_id, {column}, {},
           receipt);
    }
    if (const int result = ResultIndexOf(f); result >= 0) {
      Post(out, agency, CellKind::kResult, concluded, case_id, {result, column},
           {},
           DecidingVersion(
               s, f.withdrawn ? v1::Event::kWithdrawn : v1::Event::kAnswered,
               f.concluded_on));
    }
  } else {
    Post(out, agency, CellKind::kOpen, received, case_id, {column}, {},
         receipt);
  }
  for (const Appeal& a : f.appeals) {
    const uint32_t version = AppealDecidingVersion(s, a);
    if (version == 0) continue;  // unreachable: the appeal has its filing
    Post(out, agency, CellKind::kAppeal, static_cast<int>(a.filed_on.year()),
         case_id,
         {AppealGroupOf(a.kind), AppealColumnOf(a.result_in_filing_year)}, a.id,
         version);
  }
  ForEachFeeYear(s, [&](int year, int64_t fen) {
    char detail[8];
    for (int i = 0; i < 8; ++i)
      detail[i] = static_cast<char>(
          (static_cast<uint64_t>(fen) >> (8 * (7 - i))) & 0xff);
    Post(out, agency, CellKind::kFee, year, case_id, {},
         absl::string_view(detail, 8), LastFeeVersion(s, year));
  });
  std::sort(
      out.begin(), out.end(),
      [](const CellPosting& a, const CellPosting& b) { return a.key < b.key; });
  return out;
}

}  // namespace ogi::projections_internal
