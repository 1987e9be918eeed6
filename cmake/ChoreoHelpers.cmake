# Compiler flags shared by every choreo target.
add_library(choreo_warnings INTERFACE)
target_compile_options(choreo_warnings INTERFACE -Wall -Wextra -Wno-unused-parameter)
if(CHOREO_WERROR)
  target_compile_options(choreo_warnings INTERFACE -Werror)
endif()
if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  # clang checks the lock annotations (CHOREO_GUARDED_BY, CHOREO_REQUIRES, ... in
  # choreo/common/mutex.h; gcc ignores them). A finding is always an error, with or without
  # CHOREO_WERROR: an annotation nobody checks rots. The tsan preset builds with clang, so CI runs
  # this check on everything the TSan suite compiles.
  target_compile_options(choreo_warnings INTERFACE -Wthread-safety -Werror=thread-safety)
  # Debian's Asio enables co_await on clang only through <experimental/coroutine> (libc++); clang
  # 14 handles libstdc++'s C++20 <coroutine>, which the gcc builds use.
  add_compile_definitions(ASIO_HAS_CO_AWAIT=1 ASIO_HAS_STD_COROUTINE=1)
endif()

if(CHOREO_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(CHOREO_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ warns that TSan does not model the std::atomic_thread_fence Asio uses.
    add_compile_options(-Wno-tsan)
  endif()
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
  # test fixtures at -O2; library code keeps the warning. (clang has no such warning.)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${name} PRIVATE -Wno-maybe-uninitialized)
  endif()
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()
