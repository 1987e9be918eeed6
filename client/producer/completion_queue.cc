#include "client/producer/completion_queue.h"

#include <utility>

namespace choreo::client_internal {
namespace {

thread_local int in_callback = 0;

}  // namespace

void CompletionQueue::Push(Task task) {
  MutexLock lock(&mu_);
  tasks_.push_back(std::move(task));
}

void CompletionQueue::Drain() {
  // Lock()/Unlock() by hand: the lock is released around each task.
  mu_.Lock();
  if (draining_) {
    mu_.Unlock();
    return;
  }
  draining_ = true;
  while (!tasks_.empty()) {
    Task task = std::move(tasks_.front());
    tasks_.pop_front();
    mu_.Unlock();
    ++in_callback;
    try {
      task();
    } catch (...) {
      // A throwing user callback must not stop the delivery of the other outcomes.
    }
    --in_callback;
    mu_.Lock();
  }
  draining_ = false;
  idle_.SignalAll();
  mu_.Unlock();
}

void CompletionQueue::WaitIdle() {
  MutexLock lock(&mu_);
  while (!tasks_.empty() || draining_)
    idle_.Wait(&mu_);
}

bool CompletionQueue::InCallback() {
  return in_callback > 0;
}

}  // namespace choreo::client_internal
