// FUZZ_CHECK: an invariant of a fuzz target. On failure it prints the condition and aborts, which
// libFuzzer reports as a crash (and saves the input), and which fails the replay test in ctest.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                 \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)
