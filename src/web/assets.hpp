// The pages' static files, compiled into the binary (cmake/embed_assets.cmake):
// web/static/* and the npm libraries they use (Chart.js). Served at
// /static/<name>; pages link them as AssetUrl(name), whose `?v=<hash>` changes
// with the content, so browsers may keep them forever (Cache-Control immutable)
// and a new build is picked up at once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rota::web {

struct Asset {
  std::string_view name;          // e.g. "rota.css"
  std::string_view content_type;  // e.g. "text/css; charset=utf-8"
  std::string_view body;
  std::string_view hash;  // 16 hex digits of the SHA-256 of body
};

const std::vector<Asset>& AllAssets();  // generated
const Asset* FindAsset(std::string_view name);
// "/static/<name>?v=<hash>". REQUIRES: the asset exists (a typo fails the tests).
std::string AssetUrl(std::string_view name);

}  // namespace rota::web
