// Writing a generated log (`ogi gen`, tools/gen_log); see gen_log.h.
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

#include "gen/gen_log.h"

namespace ogi {

absl::Status ParseYears(absl::string_view text, GenOptions& options) {
  const std::vector<absl::string_view> parts = absl::StrSplit(text, "..");
  int first = 0, last = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &first) ||
      !absl::SimpleAtoi(parts[1], &last) || first > last || first < 1001 ||
      last > 9998) {
    return absl::InvalidArgumentError(
        "--years must be FIRST..LAST, e.g. 2020..2024");
  }
  options.first_year = first;
  options.last_year = last;
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> GenCommand(const GenOptions& options,
                                    const std::string& path,
                                    std::ostream& out) {
  const bool to_stream = path.empty() || path == "-";
  std::FILE* file = to_stream ? nullptr : std::fopen(path.c_str(), "wb");
  if (!to_stream && file == nullptr)
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  std::string buffer;
  bool ok = true;
  auto flush = [&] {
    if (to_stream) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      ok = ok && out.good();
    } else {
      ok = ok &&
           std::fwrite(buffer.data(), 1, buffer.size(), file) == buffer.size();
    }
    buffer.clear();
  };
  const uint64_t events = GenerateLog(options, [&](absl::string_view line) {
    buffer.append(line.data(), line.size());
    buffer.push_back('\n');
    if (buffer.size() > (1 << 20)) flush();
  });
  flush();
  if (!to_stream) ok = std::fclose(file) == 0 && ok;
  if (!ok) return absl::UnavailableError(absl::StrCat("error writing ", path));
  return events;
}

}  // namespace ogi
