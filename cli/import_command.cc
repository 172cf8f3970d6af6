// `ogi import`: check each line and stage the accepted events, then make the
// whole file visible in one atomic step (EventStore::BeginImport); see
// commands.h.
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <ostream>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "cli/commands.h"
#include "cli/line_reader.h"
#include "cli/progress.h"

#include "engine/clock.h"
#include "engine/import_policy.h"
#include "engine/json_codec.h"
#include "engine/messages.h"
#include "engine/status_macros.h"

namespace ogi {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// Returns the input. Standard input is spooled to an anonymous temporary file,
// so its size is known (the progress display) and a read error cannot leave a
// half-read input behind a staged import.
absl::StatusOr<File> OpenInput(const std::string& path) {
  if (path != "-") {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      return absl::InvalidArgumentError(Text(Msg::kImportIsDirectory, path));
    }
    File file(std::fopen(path.c_str(), "rb"));
    if (file == nullptr) {
      const int error = errno;
      if (error == ENOENT)
        return absl::NotFoundError(Text(Msg::kCannotOpenNoSuchFile, path));
      return absl::PermissionDeniedError(
          Text(Msg::kCannotOpenBecause, path, std::strerror(error)));
    }
    return file;
  }
  File spool(std::tmpfile());
  if (spool == nullptr)
    return absl::UnavailableError(Text(Msg::kStdinNoTemporary));
  std::vector<char> buffer(1 << 20);
  size_t got;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), stdin)) > 0) {
    if (std::fwrite(buffer.data(), 1, got, spool.get()) != got) {
      return absl::UnavailableError(Text(Msg::kStdinNoSpool));
    }
  }
  if (std::ferror(stdin)) return absl::UnavailableError(Text(Msg::kStdinError));
  std::rewind(spool.get());
  return spool;
}

uint64_t FileSize(std::FILE* file) {
  const long here = std::ftell(file);
  std::fseek(file, 0, SEEK_END);
  const long size = std::ftell(file);
  std::fseek(file, here, SEEK_SET);
  return size > 0 ? static_cast<uint64_t>(size) : 0;
}

bool IsBlank(absl::string_view line) {
  return absl::StripAsciiWhitespace(line).empty();
}

// One non-blank input line, parsed.
struct ParsedLine {
  uint64_t number;
  absl::StatusOr<v1::Event> event;  // or why the line could not be read
};

// Reads and parses the input on a thread of its own and hands over chunks of
// lines, so JSON parsing overlaps the store's work on the other core.
// Thread-safe between its thread and one consumer.
class ParsedLines {
 public:
  // `file` must outlive the object.
  explicit ParsedLines(std::FILE* file)
      : file_(file), thread_([this] { Run(); }) {}
  ~ParsedLines() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    thread_.join();
  }
  ParsedLines(const ParsedLines&) = delete;
  ParsedLines& operator=(const ParsedLines&) = delete;

  // Returns the next chunk of lines in order; an empty chunk at the end. A
  // read error is the last line of the input.
  std::vector<ParsedLine> Next() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](ParsedLines* p) { return !p->ready_.empty() || p->done_; }, this));
    if (ready_.empty()) return {};
    std::vector<ParsedLine> chunk = std::move(ready_.front());
    ready_.pop_front();
    return chunk;
  }

  uint64_t bytes_read() const { return bytes_read_.load(); }
  uint64_t lines_read() const { return lines_read_.load(); }

 private:
  static constexpr size_t kChunkLines = 1024;
  static constexpr size_t kChunksAhead = 8;

  // Queues `chunk`, waiting while the consumer is kChunksAhead behind.
  // Returns false if the consumer has gone.
  bool Hand(std::vector<ParsedLine>& chunk) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](ParsedLines* p) {
          return p->ready_.size() < kChunksAhead || p->stop_;
        },
        this));
    if (stop_) return false;
    ready_.push_back(std::move(chunk));
    chunk.clear();
    return true;
  }

  void Run() {
    LineReader reader(file_);
    std::vector<ParsedLine> chunk;
    while (true) {
      absl::StatusOr<std::optional<absl::string_view>> line = reader.Next();
      bytes_read_ = reader.bytes_read();
      lines_read_ = reader.line_number();
      if (!line.ok()) {
        chunk.push_back({reader.line_number(), line.status()});
        break;
      }
      if (!line->has_value()) break;
      if (IsBlank(**line)) continue;
      chunk.push_back({reader.line_number(),
                       ParseEventJson(**line, EngineFields::kIgnore)});
      if (chunk.size() >= kChunkLines && !Hand(chunk)) return;
    }
    if (!chunk.empty() && !Hand(chunk)) return;
    absl::MutexLock lock(&mu_);
    done_ = true;
  }

  std::FILE* const file_;
  absl::Mutex mu_;
  std::deque<std::vector<ParsedLine>> ready_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<uint64_t> bytes_read_{0};
  std::atomic<uint64_t> lines_read_{0};
  std::thread thread_;  // last: started once every member above exists
};

// The import's two phases on the one progress display (cli/progress.h):
// checking (by bytes of the file read, with the count of lines), then the
// commit (one step of unknown length).
class ImportProgress {
 public:
  ImportProgress(const ImportOptions& options, std::ostream& err,
                 uint64_t total_bytes)
      : line_(err,
              options.progress == Progress::kOn ? ProgressLine::Drawing::kOn
                                                : ProgressLine::Drawing::kOff,
              SystemClock()),
        total_bytes_(total_bytes) {}

  // About every 64 Ki lines.
  void Show(absl::string_view phase, const ParsedLines& lines) {
    if (!line_.drawing() || lines.lines_read() < shown_ + 65536) return;
    shown_ = lines.lines_read();
    line_.Show(phase, Fraction(lines.bytes_read()), Lines(shown_));
  }
  // The phase read the whole file: 100%.
  void Done(absl::string_view phase, const ParsedLines& lines) {
    line_.Show(phase, 1.0, Lines(lines.lines_read()));
  }
  void Update(Msg phase, uint64_t done, uint64_t total) {
    line_.Update(phase, done, total);
  }
  void Break() { line_.Break(); }

 private:
  double Fraction(uint64_t bytes) const {
    return total_bytes_ == 0
               ? 0.0
               : static_cast<double>(bytes) / static_cast<double>(total_bytes_);
  }
  static std::string Lines(uint64_t lines) {
    return Text(Msg::kProgressLines, lines);
  }

  ProgressLine line_;
  const uint64_t total_bytes_;
  uint64_t shown_ = 0;
};

// Decides each event for a real import (staged) or a dry run.
class Checker {
 public:
  virtual ~Checker() = default;
  virtual absl::StatusOr<AppendedEvent> Check(const v1::Event& event) = 0;
};
class DryRunChecker final : public Checker {
 public:
  explicit DryRunChecker(std::unique_ptr<DryRun> dry_run)
      : dry_run_(std::move(dry_run)) {}
  absl::StatusOr<AppendedEvent> Check(const v1::Event& event) override {
    return dry_run_->Check(event);
  }

 private:
  std::unique_ptr<DryRun> dry_run_;
};
class StagedChecker final : public Checker {
 public:
  explicit StagedChecker(StagedImport& staged) : staged_(staged) {}
  absl::StatusOr<AppendedEvent> Check(const v1::Event& event) override {
    return staged_.Add(event);
  }

 private:
  StagedImport& staged_;
};

}  // namespace

absl::StatusOr<ImportSummary> ImportCommand(EventStore& store,
                                            const ImportOptions& options,
                                            std::ostream& out,
                                            std::ostream& err) {
  const absl::Time start = SystemClock().Now();
  OGI_ASSIGN_OR_RETURN(File file, OpenInput(options.path));
  const uint64_t total_bytes = FileSize(file.get());
  const std::string name = options.path == "-" ? "<stdin>" : options.path;
  const bool dry_run = options.mode == ImportMode::kDryRun;
  auto interrupted = [&] {
    return options.interrupted && options.interrupted();
  };
  auto cancelled = [&] {
    return absl::CancelledError(Text(Msg::kImportInterrupted, name));
  };

  // Interchange lines average about 180 bytes.
  const size_t expected_events = total_bytes / 180;
  std::unique_ptr<StagedImport> staged;
  std::unique_ptr<Checker> checker;
  if (dry_run) {
    checker = std::make_unique<DryRunChecker>(store.NewDryRun(expected_events));
  } else {
    OGI_ASSIGN_OR_RETURN(staged, store.BeginImport(expected_events));
    checker = std::make_unique<StagedChecker>(*staged);
  }

  // One pass: every line against the store plus the lines accepted before
  // it; the accepted ones are staged, invisible until the commit.
  ImportSummary summary;
  ImportRefusals refusals(options.max_errors);
  ImportProgress progress(options, err, total_bytes);
  const std::string phase =
      Text(dry_run ? Msg::kProgressImportDryRun : Msg::kProgressImportChecking);
  {
    ParsedLines lines(file.get());
    for (std::vector<ParsedLine> chunk = lines.Next();
         !chunk.empty() && !refusals.full(); chunk = lines.Next()) {
      progress.Show(phase, lines);
      for (ParsedLine& line : chunk) {
        if (interrupted()) {
          progress.Break();
          return cancelled();
        }
        absl::Status status = line.event.status();
        if (status.ok()) {
          absl::StatusOr<AppendedEvent> checked =
              checker->Check(*std::move(line.event));
          if (checked.ok()) {
            ++(checked->outcome == AppendedEvent::Outcome::kAppended
                   ? summary.appended
                   : summary.duplicates);
            continue;
          }
          status = checked.status();
          if (IsStoreFailure(status)) {
            // Not the line's fault: the store or the staging failed.
            progress.Break();
            return absl::Status(
                status.code(),
                absl::StrCat(name, ":", line.number, ": ", status.message(),
                             "; nothing was written to the store"));
          }
        }
        progress.Break();
        err << refusals.Add(absl::StrCat(name, ":", line.number), status)
            << "\n";
        if (refusals.full()) break;
      }
    }
    if (!refusals.full()) progress.Done(phase, lines);
    summary.lines = lines.lines_read();
  }
  if (!refusals.empty())
    return absl::InvalidArgumentError(refusals.Summary(name));
  if (interrupted()) return cancelled();

  uint64_t head = store.HeadPosition();
  if (!dry_run) {
    // From here the import completes: an interrupt waits for the commit.
    progress.Update(Msg::kProgressImportCommitting, 0, 1);
    absl::StatusOr<uint64_t> committed = staged->Commit();
    if (!committed.ok()) {
      progress.Break();
      return absl::Status(
          committed.status().code(),
          absl::StrCat("import of ", name, ": ", committed.status().message()));
    }
    head = *committed;
    staged.reset();  // deletes the staging folder
    progress.Update(Msg::kProgressImportCommitting, 1, 1);
  }
  summary.seconds = absl::ToDoubleSeconds(SystemClock().Now() - start);
  const uint64_t events = summary.appended + summary.duplicates;
  const double rate = summary.seconds > 0 ? events / summary.seconds : 0.0;
  if (options.summary == OutputFormat::kText) {
    if (dry_run) {
      out << Text(Msg::kImportChecked, name, summary.appended,
                  summary.duplicates)
          << "\n";
    } else {
      out << Text(Msg::kImportDone, name, summary.appended, summary.duplicates,
                  absl::StrFormat("%.2f", summary.seconds),
                  absl::StrFormat("%.0f", rate))
          << "\n";
    }
  } else if (options.summary == OutputFormat::kJson) {
    out << absl::StrFormat(
        "{\"file\":%s,\"dryRun\":%s,\"lines\":%d,\"appended\":%d,"
        "\"duplicates\":%d,\"headPosition\":%d,\"seconds\":%.3f,"
        "\"eventsPerSecond\":%.0f}\n",
        JsonString(name), dry_run ? "true" : "false", summary.lines,
        summary.appended, summary.duplicates, head, summary.seconds, rate);
  }
  return summary;
}

}  // namespace ogi
