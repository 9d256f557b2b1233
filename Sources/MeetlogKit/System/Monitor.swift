#if canImport(Glibc)
  import Glibc
#endif

/// A mutex and one condition variable: what two threads that wait for each other's
/// progress share (`OpenTablePrinter`). The two live at fixed addresses and are
/// destroyed in `deinit`.
final class Monitor: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

  init() {
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(changed, nil)
  }

  deinit {
    pthread_cond_destroy(changed)
    pthread_mutex_destroy(mutex)
    changed.deallocate()
    mutex.deallocate()
  }

  /// Runs `body` holding the mutex; `body` may `wait`.
  func locked<T>(_ body: () -> T) -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return body()
  }

  /// Waits for another thread's `signal` (holding the mutex: inside `locked`).
  func wait() {
    pthread_cond_wait(changed, mutex)
  }

  /// Wakes the threads waiting (inside `locked`: after changing what they wait for).
  func signal() {
    pthread_cond_broadcast(changed)
  }
}
