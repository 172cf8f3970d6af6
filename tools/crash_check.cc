// The crash harness's checks of a store after a kill; see crash_check.h.
#include "tools/crash_check.h"

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

#include "engine/event_id.h"
#include "engine/event_store.h"
#include "engine/payload.h"

namespace ogi::crash {
namespace {

// A broken store tends to break everything after the first fault; the first
// few messages say what matters.
constexpr size_t kMaxFailures = 20;

void Fail(CheckResult& result, std::string message) {
  if (result.failures.size() < kMaxFailures) {
    result.failures.push_back(std::move(message));
  } else if (result.failures.size() == kMaxFailures) {
    result.failures.push_back("(further failures not shown)");
  }
}

// What one verifying scan of the whole log found.
struct LogScan {
  std::vector<std::string> event_ids;  // index: position - 1
  std::vector<std::string> agencies;   // each event's (its eventId's namespace)
  // The case streams whose id starts with the scan's prefix: their events'
  // positions in log order.
  std::map<std::string, std::vector<uint64_t>> case_positions;
};

// Scans the whole log with chain verification and checks what the scan alone
// can tell. Returns false if the scan itself failed.
bool ScanAll(EventStore& store, absl::string_view case_prefix, LogScan& scan,
             CheckResult& result) {
  absl::flat_hash_set<std::string> seen;
  absl::flat_hash_map<std::string, uint32_t> case_versions;
  absl::flat_hash_map<std::string, uint32_t> agency_versions;
  const absl::Status status = store.ScanLog(
      1,
      [&](const v1::Event& e) -> absl::Status {
        const uint64_t expected = scan.event_ids.size() + 1;
        if (e.position() != expected) {
          return absl::DataLossError(absl::StrCat("the scan returned position ",
                                                  e.position(), " where ",
                                                  expected, " was due"));
        }
        scan.event_ids.push_back(e.event_id());
        scan.agencies.push_back(e.agency_id());
        if (e.event_id().empty()) {
          Fail(result, absl::StrCat("position ", expected, " has no eventId"));
        } else if (!seen.insert(EventIdKeyOf(e)).second) {
          Fail(result, absl::StrCat("eventId ", e.event_id(),
                                    " is stored twice, again at ", expected));
        }
        const bool agency = IsAgencyPayload(e.payload_case());
        const std::string& stream = agency ? e.agency_id() : e.case_id();
        uint32_t& last = (agency ? agency_versions : case_versions)[stream];
        if (e.version() != last + 1) {
          Fail(result, absl::StrCat("stream ", stream, ": version ",
                                    e.version(), " at position ", expected,
                                    " follows version ", last));
        }
        last = e.version();
        if (!agency && absl::StartsWith(e.case_id(), case_prefix))
          scan.case_positions[e.case_id()].push_back(expected);
        return absl::OkStatus();
      },
      EventStore::ChainCheck::kVerify);
  if (!status.ok()) {
    Fail(result, absl::StrCat("verifying scan: ", status.ToString()));
    return false;
  }
  if (store.HeadPosition() != scan.event_ids.size()) {
    Fail(result,
         absl::StrCat("head position ", store.HeadPosition(),
                      " but the log holds ", scan.event_ids.size(), " events"));
  }
  absl::StatusOr<StoreStats> stats = store.Stats();
  if (!stats.ok()) {
    Fail(result, absl::StrCat("stats: ", stats.status().ToString()));
  } else if (stats->cases != case_versions.size() ||
             stats->agencies != agency_versions.size()) {
    Fail(result,
         absl::StrCat("stats count ", stats->cases, " cases and ",
                      stats->agencies, " agencies; the log has ",
                      case_versions.size(), " and ", agency_versions.size()));
  }
  return true;
}

// Each scanned case stream reads back as versions 1..n at the scan's
// positions, its applicant's personal data revealed.
void CheckStreams(EventStore& store, const LogScan& scan, CheckResult& result) {
  for (const auto& [case_id, positions] : scan.case_positions) {
    absl::StatusOr<std::vector<v1::Event>> events =
        store.ReadStream({StreamId::Kind::kCase, case_id});
    if (!events.ok()) {
      Fail(result, absl::StrCat("case ", case_id,
                                ": ReadStream: ", events.status().ToString()));
      continue;
    }
    if (events->size() != positions.size()) {
      Fail(result,
           absl::StrCat("case ", case_id, " reads back ", events->size(),
                        " events; the log holds ", positions.size()));
      continue;
    }
    bool erased = false;
    for (size_t i = 0; i < positions.size(); ++i) {
      const v1::Event& e = (*events)[i];
      if (e.version() != i + 1 || e.position() != positions[i]) {
        Fail(result, absl::StrCat("case ", case_id, ": event ", i + 1,
                                  " reads back as version ", e.version(),
                                  " at position ", e.position(),
                                  "; the log has it at ", positions[i]));
      }
      // The applicant's personal-data key is written in the same batch as
      // the event sealed with it: only an erasure may take it away.
      erased = erased || e.has_personal_data_erased();
      const v1::Applicant& applicant = e.received().applicant();
      if (!erased &&
          (applicant.personal_data_erased() || !applicant.sealed().empty())) {
        Fail(result, absl::StrCat("case ", case_id,
                                  ": the applicant's personal data does not "
                                  "unseal (its key is missing)"));
      }
    }
  }
}

// The eventId index entry of each event from position `from` points at it.
void CheckEventIdIndex(EventStore& store, const LogScan& scan, uint64_t from,
                       CheckResult& result) {
  for (uint64_t p = from; p <= scan.event_ids.size(); ++p) {
    const std::string& id = scan.event_ids[p - 1];
    if (id.empty()) continue;
    absl::StatusOr<std::optional<v1::Event>> found =
        store.FindByEventId(scan.agencies[p - 1], id);
    if (!found.ok() || !found->has_value() || (*found)->position() != p) {
      Fail(result,
           absl::StrCat(
               "eventId ", id, " at position ", p, " is not indexed there: ",
               found.ok()
                   ? (found->has_value() ? "another position" : "not found")
                   : found.status().ToString()));
    }
  }
}

// Opens the store at `path`; nullptr, recorded in `result`, if it does not.
std::unique_ptr<EventStore> OpenStore(const std::string& path,
                                      CheckResult& result) {
  absl::StatusOr<std::unique_ptr<EventStore>> opened =
      EventStore::Open({.path = path});
  if (opened.ok()) return *std::move(opened);
  Fail(result,
       absl::StrCat("the store does not open: ", opened.status().ToString()));
  return nullptr;
}

}  // namespace

CheckResult CheckAppendTrial(const std::string& path, int trial,
                             const std::vector<std::vector<Ack>>& acks,
                             LogHistory& history) {
  CheckResult result;
  const std::unique_ptr<EventStore> opened = OpenStore(path, result);
  if (opened == nullptr) return result;
  EventStore& store = *opened;
  LogScan scan;
  const bool scanned =
      ScanAll(store, absl::StrCat("t", trial, "-"), scan, result);
  result.events = scan.event_ids.size();
  const std::vector<std::string>& before = history.event_ids;
  std::vector<std::string> stored_groups;  // this trial's, in the store
  if (scanned) {
    if (scan.event_ids.size() < before.size()) {
      Fail(result,
           absl::StrCat("the log has ", scan.event_ids.size(),
                        " events; before this trial it had ", before.size()));
    }
    for (size_t i = 0; i < before.size() && i < scan.event_ids.size(); ++i) {
      if (scan.event_ids[i] != before[i]) {
        Fail(result, absl::StrCat("position ", i + 1, " held ", before[i],
                                  " before this trial and now holds ",
                                  scan.event_ids[i]));
      }
    }
    // Every event this trial added, grouped by the Append that carried it.
    struct Group {
      int n = 0;
      std::set<int> members;
    };
    std::map<std::string, Group> groups;
    const std::string own = absl::StrCat("t", trial, ".");
    for (size_t i = before.size(); i < scan.event_ids.size(); ++i) {
      const std::string& id = scan.event_ids[i];
      if (id == kAgencyEventId) continue;
      const std::optional<Member> member = ParseMemberId(id);
      if (!absl::StartsWith(id, own) || !member.has_value()) {
        Fail(result, absl::StrCat("position ", i + 1, " holds ", id,
                                  ", not an event of trial ", trial));
        continue;
      }
      Group& group = groups[member->group];
      if (group.n != 0 && group.n != member->n) {
        Fail(result, absl::StrCat("append ", member->group,
                                  " has events of different sizes"));
      }
      group.n = member->n;
      group.members.insert(member->k);
    }
    for (const auto& [name, group] : groups) {
      stored_groups.push_back(name);
      if (static_cast<int>(group.members.size()) != group.n) {
        Fail(result, absl::StrCat("append ", name,
                                  " is half-written: ", group.members.size(),
                                  " of its ", group.n, " events are stored"));
      }
    }
    CheckStreams(store, scan, result);
    CheckEventIdIndex(store, scan, before.size() + 1, result);
  }
  absl::flat_hash_set<std::string> acked_groups;
  for (const std::vector<Ack>& append : acks) {
    if (std::optional<Member> m = ParseMemberId(append.front().event_id))
      acked_groups.insert(m->group);
    bool whole = true;
    for (const Ack& ack : append) {
      // Every event of the child's is of its one agency.
      absl::StatusOr<std::optional<v1::Event>> found =
          store.FindByEventId(kAgencyId, ack.event_id);
      if (!found.ok()) {
        Fail(result, absl::StrCat("acknowledged ", ack.event_id, ": ",
                                  found.status().ToString()));
      } else if (!found->has_value()) {
        Fail(result, absl::StrCat("acknowledged ", ack.event_id, " (position ",
                                  ack.position, ") is not in the store"));
      } else if ((*found)->position() != ack.position ||
                 (*found)->version() != ack.version) {
        Fail(result,
             absl::StrCat("acknowledged ", ack.event_id, " at position ",
                          ack.position, " version ", ack.version,
                          " is stored at position ", (*found)->position(),
                          " version ", (*found)->version()));
      } else {
        continue;
      }
      whole = false;
    }
    if (whole) {
      ++result.acked_appends;
      result.acked_events += append.size();
    }
  }
  if (scanned) history.event_ids = std::move(scan.event_ids);
  for (const std::string& group : stored_groups)
    result.unacked_appends_stored += acked_groups.contains(group) ? 0 : 1;
  return result;
}

CheckResult CheckImport(const std::string& path,
                        const std::vector<std::string>& file_ids, size_t batch,
                        ImportRun run) {
  CheckResult result;
  const std::unique_ptr<EventStore> opened = OpenStore(path, result);
  if (opened == nullptr) return result;
  EventStore& store = *opened;
  LogScan scan;
  if (!ScanAll(store, "", scan, result)) return result;
  const size_t stored = scan.event_ids.size();
  result.events = stored;
  if (stored > file_ids.size()) {
    Fail(result, absl::StrCat("the store holds ", stored,
                              " events; the file has ", file_ids.size()));
  }
  for (size_t i = 0; i < stored && i < file_ids.size(); ++i) {
    if (scan.event_ids[i] != file_ids[i]) {
      Fail(result,
           absl::StrCat("position ", i + 1, " holds ", scan.event_ids[i],
                        "; the file's event ", i + 1, " is ", file_ids[i]));
      break;
    }
  }
  if (run == ImportRun::kCompleted && stored != file_ids.size()) {
    Fail(result, absl::StrCat("a completed import left ", stored, " of the ",
                              file_ids.size(), " events"));
  }
  // An import is one atomic step (engine/store_import.cc): the old head or
  // the whole file, never a part.
  (void)batch;
  if (stored != 0 && stored != file_ids.size()) {
    Fail(result, absl::StrCat("the store holds ", stored, " of the file's ",
                              file_ids.size(),
                              " events: the import is "
                              "half-written"));
  }
  if (std::filesystem::exists(path + "/ogi-import-staging")) {
    Fail(result,
         "the staging folder of an interrupted import is left after "
         "the store was opened");
  }
  CheckStreams(store, scan, result);
  CheckEventIdIndex(store, scan, 1, result);
  return result;
}

}  // namespace ogi::crash
