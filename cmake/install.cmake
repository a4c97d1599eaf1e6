# Installs the library, its headers and a package config, so that
# `find_package(thespis)` + `target_link_libraries(app thespis::thespis)` works.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

foreach(dir core scheduler mailbox bases)
  install(DIRECTORY ${dir}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/thespis/${dir}
          FILES_MATCHING PATTERN "*.hpp")
endforeach()
install(FILES core/thespis.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/thespis)

install(TARGETS thespis EXPORT thespisTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(EXPORT thespisTargets NAMESPACE thespis::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/thespis)
# Named <lower-case name>-config.cmake, which find_package looks for under any spelling of the
# name: find_package(thespis) and find_package(Thespis) both find it (thespisConfig.cmake answers
# only the first).
configure_package_config_file(cmake/thespisConfig.cmake.in
  ${PROJECT_BINARY_DIR}/thespis-config.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/thespis)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/thespis-config-version.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/thespis-config.cmake
              ${PROJECT_BINARY_DIR}/thespis-config-version.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/thespis)
