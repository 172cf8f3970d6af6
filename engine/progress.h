// How far a long piece of work has got: `ogi verify`'s scan of the log, the
// report index's catch-up, a backup's copy, a restore. The work reports to a
// ProgressSink it is given (EventStore::set_progress, EventStore::Restore);
// the CLI's one progress display (cli/progress.h) is the sink on a terminal,
// and no sink is set when nobody watches (piped, --quiet, the service, tests).
//
// Each phase is named by a message of the catalogue (engine/messages.h), so
// the display speaks the process's language. A phase ends when it reports
// done == total; one whose size is not known reports 0 of 1, then 1 of 1.
#ifndef OGI_ENGINE_PROGRESS_H_
#define OGI_ENGINE_PROGRESS_H_

#include <cstdint>

#include "engine/messages.h"

namespace ogi {

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  // `done` of `total` units of `phase` are done. Called from the thread doing
  // the work, possibly often; implementations must be cheap and thread-safe.
  virtual void Update(Msg phase, uint64_t done, uint64_t total) = 0;
};

// Sends updates to `sink` (which may be null) at most every `step` units,
// and always the last one.
class ProgressTicker {
 public:
  ProgressTicker(ProgressSink* sink, Msg phase, uint64_t total,
                 uint64_t step = 16384)
      : sink_(sink), phase_(phase), total_(total), step_(step) {
    if (sink_ != nullptr) sink_->Update(phase_, 0, total_);
  }
  void Tick(uint64_t done) {
    if (sink_ == nullptr || done < next_) return;
    next_ = done + step_;
    sink_->Update(phase_, done, total_);
  }
  void Finish() {
    if (sink_ != nullptr) sink_->Update(phase_, total_, total_);
  }

 private:
  ProgressSink* const sink_;
  const Msg phase_;
  const uint64_t total_;
  const uint64_t step_;
  uint64_t next_ = 0;
};

}  // namespace ogi

#endif  // OGI_ENGINE_PROGRESS_H_
