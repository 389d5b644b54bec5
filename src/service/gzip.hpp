// gzip (RFC 1952) of whole answers, through zlib: the cached reads store a
// large answer compressed once (service/cached_reads.hpp), and the HTTP edge
// sends those bytes as they are to a client that accepts gzip, or inflates
// them for one that does not (http/encoding.hpp).
//
// The output is deterministic for a given input and level (no file name, a
// zero modification time), so two servers compressing the same answer store
// the same bytes. Both functions are pure and thread-safe; each call sets up
// and tears down its own zlib stream (about 270 KB for deflate at level 6,
// 40 KB for inflate).
#pragma once

#include <string>
#include <string_view>

#include "base/status.hpp"

namespace rota::service {

// The zlib level of stored answers: 6, zlib's default. A miss pays it once
// (bench/RESULTS.md, "Compression", has the figures); every hit is free.
inline constexpr int kGzipLevel = 6;

// `in` as one gzip member at `level` (1..9).
std::string Gzip(std::string_view in, int level = kGzipLevel);

// The bytes of the gzip member `in`. Anything else (not gzip, truncated, a bad
// CRC, trailing bytes, or more than `limit` bytes once inflated) is an
// internal error: stored bytes are ours, so it means a bug or a corrupt cache.
Result<std::string> Gunzip(std::string_view in, size_t limit = size_t{64} << 20);

}  // namespace rota::service
