#include "service/gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <cassert>
#include <limits>
#include <new>

namespace rota::service {
namespace {

// windowBits 15 + 16: a gzip wrapper (header and CRC-32 trailer) around deflate.
constexpr int kGzipWindowBits = 15 + 16;
constexpr uInt kMaxChunk = std::numeric_limits<uInt>::max();

}  // namespace

std::string Gzip(std::string_view in, int level) {
  assert(level >= 1 && level <= 9);
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::bad_alloc();  // zlib fails here only when out of memory
  }
  // deflateBound is an upper bound for the whole input at once (plus the gzip wrapper).
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  int rc = Z_OK;
  size_t left_in = in.size(), left_out = out.size();
  while (rc == Z_OK) {
    z.avail_in = static_cast<uInt>(std::min<size_t>(left_in, kMaxChunk));
    z.avail_out = static_cast<uInt>(std::min<size_t>(left_out, kMaxChunk));
    const uInt given_in = z.avail_in, given_out = z.avail_out;
    rc = deflate(&z, z.avail_in == left_in ? Z_FINISH : Z_NO_FLUSH);
    left_in -= given_in - z.avail_in;
    left_out -= given_out - z.avail_out;
  }
  assert(rc == Z_STREAM_END);  // the bound guarantees room
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Result<std::string> Gunzip(std::string_view in, size_t limit) {
  if (in.size() > kMaxChunk) return Error::Internal("gunzip: input larger than 4 GiB");
  // The trailer's ISIZE (the length mod 2^32) sizes the output in one go for any sane answer.
  size_t expect = 0;
  if (in.size() >= 18)
    for (int i = 3; i >= 0; --i) expect = (expect << 8) | static_cast<unsigned char>(in[in.size() - 4 + static_cast<size_t>(i)]);
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
    rc = inflate(&z, Z_NO_FLUSH);
    produced += given - z.avail_out;
    if (rc == Z_BUF_ERROR && z.avail_out != 0) break;  // the input ended before the stream did
    if (rc == Z_BUF_ERROR) rc = Z_OK;                   // only out of room: grow and go on
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
