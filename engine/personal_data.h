// Applicants' personal data (name, ID number, contact: PIPL 个人信息) at rest.
//
// Before an event is hashed and stored, the engine moves the three fields of
// its applicant into Applicant.sealed, encrypted with AES-256-GCM under a key
// of the case's own, with a fresh random nonce and the case id as associated
// data (a sealed blob copied into another case does not decrypt). The keys
// live in the store's "keys" column family, apart from the log
// (engine/key_codec.h): destroying a case's key (a personalDataErased event)
// leaves the stored event, its chain link and every figure derived from it
// unchanged, and the three fields unreadable for good. See
// docs/PERSONAL-DATA.md for key storage, backup and what erasure guarantees.
//
// Applicants can be found again by the value of their ID number (or name,
// when they gave none) through blind tokens: HMAC-SHA256 under a random
// per-store pepper, so the index holds no personal data in the clear.
#ifndef OGI_ENGINE_PERSONAL_DATA_H_
#define OGI_ENGINE_PERSONAL_DATA_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#include "proto/event.pb.h"

namespace ogi {

inline constexpr size_t kPersonalKeySize = 32;  // AES-256
inline constexpr size_t kKeyIdSize = 8;
inline constexpr size_t kTokenSize = 32;  // HMAC-SHA256

// A case's key and its random id. A sealed blob names the id of the key it
// was sealed under, so a blob whose key was destroyed is recognised as erased
// even if the case later gets a new key.
struct PersonalKey {
  std::string id;   // kKeyIdSize bytes
  std::string key;  // kPersonalKeySize bytes
};

// The applicant a case event carries (`received`, or an amendment's
// replacement `received`), or nullptr.
const v1::Applicant* ApplicantOf(const v1::Event& event);
v1::Applicant* MutableApplicantOf(v1::Event& event);

// Whether any of name, ID number or contact is set.
bool HasPersonalData(const v1::Applicant& applicant);

// Returns `size` random bytes (OpenSSL RAND_bytes); kInternal if the
// generator fails.
absl::StatusOr<std::string> RandomBytes(size_t size);

// Returns a new random key and id.
absl::StatusOr<PersonalKey> NewPersonalKey();

// Moves name, ID number and contact into `sealed`:
//   sealed := format:u8 (=1) key_id:8 nonce:12 AES-256-GCM(fields) tag:16
// with the case id and key id as associated data. kInternal if OpenSSL fails.
absl::Status SealApplicant(const PersonalKey& key, absl::string_view case_id,
                           v1::Applicant& applicant);

// Returns the id of the key `applicant.sealed` was sealed under; kDataLoss if
// the blob is malformed.
absl::StatusOr<absl::string_view> SealedKeyId(const v1::Applicant& applicant);

// Reverses SealApplicant: restores the three fields and clears `sealed`.
// kDataLoss if the blob is malformed or does not authenticate under `key`
// and `case_id`.
absl::Status UnsealApplicant(const PersonalKey& key, absl::string_view case_id,
                             v1::Applicant& applicant);

// Clears `sealed` and the three fields and sets personal_data_erased.
void MarkErased(v1::Applicant& applicant);

// The blind tokens an applicant is found by: its ID number's if it has one,
// else its name's (none if neither).
std::vector<std::string> ApplicantTokens(absl::string_view pepper,
                                         const v1::Applicant& applicant);

// The tokens to look a value up by: as an ID number and as a name.
std::vector<std::string> LookupTokens(absl::string_view pepper,
                                      absl::string_view value);

}  // namespace ogi

#endif  // OGI_ENGINE_PERSONAL_DATA_H_
