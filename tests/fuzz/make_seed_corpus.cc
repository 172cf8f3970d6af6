// Writes the seed corpus of the fuzz targets: tests/fuzz/corpus/event_json/
// (one JSON Lines line per file) and tests/fuzz/corpus/stored_record/ (one
// "log" value per file). Each file is named "<verdict>-<what>", the verdict
// being ok, invalid (kInvalidArgument) or dataloss (kDataLoss); the corpus
// replay test (fuzz_corpus_test.cc) holds every file to its verdict.
//
//   make_seed_corpus tools/data tests/fuzz/corpus
//
// The seeds are real lines of tools/data/*.jsonl (the first of each payload
// type), hand-written lines for the payload types those lack, edge cases of
// the JSON reader, and those events as the store keeps them, whole, cut short
// and with one bit flipped. It also writes corpus/event_json.dict, a libFuzzer
// dictionary of the schema's names. The output is the same on every run; files
// not written here (crash reproducers) are left alone.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

#include "engine/json_codec.h"
#include "engine/key_codec.h"
#include "engine/payload.h"
#include "proto/event.pb.h"

namespace ogi {
namespace {

struct Seed {
  std::string name;  // "<verdict>-<what>"
  std::string bytes;
};

// One valid line per payload type, in field-number order.
using LinesByPayload = std::map<int, std::string>;

bool ReadLines(const std::string& path, LinesByPayload& lines) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    absl::StatusOr<v1::Event> event =
        ParseEventJson(line, EngineFields::kRefuse);
    if (!event.ok()) continue;
    lines.emplace(event->payload_case(), line);
  }
  return true;
}

// Lines for the payload types tools/data does not show.
void AddHandWrittenLines(LinesByPayload& lines) {
  const std::pair<int, const char*> kLines[] = {
      {v1::Event::kDelayFixed,
       R"({"caseId":"C-1","occurredOn":"2023-03-01","delayFixed":{"dueOn":"2023-04-28"}})"},
      {v1::Event::kAgencyRenamed,
       R"({"agencyId":"a-1","occurredOn":"2023-03-01","agencyRenamed":{"name":"乌拉特中旗教育体育局"}})"},
      {v1::Event::kDocumentExpired,
       R"({"agencyId":"a-1","occurredOn":"2023-03-01","documentExpired":{"documentId":"doc-1"}})"},
      {v1::Event::kPersonalDataErased,
       R"({"caseId":"C-1","occurredOn":"2023-03-01","personalDataErased":{"reason":"申请人要求删除"}})"},
  };
  for (const auto& [payload, line] : kLines) lines.emplace(payload, line);
}

std::string Repeat(absl::string_view text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out.append(text.data(), text.size());
  return out;
}

// Edge cases of the reader and the shape rules, with their verdicts.
std::vector<Seed> EventJsonEdgeCases(const LinesByPayload& lines) {
  const std::string received = lines.at(v1::Event::kReceived);
  const std::string archived =
      R"({"caseId":"C-1","occurredOn":"2023-03-01","archived":{}})";
  auto with_received = [](absl::string_view fields) {
    return absl::StrCat(
        R"({"caseId":"C-1","agencyId":"a-1","occurredOn":"2023-03-01",)",
        fields, "}");
  };
  auto with_applicant = [&](absl::string_view applicant) {
    return with_received(
        absl::StrCat(R"("received":{"applicant":{"category":"NATURAL_PERSON")",
                     applicant, "}}"));
  };
  auto with_items = [&](absl::string_view items) {
    return with_received(absl::StrCat(
        R"("received":{"applicant":{"category":"NATURAL_PERSON"},"items":)",
        items, "}"));
  };
  using std::string_literals::operator""s;
  return {
      // Whole events.
      {"ok-whitespace",
       absl::StrCat(" \t{ \"caseId\" :\n\"C-1\" ,\r\"occurredOn\":"
                    "\"2023-03-01\",\"archived\":{ } } ")},
      {"ok-escapes",
       with_applicant(
           R"(,"name":"\u5f20\u67d0 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t")")},
      {"ok-nul-escape-in-free-text", with_applicant(R"(,"name":"a\u0000b")")},
      {"ok-nulls",
       with_received(
           R"("actor":null,"expectedVersion":null,"received":{"applicant":{"category":"NATURAL_PERSON"},"channel":null})")},
      {"ok-expected-version-zero",
       with_received(
           R"("expectedVersion":0,"received":{"applicant":{"category":"NATURAL_PERSON"}})")},
      {"ok-integer-as-string", with_items(R"("3")")},
      {"ok-amount-at-maximum",
       R"({"agencyId":"a-1","occurredOn":"2023-03-01","feesCollected":{"amountFen":1000000000000}})"},
      {"invalid-amount-above-maximum",
       R"({"agencyId":"a-1","occurredOn":"2023-03-01","feesCollected":{"amountFen":9223372036854775807}})"},
      {"ok-case-id-64-characters",
       absl::StrCat(R"({"caseId":")", std::string(64, 'C'),
                    R"(","occurredOn":"2023-03-01","archived":{}})")},
      {"ok-long-free-text",
       with_applicant(absl::StrCat(R"(,"name":")", Repeat("张", 2000), "\""))},
      {"ok-personal-data-erased-flag",
       with_applicant(R"(,"personalDataErased":true)")},
      {"ok-personal-data-erased-flag-false",
       with_applicant(R"(,"name":"张某","personalDataErased":false)")},
      {"ok-occurred-on-recording-day",
       R"({"caseId":"C-1","occurredOn":"2030-12-31","archived":{}})"},
      // Not JSON, or not one object.
      {"invalid-empty", ""},
      {"invalid-spaces", "   \t "},
      {"invalid-null", "null"},
      {"invalid-array", "[]"},
      {"invalid-open-brace", "{"},
      {"invalid-truncated-line", received.substr(0, received.size() / 2)},
      {"invalid-two-objects", archived + archived},
      {"invalid-trailing-comma",
       R"({"caseId":"C-1","occurredOn":"2023-03-01","archived":{},})"},
      {"invalid-missing-colon",
       R"({"caseId" "C-1","occurredOn":"2023-03-01","archived":{}})"},
      {"invalid-single-quotes",
       R"({'caseId':'C-1','occurredOn':'2023-03-01','archived':{}})"},
      {"invalid-literal-typo",
       R"({"caseId":"C-1","occurredOn":"2023-03-01","actor":nul,"archived":{}})"},
      {"invalid-byte-order-mark", "\xEF\xBB\xBF" + archived},
      {"invalid-nul-after-object", archived + "\0"s},
      {"invalid-nul-in-string", "{\"caseId\":\"C\0-1\"}"s},
      {"invalid-nul-only", "\0"s},
      {"invalid-raw-tab-in-string", with_applicant(",\"name\":\"a\tb\"")},
      {"invalid-bad-escape", with_applicant(R"(,"name":"\x41")")},
      {"invalid-short-unicode-escape", with_applicant(R"(,"name":"\u12")")},
      {"invalid-escape-at-end", R"({"caseId":"\)"},
      // Nesting.
      {"invalid-deep-arrays", Repeat("[", 5000)},
      {"invalid-deep-objects", Repeat("{", 5000)},
      {"invalid-deep-known-fields", Repeat(R"({"amended":)", 1000)},
      {"invalid-deep-unknown-fields", Repeat(R"({"a":)", 1000)},
      {"invalid-object-for-enum",
       with_received(
           R"("received":{"applicant":{"category":{"category":{"category":{}}}}}})")},
      // UTF-8.
      {"invalid-utf8-bad-byte", with_applicant(",\"name\":\"\xFF\"")},
      {"invalid-utf8-overlong", with_applicant(",\"name\":\"\xC0\xAF\"")},
      {"invalid-utf8-surrogate", with_applicant(",\"name\":\"\xED\xA0\x80\"")},
      {"invalid-utf8-cut", with_applicant(",\"name\":\"\xE5\xBC\"")},
      {"invalid-utf8-above-10ffff",
       with_applicant(",\"name\":\"\xF4\x90\x80\x80\"")},
      {"invalid-utf8-five-bytes",
       with_applicant(",\"name\":\"\xF8\x88\x80\x80\x80\"")},
      {"invalid-utf8-outside-string", archived + "\xFF"},
      {"invalid-lone-high-surrogate", with_applicant(R"(,"name":"\ud800")")},
      {"invalid-lone-low-surrogate", with_applicant(R"(,"name":"\udc00")")},
      {"invalid-surrogate-then-letter",
       with_applicant(R"(,"name":"\ud800\u0041")")},
      // Numbers.
      {"invalid-int32-overflow", with_items("2147483648")},
      {"invalid-int64-overflow",
       R"({"agencyId":"a-1","occurredOn":"2023-03-01","feesCollected":{"amountFen":9223372036854775808}})"},
      {"invalid-huge-number", with_items(std::string(1000, '9'))},
      {"invalid-huge-negative-number",
       with_items(absl::StrCat("-", std::string(1000, '9')))},
      {"invalid-negative-zero", with_items("-0")},
      {"invalid-leading-zero", with_items("07")},
      {"invalid-fraction", with_items("1.5")},
      {"invalid-exponent", with_items("1e3")},
      {"invalid-plus-sign", with_items("+1")},
      {"invalid-lone-minus", with_items("-")},
      {"invalid-number-string-with-space", with_items(R"(" 3")")},
      {"invalid-negative-items", with_items("-1")},
      {"invalid-working-days-21",
       R"({"caseId":"C-1","occurredOn":"2023-03-01","extended":{"workingDays":21}})"},
      {"invalid-unsigned-negative",
       with_received(
           R"("expectedVersion":-1,"received":{"applicant":{"category":"NATURAL_PERSON"}})")},
      // Keys and values.
      {"invalid-duplicate-key",
       R"({"caseId":"C-1","caseId":"C-2","occurredOn":"2023-03-01","archived":{}})"},
      {"invalid-duplicate-nested-key",
       with_applicant(R"(,"name":"a","name":"b")")},
      {"invalid-duplicate-key-after-null",
       R"({"caseId":"C-1","actor":null,"actor":"x","occurredOn":"2023-03-01","archived":{}})"},
      {"invalid-two-payloads",
       R"({"caseId":"C-1","occurredOn":"2023-03-01","archived":{},"withdrawn":{}})"},
      {"invalid-engine-field-recorded-at",
       R"({"caseId":"C-1","occurredOn":"2023-03-01","recordedAt":"2023-03-01T00:00:00Z","archived":{}})"},
      {"invalid-engine-field-position",
       R"({"caseId":"C-1","occurredOn":"2023-03-01","position":7,"archived":{}})"},
      {"invalid-snake-case-key",
       R"({"case_id":"C-1","occurredOn":"2023-03-01","archived":{}})"},
      {"invalid-unknown-field",
       R"({"caseId":"C-1","occurredOn":"2023-03-01","colour":"red","archived":{}})"},
      {"invalid-long-unknown-field",
       absl::StrCat("{\"", std::string(4096, 'k'), "\":1}")},
      {"invalid-unknown-enum",
       with_received(R"("received":{"applicant":{"category":"ALIEN"}})")},
      {"invalid-enum-unspecified",
       with_received(
           R"("received":{"applicant":{"category":"CATEGORY_UNSPECIFIED"}})")},
      {"invalid-enum-as-number",
       with_received(R"("received":{"applicant":{"category":1}})")},
      {"invalid-string-for-bool",
       with_applicant(R"(,"personalDataErased":"true")")},
      {"invalid-number-for-bool", with_applicant(R"(,"personalDataErased":1)")},
      {"invalid-string-for-number", with_items(R"("three")")},
      {"invalid-number-for-string",
       R"({"caseId":5,"occurredOn":"2023-03-01","archived":{}})"},
      {"invalid-array-for-object",
       R"({"caseId":"C-1","occurredOn":"2023-03-01","archived":[]})"},
      {"invalid-bool-for-object",
       R"({"caseId":"C-1","occurredOn":"2023-03-01","archived":true})"},
      // Shape rules (validate.cc).
      {"invalid-no-payload", R"({"caseId":"C-1","occurredOn":"2023-03-01"})"},
      {"invalid-no-payload-empty-object", "{}"},
      {"invalid-date-february-30",
       R"({"caseId":"C-1","occurredOn":"2023-02-30","archived":{}})"},
      {"invalid-date-short",
       R"({"caseId":"C-1","occurredOn":"2023-3-1","archived":{}})"},
      {"invalid-date-after-recording-day",
       R"({"caseId":"C-1","occurredOn":"2031-01-01","archived":{}})"},
      {"invalid-case-id-65-characters",
       absl::StrCat(R"({"caseId":")", std::string(65, 'C'),
                    R"(","occurredOn":"2023-03-01","archived":{}})")},
      {"invalid-case-id-space",
       R"({"caseId":"C 1","occurredOn":"2023-03-01","archived":{}})"},
      {"invalid-case-id-nul",
       R"({"caseId":"C\u0000","occurredOn":"2023-03-01","archived":{}})"},
      {"invalid-event-id-control-character",
       R"({"eventId":"e\u0007","caseId":"C-1","occurredOn":"2023-03-01","archived":{}})"},
      {"invalid-event-id-too-long",
       absl::StrCat(
           R"({"eventId":")", std::string(4096, 'e'),
           R"(","caseId":"C-1","occurredOn":"2023-03-01","archived":{}})")},
      {"invalid-agency-event-with-case-id",
       R"({"caseId":"C-1","agencyId":"a-1","occurredOn":"2023-03-01","agencyRenamed":{"name":"x"}})"},
      {"invalid-received-without-agency",
       R"({"caseId":"C-1","occurredOn":"2023-03-01","received":{"applicant":{"category":"NATURAL_PERSON"}}})"},
      {"invalid-amended-without-replacement",
       R"({"caseId":"C-1","occurredOn":"2023-03-01","amended":{"version":1,"reason":"typo"}})"},
      {"invalid-amended-version-zero",
       R"({"caseId":"C-1","occurredOn":"2023-03-01","amended":{"reason":"typo","archived":{}}})"},
      {"invalid-sealed-from-producer",
       with_applicant(R"(,"sealed":"AQIDBA==")")},
      {"invalid-erased-with-name",
       with_applicant(R"(,"name":"张某","personalDataErased":true)")},
      {"invalid-per-page-fee-without-pages",
       R"({"caseId":"C-1","occurredOn":"2023-03-01","feeNoticed":{"method":"PER_PAGE","amountFen":100}})"},
      {"invalid-narrative-year-10000",
       R"({"agencyId":"a-1","occurredOn":"2023-03-01","narrativeSet":{"year":10000,"section":"OVERVIEW","text":"x"}})"},
  };
}

std::string StoredRecord(const std::string& line, uint64_t position) {
  absl::StatusOr<v1::Event> event = ParseEventJson(line, EngineFields::kRefuse);
  if (!event.ok()) return std::string();
  if (event->agency_id().empty()) event->set_agency_id("a-1");
  event->clear_expected_version();
  event->set_version(1);
  event->set_position(position);
  event->mutable_recorded_at()->set_seconds(1704067200);  // 2024-01-01
  return event->SerializeAsString();
}

std::string LogValue(absl::string_view record) {
  return EncodeLogValue(ChainLink(std::string(kLinkSize, '\0'), record),
                        record);
}

std::string FlipBit(std::string value, size_t byte) {
  value[byte] = static_cast<char>(value[byte] ^ 0x10);
  return value;
}

std::vector<Seed> StoredRecordSeeds(const LinesByPayload& lines) {
  std::vector<Seed> seeds;
  for (const auto& [payload, line] : lines) {
    const std::string name(
        PayloadName(static_cast<v1::Event::PayloadCase>(payload)));
    const std::string record = StoredRecord(line, 1);
    const std::string value = LogValue(record);
    seeds.push_back({absl::StrCat("ok-", name), value});
    // Damage a few payload types, each a different shape: nested messages, a
    // replacement payload, long text, an agency event, an empty payload.
    if (payload != v1::Event::kReceived && payload != v1::Event::kAmended &&
        payload != v1::Event::kNarrativeSet &&
        payload != v1::Event::kAgencyRegistered &&
        payload != v1::Event::kArchived) {
      continue;
    }
    seeds.push_back({absl::StrCat("dataloss-", name, "-cut-in-half"),
                     value.substr(0, 1 + kLinkSize + record.size() / 2)});
    seeds.push_back({absl::StrCat("dataloss-", name, "-last-byte-cut"),
                     value.substr(0, value.size() - 1)});
    seeds.push_back({absl::StrCat("dataloss-", name, "-bit-flipped-in-record"),
                     FlipBit(value, 1 + kLinkSize + record.size() / 2)});
    seeds.push_back({absl::StrCat("dataloss-", name, "-bit-flipped-in-link"),
                     FlipBit(value, 1 + kLinkSize / 2)});
    // The cut record re-linked: only the decoder can notice.
    seeds.push_back({absl::StrCat("dataloss-", name, "-cut-and-relinked"),
                     LogValue(record.substr(0, record.size() - 1))});
  }
  const std::string archived = StoredRecord(
      R"({"caseId":"C-1","occurredOn":"2023-03-01","archived":{}})", 1);
  const std::string received = StoredRecord(lines.at(v1::Event::kReceived), 1);
  v1::Event no_payload;
  no_payload.set_case_id("C-1");
  no_payload.set_position(1);
  v1::Event unknown_enum;
  unknown_enum.set_case_id("C-1");
  unknown_enum.set_position(1);
  unknown_enum.mutable_received()->mutable_applicant()->set_category(
      static_cast<v1::Applicant::Category>(99));
  v1::Event far_future;
  far_future.set_case_id("C-1");
  far_future.set_position(1);
  far_future.mutable_archived();
  far_future.mutable_recorded_at()->set_seconds(
      std::numeric_limits<int64_t>::max());
  far_future.mutable_recorded_at()->set_nanos(-1);
  // A received event as the engine stores it: name, ID number and contact
  // sealed (engine/personal_data.h) into bytes that are not UTF-8.
  v1::Event sealed;
  sealed.set_case_id("C-1");
  sealed.set_agency_id("a-1");
  sealed.set_occurred_on("2023-03-01");
  sealed.set_position(1);
  sealed.set_version(1);
  v1::Applicant& applicant = *sealed.mutable_received()->mutable_applicant();
  applicant.set_category(v1::Applicant::NATURAL_PERSON);
  std::string blob = "\x01";
  for (int i = 0; i < 8 + 12 + 24 + 16; ++i)
    blob.push_back(static_cast<char>(0x80 + i * 37 % 128));
  applicant.set_sealed(blob);
  using std::string_literals::operator""s;
  const std::vector<Seed> more = {
      {"ok-received-sealed", LogValue(sealed.SerializeAsString())},
      {"dataloss-empty", ""},
      {"dataloss-one-byte", "\x01"},
      {"dataloss-link-cut", "\x01" + std::string(kLinkSize - 1, '\0')},
      {"dataloss-no-record",
       EncodeLogValue(ChainLink(std::string(kLinkSize, '\0'), ""), "")},
      {"dataloss-format-0", FlipBit(LogValue(archived), 0)},
      {"dataloss-format-255", "\xFF" + LogValue(archived).substr(1)},
      {"dataloss-position-2",
       LogValue(StoredRecord(
           R"({"caseId":"C-1","occurredOn":"2023-03-01","archived":{}})", 2))},
      {"dataloss-no-payload", LogValue(no_payload.SerializeAsString())},
      {"dataloss-garbage-record", LogValue(std::string(64, '\xFF'))},
      // Field 1 (eventId) claiming 2^31-1 bytes.
      {"dataloss-huge-length", LogValue("\x0A\xFF\xFF\xFF\xFF\x07"s)},
      // Field 5 (actor) that is not UTF-8, after a good record.
      {"dataloss-invalid-utf8-string", LogValue(received + "\x2A\x01\xFF"s)},
      // Unknown start-group tags nested deeper than protobuf's recursion
      // limit.
      {"dataloss-deep-groups", LogValue(Repeat("\xFB\x0F", 1000))},
      {"dataloss-varint-overflow",
       LogValue("\x48\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\x01"s)},
      // Unknown field 1000 (varint 7) after a good record: kept, not an
      // error.
      {"ok-unknown-field", LogValue(archived + "\xC0\x3E\x07"s)},
      {"ok-unknown-enum-value", LogValue(unknown_enum.SerializeAsString())},
      {"ok-recorded-at-out-of-range", LogValue(far_future.SerializeAsString())},
  };
  seeds.insert(seeds.end(), more.begin(), more.end());
  return seeds;
}

// Appends to `names` the JSON name of every field of `descriptor` and of the
// messages under it, and the name of every enum value.
void CollectNames(const google::protobuf::Descriptor* descriptor,
                  std::set<std::string>& names) {
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = descriptor->field(i);
    names.insert(absl::StrCat("\"", field->json_name(), "\":"));
    // The schema has no recursive messages; a Timestamp is a string in JSON.
    if (field->message_type() != nullptr &&
        field->message_type()->full_name() != "google.protobuf.Timestamp") {
      CollectNames(field->message_type(), names);
    }
    if (field->enum_type() != nullptr) {
      for (int v = 0; v < field->enum_type()->value_count(); ++v) {
        names.insert(
            absl::StrCat("\"", field->enum_type()->value(v)->name(), "\""));
      }
    }
  }
}

// Returns a libFuzzer dictionary for the JSON target: the schema's field and
// enum names and the tokens of JSON, one `"token"` per line.
std::string EventJsonDictionary() {
  std::set<std::string> tokens;
  CollectNames(v1::Event::descriptor(), tokens);
  for (const char* token : {"{",
                            "}",
                            ":",
                            ",",
                            "null",
                            "true",
                            "false",
                            "\"\"",
                            "\\u",
                            "\\ud83d\\ude00",
                            "\\u0000",
                            "-",
                            "0",
                            "9223372036854775807",
                            "2147483648",
                            "\"2023-03-01\"",
                            "\"2023-02-29\"",
                            "\"2024-01-12T00:00:00Z\"",
                            "\xE5\xBC\xA0",
                            "\xFF"}) {
    tokens.insert(token);
  }
  std::string out;
  for (const std::string& token : tokens) {
    out.push_back('"');
    for (const char c : token) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out.push_back('\\');
        out.push_back(c);
      } else if (u < 0x20 || u >= 0x7f) {
        absl::StrAppend(&out, "\\x", absl::Hex(u, absl::kZeroPad2));
      } else {
        out.push_back(c);
      }
    }
    out.append("\"\n");
  }
  return out;
}

bool Write(const std::string& dir, const std::vector<Seed>& seeds) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return false;
  for (const Seed& seed : seeds) {
    std::ofstream out(dir + "/" + seed.name, std::ios::binary);
    out.write(seed.bytes.data(),
              static_cast<std::streamsize>(seed.bytes.size()));
    if (!out) return false;
  }
  return true;
}

}  // namespace
}  // namespace ogi

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: make_seed_corpus DATA_DIR OUT_DIR\n";
    return 2;
  }
  const std::string data = argv[1];
  const std::string out = argv[2];
  ogi::LinesByPayload lines;
  for (const char* file : {"sample.jsonl", "wltzq-jyj-2023.jsonl"}) {
    if (!ogi::ReadLines(data + "/" + file, lines)) {
      std::cerr << "cannot read " << data << "/" << file << "\n";
      return 1;
    }
  }
  ogi::AddHandWrittenLines(lines);

  std::vector<ogi::Seed> event_json;
  for (const auto& [payload, line] : lines) {
    event_json.push_back(
        {absl::StrCat("ok-",
                      ogi::PayloadName(
                          static_cast<ogi::v1::Event::PayloadCase>(payload))),
         line});
  }
  for (ogi::Seed& seed : ogi::EventJsonEdgeCases(lines))
    event_json.push_back(std::move(seed));
  const std::vector<ogi::Seed> stored = ogi::StoredRecordSeeds(lines);
  if (!ogi::Write(out + "/event_json", event_json) ||
      !ogi::Write(out + "/stored_record", stored) ||
      !ogi::Write(out, {{"event_json.dict", ogi::EventJsonDictionary()}})) {
    std::cerr << "cannot write under " << out << "\n";
    return 1;
  }
  std::cout << event_json.size() << " event_json and " << stored.size()
            << " stored_record seeds written under " << out << "\n";
  return 0;
}
