#include "service/gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <limits>
#include <new>

namespace rota::service {
namespace {

// windowBits 15 + 16: a gzip wrapper (header and CRC-32 trailer) around deflate.
constexpr int kGzipWindowBits = 15 + 16;
constexpr uInt kMaxChunk = std::numeric_limits<uInt>::max();

}  // namespace

std::string Gzip(std::string_view in, int level) {
  assert(level >= 1 && level <= 9 && in.size() <= kMaxChunk);
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::bad_alloc();  // zlib fails here only when out of memory
  // deflateBound covers the data and the wrapper; the sync flush and the final
  // empty block add a few bytes, and the buffer grows if ever it must.
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())) + 16, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  // Deflates with `flush` until zlib has written everything it owes for it.
  auto run = [&](int flush) {
    for (;;) {
      if (z.total_out == out.size()) out.resize(out.size() * 2);
      z.next_out = reinterpret_cast<Bytef*>(out.data() + z.total_out);
      z.avail_out = static_cast<uInt>(out.size() - z.total_out);
      int rc = deflate(&z, flush);
      if (rc == Z_STREAM_END || (flush != Z_FINISH && rc == Z_OK && z.avail_out != 0)) return;
      assert(rc == Z_OK || rc == Z_BUF_ERROR);
    }
  };
  run(Z_SYNC_FLUSH);  // all the data, ending on a byte boundary: 00 00 ff ff
  run(Z_FINISH);      // an empty final block (03 00), then the CRC-32 and length
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

namespace {

void AppendLittleEndian32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i, v >>= 8) out.push_back(static_cast<char>(v & 0xff));
}

uint32_t ReadLittleEndian32(std::string_view s) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[static_cast<size_t>(i)]);
  return v;
}

// `bytes` as stored (uncompressed) deflate blocks, the last one final if `last`.
void AppendStoredBlocks(std::string& out, std::string_view bytes, bool last) {
  do {
    const size_t n = std::min<size_t>(bytes.size(), 65535);
    const bool final_block = last && n == bytes.size();
    out.push_back(final_block ? 1 : 0);  // BFINAL, BTYPE 00 (stored), padded to the byte
    out.push_back(static_cast<char>(n & 0xff));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(~n & 0xff));
    out.push_back(static_cast<char>((~n >> 8) & 0xff));
    out.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
  } while (!bytes.empty());
}

uint32_t Crc32(std::string_view bytes) {
  return static_cast<uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

// The gzip header Gzip writes: deflate, no flags, no time, OS unix.
constexpr std::string_view kHeader("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10);
// What Gzip's member ends with before its trailer: the sync flush's empty stored block and an empty final block.
constexpr std::string_view kSyncThenFinal("\x00\x00\xff\xff\x03\x00", 6);

}  // namespace

std::optional<std::string> GzipAround(std::string_view prefix, std::string_view member, std::string_view suffix) {
  if (member.size() < kHeader.size() + kSyncThenFinal.size() + 8 || member.substr(0, 4) != kHeader.substr(0, 4) ||
      member.substr(member.size() - 8 - kSyncThenFinal.size(), kSyncThenFinal.size()) != kSyncThenFinal ||
      prefix.size() > kMaxChunk || suffix.size() > kMaxChunk)
    return std::nullopt;
  // The member's deflate data without its final block: whole blocks, the last ending on a byte boundary.
  const std::string_view data = member.substr(10, member.size() - 10 - 8 - 2);
  const uint32_t member_crc = ReadLittleEndian32(member.substr(member.size() - 8, 4));
  const uint32_t member_size = ReadLittleEndian32(member.substr(member.size() - 4, 4));
  std::string out;
  out.reserve(kHeader.size() + prefix.size() + data.size() + suffix.size() + 5 * (prefix.size() / 65535 + 3) + 8);
  out.append(kHeader);
  if (!prefix.empty()) AppendStoredBlocks(out, prefix, false);
  out.append(data);
  AppendStoredBlocks(out, suffix, true);
  uLong crc = crc32_combine(Crc32(prefix), member_crc, static_cast<z_off_t>(member_size));
  crc = crc32_combine(crc, Crc32(suffix), static_cast<z_off_t>(suffix.size()));
  AppendLittleEndian32(out, static_cast<uint32_t>(crc));
  AppendLittleEndian32(out, static_cast<uint32_t>(prefix.size() + member_size + suffix.size()));
  return out;
}

Result<std::string> Gunzip(std::string_view in, size_t limit) {
  if (in.size() > kMaxChunk) return Error::Internal("gunzip: input larger than 4 GiB");
  // The trailer's ISIZE (the length mod 2^32) sizes the output in one go for any sane answer.
  size_t expect = 0;
  if (in.size() >= 18)
    for (int i = 3; i >= 0; --i)
      expect = (expect << 8) | static_cast<unsigned char>(in[in.size() - 4 + static_cast<size_t>(i)]);
  // Room for one byte more than `limit`, so that an answer of exactly `limit` ends the stream.
  const size_t cap = limit + 1;
  std::string out(std::min(std::max<size_t>(expect + 1, 256), cap), '\0');
  z_stream z{};
  if (inflateInit2(&z, kGzipWindowBits) != Z_OK) return Error::Internal("gunzip: zlib could not start");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  size_t produced = 0;
  int rc = Z_OK;
  while (rc == Z_OK) {
    if (produced == out.size()) {
      if (out.size() >= cap) break;
      out.resize(std::min(out.size() * 2, cap));
    }
    z.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    z.avail_out = static_cast<uInt>(std::min<size_t>(out.size() - produced, kMaxChunk));
    const uInt given = z.avail_out;
    // Z_FINISH: with the output sized from ISIZE, one call that keeps no 32 KB window.
    rc = inflate(&z, Z_FINISH);
    produced += given - z.avail_out;
    if (rc == Z_BUF_ERROR && z.avail_out != 0) break;  // the input ended before the stream did
    if (rc == Z_BUF_ERROR) rc = Z_OK;                  // only out of room: grow and go on
  }
  const bool whole = rc == Z_STREAM_END && z.total_in == in.size() && produced <= limit;
  inflateEnd(&z);
  if (!whole)
    return Error::Internal(rc == Z_STREAM_END ? "gunzip: bytes after the gzip member"
                                              : "gunzip: not a whole gzip member, or larger than the limit");
  out.resize(produced);
  return out;
}

}  // namespace rota::service
