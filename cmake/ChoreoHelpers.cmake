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
  # The generated choreo.pb.h is on the include path of whatever links choreo_proto.
  set(pch_sets std absl asio gtest)
  if(ARG_LIBS MATCHES "choreo_(proto|client|broker|saga|cli_lib|bench_common)|choreo::")
    list(APPEND pch_sets proto)
  endif()
  choreo_precompile(${name} ${pch_sets})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300)
endfunction()

# choreo_precompile(TARGET SETS...): with CHOREO_PCH, precompiles the named header sets for
# TARGET. Most of a translation unit's compile time here is spent parsing these headers (clang
# -fsyntax-only of broker/net/server.cc is 40% of its TSan compile), and the sanitizer trees
# compile every library a second and third time, so they precompile them; the ci (gcc) tree does
# not, so an #include a file forgot still fails there. Sets: std, absl, proto, asio, spdlog,
# rocksdb, gtest.
set(CHOREO_PCH_std <algorithm> <chrono> <cstdint> <functional> <map> <memory> <optional>
    <string> <string_view> <utility> <vector>)
set(CHOREO_PCH_absl <absl/status/status.h> <absl/status/statusor.h> <absl/strings/str_cat.h>
    <absl/time/clock.h> <absl/time/time.h> <absl/container/flat_hash_map.h>)
set(CHOREO_PCH_proto <choreo/proto/choreo.pb.h>)
set(CHOREO_PCH_asio <asio/awaitable.hpp> <asio/co_spawn.hpp> <asio/io_context.hpp>
    <asio/ip/tcp.hpp> <asio/post.hpp> <asio/redirect_error.hpp> <asio/steady_timer.hpp>
    <asio/use_awaitable.hpp>)
set(CHOREO_PCH_spdlog <spdlog/spdlog.h>)
set(CHOREO_PCH_rocksdb <rocksdb/db.h> <rocksdb/write_batch.h>)
set(CHOREO_PCH_gtest <gtest/gtest.h> <gmock/gmock.h>)
function(choreo_precompile target)
  if(NOT CHOREO_PCH)
    return()
  endif()
  set(headers)
  foreach(set_name IN LISTS ARGN)
    if(NOT DEFINED CHOREO_PCH_${set_name})
      message(FATAL_ERROR "choreo_precompile: unknown header set '${set_name}'")
    endif()
    list(APPEND headers ${CHOREO_PCH_${set_name}})
  endforeach()
  target_precompile_headers(${target} PRIVATE ${headers})
endfunction()
