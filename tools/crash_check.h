// What the crash harness (tools/crash_harness.cc) checks in a store after its
// writer was killed: the store opens, the log verifies, the indexes agree with
// it, every acknowledged append is where its answer said, and no request is
// half there.
//
// Each check opens the store with EventStore::Open (so it runs RocksDB's
// recovery, as a restart would), reads it through the public API only, and
// closes it before returning: no other process may hold the store meanwhile.
#ifndef OGI_TOOLS_CRASH_CHECK_H_
#define OGI_TOOLS_CRASH_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "tools/crash_protocol.h"

namespace ogi::crash {

struct CheckResult {
  uint64_t events = 0;         // events in the store
  uint64_t acked_appends = 0;  // acknowledged Appends found where they said
  uint64_t acked_events = 0;   // and their events
  // Appends found whole in the store that the child never acknowledged: it
  // was killed between the write and the ack.
  uint64_t unacked_appends_stored = 0;
  std::vector<std::string> failures;  // empty: every check passed
};

// The log as the previous check saw it: the eventId at each position (index
// position - 1). Later checks require it to be a prefix of the log, unchanged.
struct LogHistory {
  std::vector<std::string> event_ids;
};

// Checks the store at `path` after trial `trial` of `single` or `concurrent`
// mode, whose child acknowledged `acks` (one vector per Append):
//  - it opens; ScanLog(ChainCheck::kVerify) passes over the whole log, which
//    has HeadPosition() events, unique eventIds, and the stream counts Stats()
//    reports;
//  - `history` is an unchanged prefix of the log, and every event after it
//    belongs to this trial;
//  - every acknowledged event is found by FindByEventId at the position and
//    version its Append returned;
//  - every Append of this trial is whole: all of its events or none
//    (crash_protocol.h names each event's Append);
//  - each of this trial's cases reads back (ReadStream) as versions 1..n at
//    the positions the log holds, with its applicant's personal data
//    unsealed (the key went in with the event), and each new event's eventId
//    index entry points at its position.
// Sets `history` to the log now.
CheckResult CheckAppendTrial(const std::string& path, int trial,
                             const std::vector<std::vector<Ack>>& acks,
                             LogHistory& history);

enum class ImportRun { kKilled, kCompleted };

// Checks the store at `path`, written only by `ogi import --batch batch` of a
// file whose events have the eventIds `file_ids` in order, after an import run
// that was killed or completed: the log verifies as above and holds exactly
// the file's first N events in file order, where N is a whole number of
// batches or the whole file (the whole file if the run completed); every case
// reads back whole and every eventId index entry points at its event.
CheckResult CheckImport(const std::string& path,
                        const std::vector<std::string>& file_ids, size_t batch,
                        ImportRun run);

}  // namespace ogi::crash

#endif  // OGI_TOOLS_CRASH_CHECK_H_
