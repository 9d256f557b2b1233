/// The reading half of a replay: selects the included events, skips retracted ones,
/// and decodes each into a `FoldEvent`, handing them over in batches (see
/// `StateQuery.foldEvents`, which folds them on the calling thread).
///
/// It is used by one thread at a time: the reader thread until it has finished, then
/// the thread that takes back `topics` and `cities`. That is why it may be sent across
/// threads although the store and the tables are not thread-safe.
final class FoldReader: @unchecked Sendable {
  /// What the reader hands over: events to fold with how many rows were read so far
  /// (for progress), or the error that stopped it.
  enum Batch {
    case events([FoldEvent], read: Int)
    case failed(MeetlogError)
  }

  let store: any EventStore
  let query: EventQuery
  let bound: Int64
  let resuming: Bool
  private(set) var topics: StringTable
  private(set) var cities: StringTable

  init(store: any EventStore, query: EventQuery, bound: Int64, resuming: Bool, topics: StringTable, cities: StringTable) {
    self.store = store
    self.query = query
    self.bound = bound
    self.resuming = resuming
    self.topics = topics
    self.cities = cities
  }

  static let batchSize = 512

  /// Reads every included event into `batches`, then finishes the stream.
  func read(into batches: HandOff<Batch>) {
    defer { batches.finish() }
    var batch: [FoldEvent] = []
    batch.reserveCapacity(Self.batchSize)
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
        if let event = try decode(bytes, seq: seq) { batch.append(event) }
        if batch.count >= Self.batchSize {
          batches.put(.events(batch, read: read))
          batch.removeAll(keepingCapacity: true)
        }
        return true
      }
      if !batch.isEmpty { batches.put(.events(batch, read: read)) }
    } catch {
      if !batch.isEmpty { batches.put(.events(batch, read: read)) }
      batches.put(.failed(error))
    }
  }

  /// One event's canonical bytes as the fold reads them; nil for an event the fold
  /// ignores.
  private func decode(_ bytes: UnsafeBufferPointer<UInt8>, seq: Int64) throws(MeetlogError) -> FoldEvent? {
    if let event = FoldDecoder.decode(bytes, seq: seq, topics: &topics, cities: &cities) { return event }
    // Escapes or an unusual shape: the general decoder.
    let event: Event
    do throws(StoredEventError) { event = try PayloadCodec.decode(canonical: Array(bytes)) } catch {
      throw MeetlogError(.io, "seq \(seq): \(error.message) (run meetlog verify)")
    }
    return FoldEvent(event, seq: seq, topics: &topics, cities: &cities)
  }
}
