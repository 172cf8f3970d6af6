// The crash harness's child workload; see crash_child.h.
//
// Cases are named after the trial ("t<trial>-..."), so trials on one store
// never touch each other's streams, and an event is appended to a case only
// after the case's `received` was acknowledged, so every Append the child
// makes is one the engine accepts: any refusal is a failure.
#include "tools/crash_child.h"

#include <climits>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

#include "engine/clock.h"
#include "engine/event_store.h"
#include "proto/event.pb.h"
#include "tools/crash_protocol.h"

namespace ogi::crash {
namespace {

constexpr char kDate[] = "2024-05-01";

v1::Event AgencyRegistration() {
  v1::Event e;
  e.set_event_id(kAgencyEventId);
  e.set_agency_id(kAgencyId);
  e.set_occurred_on("2019-01-01");
  e.mutable_agency_registered()->set_name("崩溃测试局");
  return e;
}

v1::Event Received(const std::string& case_id, const std::string& event_id) {
  v1::Event e;
  e.set_event_id(event_id);
  e.set_case_id(case_id);
  e.set_agency_id(kAgencyId);
  e.set_occurred_on(kDate);
  v1::Received* received = e.mutable_received();
  received->mutable_applicant()->set_category(v1::Applicant::NATURAL_PERSON);
  received->mutable_applicant()->set_name("张某");
  received->set_channel(v1::Received::ONLINE);
  received->set_description("申请公开某项目的环境影响评价文件");
  return e;
}

// A step a case may take any number of times before its answer.
v1::Event Reviewed(const std::string& case_id, const std::string& event_id) {
  v1::Event e;
  e.set_event_id(event_id);
  e.set_case_id(case_id);
  e.set_occurred_on(kDate);
  e.mutable_reviewed()->set_decision(v1::Reviewed::APPROVED);
  return e;
}

// The cases of this trial whose `received` was acknowledged. Thread-safe.
class CasePool {
 public:
  void Add(std::string case_id) {
    absl::MutexLock lock(&mu_);
    cases_.push_back(std::move(case_id));
  }
  // Returns up to `count` distinct acknowledged cases, chosen by `rng`.
  std::vector<std::string> Pick(size_t count, std::mt19937_64& rng) {
    absl::MutexLock lock(&mu_);
    std::vector<std::string> picked;
    for (size_t i = 0; i < count && i < cases_.size(); ++i) {
      // A partial Fisher-Yates shuffle: the first i entries are the picks.
      const size_t j = i + rng() % (cases_.size() - i);
      std::swap(cases_[i], cases_[j]);
      picked.push_back(cases_[i]);
    }
    return picked;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::string> cases_ ABSL_GUARDED_BY(mu_);
};

// Exits the process: the harness reads a failed child from its exit status.
[[noreturn]] void Die(const std::string& what, int code) {
  std::fprintf(stderr, "crash_harness child: %s\n", what.c_str());
  std::fflush(stderr);
  _exit(code);
}

// Writes one ack line in a single write(2) (atomic on a pipe up to PIPE_BUF).
void Report(int fd, const std::vector<Ack>& acks) {
  const std::string line = FormatAckLine(acks);
  if (line.size() > PIPE_BUF) Die("ack line longer than PIPE_BUF", 5);
  if (write(fd, line.data(), line.size()) !=
      static_cast<ssize_t>(line.size())) {
    Die("cannot write to the ack pipe", 5);
  }
}

// Appends `events` and reports them; dies on any refusal.
void AppendAndReport(EventStore& store, int fd,
                     const std::vector<v1::Event>& events) {
  absl::StatusOr<std::vector<AppendedEvent>> appended = store.Append(events);
  if (!appended.ok()) {
    Die(absl::StrCat("append of ", events.front().event_id(),
                     " refused: ", appended.status().ToString()),
        4);
  }
  std::vector<Ack> acks;
  for (size_t i = 0; i < events.size(); ++i) {
    acks.push_back({events[i].event_id(), (*appended)[i].position,
                    (*appended)[i].version});
  }
  Report(fd, acks);
}

// One writer: `thread` < 0 is the single mode's only writer.
void Writer(EventStore& store, const ChildOptions& options, int thread,
            CasePool& pool) {
  std::mt19937_64 rng(options.seed * 1000003 + options.trial * 101 + thread +
                      1);
  const std::string group_prefix =
      thread < 0 ? absl::StrCat("t", options.trial)
                 : absl::StrCat("t", options.trial, ".w", thread);
  const std::string case_prefix =
      thread < 0 ? absl::StrCat("t", options.trial, "-c")
                 : absl::StrCat("t", options.trial, "-w", thread, "-c");
  for (uint64_t g = 0;; ++g) {
    const int n = thread < 0 ? 1 : 1 + static_cast<int>(rng() % 5);
    // About half the events open a case, the rest review an open one.
    std::vector<std::string> existing = pool.Pick(rng() % (n + 1), rng);
    const std::string group = absl::StrCat(group_prefix, ".g", g);
    std::vector<v1::Event> events;
    std::vector<std::string> opened;
    for (int k = 1; k <= n; ++k) {
      const std::string id = MemberId(group, k, n);
      if (static_cast<size_t>(k) <= existing.size()) {
        events.push_back(Reviewed(existing[k - 1], id));
      } else {
        opened.push_back(absl::StrCat(case_prefix, g, "-", k));
        events.push_back(Received(opened.back(), id));
      }
    }
    AppendAndReport(store, options.ack_fd, events);
    for (std::string& case_id : opened) pool.Add(std::move(case_id));
  }
}

}  // namespace

int RunAppendChild(const ChildOptions& options) {
  absl::StatusOr<std::unique_ptr<EventStore>> store =
      EventStore::Open({.path = options.db, .clock = &SystemClock()});
  if (!store.ok()) Die(store.status().ToString(), 3);
  AppendAndReport(**store, options.ack_fd, {AgencyRegistration()});
  CasePool pool;
  if (options.threads == 0) {
    Writer(**store, options, -1, pool);
  } else {
    std::vector<std::thread> threads;
    for (int t = 0; t < options.threads; ++t) {
      threads.emplace_back([&, t] { Writer(**store, options, t, pool); });
    }
    for (std::thread& thread : threads) thread.join();
  }
  return 0;  // not reached: the writers run until the process is killed
}

}  // namespace ogi::crash
