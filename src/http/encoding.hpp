// Content negotiation of the cacheable reads' encoding, and their validators.
//
// A large cached answer is stored gzip-compressed once (service/cached_reads.hpp);
// this is where a response chooses between sending those bytes as they are
// (`Content-Encoding: gzip`) and inflating them for this one response.
//
// Accept-Encoding (RFC 9110 §12.5.3) is a list of codings, each with an
// optional weight: `gzip;q=0.8, identity, *;q=0`. Codings are case-insensitive
// tokens, whitespace around elements and around `;` is allowed, empty list
// elements are ignored, `x-gzip` is gzip (§8.4.1.3), `q` is a number 0..1 with
// at most three decimals and q=0 means "not acceptable". A coding that is not
// listed takes the weight of `*` if there is one (identity included: `*;q=0`
// without an identity entry refuses it); otherwise gzip is not acceptable and
// identity is, with weight 1. A malformed element (a bad weight, a
// parameter other than q) is skipped, as if absent; a coding listed twice
// takes its first weight.
//
// The choice (GzipWanted): gzip when the header is present and gives gzip a
// weight above 0, unless the header weighs identity (an identity entry, or
// `*`) above gzip: `gzip;q=0.5` alone gets gzip, `gzip;q=0.5, identity` does
// not. Ties go to gzip, the smaller. Without the header a client has
// stated no preference; it gets identity, which every HTTP client reads. When
// neither gzip nor identity is acceptable the response is identity anyway
// (RFC 9110 §12.1 lets a server disregard the header rather than answer 406).
//
// Validators: strong ETags are per representation (RFC 9110 §8.8.3), so the
// gzip one differs from the identity one: `"<16 hex>"` and `"<16 hex>-gz"`.
// If-None-Match is compared (weakly, §13.1.2: a `W/` prefix is ignored) with
// the ETag of the representation this request would get.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rota::http {

// The weights (in thousandths, 0..1000) an Accept-Encoding value gives gzip and identity.
struct CodingWeights {
  int gzip = 0;
  int identity = 1000;
  bool identity_weighed = false;  // identity's weight was stated (an identity entry or `*`), not implied
};
CodingWeights ParseAcceptEncoding(std::string_view accept_encoding);

// Whether a request with this Accept-Encoding header (nullopt: none) should get gzip.
bool GzipWanted(std::optional<std::string_view> accept_encoding);

// The gzip representation's ETag from the identity one: `"abc"` -> `"abc-gz"`.
std::string GzipEtag(std::string_view identity_etag);

// Whether an If-None-Match value (`*`, or a list of entity tags) matches `etag`.
bool IfNoneMatchMatches(std::string_view if_none_match, std::string_view etag);

}  // namespace rota::http
