# Installs choreod, the choreo CLI, choreo-bench, the client library with its public headers, and a
# CMake package so that a user project can `find_package(choreo)` and link `choreo::client`. The
# package exports only common + proto + client + saga: no RocksDB, abseil or spdlog is needed to use
# them.
#
# Two install components, one per Debian package built by scripts/package.sh:
#   runtime      -> choreo                (the programs)
#   development  -> libchoreo-client-dev  (headers, static libraries, the CMake package)
# Files that belong to the system rather than to the build (the systemd unit, /etc/choreo, the
# maintainer scripts) are added by scripts/package.sh from packaging/debian/, so that
# `cmake --install --prefix DIR` never writes outside DIR.
include(CMakePackageConfigHelpers)

install(TARGETS choreo_warnings choreo_common choreo_proto choreo_client choreo_saga EXPORT choreoTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT development
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/client/include/choreo ${PROJECT_SOURCE_DIR}/common/include/choreo
  ${PROJECT_SOURCE_DIR}/proto/include/choreo
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development)
install(DIRECTORY ${PROJECT_BINARY_DIR}/proto/choreo DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  COMPONENT development FILES_MATCHING PATTERN "*.pb.h")
install(EXPORT choreoTargets NAMESPACE choreo:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/choreo
  COMPONENT development)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/choreoConfig.cmake.in
  ${PROJECT_BINARY_DIR}/choreoConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/choreo)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/choreoConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/choreoConfig.cmake ${PROJECT_BINARY_DIR}/choreoConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/choreo COMPONENT development)
if(CHOREO_BUILD_SERVER)
  install(TARGETS choreod RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
endif()
install(TARGETS choreo_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
if(TARGET choreo_bench)
  install(TARGETS choreo_bench RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
endif()
