/// Prints a snapshot's open-items table (`OpenTablePart.Table`) as of a day on two
/// threads, started as soon as the table is read: the second thread checks the table's
/// hash while the first loads the relations, then decodes and writes segments ahead
/// while the first prints the relations, and from then on each thread takes the next
/// segment not taken (while a buffer is free); the first passes them on in order.
///
/// On a million-event log the table is 29 MB decoded in 32 segments; the relations take
/// the first thread about 8 ms, which the second spends on the hash and the first few
/// segments instead of waiting.
final class OpenTablePrinter: @unchecked Sendable {
  let table: OpenTablePart.Table
  private let layout: OpenTablePart.DayLayout
  private let work: Work
  private let thread: BackgroundThread?

  /// Starts checking and writing `table` as of `pointDay`; `buffers` is how many
  /// segments may be written and not yet printed.
  init(_ table: OpenTablePart.Table, pointDay: Int, buffers: Int = 4) {
    self.table = table
    let layout = table.layout(pointDay: pointDay)
    self.layout = layout
    let work = Work(count: table.frames.count, buffers: buffers)
    self.work = work
    thread = BackgroundThread {
      let intact = table.isIntact()
      work.monitor.locked {
        work.verdict = intact
        work.monitor.signal()
      }
      guard intact else { return }
      while let (k, block) = work.claim(waiting: true) {
        table.write(segment: k, layout, into: block)
        work.done(k, block)
      }
    }
  }

  deinit {
    work.monitor.locked {
      work.stopped = true
      work.monitor.signal()
    }
    thread?.join()
  }

  /// Whether the table's hash matches (waiting for the second thread's check): only
  /// then may it be printed.
  func isIntact() -> Bool {
    guard thread != nil else { return table.isIntact() }
    return work.monitor.locked {
      while work.verdict == nil { work.monitor.wait() }
      return work.verdict!
    }
  }

  /// Passes the table, header first, to `emit` in pieces, in order: a segment's rows
  /// at a time. Only after `isIntact` said yes, and by one thread at a time; printed
  /// again, the table is written again by this thread alone.
  func stream(emit: (UnsafeRawBufferPointer) -> Void) {
    precondition(thread == nil || work.monitor.locked { work.verdict == true }, "the table's hash was not checked")
    work.monitor.locked {
      if work.printed { work.next = 0 }
      work.printed = true
    }
    defer {
      // The second thread has taken every segment: it ends.
      work.monitor.locked {
        work.stopped = true
        work.monitor.signal()
      }
      thread?.join()
    }
    layout.header.withUnsafeBytes(emit)
    for k in 0..<work.count {
      // Segment k is written (print it), or being written by the second thread (write
      // the next one meanwhile, if a buffer is free; else wait), or not taken yet.
      while true {
        enum Turn {
          case print(RowBlock)
          case write(Int, RowBlock)
        }
        let turn: Turn = work.monitor.locked {
          while true {
            if let block = work.written.removeValue(forKey: k) { return .print(block) }
            if let (j, block) = work.claim(waiting: false) { return .write(j, block) }
            work.monitor.wait()
          }
        }
        switch turn {
        case .print(let block):
          block.bytes(emit)
          work.recycle(block)
        case .write(let j, let block):
          table.write(segment: j, layout, into: block)
          work.done(j, block)
          continue
        }
        break
      }
    }
  }

  /// What both threads share, under `monitor`.
  private final class Work: @unchecked Sendable {
    let monitor = Monitor()
    let count: Int
    /// The second thread's finding on the hash.
    var verdict: Bool?
    /// The first segment no thread has taken.
    var next = 0
    /// Segments written, not yet printed.
    var written: [Int: RowBlock] = [:]
    /// Buffers not holding a segment.
    var free: [RowBlock]
    /// The second thread is to end.
    var stopped = false
    /// Whether the table was printed already.
    var printed = false

    init(count: Int, buffers: Int) {
      self.count = count
      free = (0..<max(2, buffers)).map { _ in RowBlock() }
    }

    /// The next segment not taken and a buffer for it; nil once every segment is taken,
    /// or (unless `waiting`, for the second thread until it is stopped) when no buffer is
    /// free. Waiting, it takes the mutex; else the caller holds it.
    func claim(waiting: Bool) -> (Int, RowBlock)? {
      func take() -> (Int, RowBlock)? {
        if waiting {
          while free.isEmpty && !stopped && next < count { monitor.wait() }
          guard !stopped else { return nil }
        }
        guard next < count, !free.isEmpty else { return nil }
        defer { next += 1 }
        return (next, free.removeLast())
      }
      return waiting ? monitor.locked(take) : take()
    }

    /// Segment k is written into `block`.
    func done(_ k: Int, _ block: RowBlock) {
      monitor.locked {
        written[k] = block
        monitor.signal()
      }
    }

    /// `block` was printed: it is free again.
    func recycle(_ block: RowBlock) {
      monitor.locked {
        free.append(block)
        monitor.signal()
      }
    }
  }
}
