// The crash harness's modes; see crash_modes.h.
#include "tools/crash_modes.h"

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "rocksdb/db.h"

#include "engine/json_codec.h"
#include "engine/key_codec.h"
#include "gen/gen_log.h"
#include "tools/crash_check.h"
#include "tools/crash_child.h"
#include "tools/crash_process.h"
#include "tools/crash_protocol.h"

namespace ogi::crash {
namespace {

namespace fs = std::filesystem;

// Deletes the "log" entry at `position`, as a lost write would (the harness's
// own test, Sabotage::kDropAcked). Returns why it could not, or "".
std::string DropLogEntry(const std::string& path, uint64_t position) {
  std::vector<std::string> names;
  rocksdb::Status s =
      rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names);
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const std::string& name : names)
    families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  if (s.ok())
    s = rocksdb::DB::Open(rocksdb::DBOptions(), path, families, &handles, &db);
  if (!s.ok()) return absl::StrCat("sabotage: ", s.ToString());
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == kLogFamily) {
      s = db->Delete(rocksdb::WriteOptions(), handles[i],
                     EncodePosition(position));
    }
  }
  for (auto* handle : handles) (void)db->DestroyColumnFamilyHandle(handle);
  delete db;
  return s.ok() ? "" : absl::StrCat("sabotage: ", s.ToString());
}

// Prints a trial's failures; returns whether there were none.
bool Report(const CheckResult& result, absl::string_view what,
            Summary& summary) {
  for (const std::string& failure : result.failures)
    std::fprintf(stderr, "crash_harness: FAIL %s: %s\n",
                 std::string(what).c_str(), failure.c_str());
  summary.failures += result.failures.size();
  return result.failures.empty();
}

// Returns the generated file's eventIds in order; writes the file to `path`.
absl::StatusOr<std::vector<std::string>> WriteImportFile(
    const HarnessOptions& options, const std::string& path) {
  std::ofstream out(path, std::ios::binary);
  std::vector<std::string> ids;
  absl::Status bad;
  GenOptions gen{.agencies = 3,
                 .first_year = 2022,
                 .last_year = 2023,
                 .cases_per_year = options.import_cases,
                 .seed = options.seed};
  GenerateLog(gen, [&](absl::string_view line) {
    out << line << "\n";
    absl::StatusOr<v1::Event> event =
        ParseEventJson(line, EngineFields::kRefuse);
    if (!event.ok() || event->event_id().empty()) {
      bad = absl::InternalError(
          absl::StrCat("generated line without an eventId: ", line));
    }
    ids.push_back(event.ok() ? event->event_id() : "");
  });
  out.close();
  if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", path));
  if (!bad.ok()) return bad;
  return ids;
}

}  // namespace

Verifier::Verifier(std::string ogi, const std::string& scratch)
    : ogi_(std::move(ogi)) {
  if (ogi_.empty()) return;
  const std::string out = scratch + "/ogi-help.out";
  absl::StatusOr<pid_t> pid = Spawn({ogi_, "--help"}, out, -1);
  if (!pid.ok()) return;
  (void)KillAfter(*pid, absl::Seconds(30));  // the text tells
  for (absl::string_view line : absl::StrSplit(Tail(out, 1 << 16), '\n')) {
    if (absl::StartsWith(line, "  verify ")) available_ = true;
  }
}

std::string Verifier::Run(const std::string& path,
                          const std::string& out) const {
  absl::StatusOr<pid_t> pid = Spawn({ogi_, "--db", path, "verify"}, out, -1);
  if (!pid.ok()) return std::string(pid.status().message());
  const Ending ending = KillAfter(*pid, absl::Minutes(5));
  if (!ending.killed && ending.exit_code == 0) return "";
  return absl::StrCat("ogi verify: ", Describe(ending), ": ", Tail(out, 2000));
}

std::string Self() {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/self/exe", ec).string();
}

void RunAppendMode(const HarnessOptions& options, const std::string& mode,
                   const std::string& dir, const Verifier& verifier,
                   Summary& summary) {
  const std::string child_out = dir + "/child.out";
  std::mt19937_64 rng(options.seed * 7919 + mode.size());
  const int max_delay = options.max_delay_ms > 0 ? options.max_delay_ms : 400;
  std::string store;
  LogHistory history;
  for (int trial = 0; trial < options.trials; ++trial) {
    if (trial % options.trials_per_store == 0) {
      // A passed store is not needed any more; the next starts empty.
      if (!store.empty()) fs::remove_all(store);
      store = absl::StrCat(dir, "/store", trial / options.trials_per_store);
      history = LogHistory();
    }
    const int delay_ms = static_cast<int>(rng() % (max_delay + 1));
    const std::string what =
        absl::StrFormat("%s trial %d (seed %d, kill after %d ms)", mode, trial,
                        options.seed, delay_ms);
    ++summary.trials;
    CheckResult result;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
      result.failures.push_back("pipe2 failed");
      Report(result, what, summary);
      return;
    }
    std::vector<std::string> args = {
        Self(),
        "--child",
        mode,
        "--dir",
        store,
        "--trial",
        absl::StrCat(trial),
        "--seed",
        absl::StrCat(options.seed),
        "--threads",
        absl::StrCat(mode == "single" ? 0 : options.threads),
        "--ack-fd",
        absl::StrCat(fds[1])};
    absl::StatusOr<pid_t> pid = Spawn(args, child_out, fds[1]);
    close(fds[1]);
    PipeReader reader(fds[0]);
    if (!pid.ok()) {
      result.failures.push_back(std::string(pid.status().message()));
      Report(result, what, summary);
      return;
    }
    // Every other trial counts its delay from the child's first
    // acknowledgement rather than from its start, so that a slow start on a
    // loaded machine cannot use up the delay: some kills always land while
    // appends are acknowledged, the others anywhere from the open on.
    if (trial % 2 == 1) (void)reader.WaitForFirstLine(absl::Seconds(60));
    const Ending ending = KillAfter(*pid, absl::Milliseconds(delay_ms));
    const std::string text = reader.Finish();
    if (ending.killed) ++summary.kills;
    absl::StatusOr<std::vector<std::vector<Ack>>> acks = ParseAckLines(text);
    if (!ending.killed) {
      result.failures.push_back(
          absl::StrCat("the child ended before the kill: ", Describe(ending),
                       ": ", Tail(child_out, 2000)));
    } else if (!acks.ok()) {
      result.failures.push_back(std::string(acks.status().message()));
    } else {
      if (options.sabotage == Sabotage::kPhantomAck) {
        acks->push_back({{MemberId(absl::StrCat("t", trial, ".phantom"), 1, 1),
                          uint64_t{1} << 40, 1}});
      }
      std::string sabotaged;
      if (options.sabotage == Sabotage::kDropAcked && !acks->empty()) {
        sabotaged =
            DropLogEntry(store, (*acks)[acks->size() / 2].back().position);
      }
      result = CheckAppendTrial(store, trial, *acks, history);
      if (!sabotaged.empty()) result.failures.push_back(sabotaged);
      ++summary.checks;
      if (result.failures.empty() && verifier.available()) {
        std::string failed = verifier.Run(store, dir + "/verify.out");
        if (!failed.empty()) result.failures.push_back(std::move(failed));
      }
    }
    summary.acked_appends += result.acked_appends;
    summary.in_flight += result.unacked_appends_stored;
    summary.acked_events += result.acked_events;
    summary.events_checked += result.events;
    if (options.verbose) {
      std::fprintf(stderr,
                   "crash_harness: %s: %llu appends acknowledged, %llu "
                   "events in the store\n",
                   what.c_str(),
                   static_cast<unsigned long long>(result.acked_appends),
                   static_cast<unsigned long long>(result.events));
    }
    if (!Report(result, what, summary)) return;
  }
}

void RunImportMode(const HarnessOptions& options, const std::string& dir,
                   const Verifier& verifier, Summary& summary) {
  const std::string file = dir + "/log.jsonl";
  const std::string ogi_out = dir + "/ogi.out";
  CheckResult setup;
  absl::StatusOr<std::vector<std::string>> ids = WriteImportFile(options, file);
  if (!ids.ok()) {
    setup.failures.push_back(std::string(ids.status().message()));
    Report(setup, "import setup", summary);
    return;
  }
  // One run of `ogi import`, killed after `delay` (absl::InfiniteDuration():
  // never). Checks the store after it; returns whether all passed.
  absl::Duration last_run;  // how long the last ogi import ran
  // `interrupt`: SIGINT instead of SIGKILL, after which `ogi import` must end
  // by itself, saying nothing was written (or, if it was committing, having
  // imported the whole file).
  auto run = [&](const std::string& store, absl::Duration delay,
                 const std::string& what, bool interrupt = false) {
    CheckResult result;
    absl::StatusOr<pid_t> pid =
        Spawn({options.ogi, "--db", store, "import", file}, ogi_out, -1);
    if (!pid.ok()) {
      result.failures.push_back(std::string(pid.status().message()));
      return Report(result, what, summary);
    }
    const bool to_end = delay == absl::InfiniteDuration();
    const absl::Time start = absl::Now();
    Ending ending = to_end      ? KillAfter(*pid, absl::Minutes(10))
                    : interrupt ? InterruptAfter(*pid, delay)
                                : KillAfter(*pid, delay);
    last_run = absl::Now() - start;
    if (interrupt && !ending.killed && ending.signal == SIGINT) {
      // Interrupted before main set its handler: the default action, a kill.
      ++summary.kills;
      ending.killed = true;
    } else if (interrupt && !ending.killed && ending.exit_code != 0) {
      if (Tail(ogi_out, 2000).find("nothing was written") ==
          std::string::npos) {
        result.failures.push_back(absl::StrCat(
            "ogi import after SIGINT: ", Describe(ending),
            " without saying nothing was written: ", Tail(ogi_out, 2000)));
        return Report(result, what, summary);
      }
      ++summary.kills;
      ending.killed = true;  // checked as an interrupted run
    } else if (ending.killed && !to_end) {
      ++summary.kills;
    } else if (ending.killed || ending.exit_code != 0) {
      result.failures.push_back(absl::StrCat("ogi import: ", Describe(ending),
                                             ": ", Tail(ogi_out, 2000)));
      return Report(result, what, summary);
    }
    const ImportRun outcome =
        ending.killed ? ImportRun::kKilled : ImportRun::kCompleted;
    std::string sabotaged;
    if (options.sabotage == Sabotage::kDropAcked &&
        outcome == ImportRun::kCompleted) {
      sabotaged = DropLogEntry(store, ids->size() / 2);
    }
    result = CheckImport(store, *ids, options.import_batch, outcome);
    if (!sabotaged.empty()) result.failures.push_back(sabotaged);
    if (result.events > 0 && result.events < ids->size()) ++summary.in_flight;
    if (options.verbose) {
      std::fprintf(stderr, "crash_harness: %s: %s, %llu events in the store\n",
                   what.c_str(), Describe(ending).c_str(),
                   static_cast<unsigned long long>(result.events));
    }
    ++summary.checks;
    summary.events_checked += result.events;
    if (outcome == ImportRun::kCompleted && result.failures.empty()) {
      ++summary.acked_appends;  // the whole file, acknowledged by exit 0
      summary.acked_events += result.events;
    }
    if (result.failures.empty() && verifier.available()) {
      std::string failed = verifier.Run(store, dir + "/verify.out");
      if (!failed.empty()) result.failures.push_back(std::move(failed));
    }
    return Report(result, what, summary);
  };

  int max_delay = options.max_delay_ms;
  if (max_delay <= 0) {
    // Calibrate: the faster of two whole imports, so kills land anywhere in
    // a run (and now and then just after it).
    absl::Duration fastest = absl::InfiniteDuration();
    for (int i = 0; i < 2; ++i) {
      const std::string store = absl::StrCat(dir, "/calibration", i);
      if (!run(store, absl::InfiniteDuration(), "import calibration")) return;
      fastest = std::min(fastest, last_run);
      fs::remove_all(store);
    }
    max_delay = static_cast<int>(absl::ToDoubleMilliseconds(fastest));
  }
  std::fprintf(stderr,
               "crash_harness: import of %zu events (one atomic step), "
               "SIGKILL or SIGINT within %d ms\n",
               ids->size(), max_delay);
  std::mt19937_64 rng(options.seed * 7919 + 6);
  for (int trial = 0; trial < options.trials; ++trial) {
    ++summary.trials;
    const std::string store = absl::StrCat(dir, "/t", trial);
    const int kills = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < kills; ++k) {
      const int delay_ms = static_cast<int>(rng() % (max_delay + 1));
      const bool interrupt = rng() % 2 == 0;
      if (!run(store, absl::Milliseconds(delay_ms),
               absl::StrFormat("import trial %d run %d (seed %d, %s after "
                               "%d ms)",
                               trial, k + 1, options.seed,
                               interrupt ? "SIGINT" : "kill -9", delay_ms),
               interrupt)) {
        return;
      }
    }
    if (!run(store, absl::InfiniteDuration(),
             absl::StrFormat("import trial %d final run (seed %d)", trial,
                             options.seed))) {
      return;
    }
    fs::remove_all(store);
  }
}

}  // namespace ogi::crash
