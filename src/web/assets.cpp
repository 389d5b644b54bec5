#include "web/assets.hpp"

#include <cstdlib>

#include <spdlog/spdlog.h>

namespace rota::web {

const Asset* FindAsset(std::string_view name) {
  for (const Asset& a : AllAssets())
    if (a.name == name) return &a;
  return nullptr;
}

std::string AssetUrl(std::string_view name) {
  const Asset* a = FindAsset(name);
  if (!a) {
    spdlog::critical("web asset {} is not built in", name);
    std::abort();
  }
  return "/static/" + std::string(a->name) + "?v=" + std::string(a->hash);
}

}  // namespace rota::web
