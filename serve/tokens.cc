#include "serve/tokens.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

#include "engine/messages.h"
#include "engine/status_macros.h"

namespace ogi {
namespace {

constexpr absl::string_view kHeader =
    "# ogi tokens: id, name, agency, rollup, scopes, sha256, created, revoked "
    "(tab-separated; tokens themselves are never stored)";

constexpr std::pair<absl::string_view, TokenScope> kScopeNames[] = {
    {"append", TokenScope::kAppend}, {"read", TokenScope::kRead},
    {"report", TokenScope::kReport}, {"personal", TokenScope::kPersonal},
    {"erase", TokenScope::kErase},
};

std::string Sha256Hex(absl::string_view text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

absl::StatusOr<std::string> RandomBytes(size_t n) {
  std::string bytes(n, '\0');
  // RAND_bytes fails only if the system's entropy source does; a token made
  // without it would be guessable.
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()),
                 static_cast<int>(n)) != 1) {
    return absl::UnavailableError(Text(Msg::kTokenNoRandomness));
  }
  return bytes;
}

bool LooksLikeId(absl::string_view text) {
  return text.size() == 8 && std::all_of(text.begin(), text.end(), [](char c) {
           return std::isxdigit(c) && !std::isupper(c);
         });
}

bool ValidName(absl::string_view name) {
  if (name.empty() || name.size() > 64 || LooksLikeId(name)) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
          c == '-'))
      return false;
  }
  return true;
}

std::string TimeOrDash(absl::Time t) {
  return t == absl::InfiniteFuture()
             ? "-"
             : absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

absl::StatusOr<absl::Time> ParseTime(absl::string_view text) {
  if (text == "-") return absl::InfiniteFuture();
  absl::Time t;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%dT%H:%M:%SZ", std::string(text),
                       absl::UTCTimeZone(), &t, &error)) {
    return absl::DataLossError(absl::StrCat("bad time: ", error));
  }
  return t;
}

std::string FormatLine(const TokenInfo& t) {
  return absl::StrJoin(
      std::vector<std::string>{
          t.id, t.name, t.agency_id,
          t.reach == TokenReach::kSubtree ? "rollup" : "agency",
          ScopesToString(t.scopes), t.sha256_hex, TimeOrDash(t.created),
          TimeOrDash(t.revoked)},
      "\t");
}

absl::StatusOr<std::vector<TokenInfo>> ParseFile(absl::string_view text,
                                                 absl::string_view path) {
  std::vector<TokenInfo> tokens;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    absl::ConsumeSuffix(&line, "\r");  // a hand edit on another system
    if (line.empty() || line[0] == '#') continue;
    auto bad = [&](absl::string_view what) {
      return absl::DataLossError(Text(Msg::kFileLine, path, line_number, what));
    };
    std::vector<absl::string_view> f = absl::StrSplit(line, '\t');
    if (f.size() != 8) return bad(Text(Msg::kTokenFileFields));
    TokenInfo t;
    t.id = std::string(f[0]);
    t.name = std::string(f[1]);
    t.agency_id = std::string(f[2]);
    if (f[3] != "rollup" && f[3] != "agency")
      return bad(Text(Msg::kTokenFileReach));
    t.reach = f[3] == "rollup" ? TokenReach::kSubtree : TokenReach::kAgency;
    auto scopes = ParseScopes(f[4]);
    if (!scopes.ok()) return bad(scopes.status().message());
    t.scopes = *scopes;
    t.sha256_hex = std::string(f[5]);
    auto created = ParseTime(f[6]);
    auto revoked = ParseTime(f[7]);
    if (!created.ok() || !revoked.ok()) return bad(Text(Msg::kTokenFileTime));
    t.created = *created;
    t.revoked = *revoked;
    tokens.push_back(std::move(t));
  }
  return tokens;
}

absl::StatusOr<std::string> ReadWhole(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::string();
    return absl::UnavailableError(
        Text(Msg::kCannotReadBecause, path, std::strerror(errno)));
  }
  std::string text;
  char buffer[8192];
  ssize_t n;
  while ((n = ::read(fd, buffer, sizeof(buffer))) > 0) text.append(buffer, n);
  const int saved = errno;
  ::close(fd);
  if (n < 0)
    return absl::UnavailableError(
        Text(Msg::kCannotReadBecause, path, std::strerror(saved)));
  return text;
}

// Replaces `path` with `text` so that a crash leaves the old file or the new
// one, never a mix.
absl::Status WriteAtomically(const std::string& path, absl::string_view text) {
  const std::string temp = path + ".tmp";
  auto fail = [&](absl::string_view what) {
    return absl::UnavailableError(
        Text(Msg::kTokenFileCannot, what, path, std::strerror(errno)));
  };
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return fail("write");
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      ::close(fd);
      return fail("write");
    }
    done += n;
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return fail("sync");
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) return fail("replace");
  const size_t slash = path.find_last_of('/');
  const std::string dir =
      slash == std::string::npos ? std::string(".") : path.substr(0, slash + 1);
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    (void)::fsync(dir_fd);  // best effort: the rename is already visible
    ::close(dir_fd);
  }
  return absl::OkStatus();
}

// Holds an exclusive flock on PATH.lock while it lives.
class FileLock {
 public:
  explicit FileLock(const std::string& path)
      : fd_(::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC,
                   0600)) {
    if (fd_ >= 0) ok_ = ::flock(fd_, LOCK_EX) == 0;
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool ok() const { return ok_; }

 private:
  int fd_;
  bool ok_ = false;
};

absl::Status Rewrite(const std::string& path,
                     const std::vector<TokenInfo>& tokens) {
  std::string text = absl::StrCat(kHeader, "\n");
  for (const TokenInfo& t : tokens) absl::StrAppend(&text, FormatLine(t), "\n");
  return WriteAtomically(path, text);
}

}  // namespace

absl::StatusOr<uint32_t> ParseScopes(absl::string_view text) {
  uint32_t scopes = 0;
  for (absl::string_view name : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    bool known = false;
    for (const auto& [scope_name, scope] : kScopeNames) {
      if (name == scope_name) {
        scopes |= static_cast<uint32_t>(scope);
        known = true;
      }
    }
    if (!known)
      return absl::InvalidArgumentError(Text(Msg::kTokenUnknownScope, name));
  }
  if (scopes == 0) return absl::InvalidArgumentError(Text(Msg::kTokenNoScope));
  return scopes;
}

std::string ScopesToString(uint32_t scopes) {
  std::vector<absl::string_view> names;
  for (const auto& [name, scope] : kScopeNames) {
    if (scopes & static_cast<uint32_t>(scope)) names.push_back(name);
  }
  return absl::StrJoin(names, ",");
}

absl::StatusOr<std::string> TokenFile::Create(absl::string_view name,
                                              absl::string_view agency_id,
                                              TokenReach reach, uint32_t scopes,
                                              absl::Time now) {
  if (!ValidName(name))
    return absl::InvalidArgumentError(Text(Msg::kTokenBadName));
  if (agency_id.empty() || agency_id.size() > 64 ||
      agency_id.find_first_of("\t\n") != absl::string_view::npos)
    return absl::InvalidArgumentError(Text(Msg::kTokenNeedsAgency));
  if (scopes == 0)
    return absl::InvalidArgumentError(Text(Msg::kTokenNeedsScope));
  FileLock lock(path_);
  if (!lock.ok())
    return absl::UnavailableError(Text(Msg::kTokenCannotLock, path_));
  OGI_ASSIGN_OR_RETURN(std::string text, ReadWhole(path_));
  OGI_ASSIGN_OR_RETURN(std::vector<TokenInfo> tokens, ParseFile(text, path_));
  for (const TokenInfo& t : tokens) {
    if (t.name == name && t.in_force())
      return absl::AlreadyExistsError(Text(Msg::kTokenNameInForce, name));
  }
  TokenInfo info;
  do {
    OGI_ASSIGN_OR_RETURN(std::string id_bytes, RandomBytes(4));
    info.id = absl::BytesToHexString(id_bytes);
  } while (std::any_of(tokens.begin(), tokens.end(),
                       [&](const TokenInfo& t) { return t.id == info.id; }));
  OGI_ASSIGN_OR_RETURN(std::string secret_bytes, RandomBytes(32));
  std::string secret;
  absl::WebSafeBase64Escape(secret_bytes, &secret);
  std::string token = absl::StrCat("ogi_", info.id, "_", secret);
  info.name = std::string(name);
  info.agency_id = std::string(agency_id);
  info.reach = reach;
  info.scopes = scopes;
  info.sha256_hex = Sha256Hex(token);
  info.created = absl::FromUnixSeconds(absl::ToUnixSeconds(now));
  tokens.push_back(info);
  OGI_RETURN_IF_ERROR(Rewrite(path_, tokens));
  return token;
}

absl::StatusOr<std::vector<TokenInfo>> TokenFile::List() {
  OGI_ASSIGN_OR_RETURN(std::string text, ReadWhole(path_));
  return ParseFile(text, path_);
}

absl::Status TokenFile::Revoke(absl::string_view name_or_id, absl::Time now) {
  FileLock lock(path_);
  if (!lock.ok())
    return absl::UnavailableError(Text(Msg::kTokenCannotLock, path_));
  OGI_ASSIGN_OR_RETURN(std::string text, ReadWhole(path_));
  OGI_ASSIGN_OR_RETURN(std::vector<TokenInfo> tokens, ParseFile(text, path_));
  bool found = false;
  const bool by_id = LooksLikeId(name_or_id);  // names never look like ids
  for (TokenInfo& t : tokens) {
    if ((by_id ? t.id : t.name) == name_or_id && t.in_force()) {
      t.revoked = absl::FromUnixSeconds(absl::ToUnixSeconds(now));
      found = true;
    }
  }
  if (!found) return absl::NotFoundError(Text(Msg::kTokenNotFound, name_or_id));
  return Rewrite(path_, tokens);
}

absl::Status TokenFile::ReloadIfChanged() {
  struct stat st;
  std::string stamp;
  if (::stat(path_.c_str(), &st) == 0) {
    stamp = absl::StrCat(st.st_ino, ":", st.st_size, ":", st.st_mtim.tv_sec,
                         ".", st.st_mtim.tv_nsec);
  } else if (errno != ENOENT) {
    return absl::UnavailableError(
        Text(Msg::kTokenCannotStat, path_, std::strerror(errno)));
  }
  if (stamp == stamp_ && !stamp.empty()) return absl::OkStatus();
  OGI_ASSIGN_OR_RETURN(std::string text, ReadWhole(path_));
  OGI_ASSIGN_OR_RETURN(tokens_, ParseFile(text, path_));
  stamp_ = stamp;
  return absl::OkStatus();
}

absl::StatusOr<TokenInfo> TokenFile::Authenticate(absl::string_view token) {
  const absl::Status refused = absl::UnauthenticatedError(
      "the token is missing, malformed, unknown or revoked (send the header "
      "Authorization: Bearer TOKEN)");
  // "ogi_" + 8 hex + "_" + 43 base64url.
  if (token.size() != 56 || !absl::StartsWith(token, "ogi_") ||
      token[12] != '_')
    return refused;
  const absl::string_view id = token.substr(4, 8);
  const std::string hash = Sha256Hex(token);
  absl::MutexLock lock(&mu_);
  if (!ReloadIfChanged().ok()) {
    // The path and line are for the operator (ogi token list says them), not
    // for a client that may not even hold a token.
    return absl::UnavailableError("the service cannot read its token file");
  }
  for (const TokenInfo& t : tokens_) {
    if (t.id != id || !t.in_force()) continue;
    if (t.sha256_hex.size() == hash.size() &&
        CRYPTO_memcmp(t.sha256_hex.data(), hash.data(), hash.size()) == 0)
      return t;
  }
  return refused;
}

bool TokenFile::InForce(absl::string_view id) {
  absl::MutexLock lock(&mu_);
  if (!ReloadIfChanged().ok()) return false;
  for (const TokenInfo& t : tokens_) {
    if (t.id == id) return t.in_force();
  }
  return false;
}

}  // namespace ogi
