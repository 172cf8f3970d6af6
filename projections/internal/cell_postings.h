// The cells of parts 三 and 四 a case is counted in, as keys of the report
// index's cell table (cell_table.h), so that a cell's cases are read by one
// key range instead of a replay of the log. Never included outside
// projections/.
//
// A posting's key is
//
//   agency 0x00 kind year(2 bytes, big-endian) case 0x00 detail
//
// with kind and detail:
//   'n' new in `year` (A3)                      detail: column
//   'r' concluded in `year` with a result (A5)   detail: result index, column
//   'c' carried out of `year` (A6), concluded later:  detail: column
//   'o' open, received in `year`: carried out of `year` and every later year
//   'a' an appeal filed in `year` (B1-B3)        detail: group, column, appeal
//   id
//   'f' fees paid in `year` (part 六)            detail: the fen paid in it
//       (8 bytes, big-endian)
// Carried in to N is carried out of N - 1 (A4). Agency and case ids hold no
// 0x00 byte (validate.cc), so a prefix ends at a field's end. The value is the
// version of the deciding event (DecidingVersion below), 0 if none.
//
// Every change of a posting is also kept in the table's change log, so the
// table (and the report's figures) can be read as they were at an earlier
// log position (cell_table.h):
//
//   0x01 agency 0x00 kind year(2 bytes) position(8 bytes, big-endian) case
//   0x00 detail
//
// A change at `position` is keyed by the posting's own kind and year, so the
// changes after a position that can touch one year's report are a few key
// ranges, each starting at that position.
//
// A posting follows ClassifyApplication's rules (annual_report.cc) exactly;
// report_index_test.cc checks the two give the same cases on generated logs.
#ifndef OGI_PROJECTIONS_INTERNAL_CELL_POSTINGS_H_
#define OGI_PROJECTIONS_INTERNAL_CELL_POSTINGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

#include "engine/case_state.h"
#include "engine/payload.h"

namespace ogi::projections_internal {

enum class CellKind : char {
  kNew = 'n',
  kResult = 'r',
  kCarried = 'c',
  kOpen = 'o',
  kAppeal = 'a',
  kFee = 'f',
};

struct CellPosting {
  std::string key;
  uint32_t version = 0;
  friend bool operator==(const CellPosting&, const CellPosting&) = default;
};

// The event that put a case in a cell: the latest effective step of kind
// `step` dated `on` (an amendment replaces a step in place), as a version; 0
// if none.
uint32_t DecidingVersion(const CaseState& s, PayloadCase step,
                         absl::CivilDay on);

// For an appeal: its filing while pending, else the latest decision dated in
// its filing year (B2), matched by appeal id.
uint32_t AppealDecidingVersion(const CaseState& s, const Appeal& appeal);

// Every posting of the case, sorted by key; empty before it is received.
std::vector<CellPosting> CellPostingsOf(absl::string_view case_id,
                                        const CaseState& s);

// "agency 0x00 kind year": the prefix of every posting of one kind and year.
std::string CellPrefix(absl::string_view agency, CellKind kind, int year);

// The change log's prefix of the changes of postings of one kind and year of
// `agency` made at `position` or later.
std::string ChangePrefix(absl::string_view agency, CellKind kind, int year,
                         uint64_t position = 0);

// The change-log key of a change of the posting `posting_key` at `position`.
// False if `posting_key` is not a posting's key.
bool ChangeKeyOf(absl::string_view posting_key, uint64_t position,
                 std::string& out);

// A posting's key after its prefix: the case and the detail bytes. False if
// `rest` is not of that shape.
struct PostingRest {
  absl::string_view case_id;
  absl::string_view detail;
};
bool SplitPostingRest(absl::string_view rest, PostingRest& out);

// The fen of a fee posting's detail; -1 if it is not 8 bytes.
int64_t FeeOfDetail(absl::string_view detail);

}  // namespace ogi::projections_internal

#endif  // OGI_PROJECTIONS_INTERNAL_CELL_POSTINGS_H_
