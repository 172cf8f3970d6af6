// The vocabulary of payloads: which stream an event belongs to, and the names a
// person reads in a history.
#ifndef OGI_ENGINE_PAYLOAD_H_
#define OGI_ENGINE_PAYLOAD_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "proto/event.pb.h"

namespace ogi {

using PayloadCase = v1::Event::PayloadCase;

// Returns true for the payloads of case streams (received ... amended).
bool IsCasePayload(PayloadCase payload);

// Returns true for the payloads of agency streams (agencyRegistered ...
// narrativeSet).
bool IsAgencyPayload(PayloadCase payload);

// Returns the interchange name of the payload ("received", "appealFiled", ...),
// or "none".
absl::string_view PayloadName(PayloadCase payload);

// Returns the step's name in Chinese (收到申请, 答复, ...) and in English, for
// histories.
absl::string_view PayloadLabelZh(PayloadCase payload);
absl::string_view PayloadLabelEn(PayloadCase payload);

// Returns an event whose payload is `amended_event`'s replacement, with the
// case id and agency id of `amended_event` and, as occurred_on, the replacement
// date if the amendment gives one (else empty), so the rules of that payload
// can be applied to it. REQUIRES: amended_event.has_amended().
v1::Event AmendmentReplacement(const v1::Event& amended_event);

// Returns the paths of a partial amendment (amended.fields, comma-separated)
// in canonical
// form (lowerCamelCase names joined by '.'; snake_case names are accepted),
// empty for a whole replacement. kInvalidArgument naming 'amended.fields[i]'
// for a path that is not a field of the replacement's payload, or repeated.
// REQUIRES: amended_event.has_amended() with a replacement.
absl::StatusOr<std::vector<std::string>> AmendmentFields(
    const v1::Event& amended_event);

// Returns `effective` (a case event as it stands, possibly already amended)
// corrected by `amended_event`: the whole payload replaced, or with `fields`
// only the listed fields (a listed field absent from the replacement is
// cleared); occurred_on replaced if the amendment gives one. The one merge
// rule of partial amendments for full events; case_state.cc applies the same
// rule to steps. REQUIRES: the amendment passed ValidateEvent and its
// replacement is of effective's payload type.
v1::Event ApplyAmendment(const v1::Event& effective,
                         const v1::Event& amended_event);

// Replaces every non-empty applicant name, ID number and contact in `event`
// (the received payload and an amended received) with "***". Free text
// (description, note) is the producer's responsibility.
void MaskPersonalData(v1::Event& event);

}  // namespace ogi

#endif  // OGI_ENGINE_PAYLOAD_H_
