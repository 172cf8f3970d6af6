// crash_harness: kills a writer of the store with SIGKILL at random moments and
// checks, after each kill, that a restart finds every acknowledged append,
// nothing half-written, a log that verifies and indexes that agree with it
// (docs/DURABILITY.md). Flags and the summary only; the modes are in
// crash_modes.h.
//
//   crash_harness [--mode single,concurrent,import|all] [--trials 20]
//                 [--seed 1] [--dir DIR] [--max-delay-ms N] [--ogi PATH]
//                 [--threads 4] [--trials-per-store 50] [--import-cases 2000]
//                 [--import-batch 1000] [--keep] [--verbose]
//                 [--sabotage none|phantom-ack|drop-acked]
//
// Modes (each a child process, killed after a seeded random delay):
//  - single: one thread appends one event per Append, sequentially;
//  - concurrent: --threads threads append 1-5 events of distinct cases per
//    Append, through the store's group commit;
//  - import: the real `ogi import FILE` of a generated log, stopped 1-3 times
//    per trial (SIGKILL, or SIGINT after which it must say nothing was
//    written), each time leaving the old head or the whole file, then run to
//    completion. --import-batch is no longer used (an import is one step).
// single and concurrent accumulate on one store for --trials-per-store trials
// (trial T's events are named "t<T>..."), so later trials recover from a store
// that earlier kills left behind, then start a fresh one, which bounds the
// cost of checking the whole store after every kill; import starts each trial
// on a fresh store, since it checks the store against the file event by
// event. After every check, if the ogi binary has a `verify` command, it runs
// too. The first failing trial ends its mode and keeps the directory. Prints
// one summary line per mode; exits 1 on any failure, 2 on bad usage.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

#include "engine/messages.h"
#include "tools/crash_child.h"
#include "tools/crash_modes.h"

namespace ogi::crash {
namespace {

namespace fs = std::filesystem;

int RunHarness(HarnessOptions options, const std::string& mode_list,
               bool keep) {
  std::vector<std::string> modes = absl::StrSplit(mode_list, ',');
  if (mode_list == "all") modes = {"single", "concurrent", "import"};
  for (const std::string& mode : modes) {
    if (mode != "single" && mode != "concurrent" && mode != "import") {
      std::fprintf(stderr, "crash_harness: unknown mode %s\n", mode.c_str());
      return 2;
    }
  }
  if (options.ogi.empty()) {
    // In a build tree the harness is build/tools/crash_harness.
    const fs::path sibling = fs::path(Self()).parent_path() / "../cli/ogi";
    std::error_code ec;
    if (fs::exists(sibling, ec)) options.ogi = fs::canonical(sibling, ec);
  }
  if (!options.ogi.empty() && access(options.ogi.c_str(), X_OK) != 0) {
    std::fprintf(stderr, "crash_harness: %s is not an executable\n",
                 options.ogi.c_str());
    return 2;
  }
  const bool own_dir = options.dir.empty();
  if (own_dir) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
        "/ogi-crash-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      std::fprintf(stderr, "crash_harness: cannot create %s\n",
                   pattern.c_str());
      return 2;
    }
    options.dir = pattern;
  }
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  const Verifier verifier(options.ogi, options.dir);
  std::fprintf(stderr, "crash_harness: dir %s; ogi %s; ogi verify %s\n",
               options.dir.c_str(),
               options.ogi.empty() ? "(none)" : options.ogi.c_str(),
               verifier.available() ? "runs after each check"
                                    : "not available (ScanLog checks only)");
  bool all_passed = true;
  for (const std::string& mode : modes) {
    const std::string dir = options.dir + "/" + mode;
    Summary summary;
    const absl::Time start = absl::Now();
    if (fs::exists(dir, ec)) {
      std::fprintf(stderr, "crash_harness: %s exists; use a fresh --dir\n",
                   dir.c_str());
      return 2;
    }
    fs::create_directories(dir, ec);
    if (mode == "import" && options.ogi.empty()) {
      std::fprintf(stderr, "crash_harness: import mode needs --ogi\n");
      ++summary.failures;
    } else if (mode == "import") {
      RunImportMode(options, dir, verifier, summary);
    } else {
      RunAppendMode(options, mode, dir, verifier, summary);
    }
    std::printf(
        "crash_harness: mode=%s trials=%d kills=%llu checks=%llu "
        "acked_appends=%llu acked_events=%llu events_checked=%llu "
        "in_flight=%llu ogi_verify=%s failures=%llu seconds=%.1f\n",
        mode.c_str(), summary.trials,
        static_cast<unsigned long long>(summary.kills),
        static_cast<unsigned long long>(summary.checks),
        static_cast<unsigned long long>(summary.acked_appends),
        static_cast<unsigned long long>(summary.acked_events),
        static_cast<unsigned long long>(summary.events_checked),
        static_cast<unsigned long long>(summary.in_flight),
        verifier.available() ? "yes" : "no",
        static_cast<unsigned long long>(summary.failures),
        absl::ToDoubleSeconds(absl::Now() - start));
    std::fflush(stdout);
    if (summary.failures > 0) {
      all_passed = false;
      std::fprintf(stderr, "crash_harness: %s kept for inspection\n",
                   dir.c_str());
    } else if (!keep) {
      fs::remove_all(dir, ec);
    }
  }
  if (all_passed && own_dir && !keep) fs::remove_all(options.dir, ec);
  return all_passed ? 0 : 1;
}

}  // namespace
}  // namespace ogi::crash

int main(int argc, char** argv) {
  using namespace ogi::crash;
  // This tool speaks English and reads what the ogi processes it starts say:
  // they inherit OGI_LANG, and the engine's messages in this process follow
  // it (docs/MESSAGES.md).
  setenv("OGI_LANG", "en", 1);
  ogi::SetProcessLanguage(ogi::Language::kEnglish);
  CLI::App app{"crash_harness: SIGKILL a store writer, then check the store"};
  HarnessOptions options;
  std::string modes = "all";
  std::string sabotage = "none";
  bool keep = false;
  app.add_option("--mode", modes,
                 "single, concurrent, import (comma list) or all");
  app.add_option("--trials", options.trials, "trials per mode")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--seed", options.seed,
                 "seed of the kill delays and the workload");
  app.add_option("--dir", options.dir,
                 "work directory (default: a new one under $TMPDIR or /tmp)");
  app.add_option("--max-delay-ms", options.max_delay_ms,
                 "kill within this many ms of the start (default: 400; import: "
                 "1.1 x a calibration import)");
  app.add_option(
         "--trials-per-store", options.trials_per_store,
         "single and concurrent: trials on one store before a fresh one")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--ogi", options.ogi,
                 "the ogi binary (import mode; ogi verify)");
  app.add_option("--threads", options.threads,
                 "writer threads (concurrent mode)")
      ->check(CLI::Range(0, 256));
  app.add_option("--import-cases", options.import_cases,
                 "cases per year of the generated import file (two years)");
  app.add_option("--import-batch", options.import_batch, "ogi import --batch")
      ->check(CLI::Range(1, 1000000));
  app.add_flag("--keep", keep, "keep the work directory even if all passed");
  app.add_flag("--verbose", options.verbose, "a line per trial");
  app.add_option("--sabotage", sabotage,
                 "none, phantom-ack or drop-acked: a fault the harness must "
                 "report (its own test)")
      ->check(CLI::IsMember({"none", "phantom-ack", "drop-acked"}));
  // The child's side, set only when the harness runs itself.
  std::string child;
  int trial = 0;
  int ack_fd = -1;
  app.add_option("--child", child)->group("");
  app.add_option("--trial", trial)->group("");
  app.add_option("--ack-fd", ack_fd)->group("");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  options.sabotage = sabotage == "phantom-ack"  ? Sabotage::kPhantomAck
                     : sabotage == "drop-acked" ? Sabotage::kDropAcked
                                                : Sabotage::kNone;
  if (!child.empty()) {
    return RunAppendChild({.db = options.dir,
                           .trial = trial,
                           .seed = options.seed,
                           .threads = options.threads,
                           .ack_fd = ack_fd});
  }
  return RunHarness(options, modes, keep);
}
