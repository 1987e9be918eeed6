#include "client/saga/worker_pool.h"

#include <algorithm>

namespace choreo::saga::internal {
namespace {

// FNV-1a: stable and cheap; the distribution over a few workers is all that matters here.
uint64_t HashKey(std::string_view key) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : key) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

KeyedWorkerPool::KeyedWorkerPool(uint32_t threads) {
  workers_.reserve(std::max<uint32_t>(threads, 1));
  for (uint32_t i = 0; i < std::max<uint32_t>(threads, 1); ++i)
    workers_.push_back(std::make_unique<Worker>());
  for (auto& worker : workers_) {
    Worker* w = worker.get();
    w->thread = std::thread([this, w] { Run(*w); });
  }
}

KeyedWorkerPool::~KeyedWorkerPool() {
  Stop();
}

void KeyedWorkerPool::Submit(std::string_view key, Task task) {
  Worker& worker = *workers_[HashKey(key) % workers_.size()];
  MutexLock lock(&worker.mu);
  if (worker.stop) return;
  worker.queue.push_back(std::move(task));
  worker.cv.Signal();
}

void KeyedWorkerPool::Stop() {
  MutexLock stop(&stop_mu_);
  if (stopped_) return;
  stopped_ = true;
  for (auto& worker : workers_) {
    MutexLock lock(&worker->mu);
    worker->stop = true;
    worker->queue.clear();
    worker->cv.Signal();
  }
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) worker->thread.join();
  }
}

bool KeyedWorkerPool::OnWorkerThread() const {
  const auto self = std::this_thread::get_id();
  return std::any_of(workers_.begin(), workers_.end(),
                     [&](const auto& w) { return w->thread.get_id() == self; });
}

void KeyedWorkerPool::Run(Worker& worker) {
  while (true) {
    Task task;
    {
      MutexLock lock(&worker.mu);
      while (!worker.stop && worker.queue.empty())
        worker.cv.Wait(&worker.mu);
      if (worker.stop) return;
      task = std::move(worker.queue.front());
      worker.queue.pop_front();
    }
    task();
  }
}

}  // namespace choreo::saga::internal
