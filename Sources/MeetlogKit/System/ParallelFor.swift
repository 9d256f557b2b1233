import Synchronization

/// Runs `body(0)`, `body(1)`, … `body(count - 1)` on this thread and up to `threads - 1`
/// others, each index once, taken in order as threads become free (so that pieces of
/// unequal cost still end together); returns when all are done.
func parallelFor(_ count: Int, threads: Int = 2, _ body: @escaping @Sendable (Int) -> Void) {
  let next = Shared()
  let work: @Sendable () -> Void = {
    while true {
      let index = next.counter.add(1, ordering: .relaxed).oldValue
      guard index < count else { return }
      body(index)
    }
  }
  let helpers = (1..<max(1, threads)).compactMap { _ in BackgroundThread(work) }
  work()
  for helper in helpers { helper.join() }
}

private final class Shared: Sendable {
  let counter = Atomic<Int>(0)
}

/// One value per index, each written by one thread of a `parallelFor` and read once it
/// has returned. The values live behind a pointer: threads writing different elements of
/// one Swift array would be simultaneous accesses to the array.
final class Slots<Value>: @unchecked Sendable {
  private let values: UnsafeMutablePointer<Value>
  private let count: Int

  init(_ count: Int, _ initial: Value) {
    self.count = count
    values = .allocate(capacity: count)
    values.initialize(repeating: initial, count: count)
  }

  deinit {
    values.deinitialize(count: count)
    values.deallocate()
  }

  subscript(index: Int) -> Value {
    get {
      precondition(index >= 0 && index < count)
      return values[index]
    }
    set {
      precondition(index >= 0 && index < count)
      values[index] = newValue
    }
  }
}
