// The PRC working-day calendar (工作日): Monday to Friday, minus the days the
// State Council's annual notice declares off (放假), plus the weekend days it
// declares working (调休上班). The calendar is data: one record per year, in
// the plain-text format below; 2023–2026 are built in (docs/DEADLINES.md) and
// more years load from files without a rebuild. A year without a record is
// unknown: any computation that needs one of its days fails with
// kFailedPrecondition naming the year ("calendar unknown"), never a guess.
//
// Format (docs/DEADLINES.md ("Calendar files")), one directive per line, '#'
// starts a comment:
//
//   year 2024                      starts the record of 2024: 2024 is known
//   off 2023-12-30..2024-01-01     days off: a date or an inclusive range;
//   off 02-10..02-17               MM-DD means the record's year
//   work 02-04                     a weekend day worked
//
// A later record of the same year replaces the earlier one (a corrected
// notice). Days listed in a record may fall outside its year (the 2024 notice
// gives 2023-12-30 off); they count whatever year is asked.
#ifndef OGI_ENGINE_CALENDAR_H_
#define OGI_ENGINE_CALENDAR_H_

#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace ogi {

class Calendar {
 public:
  // The built-in records: 2023–2026 from docs/DEADLINES.md.
  static const Calendar& BuiltIn();

  // Parses records in the format above. kInvalidArgument naming
  // "SOURCE:LINE" and the problem.
  static absl::StatusOr<Calendar> Parse(absl::string_view text,
                                        absl::string_view source);

  // The built-in calendar with the records of `path` (a file, or every
  // "*.txt" file of a directory in name order) over it.
  static absl::StatusOr<Calendar> Load(const std::string& path);
  // The calendar of the store at `db`, the one every command and the service
  // of a process judge deadlines by: the built-in records with `path`'s over
  // them when `path` is given, else with those of the store's own "calendar"
  // directory when it has one, else the built-in records alone.
  static absl::StatusOr<Calendar> ForStore(const std::string& db,
                                           const std::string& path);

  // Adds `other`'s records; a year in both takes `other`'s.
  void Merge(const Calendar& other);

  bool Knows(int year) const { return records_.contains(year); }
  std::vector<int> Years() const;

  // Whether `day` is a working day; kFailedPrecondition if its year is
  // unknown.
  absl::StatusOr<bool> IsWorkingDay(absl::CivilDay day) const;

  // WD(day, n): the n-th working day after `day` (n >= 1; `day` itself is
  // never counted), skipping the working days `paused` says are not counted.
  // kFailedPrecondition if a year on the way is unknown.
  template <typename Paused>
  absl::StatusOr<absl::CivilDay> AddWorkingDays(absl::CivilDay day, int n,
                                                Paused paused) const {
    while (n > 0) {
      ++day;
      absl::StatusOr<bool> working = IsWorkingDay(day);
      if (!working.ok()) return working.status();
      if (*working && !paused(day)) --n;
    }
    return day;
  }
  absl::StatusOr<absl::CivilDay> AddWorkingDays(absl::CivilDay day,
                                                int n) const {
    return AddWorkingDays(day, n, [](absl::CivilDay) { return false; });
  }

  // Working days d with from < d <= to (0 if to <= from).
  absl::StatusOr<int> WorkingDaysBetween(absl::CivilDay from,
                                         absl::CivilDay to) const;

 private:
  struct Record {
    absl::flat_hash_set<absl::CivilDay> off;
    absl::flat_hash_set<absl::CivilDay> work;
  };
  std::map<int, Record> records_;
};

}  // namespace ogi

#endif  // OGI_ENGINE_CALENDAR_H_
