#if canImport(Glibc)
  import Glibc
#endif

/// A bounded queue between one producing thread and one consuming thread: replays read
/// and decode events on a second core while the first folds them.
///
/// `put` waits while the queue is full, `take` while it is empty; `finish` ends the
/// stream after what was put. The mutex and condition variables live at fixed addresses and are destroyed in
/// `deinit`.
final class HandOff<Element>: @unchecked Sendable {
  private let capacity: Int
  /// Taken elements are set to nil at once (a batch holds megabytes), and the array is
  /// compacted when the consumer has taken a few.
  private var items: [Element?] = []
  private var head = 0
  private var finished = false
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let notEmpty = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private let notFull = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

  init(capacity: Int) {
    self.capacity = capacity
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(notEmpty, nil)
    pthread_cond_init(notFull, nil)
  }

  deinit {
    pthread_cond_destroy(notFull)
    pthread_cond_destroy(notEmpty)
    pthread_mutex_destroy(mutex)
    notFull.deallocate()
    notEmpty.deallocate()
    mutex.deallocate()
  }

  /// Adds an element, waiting for room.
  func put(_ element: Element) {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    while items.count - head >= capacity { pthread_cond_wait(notFull, mutex) }
    items.append(element)
    pthread_cond_signal(notEmpty)
  }

  /// The next element, waiting for one; nil once the stream is finished and drained.
  func take() -> Element? {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    while items.count == head && !finished { pthread_cond_wait(notEmpty, mutex) }
    guard head < items.count else { return nil }
    let element = items[head].take()!
    head += 1
    if head == items.count {
      items.removeAll(keepingCapacity: true)
      head = 0
    } else if head >= 32 {
      items.removeFirst(head)
      head = 0
    }
    pthread_cond_signal(notFull)
    return element
  }

  /// The producer is done.
  func finish() {
    pthread_mutex_lock(mutex)
    finished = true
    pthread_cond_signal(notEmpty)
    pthread_mutex_unlock(mutex)
  }
}

/// A thread running one closure, joined by `join` (which every creator must call).
final class BackgroundThread {
  private var thread = pthread_t()
  private var joined = false

  /// Starts `body` on a new thread; nil when the system refuses one (the caller then
  /// does the work itself).
  init?(_ body: @escaping @Sendable () -> Void) {
    let box = Unmanaged.passRetained(Box(body))
    let started = pthread_create(
      &thread, nil,
      { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        box.body()
        return nil
      }, box.toOpaque())
    if started != 0 {
      box.release()
      return nil
    }
  }

  func join() {
    guard !joined else { return }
    joined = true
    pthread_join(thread, nil)
  }

  deinit { join() }

  private final class Box {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
  }
}

/// Runs `second` on a `BackgroundThread` while `first` runs on the calling thread, and
/// returns both results (`second` runs after `first` when no thread can start): output
/// of tens of megabytes is written in two halves at once.
func concurrently<A, B: Sendable>(_ first: () -> A, _ second: @escaping @Sendable () -> B) -> (A, B) {
  let slot = ResultSlot<B>()
  guard let thread = BackgroundThread({ slot.value = second() }) else { return (first(), second()) }
  let a = first()
  thread.join()
  return (a, slot.value!)
}

/// Where a `concurrently` thread leaves its result; read only after the thread is joined.
private final class ResultSlot<Value>: @unchecked Sendable {
  var value: Value?
}

/// What `render` makes of `input`, made on a thread of its own while the caller goes on
/// (`meetlog append` renders its 100,000 outcome lines while the snapshot is written).
public final class BackgroundRender<Input: Sendable & Equatable, Output: Sendable> {
  private let input: Input
  private let slot = ResultSlot<Output>()
  private let thread: BackgroundThread?

  public init(_ input: Input, _ render: @escaping @Sendable (Input) -> Output) {
    self.input = input
    let slot = self.slot
    thread = BackgroundThread { slot.value = render(input) }
  }

  /// The output, if it was made from an input equal to `input` (nil when no thread could
  /// start: the caller renders).
  public func result(for input: Input) -> Output? {
    guard let thread else { return nil }
    thread.join()
    return input == self.input ? slot.value : nil
  }

  deinit { thread?.join() }
}
