// The actor behind a troupe's address: it hands each message, with its original sender, to an
// idle member, creating members up to the limit and queueing the rest.
#pragma once

#include <algorithm>
#include <deque>
#include <tuple>
#include <utility>
#include <vector>

#include "core/actor.hpp"
#include "core/detail/troupe_signals.hpp"
#include "core/system_messages.hpp"
#include "core/troupe.hpp"

namespace thespis::detail {

/// Leads a troupe of A(args...). Members are its children.
template <class A, class... Args>
class troupe_leader final : public actor {
 public:
  using member_type = A;  // whose requirements the troupe has (declared_requirements)

  explicit troupe_leader(Args... args) : args_(std::move(args)...), limits_(A::troupe) {}

  void receive(message& msg, const address& sender) override {
    if (msg.is<troupe_member_ready>()) return on_ready(sender);
    if (auto* exited = msg.try_get<child_actor_exited>()) return on_exited(exited->child);
    if (auto* limits = msg.try_get<troupe_limits>()) return on_limits(*limits);
    if (auto* w = msg.try_get<wakeup_message>(); w && w->payload.is<dismiss_surplus>()) {
      return on_dismiss();
    }
    if (auto* exit = msg.try_get<actor_exit_request>()) {
      // The members go too, even when asked not to take children along: nobody else has their
      // addresses, and they would idle as top-level actors until the system shut down.
      exit->recursive = true;
      return on_exit();
    }
    // Empty on the retry after dispatch() threw (a member could not be created): the first
    // attempt queued it already. It waits for the next dispatch, or the troupe's exit.
    envelope* env = msg.release();
    if (env == nullptr) return;
    env->sender = sender;  // members see the original sender, so replies go straight back
    queue_.push_back(env);
    dispatch();
  }

  ~troupe_leader() override {
    // on_exit() handed the queue to the members, normally. A restart (a supervised troupe,
    // all_for_one with a failing sibling) ends this leader with work still queued: dead
    // letters, counted, not work lost unseen.
    for (envelope* env : queue_)
      give_back_unhandled(env);
  }

 private:
  struct member {
    address where;
    bool busy;
  };

  void dispatch() {
    while (!queue_.empty()) {
      member* m = idle_member();
      if (!m && members_.size() < std::max(1u, limits_.max_members)) m = &recruit();
      if (!m) return;  // all busy at the limit: the message waits here
      if (!address_access::target(m->where)->deliver_unless_closed(queue_.front())) {
        // The member exited on its own (transient, or retiring when idle) and its exit notice
        // is on the way: forget it now, and give the work to another.
        forget(m->where);
        continue;
      }
      m->busy = true;
      queue_.pop_front();
    }
  }

  void forget(address gone) {  // a copy: it may be the address of an element erased here
    std::erase_if(members_, [&](const member& m) { return m.where == gone; });
  }

  member* idle_member() {
    for (auto& m : members_) {
      if (!m.busy) return &m;
    }
    return nullptr;
  }

  member& recruit() {
    // factory_of<A> directly: make_actor_factory<A> would make another leader.
    auto factory = std::apply(
        [](auto&... a) -> std::unique_ptr<actor_factory> {
          return std::make_unique<factory_of<A, Args...>>(a...);
        },
        args_);
    factory->troupe_member = true;
    members_.push_back({create_child(std::move(factory)), false});
    return members_.back();
  }

  void on_ready(const address& from) {
    for (auto& m : members_) {
      if (m.where == from) m.busy = false;
    }
    dispatch();
    if (idle_count() > limits_.idle_members && !dismissal_pending_) {
      dismissal_pending_ = true;
      wakeup_after(limits_.dismiss_after, dismiss_surplus{});
    }
  }

  void on_dismiss() {
    dismissal_pending_ = false;
    for (auto it = members_.begin(); it != members_.end() && idle_count() > limits_.idle_members;) {
      if (it->busy) {
        ++it;
        continue;
      }
      send(it->where, actor_exit_request{});
      it = members_.erase(it);
    }
  }

  void on_exited(const address& child) {
    forget(child);
    dispatch();
  }

  void on_limits(const troupe_limits& limits) {
    limits_ = limits;
    dispatch();
    on_dismiss();
  }

  // Work the troupe accepted before its exit request is handled, as an actor handles the mail
  // sent before its exit request: it goes to the members now, in order, a busy one taking it
  // after its current message; the exit then asks them to exit, behind that work. (At shutdown
  // the system asks the members too, in no set order: work that reaches a member gone by then
  // is a dead letter, counted.)
  void on_exit() {
    std::size_t next = 0;
    while (!queue_.empty()) {
      if (members_.empty()) recruit();
      next %= members_.size();
      if (!address_access::target(members_[next].where)->deliver_unless_closed(queue_.front())) {
        forget(members_[next].where);  // exited on its own: see dispatch()
        continue;
      }
      queue_.pop_front();
      ++next;
    }
  }

  std::size_t idle_count() const {
    return static_cast<std::size_t>(
        std::count_if(members_.begin(), members_.end(), [](const member& m) { return !m.busy; }));
  }

  std::tuple<Args...> args_;
  troupe_limits limits_;
  std::vector<member> members_;
  std::deque<envelope*> queue_;
  bool dismissal_pending_ = false;
};

/// Returns the factory that creating an A(args...) uses: A itself, or a leader for a troupe A.
template <class A, class... Args>
std::unique_ptr<actor_factory> make_actor_factory(Args&&... args) {
  if constexpr (troupe_actor<A>) {
    return make_factory<troupe_leader<A, std::decay_t<Args>...>>(std::forward<Args>(args)...);
  } else {
    return make_factory<A>(std::forward<Args>(args)...);
  }
}

/// Like make_actor_factory, with requirements added at creation.
template <class A, class... Args>
std::unique_ptr<actor_factory> make_actor_factory_requiring(const requirements& more,
                                                            Args&&... args) {
  auto factory = make_actor_factory<A>(std::forward<Args>(args)...);
  factory->add_requirements(more);
  return factory;
}

}  // namespace thespis::detail
