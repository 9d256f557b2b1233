/// A `ReferenceIndex` held in memory, built while walking the log in seq order.
///
/// `verify` uses it to re-check every reference rule independently of the store's
/// index tables, and then compares those tables with it.
final class MemoryReferenceIndex: ReferenceIndex {
  /// Each id's seq (its event is found by seq: one String per event, not two).
  private var seqOfId: [String: Int64] = [:]
  /// The events by seq: `inOrder[seq - 1]` while seqs come one after another (as a log
  /// does), `outOfOrder` for the rest (a damaged log `verify` walks).
  private var inOrder: [IndexedEvent] = []
  private var outOfOrder: [Int64: IndexedEvent] = [:]
  private(set) var names: [NameKey: Int64] = [:]
  private(set) var retractions: [Int64: Int64] = [:]
  private(set) var resolutions: [Int64: Int64] = [:]
  /// The reverse of `resolutions` (resolution seq → item seq), so a retracted resolution
  /// is found without a scan.
  private var itemOfResolution: [Int64: Int64] = [:]

  /// A meeting's or an item's name (a struct: concatenating the two made a String for
  /// every lookup).
  struct NameKey: Hashable {
    var kind: NameKind
    var name: String
  }

  /// `expected`: about how many events it will hold (its tables are sized once).
  init(expected: Int = 0) {
    seqOfId.reserveCapacity(expected)
    inOrder.reserveCapacity(expected)
  }

  func add(_ event: ReferenceFacts, seq: Int64) {
    let indexed = event.indexed(seq: seq)
    seqOfId[event.id] = seq
    if seq == Int64(inOrder.count) + 1 {
      inOrder.append(indexed)
    } else if seq >= 1 && seq <= Int64(inOrder.count) {
      inOrder[Int(seq - 1)] = indexed
    } else {
      outOfOrder[seq] = indexed
    }
  }

  func event(id: String) -> IndexedEvent? { seqOfId[id].flatMap(event(seq:)) }

  private func event(seq: Int64) -> IndexedEvent? {
    seq >= 1 && seq <= Int64(inOrder.count) ? inOrder[Int(seq - 1)] : outOfOrder[seq]
  }

  func holder(_ kind: NameKind, _ name: String) -> IndexedEvent? {
    names[NameKey(kind: kind, name: name)].flatMap(event(seq:))
  }

  func isRetracted(seq: Int64) -> Bool { retractions[seq] != nil }

  func resolution(itemSeq: Int64) -> Int64? { resolutions[itemSeq] }

  func record(seq: Int64, effects: ReferenceEffects) {
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
