/// Compresses runs of staged rows on a second thread while the append checks and
/// chains the next run on the first, so zstd's share of a large append (about a tenth
/// of it) overlaps the rest instead of adding to it. Splitting each run's compression
/// across both threads, with the append waiting for it, gained nothing (session 6);
/// here the append waits only for the run before.
///
/// `submit` hands a run over; `next` gives the payloads of the oldest run submitted, in
/// order. The compressor is used by the compressing thread alone once it has started.
/// Without a thread (the system refused one) `submit` compresses on the caller's.
final class RowCompressor: @unchecked Sendable {
  private let runs = HandOff<[StagedRow]>(capacity: Int.max)
  private let payloads = HandOff<[[UInt8]]>(capacity: Int.max)
  private let compressor: ZstdCompressor
  private var thread: BackgroundThread?

  init(_ compressor: ZstdCompressor) {
    self.compressor = compressor
    // Only the thread uses the compressor from here on (`submit` does only without one).
    nonisolated(unsafe) let owned = compressor
    thread = BackgroundThread { [runs, payloads] in
      while let run = runs.take() { payloads.put(run.map { owned.compress($0.canonical) }) }
      payloads.finish()
    }
  }

  func submit(_ run: [StagedRow]) {
    if thread == nil {
      payloads.put(run.map { compressor.compress($0.canonical) })
    } else {
      runs.put(run)
    }
  }

  /// The payloads of the oldest run not yet taken, waiting for them.
  func next() -> [[UInt8]] {
    guard let next = payloads.take() else { preconditionFailure("RowCompressor.next without a run submitted") }
    return next
  }

  /// Ends the thread once it has compressed what was submitted.
  func stop() {
    runs.finish()
    thread?.join()
    thread = nil
  }

  deinit { stop() }
}
