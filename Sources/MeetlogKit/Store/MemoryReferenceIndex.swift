/// A `ReferenceIndex` held in memory, built while walking the log in seq order.
///
/// `verify` uses it to re-check every reference rule independently of the store's
/// index tables, and then compares those tables with it.
final class MemoryReferenceIndex: ReferenceIndex {
  private(set) var events: [String: IndexedEvent] = [:]
  private(set) var names: [NameKey: Int64] = [:]
  private(set) var retractions: [Int64: Int64] = [:]
  private(set) var resolutions: [Int64: Int64] = [:]
  /// The reverse of `resolutions` (resolution seq → item seq), so a retracted resolution
  /// is found without a scan.
  private var itemOfResolution: [Int64: Int64] = [:]
  private var seqToEvent: [Int64: IndexedEvent] = [:]

  /// A meeting's or an item's name (a struct: concatenating the two made a String for
  /// every lookup).
  struct NameKey: Hashable {
    var kind: NameKind
    var name: String
  }

  /// `expected`: about how many events it will hold (its tables are sized once).
  init(expected: Int = 0) {
    events.reserveCapacity(expected)
    seqToEvent.reserveCapacity(expected)
  }

  func add(_ event: Event, seq: Int64) {
    let indexed = IndexedEvent(seq: seq, id: event.id, type: event.type, occurredAt: event.occurredAt)
    events[event.id] = indexed
    seqToEvent[seq] = indexed
  }

  func event(id: String) -> IndexedEvent? { events[id] }

  func holder(_ kind: NameKind, _ name: String) -> IndexedEvent? {
    names[NameKey(kind: kind, name: name)].flatMap { seqToEvent[$0] }
  }

  func isRetracted(seq: Int64) -> Bool { retractions[seq] != nil }

  func resolution(itemSeq: Int64) -> Int64? { resolutions[itemSeq] }

  func record(_ event: Event, seq: Int64, effects: ReferenceEffects) {
    if let (kind, name) = effects.defines { names[NameKey(kind: kind, name: name)] = seq }
    if let itemSeq = effects.resolvesItemSeq {
      resolutions[itemSeq] = seq
      itemOfResolution[seq] = itemSeq
    }
    if let target = effects.retracts {
      retractions[target.seq] = seq
      if target.type == .itemResolved, let item = itemOfResolution.removeValue(forKey: target.seq) {
        resolutions[item] = nil
      }
    }
  }
}
