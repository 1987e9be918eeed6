#include "client/producer/completion_queue.h"

#include <utility>

namespace choreo::client_internal {
namespace {

thread_local int in_callback = 0;

}  // namespace

void CompletionQueue::Push(Task task) {
  std::lock_guard<std::mutex> lock(mu_);
  tasks_.push_back(std::move(task));
}

void CompletionQueue::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  if (draining_) return;
  draining_ = true;
  while (!tasks_.empty()) {
    Task task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    ++in_callback;
    try {
      task();
    } catch (...) {
      // A throwing user callback must not stop the delivery of the other outcomes.
    }
    --in_callback;
    lock.lock();
  }
  draining_ = false;
  idle_.notify_all();
}

void CompletionQueue::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return tasks_.empty() && !draining_; });
}

bool CompletionQueue::InCallback() {
  return in_callback > 0;
}

}  // namespace choreo::client_internal
