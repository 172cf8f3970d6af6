// A case step and every way it is encoded and decoded: the one home of the
// question "which facts of a case event do the rules and the reports use, and
// where do they sit in each encoding". There are three decoders, and they
// cannot drift apart silently:
//
//   StepOf            from a parsed event (the append path, amendments, and
//                     any record the fast path declines);
//   CaseChangeOfView  from the event's wire bytes without parsing it (replay's
//                     fast path); field numbers are the generated
//                     k...FieldNumber constants, checked at compile time
//                     against what the wire reader keeps
//                     (PayloadFields::kMaxField);
//   ReadCompactStep   from the compact encoding a catch-up keeps concluded
//                     cases in (AppendCompactStep writes it).
//
// tests/engine/case_step_codec_test.cc runs one row per case payload, with
// every field of the payload set, through all three and compares them as
// text dumps (DumpStep); a new case payload without a row fails it.
//
// Adding a field a rule needs: add it to CaseStep (and DumpStep), read it in
// StepOf and CaseChangeOfView, write and read it in the compact encoding; the
// table test then covers it.
#ifndef OGI_ENGINE_CASE_STEP_CODEC_H_
#define OGI_ENGINE_CASE_STEP_CODEC_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

#include "engine/civil_date.h"
#include "engine/event_view.h"
#include "engine/payload.h"
#include "proto/event.pb.h"

namespace ogi {

// The facts of one event that the rules and the reports use. Fields are
// ordered and sized to keep the step small: a whole-file dry run holds every
// step of every case in the file.
struct CaseStep {
  std::string ref;     // consultation or appeal id
  int64_t amount = 0;  // received: items; extended: working days; fees: fen;
                       // amended: target version
  PayloadCase payload = v1::Event::PAYLOAD_NOT_SET;
  int32_t on_day = 0;   // effective date, as days since 1970-01-01
  int32_t due_day = 0;  // correctionRequested / delayFixed: dueOn, if has_due;
                        // feeNoticed: pages (see pages())
  int16_t code = 0;    // the payload's enum: category, outcome, party, opinion,
                       // decision, method, kind, result; extended: 1 if
                       // an approver is named
  int8_t channel = 0;  // received: channel
  bool has_due = false;

  absl::CivilDay on() const { return EpochDayToCivil(on_day); }
  void set_on(absl::CivilDay day) {
    on_day = static_cast<int32_t>(day - kEpoch);
  }
  absl::CivilDay due() const { return EpochDayToCivil(due_day); }
  // feeNoticed: the pages provided (per-page method). Shares due_day's slot:
  // a step is one of an import's largest in-memory structures.
  int32_t pages() const { return due_day; }
  void set_pages(int32_t pages) { due_day = pages; }
  void set_due(absl::CivilDay day) {
    due_day = static_cast<int32_t>(day - kEpoch);
    has_due = true;
  }

 private:
  // Dates are kept as day numbers: an absl::CivilDay takes 16 bytes.
  static constexpr absl::CivilDay kEpoch = absl::CivilDay(1970, 1, 1);
};

// The parts of a CaseStep a partial amendment can correct (see StepFields).
enum StepField : uint8_t {
  kStepCode = 1,
  kStepChannel = 2,
  kStepAmount = 4,
  kStepRef = 8,
  kStepDue = 16,  // due_day / has_due, or a fee notice's pages
  kAllStepFields = 31,
};

// One accepted event's effect: the step and, for an amendment, the corrected
// step that replaces its target.
struct CaseChange {
  CaseStep step;
  std::optional<CaseStep> replacement;
  // True when the amendment gives no new date: the replacement keeps the date
  // of the step it replaces.
  bool replacement_keeps_date = false;
  // A partial amendment (amended.fields): the StepField bits the replacement
  // corrects; the target step keeps the rest.
  uint8_t replaced_fields = kAllStepFields;
};

// Returns the step of a stored or submitted case event (for `amended`, the
// marker step: its amount is the target version; see CaseChangeOf).
CaseStep StepOf(const v1::Event& event);

// Returns what CaseChangeOf (case_state.h) returns for the event that `view`
// reads, without parsing it: replay's fast path. nullopt for an amendment, an
// agency payload, or fields not in the shape the engine writes; the caller
// then parses the record and calls CaseChangeOf.
std::optional<CaseChange> CaseChangeOfView(const EventView& view);

// The compact encoding of a step (about 8 bytes): a flags byte (which of
// has_due, ref, amount, due_day, code, channel are present), varint payload,
// zigzag on_day, then the present ones among zigzag amount, zigzag due_day,
// zigzag code, zigzag channel, varint length + ref.
void AppendCompactStep(std::string& out, const CaseStep& step);

// Reads a step AppendCompactStep wrote at `p` and advances `p` past it. The
// bytes must be ones this process wrote (they are never read from disk).
CaseStep ReadCompactStep(const char*& p);

// Varints of the compact encoding, for the case-level encodings built on it.
void AppendVarint(std::string& out, uint64_t v);
uint64_t ReadVarint(const char*& p);
void AppendSigned(std::string& out, int64_t v);  // zigzag
int64_t ReadSigned(const char*& p);
void AppendLengthPrefixed(std::string& out, absl::string_view s);
absl::string_view ReadLengthPrefixed(const char*& p);

// Every field of `step`, as text, for tests and debugging: "received on
// 2024-03-05 code 1 channel 3 amount 2".
std::string DumpStep(const CaseStep& step);

}  // namespace ogi

#endif  // OGI_ENGINE_CASE_STEP_CODEC_H_
