// AES-256-GCM sealing of applicants' personal data and their blind tokens;
// see personal_data.h.
#include "engine/personal_data.h"

#include <memory>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "absl/strings/str_cat.h"

#include "engine/messages.h"

namespace ogi {
namespace {

constexpr char kSealFormat = 1;
constexpr size_t kNonceSize = 12;
constexpr size_t kTagSize = 16;
constexpr size_t kHeaderSize = 1 + kKeyIdSize + kNonceSize;

// The associated data: the blob belongs to this case and this key.
std::string Aad(absl::string_view case_id, absl::string_view key_id) {
  return absl::StrCat(key_id, case_id);
}

struct CipherFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using Cipher = std::unique_ptr<EVP_CIPHER_CTX, CipherFree>;

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* Bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

std::string Token(absl::string_view pepper, absl::string_view kind,
                  absl::string_view value) {
  const std::string message = absl::StrCat(kind, ":", value);
  std::string out(kTokenSize, '\0');
  unsigned int size = 0;
  (void)HMAC(EVP_sha256(), pepper.data(), static_cast<int>(pepper.size()),
             Bytes(message), message.size(), Bytes(out), &size);
  return out;
}

}  // namespace

const v1::Applicant* ApplicantOf(const v1::Event& event) {
  if (event.has_received()) return &event.received().applicant();
  if (event.has_amended() && event.amended().has_received())
    return &event.amended().received().applicant();
  return nullptr;
}

v1::Applicant* MutableApplicantOf(v1::Event& event) {
  if (event.has_received())
    return event.mutable_received()->mutable_applicant();
  if (event.has_amended() && event.amended().has_received())
    return event.mutable_amended()->mutable_received()->mutable_applicant();
  return nullptr;
}

bool HasPersonalData(const v1::Applicant& a) {
  return !a.name().empty() || !a.id_number().empty() || !a.contact().empty();
}

absl::StatusOr<std::string> RandomBytes(size_t size) {
  std::string out(size, '\0');
  if (RAND_bytes(Bytes(out), static_cast<int>(out.size())) != 1)
    return absl::InternalError(Text(Msg::kRandomFailed));
  return out;
}

absl::StatusOr<PersonalKey> NewPersonalKey() {
  // One call to the generator for both (an import makes a key per case).
  absl::StatusOr<std::string> bytes =
      RandomBytes(kKeyIdSize + kPersonalKeySize);
  if (!bytes.ok()) return bytes.status();
  PersonalKey key;
  key.id = bytes->substr(0, kKeyIdSize);
  key.key = bytes->substr(kKeyIdSize);
  return key;
}

absl::StatusOr<absl::string_view> SealedKeyId(const v1::Applicant& a) {
  const std::string& sealed = a.sealed();
  if (sealed.size() < kHeaderSize + kTagSize || sealed[0] != kSealFormat)
    return absl::DataLossError(Text(Msg::kSealedMalformed));
  return absl::string_view(sealed).substr(1, kKeyIdSize);
}

absl::Status SealApplicant(const PersonalKey& key, absl::string_view case_id,
                           v1::Applicant& a) {
  v1::Applicant personal;
  personal.set_name(a.name());
  personal.set_id_number(a.id_number());
  personal.set_contact(a.contact());
  const std::string plain = personal.SerializeAsString();

  std::string out(kHeaderSize + plain.size() + kTagSize, '\0');
  out[0] = kSealFormat;
  out.replace(1, kKeyIdSize, key.id);
  unsigned char* nonce = Bytes(out) + 1 + kKeyIdSize;
  const std::string aad = Aad(case_id, key.id);
  unsigned char* cipher_text = nonce + kNonceSize;
  if (RAND_bytes(nonce, kNonceSize) != 1)
    return absl::InternalError(Text(Msg::kRandomFailed));
  Cipher ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (ctx == nullptr || key.key.size() != kPersonalKeySize ||
      key.id.size() != kKeyIdSize ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key.key),
                         nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(aad),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), cipher_text, &len, Bytes(plain),
                        static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), cipher_text + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagSize,
                          cipher_text + plain.size()) != 1) {
    return absl::InternalError(Text(Msg::kSealFailed));
  }
  a.clear_name();
  a.clear_id_number();
  a.clear_contact();
  a.set_sealed(std::move(out));
  return absl::OkStatus();
}

absl::Status UnsealApplicant(const PersonalKey& key, absl::string_view case_id,
                             v1::Applicant& a) {
  const std::string& sealed = a.sealed();
  if (sealed.size() < kHeaderSize + kTagSize || sealed[0] != kSealFormat ||
      key.key.size() != kPersonalKeySize) {
    return absl::DataLossError(Text(Msg::kSealedMalformed));
  }
  const std::string aad = Aad(case_id, sealed.substr(1, kKeyIdSize));
  const unsigned char* nonce = Bytes(sealed) + 1 + kKeyIdSize;
  const unsigned char* cipher_text = nonce + kNonceSize;
  const size_t size = sealed.size() - kHeaderSize - kTagSize;
  std::string plain(size, '\0');
  std::string tag(sealed.substr(sealed.size() - kTagSize));
  Cipher ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (ctx == nullptr ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, Bytes(key.key),
                         nonce) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(aad),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), Bytes(plain), &len, cipher_text,
                        static_cast<int>(size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagSize,
                          Bytes(tag)) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), Bytes(plain) + len, &len) != 1) {
    return absl::DataLossError(Text(Msg::kSealedNotAuthentic));
  }
  v1::Applicant personal;
  if (!personal.ParseFromString(plain))
    return absl::DataLossError(Text(Msg::kSealedUndecodable));
  a.set_name(personal.name());
  a.set_id_number(personal.id_number());
  a.set_contact(personal.contact());
  a.clear_sealed();
  return absl::OkStatus();
}

void MarkErased(v1::Applicant& a) {
  a.clear_name();
  a.clear_id_number();
  a.clear_contact();
  a.clear_sealed();
  a.set_personal_data_erased(true);
}

std::vector<std::string> ApplicantTokens(absl::string_view pepper,
                                         const v1::Applicant& a) {
  if (!a.id_number().empty()) return {Token(pepper, "id", a.id_number())};
  if (!a.name().empty()) return {Token(pepper, "name", a.name())};
  return {};
}

std::vector<std::string> LookupTokens(absl::string_view pepper,
                                      absl::string_view value) {
  return {Token(pepper, "id", value), Token(pepper, "name", value)};
}

}  // namespace ogi
