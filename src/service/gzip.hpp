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

#include <optional>
#include <string>
#include <string_view>

#include "base/status.hpp"

namespace rota::service {

// The zlib level of stored answers: 6, zlib's default. A miss pays it once
// (bench/RESULTS.md, "Compression", has the figures); every hit is free.
inline constexpr int kGzipLevel = 6;

// `in` as one gzip member at `level` (1..9). Its deflate data ends with a
// sync flush (on a byte boundary) and then an empty final block, so that
// GzipAround can put other bytes around it without inflating anything; any
// gzip reader reads it as usual. REQUIRES: in.size() < 4 GiB.
std::string Gzip(std::string_view in, int level = kGzipLevel);

// One gzip member of `prefix` + the bytes of `member` + `suffix`, with nothing
// compressed or inflated: the member's deflate data is kept as it is, prefix
// and suffix go around it in stored (uncompressed) deflate blocks, and the
// CRC-32 is combined from the member's (crc32_combine). For a page: the
// layout, a few KB, around a large fragment compressed once. nullopt when
// `member` is not a member Gzip made.
std::optional<std::string> GzipAround(std::string_view prefix, std::string_view member, std::string_view suffix);

// The bytes of the gzip member `in`. Anything else (not gzip, truncated, a bad
// CRC, trailing bytes, or more than `limit` bytes once inflated) is an
// internal error: stored bytes are ours, so it means a bug or a corrupt cache.
Result<std::string> Gunzip(std::string_view in, size_t limit = size_t{64} << 20);

}  // namespace rota::service
