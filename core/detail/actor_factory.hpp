// Deferred construction of an actor: the runtime may build the instance later, on a worker.
#pragma once

#include <memory>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace thespis {
class actor;
}

namespace thespis::detail {

/// Builds one actor instance. Called by the runtime at most once, on whichever thread starts
/// the actor.
class actor_factory {
 public:
  virtual ~actor_factory() = default;
  /// Constructs the actor; exceptions from its constructor propagate.
  virtual std::unique_ptr<actor> make() = 0;
  /// Returns the class that make() builds.
  virtual const std::type_info& type() const noexcept = 0;
};

/// Builds an A from stored constructor arguments (decayed copies, moved into the constructor).
template <class A, class... Args>
class factory_of final : public actor_factory {
 public:
  template <class... In>
  explicit factory_of(In&&... in) : args_(std::forward<In>(in)...) {}

  std::unique_ptr<actor> make() override {
    return std::apply([](auto&... a) { return std::make_unique<A>(std::move(a)...); }, args_);
  }
  const std::type_info& type() const noexcept override { return typeid(A); }

 private:
  std::tuple<Args...> args_;
};

/// Returns a factory for A(args...).
template <class A, class... Args>
std::unique_ptr<actor_factory> make_factory(Args&&... args) {
  return std::make_unique<factory_of<A, std::decay_t<Args>...>>(std::forward<Args>(args)...);
}

}  // namespace thespis::detail
