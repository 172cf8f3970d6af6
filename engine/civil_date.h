// Effective dates: civil dates in the agency's calendar, written "YYYY-MM-DD".
//
// The agency calendar is China Standard Time. China has kept UTC+8 without
// daylight saving since 1991, so the engine uses a fixed UTC+8 zone rather than
// the tz database (which a fresh machine may lack): the recording date of an
// instant is its date at UTC+8, and a year boundary never moves a case.
#ifndef OGI_ENGINE_CIVIL_DATE_H_
#define OGI_ENGINE_CIVIL_DATE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace ogi {

// Returns the agency calendar's time zone (fixed UTC+8).
absl::TimeZone AgencyTimeZone();

// Parses exactly "YYYY-MM-DD" (four-digit year 1000-9999, two-digit month and
// day) naming a real calendar day. Returns kInvalidArgument otherwise; the
// message quotes the text (dates are not personal data).
absl::StatusOr<absl::CivilDay> ParseCivilDay(absl::string_view text);

// Returns the days from 1970-01-01 to the date `text` names, for exactly the
// texts ParseCivilDay accepts; nullopt otherwise. Replay parses every event's
// date: this one builds no CivilDay and no Status (tested against
// ParseCivilDay in civil_date_test.cc).
std::optional<int32_t> ParseEpochDay(absl::string_view text);

// Returns the day `days` after 1970-01-01. Cheaper than
// absl::CivilDay(1970, 1, 1) + days, which normalises year by year.
absl::CivilDay EpochDayToCivil(int32_t days);

// Returns "YYYY-MM-DD".
std::string FormatCivilDay(absl::CivilDay day);

// Returns the date of `instant` in the agency calendar.
absl::CivilDay AgencyDay(absl::Time instant);

}  // namespace ogi

#endif  // OGI_ENGINE_CIVIL_DATE_H_
