// Password and secret hashing (libsodium).
//
// Passwords: Argon2id in the standard PHC string form
// ($argon2id$v=19$m=...,t=...,p=1$salt$hash), verified in constant time by
// libsodium. Tokens and session ids are 256-bit random values; only their
// BLAKE2b-256 hash (hex) is stored, so a leaked table does not log anyone in.
// Thread-safe. REQUIRES: sodium_init() (InitCrypto) has run.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace rota::service {

// Call once at start-up; returns false if libsodium cannot initialise.
bool InitCrypto();

// Argon2id with a fresh random salt. Costs: libsodium's "interactive" limits.
std::string HashPassword(std::string_view password);
// Argon2id with a caller-chosen salt: deterministic, for reproducible demo data only.
std::string HashPasswordWithSalt(std::string_view password, const std::array<uint8_t, 16>& salt);
bool VerifyPassword(std::string_view stored_hash, std::string_view password);

// A new random secret as 43 URL-safe base64 characters (256 bits).
std::string NewSecret();
// The stored form of a secret: hex BLAKE2b-256.
std::string HashSecret(std::string_view secret);
// Constant-time string comparison.
bool SecretsEqual(std::string_view a, std::string_view b);

}  // namespace rota::service
