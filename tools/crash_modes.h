// The crash harness's modes (tools/crash_harness.cc): the trial loops of
// `single`, `concurrent` and `import`, each starting a child, killing it and
// checking the store (tools/crash_check.h).
#ifndef OGI_TOOLS_CRASH_MODES_H_
#define OGI_TOOLS_CRASH_MODES_H_

#include <cstddef>
#include <cstdint>
#include <string>

namespace ogi::crash {

// Deliberate faults, for the harness's own test: each must be reported as a
// failure.
enum class Sabotage {
  kNone,
  kPhantomAck,  // an ack for an Append that never happened
  kDropAcked,   // an acknowledged event deleted from the store
};

struct HarnessOptions {
  std::string dir;    // the work directory; each mode works in DIR/<mode>
  int trials = 20;    // per mode
  uint64_t seed = 1;  // of the kill delays and the children's workload
  // Kills land uniformly in [0, max_delay_ms] after the child starts. 0: 400
  // for single and concurrent, a calibrated whole import for import.
  int max_delay_ms = 0;
  int trials_per_store = 50;   // single and concurrent
  std::string ogi;             // the ogi binary; required for import
  int threads = 4;             // concurrent
  int import_cases = 2000;     // per year of the generated file (2 years)
  size_t import_batch = 1000;  // ogi import --batch
  Sabotage sabotage = Sabotage::kNone;
  bool verbose = false;  // a line per trial on stderr
};

struct Summary {
  int trials = 0;
  uint64_t kills = 0;
  uint64_t checks = 0;
  uint64_t acked_appends = 0;
  uint64_t acked_events = 0;
  uint64_t events_checked = 0;  // events in the store, summed over checks
  // Kills that hit an append in flight: single and concurrent, Appends found
  // stored whole but never acknowledged; import, runs that left part of the
  // file stored.
  uint64_t in_flight = 0;
  uint64_t failures = 0;
};

// Returns this executable's path (the child runs it again).
std::string Self();

// `ogi verify`, when the binary has it. Thread-compatible.
class Verifier {
 public:
  // Asks `ogi --help` whether it has `verify`, writing its output under
  // `scratch`. An empty `ogi` is never available.
  Verifier(std::string ogi, const std::string& scratch);
  bool available() const { return available_; }

  // Runs `ogi --db PATH verify`, its output to the file `out`; returns why it
  // failed, or "".
  std::string Run(const std::string& path, const std::string& out) const;

 private:
  std::string ogi_;
  bool available_ = false;
};

// single or concurrent (`mode`): `options.trials` children, each killed once,
// on stores under `dir`. Adds to `summary` and prints each failure; the
// first failing trial ends the mode.
void RunAppendMode(const HarnessOptions& options, const std::string& mode,
                   const std::string& dir, const Verifier& verifier,
                   Summary& summary);

// import: per trial a fresh store under `dir`, 1-3 killed runs of
// `options.ogi import`, then one to completion.
void RunImportMode(const HarnessOptions& options, const std::string& dir,
                   const Verifier& verifier, Summary& summary);

}  // namespace ogi::crash

#endif  // OGI_TOOLS_CRASH_MODES_H_
