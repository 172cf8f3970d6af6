// `ogi history`: a case's timeline for a person or a program; see commands.h.
#include <algorithm>
#include <map>
#include <ostream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/commands.h"

#include "engine/civil_date.h"
#include "engine/clock.h"
#include "engine/display_width.h"
#include "engine/json_codec.h"
#include "engine/messages.h"
#include "engine/payload.h"
#include "engine/status_macros.h"
#include "engine/validate.h"

namespace ogi {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

using Item = std::pair<std::string, std::string>;  // path, value

// Flattens the set fields of `message` into (path, value) items, in field
// order, named in the process's language (engine/term_catalog.inc: Chinese
// field names and enum values; in English the JSON path and value name).
void Flatten(const Message& message, const std::string& prefix,
             std::vector<Item>& items) {
  std::vector<const FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    const std::string path =
        prefix.empty() ? field->json_name()
                       : absl::StrCat(prefix, ".", field->json_name());
    const auto* reflection = message.GetReflection();
    const std::string label(Term(path));
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        Flatten(reflection->GetMessage(message, field), path, items);
        break;
      case FieldDescriptor::CPPTYPE_STRING:
        items.emplace_back(label, reflection->GetString(message, field));
        break;
      case FieldDescriptor::CPPTYPE_ENUM: {
        const auto* value = reflection->GetEnum(message, field);
        items.emplace_back(label,
                           EnumValueTerm(value->type()->name(), value->name()));
        break;
      }
      case FieldDescriptor::CPPTYPE_INT32:
        items.emplace_back(label,
                           absl::StrCat(reflection->GetInt32(message, field)));
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        items.emplace_back(label,
                           absl::StrCat(reflection->GetInt64(message, field)));
        break;
      case FieldDescriptor::CPPTYPE_UINT32:
        items.emplace_back(label,
                           absl::StrCat(reflection->GetUInt32(message, field)));
        break;
      default:
        break;
    }
  }
}

std::vector<Item> PayloadItems(const v1::Event& event) {
  std::vector<Item> items;
  const auto* field = event.GetReflection()->GetOneofFieldDescriptor(
      event, event.GetDescriptor()->oneof_decl(0));
  if (field != nullptr)
    Flatten(event.GetReflection()->GetMessage(event, field), "", items);
  return items;
}

// Returns the payload's details as "a: x · b: y".
std::string Details(const v1::Event& event) {
  std::vector<std::string> items;
  for (const auto& [path, value] : PayloadItems(event))
    items.push_back(absl::StrCat(path, ": ", value));
  return absl::StrJoin(items, " · ");
}

// Returns what an amendment changed, field by field: "path: old → new",
// a removed field as "path: old → (removed)", an added one as
// "path: (none) → new"; the date too. `shown_before`/`shown_after` are the
// same events as displayed (personal data masked or not).
std::string Diff(const v1::Event& before, const v1::Event& after,
                 const v1::Event& shown_before, const v1::Event& shown_after) {
  const std::vector<Item> a = PayloadItems(before), b = PayloadItems(after);
  const std::vector<Item> sa = PayloadItems(shown_before),
                          sb = PayloadItems(shown_after);
  auto find = [](const std::vector<Item>& items, const std::string& path) {
    for (size_t i = 0; i < items.size(); ++i)
      if (items[i].first == path) return static_cast<int>(i);
    return -1;
  };
  std::vector<std::string> changes;
  if (before.occurred_on() != after.occurred_on()) {
    changes.push_back(absl::StrCat(Term("occurredOn"), ": ",
                                   before.occurred_on(), " → ",
                                   after.occurred_on()));
  }
  for (size_t i = 0; i < a.size(); ++i) {
    const int j = find(b, a[i].first);
    if (j < 0) {
      changes.push_back(absl::StrCat(a[i].first, ": ", sa[i].second, " → ",
                                     Text(Msg::kHistoryRemoved)));
    } else if (b[j].second != a[i].second) {
      changes.push_back(
          absl::StrCat(a[i].first, ": ", sa[i].second, " → ", sb[j].second));
    }
  }
  for (size_t j = 0; j < b.size(); ++j) {
    if (find(a, b[j].first) < 0)
      changes.push_back(absl::StrCat(b[j].first, ": ", Text(Msg::kHistoryNone),
                                     " → ", sb[j].second));
  }
  return changes.empty() ? Text(Msg::kHistoryNoFieldChanged)
                         : absl::StrJoin(changes, " · ");
}

std::string RecordedLocal(const v1::Event& event) {
  const absl::Time t = absl::FromUnixSeconds(event.recorded_at().seconds());
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", t, AgencyTimeZone());
}

}  // namespace

absl::Status HistoryCommand(EventStore& store, const std::string& case_id,
                            OutputFormat format, PersonalData personal_data,
                            const Judge& judge, std::ostream& out) {
  OGI_RETURN_IF_ERROR(ValidateStreamId("case", case_id));
  OGI_ASSIGN_OR_RETURN(std::vector<v1::Event> events,
                       store.ReadStream({StreamId::Kind::kCase, case_id}));
  if (events.empty())
    return absl::NotFoundError(Text(Msg::kUnknownCase, case_id));
  // Each amendment as a diff of the corrected event before and after it
  // (partial amendments merged as the engine merges them), by the
  // amendment's version.
  std::map<uint32_t, std::string> diffs;
  {
    std::vector<v1::Event> effective = events;
    for (const v1::Event& event : events) {
      const uint32_t target =
          event.has_amended() ? event.amended().version() : 0;
      if (target < 1 || target > effective.size()) continue;
      v1::Event before = effective[target - 1];
      v1::Event after = ApplyAmendment(before, event);
      v1::Event shown_before = before, shown_after = after;
      if (personal_data == PersonalData::kMasked) {
        MaskPersonalData(shown_before);
        MaskPersonalData(shown_after);
      }
      diffs[event.version()] = Diff(before, after, shown_before, shown_after);
      effective[target - 1] = std::move(after);
    }
  }
  if (personal_data == PersonalData::kMasked) {
    for (v1::Event& event : events) MaskPersonalData(event);
  }
  // Amendments beside what they correct: version -> the amendments of it, in
  // order.
  std::map<uint32_t, std::vector<const v1::Event*>> amended_by;
  for (const v1::Event& event : events) {
    if (event.has_amended())
      amended_by[event.amended().version()].push_back(&event);
  }

  // The compliance flags, as judged on the process's calendar and day.
  std::vector<ComplianceFlag> flags;
  {
    absl::StatusOr<Deadline> deadline =
        CaseDeadline(store, case_id, *judge.calendar, judge.today);
    if (deadline.ok()) flags = deadline->flags;
  }

  if (format == OutputFormat::kJson) {
    std::string json = absl::StrCat("{\"caseId\":");
    AppendJsonString(case_id, json);
    absl::StrAppend(&json, ",\"agencyId\":");
    AppendJsonString(events.front().agency_id(), json);
    absl::StrAppend(&json, ",\"version\":", events.size(),
                    ",\"personalData\":\"",
                    personal_data == PersonalData::kMasked ? "masked" : "shown",
                    "\",\"events\":[");
    for (size_t i = 0; i < events.size(); ++i) {
      const v1::Event& event = events[i];
      std::string line = MessageToJson(event);
      line.pop_back();  // reopen the object to add the labels
      absl::StrAppend(&line, ",\"step\":\"", PayloadName(event.payload_case()),
                      "\",\"stepZh\":\"", PayloadLabelZh(event.payload_case()),
                      "\",\"stepEn\":\"", PayloadLabelEn(event.payload_case()),
                      "\",\"amendedBy\":[");
      std::vector<uint32_t> versions;
      for (const v1::Event* a : amended_by[event.version()])
        versions.push_back(a->version());
      absl::StrAppend(&line, absl::StrJoin(versions, ","), "]");
      if (event.has_amended()) {
        absl::StrAppend(&line, ",\"changes\":");
        AppendJsonString(diffs[event.version()], line);
      }
      absl::StrAppend(&line, "}");
      absl::StrAppend(&json, i == 0 ? "" : ",", line);
    }
    absl::StrAppend(&json, "],\"flags\":[");
    for (size_t i = 0; i < flags.size(); ++i) {
      absl::StrAppend(&json, i == 0 ? "" : ",", "{\"code\":");
      AppendJsonString(flags[i].code, json);
      absl::StrAppend(&json, ",\"text\":");
      AppendJsonString(flags[i].text, json);
      absl::StrAppend(&json, "}");
    }
    absl::StrAppend(&json, "]}\n");
    out << json;
    return absl::OkStatus();
  }

  out << Text(Msg::kHistoryHeader, case_id, events.front().agency_id(),
              events.size(),
              personal_data == PersonalData::kMasked ? Text(Msg::kHistoryMasked)
                                                     : std::string())
      << "\n";
  const std::string version_heading = Text(Msg::kHistoryColumnVersion);
  out << absl::StrFormat(
      "%s%s  %s  %s  %s  %s\n",
      std::string(
          static_cast<size_t>(std::max(0, 3 - DisplayWidth(version_heading))),
          ' '),
      version_heading, PadToWidth(Text(Msg::kHistoryColumnEffective), 10),
      PadToWidth(Text(Msg::kHistoryColumnRecorded), 19),
      PadToWidth(Text(Msg::kHistoryColumnActor), 16),
      Text(Msg::kHistoryColumnStep));
  for (const v1::Event& event : events) {
    out << absl::StrFormat(
        "%3d  %-10s  %-19s  %s  %s\n", event.version(), event.occurred_on(),
        RecordedLocal(event),
        PadToWidth(event.actor().empty() ? "-" : event.actor(), 16),
        ProcessLanguage() == Language::kEnglish
            ? PayloadLabelEn(event.payload_case())
            : PayloadLabelZh(event.payload_case()));
    if (event.has_amended()) {
      out << "       "
          << Text(Msg::kHistoryCorrects, event.amended().version(),
                  event.amended().reason())
          << "\n";
      continue;
    }
    const std::string details = Details(event);
    if (!details.empty()) out << "       " << details << "\n";
    for (const v1::Event* a : amended_by[event.version()]) {
      out << "       "
          << Text(a->amended().fields().empty()
                      ? Msg::kHistoryCorrectedBy
                      : Msg::kHistoryCorrectedByPartial,
                  a->version(), a->occurred_on(), diffs[a->version()])
          << "\n";
    }
  }
  for (const ComplianceFlag& flag : flags)
    out << Text(Msg::kHistoryFlag, flag.code, flag.text) << "\n";
  return absl::OkStatus();
}

}  // namespace ogi
