/// An event to append, with where it came from (for error messages).
public struct PendingEvent: Sendable {
  public var input: DecodedInput
  public var location: InputLocation

  public init(input: DecodedInput, location: InputLocation) {
    self.input = input
    self.location = location
  }
}

/// What became of one appended event.
public struct AppendOutcome: Sendable, Equatable {
  public var seq: Int64
  public var id: String
  /// True when an identical event with this id was already in the log (a safe retry).
  public var duplicate: Bool
}

/// The log's last position: what `--expect-seq` compares with and `stats` prints.
public struct StoreHead: Sendable, Equatable {
  public var seq: Int64
  public var hash: [UInt8]
  public var recordedMicros: Int64
}

/// Which events a scan returns, in seq order.
public struct EventQuery: Sendable {
  /// Only events with seq ≤ this.
  public var maxSeq: Int64?
  /// Only events with seq ≥ this.
  public var minSeq: Int64?
  /// Only events that occurred at or before this instant (microseconds, UTC).
  public var occurredAtMost: Int64?
  /// Only events that occurred at or after this instant.
  public var occurredAtLeast: Int64?
  /// Only these types (nil: all).
  public var types: Set<EventType>?
  /// Leave these types out.
  public var excludedTypes: Set<EventType> = []
  /// Order by (occurred_at, seq) instead of seq.
  public var byOccurrence = false

  public init() {}
}

/// Counts and sizes for `stats`.
public struct StoreStats: Sendable {
  public var events: Int64
  public var lastSeq: Int64
  public var countsByType: [EventType: Int64]
  public var fileBytes: Int64
  public var payloadBytes: Int64
  public var rawBytes: Int64
  public var headHash: [UInt8]
  public var formatVersion: Int
  public var firstRecordedAt: String?
  public var lastRecordedAt: String?
}

/// A fault `verify` found.
public struct VerifyFault: Sendable, Equatable {
  public var seq: Int64
  public var message: String
}

/// The result of `verify`.
public struct VerifyReport: Sendable {
  public var eventsChecked: Int64
  public var faults: [VerifyFault]
  public var headHash: [UInt8]
  /// With `--expect-head`: the seq whose hash it is (the log may have grown since).
  public var expectedHeadSeq: Int64?
}

/// The storage backend: where events are appended and read back.
///
/// Projections and the CLI talk only to this protocol, so a second backend (say,
/// PostgreSQL for a shared team log) can be added without touching them. Every
/// implementation keeps the same contract: one transaction per append, gapless seq,
/// non-decreasing `recorded_at`, the SHA-256 chain over canonical bytes, idempotent ids
/// and the reference rules of `ReferenceRules`.
public protocol EventStore: AnyObject {
  /// Told how far long work got; nil for none.
  var progress: ProgressObserver? { get }
  /// Appends a batch in one transaction, all or nothing.
  func append(_ batch: [PendingEvent], expectSeq: Int64?, now: Int64) throws(MeetlogError) -> [AppendOutcome]
  /// Loads an export into an empty store, keeping ids, seq and `recorded_at`.
  func importEvents(_ batch: [PendingEvent]) throws(MeetlogError) -> Int64
  /// Runs `body` against one consistent snapshot of the log.
  func readSnapshot<R>(_ body: () throws(MeetlogError) -> R) throws(MeetlogError) -> R
  /// The last event's seq, hash and recorded time (seq 0 when empty).
  func head() throws(MeetlogError) -> StoreHead
  /// The last seq recorded at or before `micros`.
  func lastSeq(recordedAtMost micros: Int64) throws(MeetlogError) -> Int64
  /// Calls `body` for every event the query selects; `body` returns false to stop.
  func scan(_ query: EventQuery, _ body: (RecordedEvent) throws(MeetlogError) -> Bool) throws(MeetlogError)
  /// Like `scan`, with each event's seq and canonical bytes only (valid during the call):
  /// the fast path for folds that read a few fields.
  func scanCanonical(_ query: EventQuery, _ body: (Int64, UnsafeBufferPointer<UInt8>) throws(MeetlogError) -> Bool) throws(MeetlogError)
  /// The seq of the retraction of event `seq`, if it was retracted.
  func retraction(of seq: Int64) throws(MeetlogError) -> Int64?
  /// The seqs of every event retracted by a retraction with seq ≤ `maxSeq`.
  func retractedSeqs(maxSeq: Int64) throws(MeetlogError) -> Set<Int64>
  /// Checks the whole store; with `expectHead`, also that this hash (kept elsewhere) is
  /// still a link of the chain.
  func verify(expectHead: [UInt8]?) throws(MeetlogError) -> VerifyReport
  func stats() throws(MeetlogError) -> StoreStats
}

extension EventStore {
  /// Checks the whole store against itself.
  public func verify() throws(MeetlogError) -> VerifyReport { try verify(expectHead: nil) }
}
