// KeyedWorkerPool: N threads, each draining its own FIFO queue. Tasks submitted with the same key
// run on the same thread in submission order, which is how one saga's events are handled one at a
// time and in order while different sagas run in parallel.
//
// Lifecycle: construct (threads start), Submit() from any thread, Stop() (idempotent; the
// destructor calls it): tasks already running finish, queued ones are dropped (the service
// handles their events again later), and the threads are joined.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string_view>
#include <thread>
#include <vector>

#include "choreo/common/mutex.h"

namespace choreo::saga::internal {

class KeyedWorkerPool {
 public:
  using Task = std::function<void()>;

  explicit KeyedWorkerPool(uint32_t threads);
  ~KeyedWorkerPool();
  KeyedWorkerPool(const KeyedWorkerPool&) = delete;
  KeyedWorkerPool& operator=(const KeyedWorkerPool&) = delete;

  // Queues `task` on the worker of `key`. Ignored after Stop().
  void Submit(std::string_view key, Task task);
  void Stop();
  // True on one of the pool's threads.
  bool OnWorkerThread() const;

 private:
  struct Worker {
    Mutex mu;
    CondVar cv;
    std::deque<Task> queue CHOREO_GUARDED_BY(mu);
    bool stop CHOREO_GUARDED_BY(mu) = false;
    std::thread thread;
  };
  void Run(Worker& worker);

  std::vector<std::unique_ptr<Worker>> workers_;
  Mutex stop_mu_;
  bool stopped_ CHOREO_GUARDED_BY(stop_mu_) = false;
};

}  // namespace choreo::saga::internal
