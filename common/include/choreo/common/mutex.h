// Mutex, MutexLock and CondVar: thin wrappers over std::mutex and std::condition_variable that
// carry clang thread-safety annotations (so ABSL_GUARDED_BY-style checking works under clang).
//
// Why not absl::Mutex: Debian's abseil is built without ThreadSanitizer instrumentation, so TSan
// cannot see absl::Mutex's happens-before edges and reports every guarded access as a race. The
// std primitives go through pthreads, which TSan intercepts, keeping TSan runs meaningful.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>

#if defined(__clang__)
#define CHOREO_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define CHOREO_THREAD_ANNOTATION(x)
#endif

#define CHOREO_CAPABILITY(x) CHOREO_THREAD_ANNOTATION(capability(x))
#define CHOREO_SCOPED_CAPABILITY CHOREO_THREAD_ANNOTATION(scoped_lockable)
#define CHOREO_GUARDED_BY(x) CHOREO_THREAD_ANNOTATION(guarded_by(x))
#define CHOREO_PT_GUARDED_BY(x) CHOREO_THREAD_ANNOTATION(pt_guarded_by(x))
#define CHOREO_REQUIRES(...) CHOREO_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define CHOREO_EXCLUDES(...) CHOREO_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#define CHOREO_ACQUIRE(...) CHOREO_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define CHOREO_RELEASE(...) CHOREO_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#define CHOREO_ACQUIRE_SHARED(...) CHOREO_THREAD_ANNOTATION(acquire_shared_capability(__VA_ARGS__))
#define CHOREO_RELEASE_GENERIC(...) \
  CHOREO_THREAD_ANNOTATION(release_generic_capability(__VA_ARGS__))
#define CHOREO_ACQUIRED_BEFORE(...) CHOREO_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))

namespace choreo {

class CHOREO_CAPABILITY("mutex") Mutex {
 public:
  void Lock() CHOREO_ACQUIRE() { mu_.lock(); }
  void Unlock() CHOREO_RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

class CHOREO_SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) CHOREO_ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() CHOREO_RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* mu_;
};

// A reader/writer mutex for read-mostly state on hot read paths.
class CHOREO_CAPABILITY("shared_mutex") SharedMutex {
 public:
  void Lock() CHOREO_ACQUIRE() { mu_.lock(); }
  void Unlock() CHOREO_RELEASE() { mu_.unlock(); }
  void ReaderLock() CHOREO_ACQUIRE_SHARED() { mu_.lock_shared(); }
  void ReaderUnlock() CHOREO_RELEASE_GENERIC() { mu_.unlock_shared(); }

 private:
  std::shared_mutex mu_;
};

class CHOREO_SCOPED_CAPABILITY WriterMutexLock {
 public:
  explicit WriterMutexLock(SharedMutex* mu) CHOREO_ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~WriterMutexLock() CHOREO_RELEASE() { mu_->Unlock(); }
  WriterMutexLock(const WriterMutexLock&) = delete;
  WriterMutexLock& operator=(const WriterMutexLock&) = delete;

 private:
  SharedMutex* mu_;
};

class CHOREO_SCOPED_CAPABILITY ReaderMutexLock {
 public:
  explicit ReaderMutexLock(SharedMutex* mu) CHOREO_ACQUIRE_SHARED(mu) : mu_(mu) {
    mu_->ReaderLock();
  }
  ~ReaderMutexLock() CHOREO_RELEASE_GENERIC() { mu_->ReaderUnlock(); }
  ReaderMutexLock(const ReaderMutexLock&) = delete;
  ReaderMutexLock& operator=(const ReaderMutexLock&) = delete;

 private:
  SharedMutex* mu_;
};

class CondVar {
 public:
  // Atomically releases `mu`, waits for a signal (or a spurious wake-up), re-acquires `mu`.
  void Wait(Mutex* mu) CHOREO_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();
  }
  // As Wait(), but gives up at `deadline`; returns false if it timed out.
  template <typename Clock, typename Duration>
  bool WaitUntil(Mutex* mu, std::chrono::time_point<Clock, Duration> deadline) CHOREO_REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const bool signalled = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return signalled;
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

// A one-shot event: Notify() once, any number of threads wait for it.
class Notification {
 public:
  void Notify() {
    MutexLock lock(&mu_);
    notified_ = true;
    cv_.SignalAll();
  }
  bool HasBeenNotified() {
    MutexLock lock(&mu_);
    return notified_;
  }
  void WaitForNotification() {
    MutexLock lock(&mu_);
    while (!notified_)
      cv_.Wait(&mu_);
  }
  // Returns false if `timeout` passed first.
  template <typename Rep, typename Period>
  bool WaitForNotificationWithTimeout(std::chrono::duration<Rep, Period> timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    MutexLock lock(&mu_);
    while (!notified_) {
      if (!cv_.WaitUntil(&mu_, deadline) && !notified_) return false;
    }
    return true;
  }

 private:
  Mutex mu_;
  CondVar cv_;
  bool notified_ CHOREO_GUARDED_BY(mu_) = false;
};

}  // namespace choreo
