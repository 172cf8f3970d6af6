// The vocabulary of payloads: which stream an event belongs to, and the names a
// person reads in a history.
#ifndef OGI_ENGINE_PAYLOAD_H_
#define OGI_ENGINE_PAYLOAD_H_

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

// Replaces every non-empty applicant name, ID number and contact in `event`
// (the received payload and an amended received) with "***". Free text
// (description, note) is the producer's responsibility.
void MaskPersonalData(v1::Event& event);

}  // namespace ogi

#endif  // OGI_ENGINE_PAYLOAD_H_
