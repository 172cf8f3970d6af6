// The source of "now" for the engine: the UTC instant an event is recorded at
// (recordedAt), from which the recording date in the agency's calendar is
// derived. Injected so tests are deterministic (FakeClock in
// tests/testing/fake_clock.h).
#ifndef OGI_ENGINE_CLOCK_H_
#define OGI_ENGINE_CLOCK_H_

#include "absl/time/time.h"

namespace ogi {

// Thread-safe implementations only: the event store calls Now() from whichever
// thread leads a commit.
class Clock {
 public:
  virtual ~Clock() = default;
  // Returns the current UTC instant.
  virtual absl::Time Now() = 0;
};

// Returns the process-wide real-time clock. Thread-safe; never deleted.
Clock& SystemClock();

}  // namespace ogi

#endif  // OGI_ENGINE_CLOCK_H_
