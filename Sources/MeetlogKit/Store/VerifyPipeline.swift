/// The threads of `verify`'s pass over the log: one `VerifyReader` deals batches of rows
/// to `lanes` lanes in turn, a `VerifyRowChecker` on each lane decodes and checks them,
/// and the calling thread takes the checked batches back in the order they were read.
///
/// One lane: with two, 100k `verify` took 402.7 ms against 380.6 (interleaved medians
/// of 11) once `CanonicalCheck` had made checking cheap; the snapshot check runs beside
/// these threads, on two cores.
///
/// When the system refuses a thread, its work is done on the calling thread instead: the
/// reader's first, into lanes without bound; a checker's as its lane's turn comes.
final class VerifyPipeline {
  static let lanes = 1

  private var inputs: [HandOff<VerifyReader.Batch>]
  private let outputs: [HandOff<VerifyRowChecker.Batch>]
  private let checkers: [VerifyRowChecker]
  private var threads: [BackgroundThread?] = []
  private var taken = 0

  init(reader: VerifyReader) {
    var inputs = (0..<Self.lanes).map { _ in HandOff<VerifyReader.Batch>(capacity: 4) }
    outputs = (0..<Self.lanes).map { _ in HandOff<VerifyRowChecker.Batch>(capacity: 4) }
    checkers = (0..<Self.lanes).map { _ in VerifyRowChecker() }
    let lanes = inputs
    if let thread = BackgroundThread({ reader.read(into: lanes) }) {
      threads.append(thread)
    } else {
      inputs = (0..<Self.lanes).map { _ in HandOff<VerifyReader.Batch>(capacity: Int.max) }
      reader.read(into: inputs)
    }
    self.inputs = inputs
    for (k, checker) in checkers.enumerated() {
      let (input, output) = (inputs[k], outputs[k])
      threads.append(BackgroundThread { checker.check(input, into: output) })
    }
  }

  /// The next checked batch in read order; nil once every row has been handed over.
  func next() -> VerifyRowChecker.Batch? {
    let lane = taken % Self.lanes
    taken += 1
    if threads[threads.count - Self.lanes + lane] != nil { return outputs[lane].take() }
    return inputs[lane].take().map(checkers[lane].check)
  }

  /// Waits for every thread (each has finished once `next` has returned nil).
  func join() {
    for thread in threads { thread?.join() }
  }

  deinit { join() }
}
