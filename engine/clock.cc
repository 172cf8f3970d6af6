// The real-time clock; the only place in the engine that reads the system time.
#include "engine/clock.h"

#include "absl/time/clock.h"

namespace ogi {
namespace {

class RealClock final : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
};

}  // namespace

Clock& SystemClock() {
  // Leaked on purpose: a function-local static that is never destroyed is safe
  // to use during shutdown.
  static RealClock* const clock = new RealClock;
  return *clock;
}

}  // namespace ogi
