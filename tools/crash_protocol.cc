// The crash harness's eventIds and ack lines; see crash_protocol.h.
#include "tools/crash_protocol.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ogi::crash {

std::string MemberId(absl::string_view group, int k, int n) {
  return absl::StrCat(group, ".", k, "of", n);
}

std::optional<Member> ParseMemberId(absl::string_view event_id) {
  const size_t dot = event_id.rfind('.');
  if (dot == absl::string_view::npos || dot == 0) return std::nullopt;
  const absl::string_view tail = event_id.substr(dot + 1);
  const size_t of = tail.find("of");
  if (of == absl::string_view::npos) return std::nullopt;
  Member member;
  member.group = std::string(event_id.substr(0, dot));
  if (!absl::SimpleAtoi(tail.substr(0, of), &member.k) ||
      !absl::SimpleAtoi(tail.substr(of + 2), &member.n) || member.k < 1 ||
      member.k > member.n) {
    return std::nullopt;
  }
  return member;
}

std::string FormatAckLine(const std::vector<Ack>& acks) {
  std::string line = "A";
  for (const Ack& ack : acks)
    absl::StrAppend(&line, " ", ack.event_id, ",", ack.position, ",",
                    ack.version);
  line += "\n";
  return line;
}

absl::StatusOr<std::vector<std::vector<Ack>>> ParseAckLines(
    absl::string_view text) {
  std::vector<std::vector<Ack>> appends;
  const size_t end = text.rfind('\n');
  if (end == absl::string_view::npos) return appends;
  for (absl::string_view line :
       absl::StrSplit(text.substr(0, end), '\n', absl::SkipEmpty())) {
    std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
    if (fields.size() < 2 || fields[0] != "A")
      return absl::InvalidArgumentError(absl::StrCat("bad ack line: ", line));
    std::vector<Ack>& acks = appends.emplace_back();
    for (size_t i = 1; i < fields.size(); ++i) {
      std::vector<absl::string_view> parts = absl::StrSplit(fields[i], ',');
      Ack ack;
      if (parts.size() != 3 || !absl::SimpleAtoi(parts[1], &ack.position) ||
          !absl::SimpleAtoi(parts[2], &ack.version)) {
        return absl::InvalidArgumentError(
            absl::StrCat("bad ack in line: ", line));
      }
      ack.event_id = std::string(parts[0]);
      acks.push_back(std::move(ack));
    }
  }
  return appends;
}

}  // namespace ogi::crash
