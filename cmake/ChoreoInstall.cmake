# Installs choreod, the choreo CLI, the client library with its public headers, and a CMake package
# so that a user project can `find_package(choreo)` and link `choreo::client`. The package exports
# only common + proto + client + saga: no RocksDB, abseil or spdlog is needed to use them.
include(CMakePackageConfigHelpers)

install(TARGETS choreo_warnings choreo_common choreo_proto choreo_client choreo_saga EXPORT choreoTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/client/include/choreo ${PROJECT_SOURCE_DIR}/common/include/choreo
  ${PROJECT_SOURCE_DIR}/proto/include/choreo
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_BINARY_DIR}/proto/choreo DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.pb.h")
install(EXPORT choreoTargets NAMESPACE choreo:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/choreo)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/choreoConfig.cmake.in
  ${PROJECT_BINARY_DIR}/choreoConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/choreo)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/choreoConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/choreoConfig.cmake ${PROJECT_BINARY_DIR}/choreoConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/choreo)
if(CHOREO_BUILD_SERVER)
  install(TARGETS choreod RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(TARGETS choreo_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
