#include "core/logging.hpp"

#include <ctime>
#include <iostream>
#include <mutex>

namespace thespis {

std::string_view to_string(log_level level) noexcept {
  switch (level) {
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warning:
      return "warning";
    case log_level::error:
      return "error";
    case log_level::off:
      return "off";
  }
  return "?";
}

void stderr_log_sink(const log_record& record) {
  static std::mutex mutex;  // one line at a time, whole
  const std::time_t t = std::chrono::system_clock::to_time_t(record.time);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::lock_guard lock(mutex);
  std::cerr << stamp << ' ' << to_string(record.level) << ' ' << record.actor << " ("
            << record.actor_class << "): " << record.text << '\n';
}

}  // namespace thespis
