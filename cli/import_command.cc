// `ogi import`: validate the whole file first, then append it in atomic
// batches; see commands.h.
#include <cstdio>
#include <memory>
#include <ostream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/commands.h"
#include "cli/line_reader.h"

#include "engine/clock.h"
#include "engine/json_codec.h"
#include "engine/status_macros.h"

namespace ogi {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

// Returns the input, rewound. Standard input is spooled to an anonymous
// temporary file, since the import reads its input twice (validate, then
// append).
absl::StatusOr<File> OpenInput(const std::string& path) {
  if (path != "-") {
    File file(std::fopen(path.c_str(), "rb"));
    if (file == nullptr)
      return absl::NotFoundError(absl::StrCat("cannot open ", path));
    return file;
  }
  File spool(std::tmpfile());
  if (spool == nullptr)
    return absl::UnavailableError(
        "cannot create a temporary file for standard input");
  std::vector<char> buffer(1 << 20);
  size_t got;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), stdin)) > 0) {
    if (std::fwrite(buffer.data(), 1, got, spool.get()) != got) {
      return absl::UnavailableError(
          "cannot spool standard input to a temporary file");
    }
  }
  if (std::ferror(stdin))
    return absl::UnavailableError("error reading standard input");
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

// Prints "\r<phase>: NN% (N lines)" on a terminal, at most every 64 Ki lines.
void ShowProgress(const ImportOptions& options, std::ostream& err,
                  absl::string_view phase, const LineReader& reader,
                  uint64_t total_bytes) {
  if (options.progress == Progress::kOff ||
      (reader.line_number() & 0xFFFF) != 0)
    return;
  const double percent =
      total_bytes == 0 ? 100.0 : 100.0 * reader.bytes_read() / total_bytes;
  err << absl::StrFormat("\r%s: %5.1f%% (%d lines)", phase, percent,
                         reader.line_number())
      << std::flush;
}

}  // namespace

absl::StatusOr<ImportSummary> ImportCommand(EventStore& store,
                                            const ImportOptions& options,
                                            std::ostream& out,
                                            std::ostream& err) {
  const absl::Time start = SystemClock().Now();
  OGI_ASSIGN_OR_RETURN(File file, OpenInput(options.path));
  const uint64_t total_bytes = FileSize(file.get());
  const std::string name = options.path == "-" ? "<stdin>" : options.path;

  // Pass 1: every line against the store plus the lines accepted before it.
  // Nothing is written.
  size_t errors = 0;
  bool stopped_early = false;
  {
    std::unique_ptr<DryRun> dry_run = store.NewDryRun();
    LineReader reader(file.get());
    while (true) {
      auto line = reader.Next();
      if (!line.ok()) {
        err << name << ":" << reader.line_number() << ": "
            << line.status().message() << "\n";
        ++errors;
        break;
      }
      if (!line->has_value()) break;
      ShowProgress(options, err, "validating", reader, total_bytes);
      if (IsBlank(**line)) continue;
      absl::Status status;
      absl::StatusOr<v1::Event> event =
          ParseEventJson(**line, EngineFields::kIgnore);
      if (!event.ok()) {
        status = event.status();
      } else {
        status = dry_run->Check(*event).status();
      }
      if (status.ok()) continue;
      err << name << ":" << reader.line_number() << ": " << status.message()
          << "\n";
      if (++errors >= options.max_errors) {
        stopped_early = true;
        break;
      }
    }
  }
  if (options.progress == Progress::kOn) err << "\n";
  if (errors > 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "import of ", name, " refused: ", errors, stopped_early ? "+" : "",
        " line(s) in error; nothing was written"));
  }

  // Pass 2: the same lines, appended in atomic batches. A crash leaves whole
  // batches; running the import again skips what is stored (by eventId) and
  // completes it.
  std::rewind(file.get());
  ImportSummary summary;
  LineReader reader(file.get());
  std::vector<v1::Event> batch;
  uint64_t first_line = 0;
  auto flush = [&]() -> absl::Status {
    if (batch.empty()) return absl::OkStatus();
    auto appended = store.Append(batch);
    if (!appended.ok()) {
      return absl::Status(
          appended.status().code(),
          absl::StrCat(name, ":", first_line, "-", reader.line_number(), ": ",
                       appended.status().message(),
                       " (earlier batches were stored)"));
    }
    for (const AppendedEvent& a : *appended) {
      ++(a.outcome == AppendedEvent::Outcome::kAppended ? summary.appended
                                                        : summary.duplicates);
    }
    batch.clear();
    return absl::OkStatus();
  };
  while (true) {
    OGI_ASSIGN_OR_RETURN(std::optional<absl::string_view> line, reader.Next());
    if (!line) break;
    ShowProgress(options, err, "appending", reader, total_bytes);
    if (IsBlank(*line)) continue;
    OGI_ASSIGN_OR_RETURN(v1::Event event,
                         ParseEventJson(*line, EngineFields::kIgnore));
    if (batch.empty()) first_line = reader.line_number();
    batch.push_back(std::move(event));
    if (batch.size() >= options.batch_events) OGI_RETURN_IF_ERROR(flush());
  }
  OGI_RETURN_IF_ERROR(flush());
  if (options.progress == Progress::kOn) err << "\n";
  summary.lines = reader.line_number();
  summary.seconds = absl::ToDoubleSeconds(SystemClock().Now() - start);
  const uint64_t events = summary.appended + summary.duplicates;
  out << absl::StrFormat(
      "imported %s: %d appended, %d duplicates skipped, %.2f s, %.0f "
      "events/s\n",
      name, summary.appended, summary.duplicates, summary.seconds,
      summary.seconds > 0 ? events / summary.seconds : 0.0);
  return summary;
}

}  // namespace ogi
