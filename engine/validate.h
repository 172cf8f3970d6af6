// Shape rules of one event, checked before any state is consulted: required
// fields, identifier syntax, dates, ranges. The lifecycle rules, which need the
// case's or agency's state, are in case_state.h and agency_state.h.
//
// Messages name the stream ("case WLT-1: ...", "agency wltzq-jyj: ...") and the
// field path, and never quote a free-text value: those may hold applicants'
// personal data.
#ifndef OGI_ENGINE_VALIDATE_H_
#define OGI_ENGINE_VALIDATE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

#include "proto/event.pb.h"

namespace ogi {

inline constexpr size_t kMaxStreamIdLength = 64;
inline constexpr size_t kMaxEventIdLength = 128;
inline constexpr size_t kMaxActorLength = 128;
inline constexpr int kMaxExtensionWorkingDays = 20;
// The largest amount one event may carry (fee notices, fees paid, fees
// collected): 10^12 fen, 100亿元. With it and the count maxima below, an
// agency's yearly sums stay far from int64's limit for any log shorter than
// nine million maximal events per agency and year; the projections add with
// SaturatingAdd (engine/fees.h) beyond that, so no sum ever wraps.
inline constexpr int64_t kMaxAmountFen = 1'000'000'000'000;
inline constexpr int64_t kMaxDecisionCount = 1'000'000'000;  // per event
inline constexpr int64_t kMaxItems = 10'000;                 // received.items
inline constexpr int64_t kMaxPages = 1'000'000;              // feeNoticed.pages

// Returns OK if `event` is well formed as a producer's event recorded on
// `recording_day` (the agency-calendar date of its recording). Returns
// kInvalidArgument naming the stream and field otherwise: no payload, a missing
// required field, an id with forbidden characters or too long, a malformed date
// or one after `recording_day`, an out-of-range number, a case event without
// caseId or an agency event with one, or an engine field set.
absl::Status ValidateEvent(const v1::Event& event,
                           absl::CivilDay recording_day);

// Returns OK if `id` is 1-64 characters of [A-Za-z0-9._:/-]; kInvalidArgument
// naming `field` otherwise.
absl::Status ValidateStreamId(absl::string_view field, absl::string_view id);

// Returns "case ID" or "agency ID" for messages about `event`'s stream.
std::string StreamLabel(const v1::Event& event);

}  // namespace ogi

#endif  // OGI_ENGINE_VALIDATE_H_
