// An object that runs a function when destroyed: put in a handler's capture, it makes the
// handler's destruction (when a later handler replaces it) do something a test can watch, such
// as registering another handler.
#pragma once

#include <functional>
#include <utility>

namespace thespis::test {

class on_destroy {
 public:
  explicit on_destroy(std::function<void()> f) : f_(std::move(f)) {}
  on_destroy(const on_destroy&) = delete;
  on_destroy& operator=(const on_destroy&) = delete;
  ~on_destroy() { f_(); }

 private:
  std::function<void()> f_;
};

}  // namespace thespis::test
