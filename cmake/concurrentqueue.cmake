# Debian's moodycamel ConcurrentQueue package ships headers only, without a CMake config:
# wrap it in an imported target once, here.
if(NOT TARGET concurrentqueue::concurrentqueue)
  find_path(CONCURRENTQUEUE_INCLUDE_DIR concurrentqueue.h PATH_SUFFIXES concurrentqueue)
  if(CONCURRENTQUEUE_INCLUDE_DIR)
    add_library(concurrentqueue::concurrentqueue INTERFACE IMPORTED)
    target_include_directories(concurrentqueue::concurrentqueue INTERFACE ${CONCURRENTQUEUE_INCLUDE_DIR})
  endif()
endif()
