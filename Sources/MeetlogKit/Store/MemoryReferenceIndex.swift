/// A `ReferenceIndex` held in memory, built while walking the log in seq order.
///
/// `verify` uses it to re-check every reference rule independently of the store's
/// index tables, and then compares those tables with it.
final class MemoryReferenceIndex: ReferenceIndex {
  /// Each id's seq, by the id's key (`StoreKey.id`, the ids table's key): hashing and
  /// probing String keys was about a fifth of `verify`'s calling thread (`perf`). An id
  /// whose key another id already has is kept in `seqOfIdSharingAKey`.
  private var seqOfId: [Int64: Int64] = [:]
  private var seqOfIdSharingAKey: [String: Int64] = [:]
  /// The events by seq: `inOrder[seq - 1]` while seqs come one after another (as a log
  /// does), `outOfOrder` for the rest (a damaged log `verify` walks).
  private var inOrder: [IndexedEvent] = []
  private var outOfOrder: [Int64: IndexedEvent] = [:]
  /// The holder of each name, by the name's key (`StoreKey.name`), with the name; and
  /// names whose key another name already has.
  private var holders: [Int64: (kind: NameKind, name: String, seq: Int64)] = [:]
  private var holdersSharingAKey: [NameKey: Int64] = [:]
  private(set) var retractions: [Int64: Int64] = [:]
  private(set) var resolutions: [Int64: Int64] = [:]
  /// The reverse of `resolutions` (resolution seq → item seq), so a retracted resolution
  /// is found without a scan.
  private var itemOfResolution: [Int64: Int64] = [:]

  /// A meeting's or an item's name.
  struct NameKey: Hashable {
    var kind: NameKind
    var name: String
  }

  /// The keys of ids and names: `StoreKey`'s, or in tests functions that make many
  /// share a key.
  private let idKey: (String) -> Int64
  private let nameKey: (NameKind, String) -> Int64

  /// `expected`: about how many events it will hold (its tables are sized once).
  init(
    expected: Int = 0, idKey: @escaping (String) -> Int64 = StoreKey.id, nameKey: @escaping (NameKind, String) -> Int64 = StoreKey.name
  ) {
    seqOfId.reserveCapacity(expected)
    inOrder.reserveCapacity(expected)
    (self.idKey, self.nameKey) = (idKey, nameKey)
  }

  /// Adds an event; `idKey` is its id's key when the caller has it already.
  func add(_ event: ReferenceFacts, seq: Int64, idKey known: Int64? = nil) {
    let key = known ?? idKey(event.id)
    if let existing = seqOfId[key], self.event(seq: existing)?.id != event.id {
      seqOfIdSharingAKey[event.id] = seq
    } else {
      seqOfId[key] = seq
    }
    let indexed = event.indexed(seq: seq)
    if seq == Int64(inOrder.count) + 1 {
      inOrder.append(indexed)
    } else if seq >= 1 && seq <= Int64(inOrder.count) {
      inOrder[Int(seq - 1)] = indexed
    } else {
      outOfOrder[seq] = indexed
    }
  }

  func event(id: String) -> IndexedEvent? { event(id: id, key: idKey(id)) }

  /// The event with this id, whose key is `key`.
  func event(id: String, key: Int64) -> IndexedEvent? {
    if let seq = seqOfId[key], let found = event(seq: seq), found.id == id { return found }
    return seqOfIdSharingAKey.isEmpty ? nil : seqOfIdSharingAKey[id].flatMap(event(seq:))
  }

  private func event(seq: Int64) -> IndexedEvent? {
    seq >= 1 && seq <= Int64(inOrder.count) ? inOrder[Int(seq - 1)] : outOfOrder[seq]
  }

  func holder(_ kind: NameKind, _ name: String) -> IndexedEvent? {
    if let entry = holders[nameKey(kind, name)], entry.kind == kind, entry.name == name { return event(seq: entry.seq) }
    return holdersSharingAKey.isEmpty ? nil : holdersSharingAKey[NameKey(kind: kind, name: name)].flatMap(event(seq:))
  }

  func isRetracted(seq: Int64) -> Bool { retractions[seq] != nil }

  func resolution(itemSeq: Int64) -> Int64? { resolutions[itemSeq] }

  func record(seq: Int64, effects: ReferenceEffects) {
    if let (kind, name) = effects.defines {
      let key = nameKey(kind, name)
      if let entry = holders[key], entry.kind != kind || entry.name != name {
        holdersSharingAKey[NameKey(kind: kind, name: name)] = seq
      } else {
        holders[key] = (kind, name, seq)
      }
    }
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
