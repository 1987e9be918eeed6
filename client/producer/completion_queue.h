// CompletionQueue: runs producer callbacks one at a time, in the order they were queued, without
// holding the producer's lock.
//
// Completions are queued under the producer's lock (so their order is the order in which outcomes
// were decided) and run by Drain(), which the queuing thread calls after releasing that lock.
// Whoever drains first runs everything queued, including what other threads add meanwhile; other
// callers return at once. Thread-safe.
#pragma once

#include <deque>
#include <functional>

#include "choreo/common/mutex.h"

namespace choreo::client_internal {

class CompletionQueue {
 public:
  using Task = std::function<void()>;

  void Push(Task task);
  // Runs queued tasks until the queue is empty, unless another thread is already doing so.
  void Drain();
  // Waits until the queue is empty and no task is running.
  void WaitIdle();

  // True on a thread while it runs a task (a producer callback).
  static bool InCallback();

 private:
  Mutex mu_;
  CondVar idle_;
  std::deque<Task> tasks_ CHOREO_GUARDED_BY(mu_);
  bool draining_ CHOREO_GUARDED_BY(mu_) = false;
};

}  // namespace choreo::client_internal
