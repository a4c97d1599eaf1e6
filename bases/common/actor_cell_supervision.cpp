// Supervision: restarting a child whose handlers keep failing, and escalating past the limit.
#include <algorithm>

#include "bases/common/actor_cell.hpp"
#include "bases/common/runtime.hpp"
#include "core/detail/saturating_duration.hpp"

namespace thespis::detail {

namespace {
// Records a restart at `now` if the policy allows one more within its window.
bool allow_restart(std::vector<timer_service::time_point>& history, const supervision& policy,
                   timer_service::time_point now) {
  // Saturated, and compared as an age: a "for ever" window (milliseconds::max(), 300 years)
  // overflowed both the cast and t + window into the past, so no restart stayed counted and
  // max_restarts never held (10 failures, 11 builds).
  const auto window = saturating_ns(policy.within);
  std::erase_if(history, [&](timer_service::time_point t) { return now - t > window; });
  if (history.size() >= policy.max_restarts) return false;
  history.push_back(now);
  return true;
}
}  // namespace

void actor_cell::tell_parent(child_failed failure) noexcept {
  if (auto* parent = address_access::target(parent_)) {
    parent->deliver(new envelope_of<child_failed>(self(), std::move(failure)));
  }
}

// A supervised actor's message failed twice: restart, or give up and let the parent fail.
void actor_cell::on_failure() noexcept {
  const supervision policy = *factory()->supervised;
  const address me = self();
  const bool allowed = allow_restart(links_state().restarts, policy, runtime_.timers().now());
  if (allowed && policy.strategy == restart_strategy::all_for_one) {
    // Restarted at once, so the failed instance handles nothing more; the parent restarts the
    // siblings and keeps the group's count. The actor counts its own restarts too: the
    // parent's verdict queues behind this actor's backlog, and a backlog of failing messages
    // restarted it past the limit meanwhile (101 builds for 100 messages, max_restarts 3).
    restart();
    tell_parent(child_failed{me, false, policy});
    return;
  }
  if (allowed) return restart();
  exit_reason_ = exit_reason::failed;
  tell_parent(child_failed{me, true, policy});
  begin_exit(true);
}

void actor_cell::on_child_failed(const child_failed& failure) noexcept {
  // A child of the instance before a restart (asked to exit then) may still report a failure
  // it had under way; it concerns neither this instance nor its group.
  const rare_state* r = rare();
  if (r == nullptr || !r->children.contains(failure.child)) return;
  if (failure.gave_up) return fail_by_escalation();
  auto& group = links_state().all_for_one_children;
  if (std::find(group.begin(), group.end(), failure.child) == group.end()) return;
  if (allow_restart(links_state().group_restarts, failure.policy, runtime_.timers().now())) {
    for (const auto& sibling : group) {
      if (sibling == failure.child) continue;  // it restarted itself already
      runtime_.deliver_or_dead_letter(sibling, new envelope_of<restart_request>(self()));
    }
    return;
  }
  for (const auto& member : group) {
    runtime_.deliver_or_dead_letter(
        member,
        new envelope_of<actor_exit_request>(self(), actor_exit_request{true, exit_reason::failed}));
  }
  fail_by_escalation();
}

// A child gave up: this actor counts as failed — restarted by its own supervision, else gone.
void actor_cell::fail_by_escalation() noexcept {
  if (exiting_) return;
  if (supervised()) return on_failure();
  deliver(
      new envelope_of<actor_exit_request>(self(), actor_exit_request{true, exit_reason::failed}));
}

// Builds the actor afresh: same address, mailbox and watchers; new state, no children, no
// pending wakeups, awaited replies or watches of its own.
void actor_cell::restart() noexcept {
  if (links* l = links_made()) {
    l->all_for_one_children.clear();
    // The old instance's watches end with it: a new instance that watches in its constructor
    // (the usual place) watched each target once more per restart, and heard of its exit as
    // many times (three notices after two restarts). Each unwatch goes ahead of the new
    // instance's watch of the same target, as both come from this actor — and ahead of the
    // exit requests to the children below: a watched child that exits at once would else tell
    // the new instance of an exit it never watched for.
    for (const address& target : l->watching) {
      if (auto* to = address_access::target(target)) {
        to->deliver(new envelope_of<watch_request>(self(), watch_request{false}));
      }
    }
    l->watching.clear();
  }
  let_go_of_children([&](const address& child) {
    runtime_.deliver_or_dead_letter(child, new envelope_of<actor_exit_request>(self()));
  });
  drop_pending_timers();
  destroy_instance();
  drop_pending_timers();  // what the destructor (a plain object's dispose()) armed
  try {
    construct();
  } catch (...) {
    exit_reason_ = exit_reason::construction_failed;
    finish();
  }
}

}  // namespace thespis::detail
