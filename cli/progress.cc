// The progress display; see progress.h.
#include "cli/progress.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace ogi {

std::string FormatEta(int64_t seconds) {
  seconds = std::max<int64_t>(seconds, 0);
  if (seconds >= 3600) {
    return absl::StrFormat("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60,
                           seconds % 60);
  }
  return absl::StrFormat("%d:%02d", seconds / 60, seconds % 60);
}

ProgressLine::ProgressLine(std::ostream& err, Drawing drawing, Clock& clock)
    : on_(drawing == Drawing::kOn), err_(err), clock_(clock) {}

ProgressLine::~ProgressLine() { Break(); }

void ProgressLine::Update(Msg phase, uint64_t done, uint64_t total) {
  if (!on_) return;
  const double fraction = total == 0
                              ? 1.0
                              : std::min(1.0, static_cast<double>(done) /
                                                  static_cast<double>(total));
  Show(Text(phase), fraction);
}

void ProgressLine::Show(absl::string_view phase, double fraction,
                        absl::string_view detail) {
  if (!on_) return;
  fraction = std::clamp(fraction, 0.0, 1.0);
  absl::MutexLock lock(&mu_);
  if (phase != phase_) {
    if (open_) err_ << "\n";
    open_ = false;
    phase_ = std::string(phase);
    phase_start_ = clock_.Now();
    shown_permille_ = -1;
  }
  const int permille = static_cast<int>(fraction * 1000);
  if (permille == shown_permille_) return;
  shown_permille_ = permille;
  Draw(fraction, detail);
  if (fraction >= 1.0) {
    err_ << "\n" << std::flush;
    open_ = false;
  }
}

void ProgressLine::Draw(double fraction, absl::string_view detail) {
  std::string extra(detail);
  if (fraction > 0.01 && fraction < 1.0) {
    const double elapsed = absl::ToDoubleSeconds(clock_.Now() - phase_start_);
    const std::string eta =
        FormatEta(static_cast<int64_t>(elapsed / fraction * (1.0 - fraction)));
    extra = extra.empty() ? Text(Msg::kProgressEta, eta)
                          : Text(Msg::kProgressDetailEta, extra, eta);
  }
  const std::string percent = absl::StrFormat("%5.1f", 100.0 * fraction);
  err_ << "\r"
       << (extra.empty()
               ? Text(Msg::kProgressLine, phase_, percent)
               : Text(Msg::kProgressLineDetail, phase_, percent, extra))
       << "   " << std::flush;
  open_ = true;
}

void ProgressLine::Break() {
  if (!on_) return;
  absl::MutexLock lock(&mu_);
  if (open_) err_ << "\n" << std::flush;
  open_ = false;
  phase_.clear();
  shown_permille_ = -1;
}

}  // namespace ogi
