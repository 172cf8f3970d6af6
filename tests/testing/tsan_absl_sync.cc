// ThreadSanitizer builds only (-DOGI_TSAN=ON): makes absl::Mutex, CondVar and
// Notification visible to TSan although Debian's Abseil is not instrumented.
//
// An uninstrumented absl::Mutex synchronizes through atomics and futexes TSan
// does not see, so every access it guards looks like a race. This file, linked
// into the TSan test binaries, defines the lock, unlock and wait entry points
// the binaries call (they take precedence over the shared library's), tells
// TSan of the happens-before edge each one makes (__tsan_release before a
// lock is given up, __tsan_acquire once it is held), and calls the library's
// own function for the work. A condition absl evaluates while waiting first
// acquires too, since absl may evaluate it before the wait returns (and in
// the thread that unlocks, so the waiter releases once it has built it).
// Nothing is suppressed: a race between two threads that do not share a lock is
// still reported. (A reader lock is treated as a full lock: two readers are
// ordered, so a race between two readers of one absl::Mutex would go unseen.)
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>
#include <string>

#include "absl/base/options.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace {

#define OGI_STR2(x) #x
#define OGI_STR(x) OGI_STR2(x)

// The mangled name of absl::<inline namespace>::REST; REST starting with "K"
// names a const member function.
std::string Mangled(std::string rest) {
  const std::string ns = OGI_STR(ABSL_OPTION_INLINE_NAMESPACE_NAME);
  std::string cv;
  if (rest.front() == 'K') {
    cv = "K";
    rest.erase(0, 1);
  }
  return "_ZN" + cv + "4absl" + std::to_string(ns.size()) + ns + rest;
}

// The shared library's definition of `rest`, looked up once.
template <class F>
F Real(const char* rest) {
  void* f = dlsym(RTLD_NEXT, Mangled(rest).c_str());
  if (f == nullptr) {
    std::fprintf(stderr, "tsan_absl_sync: no %s in Abseil\n", rest);
    std::abort();
  }
  return reinterpret_cast<F>(f);
}

void Acquire(const void* p) { __tsan_acquire(const_cast<void*>(p)); }
void Release(const void* p) { __tsan_release(const_cast<void*>(p)); }

// A condition read with `mu` held, by whichever thread absl has evaluate it:
// it acquires `mu` before it reads what `mu` guards, and releases after, as
// absl may give `mu` up again without an Unlock (the wait goes on).
struct Guarded {
  const absl::Condition* cond;
  absl::Mutex* mu;
  static bool Eval(Guarded* g) {
    Acquire(g->mu);
    const bool met = g->cond->Eval();
    Release(g->mu);
    return met;
  }
};

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

#define OGI_REAL(type, rest) static const auto real = Real<type>(rest)

void Mutex::Lock() {
  OGI_REAL(void (*)(Mutex*), "5Mutex4LockEv");
  real(this);
  Acquire(this);
}
void Mutex::ReaderLock() {
  OGI_REAL(void (*)(Mutex*), "5Mutex10ReaderLockEv");
  real(this);
  Acquire(this);
}
bool Mutex::TryLock() {
  OGI_REAL(bool (*)(Mutex*), "5Mutex7TryLockEv");
  const bool locked = real(this);
  if (locked) Acquire(this);
  return locked;
}
bool Mutex::ReaderTryLock() {
  OGI_REAL(bool (*)(Mutex*), "5Mutex13ReaderTryLockEv");
  const bool locked = real(this);
  if (locked) Acquire(this);
  return locked;
}
void Mutex::Unlock() {
  OGI_REAL(void (*)(Mutex*), "5Mutex6UnlockEv");
  Release(this);
  real(this);
}
void Mutex::ReaderUnlock() {
  OGI_REAL(void (*)(Mutex*), "5Mutex12ReaderUnlockEv");
  Release(this);
  real(this);
}

void Mutex::Await(const Condition& cond) {
  OGI_REAL(void (*)(Mutex*, const Condition&),
           "5Mutex5AwaitERKNS0_9ConditionE");
  Guarded g{&cond, this};
  const Condition wrapped(&Guarded::Eval, &g);
  Release(this);
  real(this, wrapped);
  Acquire(this);
}
bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  OGI_REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
           "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  Guarded g{&cond, this};
  const Condition wrapped(&Guarded::Eval, &g);
  Release(this);
  const bool met = real(this, wrapped, timeout);
  Acquire(this);
  return met;
}
bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  OGI_REAL(bool (*)(Mutex*, const Condition&, absl::Time),
           "5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  Guarded g{&cond, this};
  const Condition wrapped(&Guarded::Eval, &g);
  Release(this);
  const bool met = real(this, wrapped, deadline);
  Acquire(this);
  return met;
}
void Mutex::LockWhen(const Condition& cond) {
  OGI_REAL(void (*)(Mutex*, const Condition&),
           "5Mutex8LockWhenERKNS0_9ConditionE");
  Guarded g{&cond, this};
  const Condition wrapped(&Guarded::Eval, &g);
  Release(this);  // the thread that unlocks may evaluate `wrapped`
  real(this, wrapped);
  Acquire(this);
}
bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  OGI_REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
           "5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  Guarded g{&cond, this};
  const Condition wrapped(&Guarded::Eval, &g);
  Release(this);  // the thread that unlocks may evaluate `wrapped`
  const bool met = real(this, wrapped, timeout);
  Acquire(this);
  return met;
}
bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  OGI_REAL(bool (*)(Mutex*, const Condition&, absl::Time),
           "5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  Guarded g{&cond, this};
  const Condition wrapped(&Guarded::Eval, &g);
  Release(this);  // the thread that unlocks may evaluate `wrapped`
  const bool met = real(this, wrapped, deadline);
  Acquire(this);
  return met;
}
void Mutex::ReaderLockWhen(const Condition& cond) {
  OGI_REAL(void (*)(Mutex*, const Condition&),
           "5Mutex14ReaderLockWhenERKNS0_9ConditionE");
  Guarded g{&cond, this};
  const Condition wrapped(&Guarded::Eval, &g);
  Release(this);  // the thread that unlocks may evaluate `wrapped`
  real(this, wrapped);
  Acquire(this);
}

bool Mutex::ReaderLockWhenWithTimeout(const Condition& cond,
                                      absl::Duration timeout) {
  OGI_REAL(bool (*)(Mutex*, const Condition&, absl::Duration),
           "5Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  Guarded g{&cond, this};
  const Condition wrapped(&Guarded::Eval, &g);
  Release(this);  // the thread that unlocks may evaluate `wrapped`
  const bool met = real(this, wrapped, timeout);
  Acquire(this);
  return met;
}
bool Mutex::ReaderLockWhenWithDeadline(const Condition& cond,
                                       absl::Time deadline) {
  OGI_REAL(bool (*)(Mutex*, const Condition&, absl::Time),
           "5Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  Guarded g{&cond, this};
  const Condition wrapped(&Guarded::Eval, &g);
  Release(this);  // the thread that unlocks may evaluate `wrapped`
  const bool met = real(this, wrapped, deadline);
  Acquire(this);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  OGI_REAL(void (*)(CondVar*, Mutex*), "7CondVar4WaitEPNS0_5MutexE");
  Release(mu);
  real(this, mu);
  Acquire(mu);
}
bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  OGI_REAL(bool (*)(CondVar*, Mutex*, absl::Duration),
           "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  Release(mu);
  const bool timed_out = real(this, mu, timeout);
  Acquire(mu);
  return timed_out;
}
bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  OGI_REAL(bool (*)(CondVar*, Mutex*, absl::Time),
           "7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  Release(mu);
  const bool timed_out = real(this, mu, deadline);
  Acquire(mu);
  return timed_out;
}

void Notification::Notify() {
  OGI_REAL(void (*)(Notification*), "12Notification6NotifyEv");
  Release(this);
  real(this);
}
void Notification::WaitForNotification() const {
  OGI_REAL(void (*)(const Notification*),
           "K12Notification19WaitForNotificationEv");
  real(this);
  Acquire(this);
}
bool Notification::WaitForNotificationWithTimeout(
    absl::Duration timeout) const {
  OGI_REAL(bool (*)(const Notification*, absl::Duration),
           "K12Notification30WaitForNotificationWithTimeoutENS0_8DurationE");
  const bool notified = real(this, timeout);
  Acquire(this);
  return notified;
}
bool Notification::WaitForNotificationWithDeadline(absl::Time deadline) const {
  OGI_REAL(bool (*)(const Notification*, absl::Time),
           "K12Notification31WaitForNotificationWithDeadlineENS0_4TimeE");
  const bool notified = real(this, deadline);
  Acquire(this);
  return notified;
}

ABSL_NAMESPACE_END
}  // namespace absl
