// bench_store: the event store's write figures, each beside plain RocksDB doing
// comparable I/O in the same run.
//
//   bench_store --ogi build/cli/ogi [--seconds 5] [--import-events 2000000]
//   [--dir /tmp/ogi-bench]
//
// 1. Durable appends/s, one event per Append, with 1 and with 16 writer threads
// (each thread opens its own
//    cases), against plain RocksDB: the same stored log value Put with
//    sync=true, at the same concurrency.
// 2. `ogi import` of a generated log (gen/gen_log.h) of about N events, run
// as a child process: events/s and
//    peak RSS (from wait4), against plain RocksDB writing the same lines, one
//    key each, in synced batches of 10,000.
// Prints a Markdown table; docs/PERFORMANCE.md records it with the command and
// the machine.
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

#include "engine/event_store.h"
#include "engine/json_codec.h"
#include "engine/key_codec.h"
#include "gen/gen_log.h"

namespace {

using ogi::v1::Event;

void Die(const std::string& what) {
  std::fprintf(stderr, "bench_store: %s\n", what.c_str());
  std::exit(1);
}

Event ReceivedEvent(int thread, int64_t i) {
  auto event = ogi::ParseEventJson(
      absl::StrFormat(
          R"({"eventId":"b-%d-%d","caseId":"B-%d-%d","agencyId":"bench","occurredOn":"2024-03-01",)"
          R"("received":{"applicant":{"category":"NATURAL_PERSON"},"channel":"ONLINE",)"
          R"("description":"申请公开相关政府信息"}})",
          thread, i, thread, i),
      ogi::EngineFields::kRefuse);
  if (!event.ok()) Die(std::string(event.status().message()));
  return *event;
}

// Runs `threads` threads calling `op(thread, i)` for `seconds`; returns
// operations per second.
template <typename Op>
double RunFor(int threads, double seconds, Op op) {
  std::atomic<bool> stop{false};
  std::atomic<int64_t> done{0};
  std::vector<std::thread> workers;
  const absl::Time start = absl::Now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      int64_t i = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        op(t, i++);
        done.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  absl::SleepFor(absl::Seconds(seconds));
  stop = true;
  for (auto& w : workers) w.join();
  return done.load() / absl::ToDoubleSeconds(absl::Now() - start);
}

double OgiAppends(const std::string& dir, int threads, double seconds) {
  std::filesystem::remove_all(dir);
  auto store = ogi::EventStore::Open({.path = dir});
  if (!store.ok()) Die(std::string(store.status().message()));
  auto registered = (*store)->Append({*ogi::ParseEventJson(
      R"({"agencyId":"bench","occurredOn":"2019-01-01","agencyRegistered":{"name":"基准机关"}})",
      ogi::EngineFields::kRefuse)});
  if (!registered.ok()) Die(std::string(registered.status().message()));
  return RunFor(threads, seconds, [&](int t, int64_t i) {
    const Event event = ReceivedEvent(t, i);
    auto appended = (*store)->Append({event});
    if (!appended.ok()) Die(std::string(appended.status().message()));
  });
}

double PlainAppends(const std::string& dir, int threads, double seconds) {
  std::filesystem::remove_all(dir);
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw;
  if (!rocksdb::DB::Open(options, dir, &raw).ok())
    Die("cannot open plain RocksDB");
  std::unique_ptr<rocksdb::DB> db(raw);
  std::atomic<uint64_t> position{0};
  rocksdb::WriteOptions sync;
  sync.sync = true;
  return RunFor(threads, seconds, [&](int t, int64_t i) {
    // The same bytes a stored event takes: link + serialized record, under an
    // 8-byte position key.
    std::string record;
    (void)ReceivedEvent(t, i).SerializeToString(&record);
    const std::string value =
        ogi::EncodeLogValue(std::string(ogi::kLinkSize, 'x'), record);
    if (!db->Put(sync, ogi::EncodePosition(++position), value).ok())
      Die("plain put failed");
  });
}

struct ChildRun {
  double seconds;
  long max_rss_kb;
  int status;
};

ChildRun RunChild(const std::vector<std::string>& argv) {
  const absl::Time start = absl::Now();
  const pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  return {absl::ToDoubleSeconds(absl::Now() - start), usage.ru_maxrss, status};
}

double PlainImport(const std::string& dir, const std::string& file) {
  std::filesystem::remove_all(dir);
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw;
  if (!rocksdb::DB::Open(options, dir, &raw).ok())
    Die("cannot open plain RocksDB");
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions sync;
  sync.sync = true;
  std::ifstream in(file);
  std::string line;
  rocksdb::WriteBatch batch;
  uint64_t n = 0;
  const absl::Time start = absl::Now();
  while (std::getline(in, line)) {
    (void)batch.Put(ogi::EncodePosition(++n), line);
    if (n % 10000 == 0) {
      if (!db->Write(sync, &batch).ok()) Die("plain import write failed");
      batch.Clear();
    }
  }
  if (!db->Write(sync, &batch).ok()) Die("plain import write failed");
  return n / absl::ToDoubleSeconds(absl::Now() - start);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "bench_store: durable appends and import, against plain RocksDB"};
  std::string ogi_binary = "build/cli/ogi";
  std::string dir = "/tmp/ogi-bench";
  double seconds = 5;
  int64_t import_events = 2000000;
  app.add_option("--ogi", ogi_binary,
                 "path of the ogi binary (for the import run)");
  app.add_option("--dir", dir, "scratch directory (emptied)");
  app.add_option("--seconds", seconds, "duration of each append run");
  app.add_option("--import-events", import_events,
                 "approximate size of the generated import (0: skip)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::filesystem::create_directories(dir);
  std::printf(
      "| figure | ogi | plain RocksDB | ogi / plain |\n|---|---|---|---|\n");
  for (int threads : {1, 16}) {
    const double ours = OgiAppends(dir + "/ogi", threads, seconds);
    const double plain = PlainAppends(dir + "/plain", threads, seconds);
    std::printf("| synced appends/s, %d writer%s | %.0f | %.0f | %.2f |\n",
                threads, threads == 1 ? "" : "s", ours, plain, ours / plain);
    std::fflush(stdout);
  }
  if (import_events > 0) {
    const std::string file = dir + "/import.jsonl";
    ogi::GenOptions gen;
    gen.agencies = 20;
    // About 3.7 events per case over 5 years, plus agency events.
    gen.cases_per_year = import_events * 1085 / 20000;
    std::FILE* out = std::fopen(file.c_str(), "wb");
    if (out == nullptr) Die("cannot write " + file);
    const uint64_t events = ogi::GenerateLog(gen, [&](absl::string_view line) {
      std::fwrite(line.data(), 1, line.size(), out);
      std::fputc('\n', out);
    });
    std::fclose(out);
    std::filesystem::remove_all(dir + "/ogi");
    const ChildRun run =
        RunChild({ogi_binary, "--db", dir + "/ogi", "import", file});
    if (!WIFEXITED(run.status) || WEXITSTATUS(run.status) != 0)
      Die("ogi import failed");
    const double plain = PlainImport(dir + "/plain", file);
    std::printf("| import of %llu events, events/s | %.0f | %.0f | %.2f |\n",
                static_cast<unsigned long long>(events), events / run.seconds,
                plain, events / run.seconds / plain);
    std::printf("| import peak RSS | %.0f MiB | | |\n",
                run.max_rss_kb / 1024.0);
  }
  std::filesystem::remove_all(dir);
  return 0;
}
