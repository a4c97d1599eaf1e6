// Deferred construction of an actor: the runtime may build the instance later, on a worker.
#pragma once

#include <concepts>
#include <cstddef>
#include <memory>
#include <new>
#include <optional>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "core/detail/envelope_allocator.hpp"
#include "core/requirements.hpp"
#include "core/supervision.hpp"

namespace thespis {
class actor;
}

namespace thespis::detail {

/// Builds one actor instance. Called by the runtime at most once, on whichever thread starts
/// the actor. Made per actor created and freed once it is built: a small_object.
class actor_factory : public small_object {
 public:
  virtual ~actor_factory() = default;
  /// Constructs the actor; exceptions from its constructor propagate.
  virtual std::unique_ptr<actor> make() = 0;
  /// The size and alignment of what make_at() builds, so that the runtime can give the actor
  /// room inside its own allocation (one allocation per actor, not two).
  virtual std::size_t instance_size() const noexcept = 0;
  virtual std::size_t instance_alignment() const noexcept = 0;
  /// Constructs the actor in `room` (instance_size() bytes, so aligned); the caller destroys it
  /// with std::destroy_at and frees the room itself. Exceptions from its constructor propagate.
  virtual actor* make_at(void* room) = 0;
  /// Returns the class that make() builds.
  virtual const std::type_info& type() const noexcept = 0;

  /// Returns what the class declares it requires, plus what was added at creation.
  requirements all_requirements() const {
    requirements all = class_requirements();
    if (!extra_.empty()) all.merge(extra_);
    return all;  // not `return all.merge(...)`: a reference, which copied both vectors per actor
  }
  /// Adds requirements given at creation.
  void add_requirements(const requirements& more) { extra_.merge(more); }

  /// Set by a troupe's leader for the members it creates.
  bool troupe_member = false;
  /// Set for a supervised child: make() may be called again (a restart), so it copies the
  /// stored arguments instead of moving them.
  std::optional<supervision> supervised;

 protected:
  virtual requirements class_requirements() const { return {}; }

 private:
  requirements extra_;
};

/// What the class behind A declares it requires: A's own actor_requirements(), else those of
/// the class A hosts — a plain object's (object_actor), a troupe's members' (troupe_leader).
/// Without the forwarding a plain class's or a troupe's requirements went unchecked: created
/// anyway, never dropped on a capability loss, and a troupe failed (and crashed) on its first
/// message, when its leader could not create a member.
template <class A>
requirements declared_requirements() {
  if constexpr (requires {
                  { A::actor_requirements() } -> std::convertible_to<requirements>;
                }) {
    return A::actor_requirements();
  } else if constexpr (requires { typename A::object_type; }) {
    return declared_requirements<typename A::object_type>();
  } else if constexpr (requires { typename A::member_type; }) {
    return declared_requirements<typename A::member_type>();
  } else {
    return {};
  }
}

/// Builds an A from stored constructor arguments (decayed copies, moved into the constructor).
template <class A, class... Args>
class factory_of final : public actor_factory {
 public:
  template <class... In>
  explicit factory_of(In&&... in) : args_(std::forward<In>(in)...) {}

  std::unique_ptr<actor> make() override {
    if constexpr ((std::is_copy_constructible_v<Args> && ...)) {
      if (supervised) {
        return std::apply([](const auto&... a) { return std::make_unique<A>(a...); }, args_);
      }
    }
    return std::apply([](auto&... a) { return std::make_unique<A>(std::move(a)...); }, args_);
  }
  std::size_t instance_size() const noexcept override { return sizeof(A); }
  std::size_t instance_alignment() const noexcept override { return alignof(A); }
  actor* make_at(void* room) override {
    if constexpr ((std::is_copy_constructible_v<Args> && ...)) {
      if (supervised) {
        return std::apply([room](const auto&... a) -> actor* { return ::new (room) A(a...); },
                          args_);
      }
    }
    return std::apply([room](auto&... a) -> actor* { return ::new (room) A(std::move(a)...); },
                      args_);
  }
  const std::type_info& type() const noexcept override {
    // A plain object's host reports the object's class: that is what users named.
    if constexpr (requires { typename A::object_type; }) {
      return typeid(typename A::object_type);
    } else {
      return typeid(A);
    }
  }

 protected:
  requirements class_requirements() const override { return declared_requirements<A>(); }

 private:
  std::tuple<Args...> args_;
};

/// Returns a factory for A(args...).
template <class A, class... Args>
std::unique_ptr<actor_factory> make_factory(Args&&... args) {
  return std::make_unique<factory_of<A, std::decay_t<Args>...>>(std::forward<Args>(args)...);
}

template <class A, class... Args>
std::unique_ptr<actor_factory> make_actor_factory(Args&&... args);  // troupe_leader.hpp

/// Returns a factory for A(args...) that builds it again on each restart. For a troupe class,
/// the supervised actor is the troupe's leader (its address), as make_actor_factory makes it.
template <class A, class... Args>
std::unique_ptr<actor_factory> make_supervised_factory(const supervision& policy, Args&&... args) {
  static_assert((std::is_copy_constructible_v<std::decay_t<Args>> && ...),
                "a supervised actor is rebuilt from copies of its constructor arguments");
  auto factory = make_actor_factory<A>(std::forward<Args>(args)...);
  factory->supervised = policy;
  return factory;
}

}  // namespace thespis::detail
