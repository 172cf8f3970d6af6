// A concluded case as a catch-up keeps it: its id, its agency and its steps in
// a varint encoding of ~8 bytes a step, about a tenth of the CaseState it
// folds back into. Never included outside projections/.
//
// Layout: varint id length, id, varint agency length, agency, then one record
// per event of the case, in version order:
//   flags (1 byte: has_due, ref, amount, due_day, code, channel present)
//   varint payload, zigzag on_day, then the present fields among zigzag
//   amount, zigzag due_day, zigzag code, zigzag channel, varint length + ref.
// Only cases without an amendment are kept this way: for them every event's
// change is its step alone, so the steps, folded in order through
// ApplyCaseChange, give the state the case's stream gives.
#ifndef OGI_PROJECTIONS_INTERNAL_COMPACT_CASE_H_
#define OGI_PROJECTIONS_INTERNAL_COMPACT_CASE_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

#include "engine/case_state.h"

namespace ogi::projections_internal {

inline void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

inline void PutSigned(std::string& out, int64_t v) {
  PutVarint(out,
            (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}

// Reads a varint at `p` (which the encoder above wrote, so it is well formed).
inline uint64_t GetVarint(const char*& p) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    const auto byte = static_cast<uint8_t>(*p++);
    v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (byte < 0x80) return v;
  }
}

inline int64_t GetSigned(const char*& p) {
  const uint64_t v = GetVarint(p);
  return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1));
}

inline void PutString(std::string& out, absl::string_view s) {
  PutVarint(out, s.size());
  out.append(s.data(), s.size());
}

inline absl::string_view GetString(const char*& p) {
  const size_t size = GetVarint(p);
  absl::string_view s(p, size);
  p += size;
  return s;
}

enum StepFlag : uint8_t {
  kHasDue = 1,
  kRef = 2,
  kAmount = 4,
  kDueDay = 8,
  kCode = 16,
  kChannel = 32,
};

inline void PutStep(std::string& out, const CaseStep& step) {
  const uint8_t flags =
      (step.has_due ? kHasDue : 0) | (step.ref.empty() ? 0 : kRef) |
      (step.amount != 0 ? kAmount : 0) | (step.due_day != 0 ? kDueDay : 0) |
      (step.code != 0 ? kCode : 0) | (step.channel != 0 ? kChannel : 0);
  out.push_back(static_cast<char>(flags));
  PutVarint(out, static_cast<uint64_t>(step.payload));
  PutSigned(out, step.on_day);
  if (flags & kAmount) PutSigned(out, step.amount);
  if (flags & kDueDay) PutSigned(out, step.due_day);
  if (flags & kCode) PutSigned(out, step.code);
  if (flags & kChannel) PutSigned(out, step.channel);
  if (flags & kRef) PutString(out, step.ref);
}

inline CaseStep GetStep(const char*& p) {
  CaseStep step;
  const auto flags = static_cast<uint8_t>(*p++);
  step.has_due = (flags & kHasDue) != 0;
  step.payload = static_cast<PayloadCase>(GetVarint(p));
  step.on_day = static_cast<int32_t>(GetSigned(p));
  if (flags & kAmount) step.amount = GetSigned(p);
  if (flags & kDueDay) step.due_day = static_cast<int32_t>(GetSigned(p));
  if (flags & kCode) step.code = static_cast<int16_t>(GetSigned(p));
  if (flags & kChannel) step.channel = static_cast<int8_t>(GetSigned(p));
  if (flags & kRef) step.ref = std::string(GetString(p));
  return step;
}

// Returns whether `state` can be kept compact: no step is an amendment.
inline bool IsCompactable(const CaseState& state) {
  for (const CaseStep& step : state.steps) {
    if (step.payload == v1::Event::kAmended) return false;
  }
  return true;
}

// Returns the encoding of case `id` in `state`. REQUIRES:
// IsCompactable(state).
inline std::string EncodeCase(absl::string_view id, const CaseState& state) {
  std::string out;
  // One step spare: most concluded cases are archived later.
  out.reserve(id.size() + state.agency_id.size() + 2 +
              8 * (state.steps.size() + 1));
  PutString(out, id);
  PutString(out, state.agency_id);
  for (const CaseStep& step : state.steps) PutStep(out, step);
  return out;
}

// Returns the id of an encoded case (a view into `encoded`).
inline absl::string_view IdOfCase(absl::string_view encoded) {
  const char* p = encoded.data();
  return GetString(p);
}

// Returns the state the encoded case folds into.
inline CaseState DecodeCase(absl::string_view encoded) {
  const char* p = encoded.data();
  const char* const end = p + encoded.size();
  (void)GetString(p);  // the id
  const std::string agency(GetString(p));
  CaseState state;
  while (p < end)
    ApplyCaseChange(state, CaseChange{GetStep(p), std::nullopt, false}, agency);
  return state;
}

}  // namespace ogi::projections_internal

#endif  // OGI_PROJECTIONS_INTERNAL_COMPACT_CASE_H_
