/// The reading half of a replay: selects the included events, skips retracted ones,
/// and hands their canonical bytes over in batches (see `StateQuery.foldEvents`, which
/// decodes and folds them on the calling thread). When this thread decoded too, the
/// folding thread waited for it: moving the decoding took a million-event replay from
/// 7.0 to 5.1 s.
///
/// It is used by one thread at a time: the reader thread until it has finished. That is
/// why it may be sent across threads although the store is not thread-safe.
final class FoldReader: @unchecked Sendable {
  /// What the reader hands over: the canonical bytes of events to fold with how many rows
  /// were read so far (for progress), or the error that stopped it.
  enum Batch {
    case events(Payloads, read: Int)
    case failed(MeetlogError)
  }

  /// The canonical bytes of a batch of events, one after another.
  struct Payloads {
    var bytes: [UInt8] = []
    var ends: [Int] = []
    var seqs: [Int64] = []

    var count: Int { seqs.count }
    var isEmpty: Bool { seqs.isEmpty }

    mutating func append(_ payload: UnsafeBufferPointer<UInt8>, seq: Int64) {
      bytes.append(contentsOf: payload)
      ends.append(bytes.count)
      seqs.append(seq)
    }

    /// Each payload with its seq, in order.
    func forEach(_ body: (UnsafeBufferPointer<UInt8>, Int64) throws(MeetlogError) -> Void) throws(MeetlogError) {
      try bytes.withUnsafeBufferPointer { (all) throws(MeetlogError) in
        var start = 0
        for k in 0..<seqs.count {
          try body(UnsafeBufferPointer(rebasing: all[start..<ends[k]]), seqs[k])
          start = ends[k]
        }
      }
    }
  }

  let store: any EventStore
  let query: EventQuery
  let bound: Int64
  let resuming: Bool

  init(store: any EventStore, query: EventQuery, bound: Int64, resuming: Bool) {
    self.store = store
    self.query = query
    self.bound = bound
    self.resuming = resuming
  }

  static let batchSize = 512

  /// Reads every included event into `batches`, then finishes the stream.
  func read(into batches: HandOff<Batch>) {
    defer { batches.finish() }
    var batch = Payloads()
    var read = 0
    do throws(MeetlogError) {
      // The whole log: one set of retracted seqs. A suffix: a lookup per event.
      let retracted = resuming ? [] : try store.retractedSeqs(maxSeq: bound)
      try store.scanCanonical(query) { (seq, bytes) throws(MeetlogError) in
        read += 1
        if resuming {
          if let by = try store.retraction(of: seq), by <= bound { return true }
        } else if retracted.contains(seq) {
          return true
        }
        batch.append(bytes, seq: seq)
        if batch.count >= Self.batchSize {
          batches.put(.events(batch, read: read))
          batch = Payloads()
        }
        return true
      }
      if !batch.isEmpty { batches.put(.events(batch, read: read)) }
    } catch {
      if !batch.isEmpty { batches.put(.events(batch, read: read)) }
      batches.put(.failed(error))
    }
  }

  /// One event's canonical bytes as the fold reads them, with its topics and cities
  /// interned in the fold's tables; nil for an event the fold ignores.
  static func decode(
    _ bytes: UnsafeBufferPointer<UInt8>, seq: Int64, topics: inout StringTable, cities: inout StringTable
  ) throws(MeetlogError) -> FoldEvent? {
    if let event = FoldDecoder.decode(bytes, seq: seq, topics: &topics, cities: &cities) { return event }
    // Escapes or an unusual shape: the general decoder.
    let event: Event
    do throws(StoredEventError) { event = try PayloadCodec.decode(canonical: Array(bytes)) } catch {
      throw MeetlogError(.io, "seq \(seq): \(error.message) (run meetlog verify)")
    }
    return FoldEvent(event, seq: seq, topics: &topics, cities: &cities)
  }
}
