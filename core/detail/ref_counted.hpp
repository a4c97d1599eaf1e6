// Intrusive reference counting for the runtime's shared objects (actor cells, reply slots).
// An address is one pointer wide because the count lives in the object it names.
#pragma once

#include <atomic>
#include <cstdint>
#include <type_traits>
#include <utility>

namespace thespis::detail {

/// Base for objects shared by intrusive_ptr. Thread-safe.
class ref_counted {
 public:
  ref_counted() = default;
  ref_counted(const ref_counted&) = delete;
  ref_counted& operator=(const ref_counted&) = delete;

  void add_ref() const noexcept {
    // relaxed: taking a new reference needs no ordering; the caller already holds one.
    refs_.fetch_add(1, std::memory_order_relaxed);
  }

  /// Takes n references at once (a batch handed out one by one later, see actor::send).
  void add_refs(std::uint32_t n) const noexcept {
    // relaxed: as add_ref.
    refs_.fetch_add(n, std::memory_order_relaxed);
  }

  /// Drops n references the caller holds, knowing it keeps at least one more: never the last.
  void release_surplus_refs(std::uint32_t n) const noexcept {
    // release: publishes this owner's writes, as in release_ref; the final decrement (in
    // release_ref, acq_rel) then sees them. No acquire: this is never the final one.
    refs_.fetch_sub(n, std::memory_order_release);
  }

  void release_ref() const noexcept {
    // acq_rel: the release publishes this owner's writes; the acquire on the final decrement
    // makes every other owner's writes visible before the destructor runs.
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) destroy();
  }

 protected:
  virtual ~ref_counted() = default;
  /// Ends the object once the last reference is gone. Overridden by objects that live in
  /// storage `delete` cannot free (an actor cell with its actor's room after it).
  virtual void destroy() const noexcept { delete this; }

 private:
  mutable std::atomic<std::uint32_t> refs_{1};
};

/// Owning pointer to a ref_counted object; copying adds a reference.
template <class T>
class intrusive_ptr {
 public:
  intrusive_ptr() noexcept = default;
  /// Adopts a reference the caller already owns (e.g. the initial one from `new`).
  static intrusive_ptr adopt(T* p) noexcept {
    intrusive_ptr r;
    r.ptr_ = p;
    return r;
  }
  /// Takes a new reference to p.
  static intrusive_ptr share(T* p) noexcept {
    if (p) p->add_ref();
    return adopt(p);
  }

  intrusive_ptr(const intrusive_ptr& o) noexcept : ptr_(o.ptr_) {
    if (ptr_) ptr_->add_ref();
  }
  intrusive_ptr(intrusive_ptr&& o) noexcept : ptr_(std::exchange(o.ptr_, nullptr)) {}
  /// Converts from a pointer to a derived type.
  template <class U>
  requires std::is_convertible_v<U*, T*> intrusive_ptr(intrusive_ptr<U> o)
  noexcept : ptr_(o.detach()) {}
  intrusive_ptr& operator=(intrusive_ptr o) noexcept {
    std::swap(ptr_, o.ptr_);
    return *this;
  }
  ~intrusive_ptr() {
    if (ptr_) ptr_->release_ref();
  }

  T* get() const noexcept { return ptr_; }
  T* operator->() const noexcept { return ptr_; }
  T& operator*() const noexcept { return *ptr_; }
  explicit operator bool() const noexcept { return ptr_ != nullptr; }
  /// Gives up ownership without releasing the reference.
  T* detach() noexcept { return std::exchange(ptr_, nullptr); }

 private:
  T* ptr_ = nullptr;
};

}  // namespace thespis::detail
