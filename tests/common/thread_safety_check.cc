// Not linked into any test binary: CTest compiles it with clang's thread-safety analysis (see
// tests/CMakeLists.txt), once as is, which must compile cleanly, and once with
// CHOREO_UNLOCKED_WRITE, which must be rejected. That keeps the annotations of
// choreo/common/mutex.h meaningful: if the macros stopped expanding to clang's attributes, or the
// flags stopped making a finding an error, the second compile would succeed and the test fail.
#include "choreo/common/mutex.h"

namespace choreo {
namespace {

class Counter {
 public:
  void Add() {
    MutexLock lock(&mu_);
    ++count_;
  }
  int AddAndGet() CHOREO_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return AddLocked();
  }
#ifdef CHOREO_UNLOCKED_WRITE
  void AddUnlocked() {
    ++count_;
  }
#endif

 private:
  int AddLocked() CHOREO_REQUIRES(mu_) {
    return ++count_;
  }

  Mutex mu_;
  int count_ CHOREO_GUARDED_BY(mu_) = 0;
};

}  // namespace

int UseCounter() {
  Counter counter;
  counter.Add();
  return counter.AddAndGet();
}

}  // namespace choreo
