# CHOREO_FUZZ=ON (preset `fuzz`, clang only): every choreo target is compiled with libFuzzer's
# coverage instrumentation plus ASan and UBSan, and tests/fuzz/ adds one libFuzzer binary per
# target (<name>_fuzz). Only the libraries a fuzz target links get built when scripts/fuzz.sh
# names the targets. The normal gcc builds never see these flags.
if(CHOREO_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "CHOREO_FUZZ needs clang (libFuzzer): configure with the `fuzz` preset")
  endif()
  if(NOT CHOREO_SANITIZE STREQUAL "")
    message(FATAL_ERROR "CHOREO_FUZZ brings its own sanitizers; leave CHOREO_SANITIZE empty")
  endif()
  # fuzzer-no-link: coverage instrumentation everywhere, libFuzzer's main() only in the fuzz
  # binaries (tests/fuzz/CMakeLists.txt links them with -fsanitize=fuzzer).
  # -fno-sanitize=function: clang 14 cannot emit that check's prologue data for coroutines that
  # also carry coverage instrumentation ("Cannot represent a difference across sections" on every
  # broker handler).
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function
                      -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  # Debian's Asio recognises clang's coroutines only through <experimental/coroutine>, which
  # libstdc++ lacks; clang 14 supports the C++20 <coroutine> of libstdc++ that gcc builds use.
  add_compile_definitions(ASIO_HAS_CO_AWAIT=1 ASIO_HAS_STD_COROUTINE=1)
endif()
