// The one progress display of `ogi`: "\r<phase>: NN.N% (detail, ETA m:ss)"
// redrawn on standard error while long work runs, each phase ending at 100%
// with a newline. main() makes one for the command, drawing only when
// standard error is a terminal and --quiet is not given (piped output never
// carries it), and hands it to the store (EventStore::set_progress) so that
// verify, backup, restore and a long report index catch-up report to it;
// `ogi import` draws its two phases with the same class. Phases are named
// by catalogue messages (engine/progress.h), in the process's language.
//
// Thread-safe: the work may report from any thread.
#ifndef OGI_CLI_PROGRESS_H_
#define OGI_CLI_PROGRESS_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

#include "engine/clock.h"
#include "engine/progress.h"

namespace ogi {

class ProgressLine final : public ProgressSink {
 public:
  enum class Drawing { kOff, kOn };

  // Draws on `err` with kOn; with kOff every call does nothing. `err` and
  // `clock` (the ETA's) must outlive it.
  ProgressLine(std::ostream& err, Drawing drawing, Clock& clock);
  ~ProgressLine() override;
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  bool drawing() const { return on_; }

  // ProgressSink: `done` of `total` of `phase`.
  void Update(Msg phase, uint64_t done, uint64_t total) override;

  // `phase` is `fraction` (0..1) done; `detail` (e.g. "1,200 lines") is
  // shown beside the figure. A fraction of 1 ends the phase: drawn at 100%,
  // then a newline. Redraws only when the phase or the tenth of a percent
  // changes.
  void Show(absl::string_view phase, double fraction,
            absl::string_view detail = "");

  // Ends a line left open (the work failed or was interrupted mid-phase), so
  // that what is printed next starts on a line of its own.
  void Break();

 private:
  void Draw(double fraction, absl::string_view detail)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const bool on_;
  std::ostream& err_;
  Clock& clock_;
  absl::Mutex mu_;
  std::string phase_ ABSL_GUARDED_BY(mu_);
  absl::Time phase_start_ ABSL_GUARDED_BY(mu_);
  int shown_permille_ ABSL_GUARDED_BY(mu_) = -1;
  bool open_ ABSL_GUARDED_BY(mu_) = false;  // a line drawn, not yet ended
};

// "m:ss" (or "h:mm:ss") of a duration in whole seconds, for the ETA.
std::string FormatEta(int64_t seconds);

}  // namespace ogi

#endif  // OGI_CLI_PROGRESS_H_
