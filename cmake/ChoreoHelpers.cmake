# Compiler flags shared by every choreo target.
add_library(choreo_warnings INTERFACE)
target_compile_options(choreo_warnings INTERFACE -Wall -Wextra -Wno-unused-parameter)
if(CHOREO_WERROR)
  target_compile_options(choreo_warnings INTERFACE -Werror)
endif()

if(CHOREO_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(CHOREO_SANITIZE STREQUAL "thread")
  # -Wno-tsan: g++ warns that TSan does not model the std::atomic_thread_fence Asio uses.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
  add_link_options(-fsanitize=thread)
elseif(NOT CHOREO_SANITIZE STREQUAL "")
  message(FATAL_ERROR "CHOREO_SANITIZE must be empty, 'address' or 'thread'")
endif()

# choreo_test(NAME SOURCES... LIBS ...): a GoogleTest executable registered with CTest.
function(choreo_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gmock GTest::gtest_main choreo_warnings)
  # g++ 12 reports false maybe-uninitialized warnings through std::variant/std::optional copies in
  # test fixtures at -O2; library code keeps the warning.
  target_compile_options(${name} PRIVATE -Wno-maybe-uninitialized)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
