#include "service/passwords.hpp"

#include <sodium.h>

#include <fmt/format.h>

namespace rota::service {
namespace {

constexpr unsigned long long kOps = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr size_t kMem = crypto_pwhash_MEMLIMIT_INTERACTIVE;

std::string Base64(const uint8_t* data, size_t n, int variant) {
  std::string out(sodium_base64_encoded_len(n, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data, n, variant);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

}  // namespace

bool InitCrypto() { return sodium_init() >= 0; }

std::string HashPassword(std::string_view password) {
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOps, kMem, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return {};  // out of memory: the caller refuses to store an empty hash
  return out;
}

std::string HashPasswordWithSalt(std::string_view password, const std::array<uint8_t, 16>& salt) {
  uint8_t key[32];
  if (crypto_pwhash(key, sizeof key, password.data(), password.size(), salt.data(), kOps, kMem,
                    crypto_pwhash_ALG_ARGON2ID13) != 0)
    return {};
  // The PHC string libsodium itself writes: base64 without padding.
  constexpr int kB64 = sodium_base64_VARIANT_ORIGINAL_NO_PADDING;
  return fmt::format("$argon2id$v=19$m={},t={},p=1${}${}", kMem / 1024, kOps, Base64(salt.data(), salt.size(), kB64),
                     Base64(key, sizeof key, kB64));
}

bool VerifyPassword(std::string_view stored_hash, std::string_view password) {
  std::string h(stored_hash);  // needs a NUL-terminated string
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

std::string NewSecret() {
  uint8_t raw[32];
  randombytes_buf(raw, sizeof raw);
  return Base64(raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

std::string HashSecret(std::string_view secret) {
  uint8_t digest[32];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const uint8_t*>(secret.data()), secret.size(), nullptr, 0);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

bool SecretsEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace rota::service
