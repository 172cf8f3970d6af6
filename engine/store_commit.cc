// The write path of the RocksDB event store: Append, the group commit (one
// synced WriteBatch per group) and the dry run; see event_store.h. Opening is
// in event_store.cc, reads in store_read.cc.
#include <algorithm>
#include <cstdarg>
#include <deque>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/timestamp.pb.h"
#include "rocksdb/convenience.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "rocksdb/write_batch.h"

#include "engine/civil_date.h"
#include "engine/event_id.h"
#include "engine/event_store.h"
#include "engine/internal/decider.h"
#include "engine/internal/rocks_store.h"
#include "engine/load_state.h"
#include "engine/messages.h"
#include "engine/payload.h"
#include "engine/rocksdb_status.h"
#include "engine/status_macros.h"

namespace ogi {
namespace {

using engine_internal::DbSource;
using engine_internal::Decider;
using engine_internal::Decision;
using engine_internal::RocksEventStore;
using engine_internal::StateSource;

// A commit group never grows past this many events, so one leader's batch stays
// bounded.
constexpr size_t kMaxGroupEvents = 50000;

absl::Status WithIndex(const absl::Status& status, size_t index, size_t count) {
  if (count == 1) return status;
  return absl::Status(
      status.code(),
      absl::StrCat("event ", index + 1, " of ", count, ": ", status.message()));
}

// RocksDB's info log, discarded: a reader writes no file.

class RocksDryRun final : public DryRun {
 public:
  RocksDryRun(StateSource& source, absl::CivilDay today, uint64_t head,
              size_t expected_events)
      : decider_(source, today), head_(head) {
    decider_.Reserve(expected_events);
  }
  absl::StatusOr<AppendedEvent> Check(const v1::Event& event) override {
    OGI_ASSIGN_OR_RETURN(Decision d, decider_.Decide(event));
    if (d.kind == Decision::Kind::kDuplicate) {
      const uint64_t position = d.duplicate_of_accepted
                                    ? head_ + *d.duplicate_of_accepted + 1
                                    : d.duplicate_position;
      return AppendedEvent{AppendedEvent::Outcome::kDuplicate, position,
                           d.version};
    }
    return AppendedEvent{AppendedEvent::Outcome::kAppended,
                         head_ + decider_.accepted(), d.version};
  }

 private:
  Decider decider_;
  uint64_t head_;
};

}  // namespace

namespace engine_internal {

absl::Status RocksEventStore::CheckWritable() const {
  if (options_.access != Access::kRead) return absl::OkStatus();
  return absl::FailedPreconditionError(
      Text(Msg::kStoreReadOnly, options_.path));
}

absl::StatusOr<std::vector<AppendedEvent>> RocksEventStore::Append(
    absl::Span<const v1::Event> events) {
  OGI_RETURN_IF_ERROR(CheckWritable());
  if (events.empty()) return std::vector<AppendedEvent>();
  Writer w(events);
  absl::MutexLock lock(&mu_);
  writers_.push_back(&w);
  while (!w.done && writers_.front() != &w) w.cv.Wait(&mu_);
  if (w.done) return std::move(w.result);

  // This writer leads: it commits every writer queued now, up to
  // kMaxGroupEvents.
  std::vector<Writer*> group;
  size_t group_events = 0;
  for (Writer* writer : writers_) {
    if (!group.empty() &&
        group_events + writer->events.size() > kMaxGroupEvents)
      break;
    group.push_back(writer);
    group_events += writer->events.size();
  }
  mu_.Unlock();
  CommitGroup(group);
  mu_.Lock();
  for (size_t i = 0; i < group.size(); ++i) {
    Writer* done = writers_.front();
    writers_.pop_front();
    done->done = true;
    if (done != &w) done->cv.Signal();
  }
  if (!writers_.empty()) writers_.front()->cv.Signal();
  return std::move(w.result);
}

void RocksEventStore::CommitGroup(absl::Span<Writer* const> group) {
  absl::MutexLock commit(&commit_mu_);
  uint64_t head;
  std::string link;
  {
    absl::MutexLock lock(&head_mu_);
    if (!sticky_error_.ok()) {
      for (Writer* w : group) w->result = sticky_error_;
      return;
    }
    head = head_position_;
    link = head_link_;
  }
  if (case_cache_.size() > options_.case_cache_capacity) case_cache_.clear();

  // recordedAt never decreases along the log, even if the clock steps back,
  // so "recorded by instant T" is always a prefix of the log (reports as of T).
  absl::Time now = clock().Now();
  {
    absl::MutexLock lock(&head_mu_);
    now = std::max(now, last_recorded_at_);
  }
  CachedSource source(*this);
  Decider decider(source, AgencyDay(now));
  std::vector<std::vector<Decision>> decisions(group.size());
  for (size_t g = 0; g < group.size(); ++g) {
    Writer* w = group[g];
    decider.BeginRequest();
    for (size_t i = 0; i < w->events.size(); ++i) {
      absl::StatusOr<Decision> d = decider.Decide(w->events[i]);
      if (!d.ok()) {
        decider.AbortRequest();
        decisions[g].clear();
        w->result = WithIndex(d.status(), i, w->events.size());
        break;
      }
      decisions[g].push_back(*std::move(d));
    }
  }

  google::protobuf::Timestamp recorded_at;
  recorded_at.set_seconds(absl::ToUnixSeconds(now));
  recorded_at.set_nanos(static_cast<int32_t>(
      (now - absl::FromUnixSeconds(recorded_at.seconds())) /
      absl::Nanoseconds(1)));
  rocksdb::WriteBatch batch;
  {
    // Personal data is sealed before the events are hashed (the chain covers
    // the ciphertext, so destroying a key leaves it intact).
    std::vector<v1::Event*> appended;
    for (std::vector<Decision>& ds : decisions) {
      for (Decision& d : ds) {
        if (d.kind == Decision::Kind::kAppend) appended.push_back(&d.event);
      }
    }
    const absl::Status sealed = SealPersonalData(appended, batch);
    if (!sealed.ok()) {
      for (size_t g = 0; g < group.size(); ++g) {
        if (!decisions[g].empty()) group[g]->result = sealed;
      }
      return;
    }
  }
  uint64_t position = head;
  uint64_t new_cases = 0, new_agencies = 0;
  std::string record;
  for (size_t g = 0; g < group.size(); ++g) {
    for (Decision& d : decisions[g]) {
      if (d.kind != Decision::Kind::kAppend) continue;
      ++position;
      d.event.set_version(d.version);
      d.event.set_position(position);
      *d.event.mutable_recorded_at() = recorded_at;
      record.clear();
      (void)d.event.SerializeToString(
          &record);  // fails only for >2 GiB messages; validate.cc bounds sizes
      link = ChainLink(link, record);
      const std::string key = EncodePosition(position);
      (void)batch.Put(family(kLog), key, ToSlice(EncodeLogValue(link, record)));
      (void)batch.Put(family(kStreams), EncodeStreamKey(d.stream, d.version),
                      key);
      if (!d.event.event_id().empty())
        (void)batch.Put(family(kEventIds), EventIdKeyOf(d.event), key);
      if (d.version == 1)
        ++(d.stream.kind == StreamId::Kind::kCase ? new_cases : new_agencies);
    }
  }

  if (position > head) {
    uint64_t cases, agencies;
    {
      absl::MutexLock lock(&head_mu_);
      cases = case_count_ + new_cases;
      agencies = agency_count_ + new_agencies;
    }
    (void)batch.Put(family(kDefault), kCaseCountKey, EncodePosition(cases));
    (void)batch.Put(family(kDefault), kAgencyCountKey,
                    EncodePosition(agencies));
    rocksdb::WriteOptions sync;
    sync.sync = true;
    absl::Status written =
        FromRocksDb(db_->Write(sync, &batch), "appending to the log");
    if (!written.ok()) {
      // What reached the disk is unknown: refuse every later write rather than
      // risk a fork in the chain.
      written = absl::UnavailableError(
          Text(Msg::kStoreNoMoreAppends, written.message()));
      absl::MutexLock lock(&head_mu_);
      sticky_error_ = written;
      for (size_t g = 0; g < group.size(); ++g) {
        if (!decisions[g].empty()) group[g]->result = written;
      }
      case_cache_.clear();
      return;
    }
    absl::MutexLock lock(&head_mu_);
    head_position_ = position;
    head_link_ = link;
    last_recorded_at_ = now;
    case_count_ = cases;
    agency_count_ = agencies;
  }
  for (auto& [id, state] : decider.cases()) case_cache_[id] = std::move(state);
  for (auto& [id, state] : decider.agencies())
    agency_cache_[id] = std::move(state);

  for (size_t g = 0; g < group.size(); ++g) {
    if (decisions[g].empty() && !group[g]->events.empty())
      continue;  // refused; result already set
    std::vector<AppendedEvent> out;
    out.reserve(decisions[g].size());
    for (const Decision& d : decisions[g]) {
      if (d.kind == Decision::Kind::kAppend) {
        out.push_back(
            {AppendedEvent::Outcome::kAppended, d.event.position(), d.version});
      } else {
        const uint64_t pos = d.duplicate_of_accepted
                                 ? head + *d.duplicate_of_accepted + 1
                                 : d.duplicate_position;
        out.push_back({AppendedEvent::Outcome::kDuplicate, pos, d.version});
      }
    }
    group[g]->result = std::move(out);
  }
}

std::unique_ptr<DryRun> RocksEventStore::NewDryRun(size_t expected_events) {
  return std::make_unique<RocksDryRun>(db_source_, AgencyDay(clock().Now()),
                                       HeadPosition(), expected_events);
}

}  // namespace engine_internal
}  // namespace ogi
