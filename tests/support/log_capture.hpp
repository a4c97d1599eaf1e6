// Keeps what a system logs, for the tests that check it: `config.log_to = logged.sink();`.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "core/thespis.hpp"

namespace thespis::test {

class log_capture {
 public:
  /// A sink for system_config::log_to that keeps every record (thread-safe: workers log).
  log_sink sink() const {
    return [kept = kept_](const log_record& r) {
      std::lock_guard lock(kept->mutex);
      kept->records.push_back(r);
    };
  }

  /// Returns the records kept so far, oldest first.
  std::vector<log_record> records() const {
    std::lock_guard lock(kept_->mutex);
    return kept_->records;
  }

 private:
  struct kept_records {
    std::mutex mutex;
    std::vector<log_record> records;
  };
  std::shared_ptr<kept_records> kept_ = std::make_shared<kept_records>();
};

}  // namespace thespis::test
