// The outside asks waiting for a reply, so that a shutdown that leaves no actor to answer them
// can end their wait: an ask for ever (or for an hour) to an actor that handled the request
// without replying waited that long after the system had shut down.
#pragma once

#include <mutex>

#include "bases/common/reply_slot.hpp"

namespace thespis::detail {

/// Thread-safe.
class waiting_asks {
 public:
  /// Counts `slot` as waiting while it lives (on the blocked thread's stack: a list node, so
  /// nothing is allocated). After give_up_all(), gives up on it at once.
  class entry {
   public:
    entry(waiting_asks& asks, reply_slot& slot) : asks_(asks), slot_(slot) {
      std::lock_guard lock(asks_.mutex_);
      if (asks_.given_up_) {
        slot_.no_reply_after_shutdown();
        return;
      }
      next_ = asks_.first_;
      if (next_) next_->prev_ = this;
      asks_.first_ = this;
      listed_ = true;
    }
    ~entry() {
      std::lock_guard lock(asks_.mutex_);
      if (!listed_) return;
      (prev_ ? prev_->next_ : asks_.first_) = next_;
      if (next_) next_->prev_ = prev_;
    }
    entry(const entry&) = delete;
    entry& operator=(const entry&) = delete;

   private:
    friend class waiting_asks;
    waiting_asks& asks_;
    reply_slot& slot_;
    // guarded by asks_.mutex_
    entry* prev_ = nullptr;
    entry* next_ = nullptr;
    bool listed_ = false;
  };

  /// No reply can come any more (every actor has exited): ends every wait, now and later.
  void give_up_all() noexcept {
    std::lock_guard lock(mutex_);
    given_up_ = true;
    for (entry* e = first_; e != nullptr; e = e->next_)  // alive: ~entry waits for the lock
      e->slot_.no_reply_after_shutdown();
  }

 private:
  std::mutex mutex_;
  entry* first_ = nullptr;  // guarded by mutex_
  bool given_up_ = false;   // guarded by mutex_
};

}  // namespace thespis::detail
