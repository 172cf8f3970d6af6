// The in-process ogi side of tools/bench; see bench_ogi.h. Tested by the
// bench_quick ctest.
#include "tools/bench_ogi.h"

#include <memory>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

#include "engine/event_store.h"
#include "engine/json_codec.h"
#include "engine/status_macros.h"

namespace ogi {

absl::StatusOr<double> OgiAppends(const std::string& dir, int threads,
                                  absl::Duration duration) {
  OGI_ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store,
                       EventStore::Open({.path = dir}));
  OGI_ASSIGN_OR_RETURN(
      v1::Event registered,
      ParseEventJson(R"({"agencyId":"bench","occurredOn":"2019-01-01",)"
                     R"("agencyRegistered":{"name":"基准机关"}})",
                     EngineFields::kRefuse));
  OGI_RETURN_IF_ERROR(store->Append({registered}).status());
  return RunFor(threads, duration, [&](int thread, int64_t i) {
    OGI_ASSIGN_OR_RETURN(
        v1::Event event,
        ParseEventJson(BenchReceivedLine(thread, i), EngineFields::kRefuse));
    return store->Append({event}).status();
  });
}

absl::StatusOr<std::vector<double>> OgiHistory(
    const std::string& store_dir, const std::vector<std::string>& warmup,
    const std::vector<std::string>& cases) {
  OGI_ASSIGN_OR_RETURN(std::unique_ptr<EventStore> store,
                       EventStore::Open({.path = store_dir}));
  for (const std::string& id : warmup) {
    OGI_RETURN_IF_ERROR(
        store->ReadStream({StreamId::Kind::kCase, id}).status());
  }
  std::vector<double> latencies_ms;
  latencies_ms.reserve(cases.size());
  for (const std::string& id : cases) {
    const absl::Time start = absl::Now();
    OGI_ASSIGN_OR_RETURN(std::vector<v1::Event> events,
                         store->ReadStream({StreamId::Kind::kCase, id}));
    latencies_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
    if (events.empty()) {
      return absl::NotFoundError(absl::StrCat("ogi: no events of ", id));
    }
  }
  return latencies_ms;
}

PartThreeCells CsvPartThree(absl::string_view csv) {
  PartThreeCells cells;
  for (absl::string_view line : absl::StrSplit(csv, '\n')) {
    const std::vector<absl::string_view> fields = absl::StrSplit(line, ',');
    if (fields.size() != 4 || fields[0] != "applications" ||
        fields[2] == "total" || fields[1] == "results_total") {
      continue;
    }
    int64_t value = 0;
    if (absl::SimpleAtoi(fields[3], &value) && value != 0) {
      cells[absl::StrCat(fields[1], ",", fields[2])] = value;
    }
  }
  return cells;
}

}  // namespace ogi
