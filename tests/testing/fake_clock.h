// A settable clock for deterministic tests.
#ifndef OGI_TESTS_TESTING_FAKE_CLOCK_H_
#define OGI_TESTS_TESTING_FAKE_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

#include "engine/civil_date.h"
#include "engine/clock.h"

namespace ogi::testing {

// Thread-safe.
class FakeClock final : public Clock {
 public:
  // Starts at noon (agency time) of `day`.
  explicit FakeClock(absl::CivilDay day = absl::CivilDay(2024, 6, 1)) {
    SetDay(day);
  }

  absl::Time Now() override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Set(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }
  // Sets the clock to noon of `day` in the agency calendar.
  void SetDay(absl::CivilDay day) {
    Set(absl::FromCivil(absl::CivilSecond(day) + 12 * 3600, AgencyTimeZone()));
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace ogi::testing

#endif  // OGI_TESTS_TESTING_FAKE_CLOCK_H_
