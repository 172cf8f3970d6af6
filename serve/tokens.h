// The intake systems' credentials for `ogi serve`: a token per system, kept
// only as its SHA-256 in a small text file beside the store (DIR/ogi-tokens),
// so `ogi token create|list|revoke` work while the service runs and the
// service sees a change at the next request.
//
// A token reads "ogi_<id>_<secret>": <id> is 8 hex digits naming the entry,
// <secret> 43 base64url characters (32 random bytes). The file holds, per
// line, the id, the system's name, its agency, whether the scope reaches the
// agencies under it, its operations, the hex SHA-256 of the whole token, when
// it was created and, once revoked, when. Lines are only ever added or marked
// revoked; the file is replaced atomically (write, fsync, rename, fsync the
// directory) under an flock, so concurrent commands never lose a line.
//
// Thread-safe.
#ifndef OGI_SERVE_TOKENS_H_
#define OGI_SERVE_TOKENS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace ogi {

// The operations a token may be granted.
enum class TokenScope : uint32_t {
  kAppend = 1,    // Append, Import
  kRead = 2,      // ReadCase, Subscribe, Deadline
  kReport = 4,    // Report
  kPersonal = 8,  // see applicants' personal data in ReadCase and Subscribe
  // Append personalDataErased events (an erasure cannot be undone, so it is a
  // right of its own, granted neither with kAppend nor with kPersonal).
  kErase = 16,
};

// How far down the agency tree a token reaches.
enum class TokenReach {
  kAgency,   // its agency alone
  kSubtree,  // its agency and every agency registered under it
};

struct TokenInfo {
  std::string id;
  std::string name;       // the intake system; recorded as the actor
  std::string agency_id;  // the agency it acts for
  TokenReach reach = TokenReach::kAgency;
  uint32_t scopes = 0;  // a set of TokenScope bits
  std::string sha256_hex;
  absl::Time created;
  absl::Time revoked = absl::InfiniteFuture();  // InfiniteFuture: in force

  bool Has(TokenScope scope) const {
    return (scopes & static_cast<uint32_t>(scope)) != 0;
  }
  bool in_force() const { return revoked == absl::InfiniteFuture(); }
};

// Parses "append,read,report[,personal][,erase]" into TokenScope bits;
// kInvalidArgument for an unknown or empty list.
absl::StatusOr<uint32_t> ParseScopes(absl::string_view text);
// The inverse of ParseScopes.
std::string ScopesToString(uint32_t scopes);

class TokenFile {
 public:
  // `path` need not exist yet (no tokens).
  explicit TokenFile(std::string path) : path_(std::move(path)) {}
  TokenFile(const TokenFile&) = delete;
  TokenFile& operator=(const TokenFile&) = delete;

  // Adds a token and returns it, the only time it is shown. `name`: 1-64
  // characters of [A-Za-z0-9._-], not 8 hex digits (those are ids), not the
  // name of a token in force (kAlreadyExists). kInvalidArgument for a bad
  // argument, kUnavailable if the file cannot be written or no randomness is
  // to be had.
  absl::StatusOr<std::string> Create(absl::string_view name,
                                     absl::string_view agency_id,
                                     TokenReach reach, uint32_t scopes,
                                     absl::Time now);

  // Every token ever created, in order, revoked ones included.
  absl::StatusOr<std::vector<TokenInfo>> List();

  // Revokes the token in force with this name or id; kNotFound if none.
  absl::Status Revoke(absl::string_view name_or_id, absl::Time now);

  // Returns the token in force that `token` is; kUnauthenticated (never
  // saying which part failed, nor echoing the token) otherwise. Re-reads the
  // file when it changed since the last call; kUnavailable, naming nothing,
  // if it cannot be read or parsed.
  absl::StatusOr<TokenInfo> Authenticate(absl::string_view token);

  // Whether the token with this id is still in force (re-reading the file if
  // it changed): for long-lived calls authenticated once.
  bool InForce(absl::string_view id);

 private:
  absl::Status ReloadIfChanged() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string path_;
  absl::Mutex mu_;
  std::vector<TokenInfo> tokens_ ABSL_GUARDED_BY(mu_);
  std::string stamp_ ABSL_GUARDED_BY(mu_);  // the file's inode, size and mtime
};

}  // namespace ogi

#endif  // OGI_SERVE_TOKENS_H_
