#include "core/actor_type_registry.hpp"

#include <map>
#include <mutex>

#include "core/errors.hpp"

namespace thespis::detail {

namespace {
struct registry {
  std::mutex mutex;
  std::map<std::string, factory_maker, std::less<>> makers;
};

registry& global_registry() {
  static registry r;  // function-local: safe to use from other static initializers
  return r;
}
}  // namespace

void register_factory_maker(std::string name, factory_maker maker) {
  auto& r = global_registry();
  std::lock_guard lock(r.mutex);
  r.makers[std::move(name)] = maker;
}

std::unique_ptr<actor_factory> make_registered_factory(std::string_view name) {
  auto& r = global_registry();
  factory_maker maker = nullptr;
  {
    std::lock_guard lock(r.mutex);
    if (auto it = r.makers.find(name); it != r.makers.end()) maker = it->second;
  }
  if (!maker) {
    throw invalid_actor_specification("no actor type is registered as '" + std::string(name) + "'");
  }
  return maker();
}

}  // namespace thespis::detail
