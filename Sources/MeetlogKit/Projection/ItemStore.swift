/// The fold's items as flat arrays, one slot per item, with the text a reader sees kept
/// in one byte arena: a million-event log has six-figure item counts, and one heap
/// object per field would dominate memory and make snapshots slow to load.
///
/// Lookups by item id go through a dictionary for items added in this fold and through
/// a sorted table of id hashes for items loaded from a snapshot.
struct ItemStore {
  /// The pairs of item i are `pairs[pairStart[i]..<pairStart[i + 1]]`.
  var pairStart: [Int32] = [0]
  var pairs: [PairIndex] = []
  var pledgedMicros: [Int64] = []
  /// Bit 0: pledged on a calendar date; bit 1: resolved on a calendar date.
  var dateFlags: [UInt8] = []
  /// The due day, or `Int32.min` for none.
  var dueDay: [Int32] = []
  /// 0 open, else 1 + the index of the outcome in `Outcome.allCases`.
  var outcome: [UInt8] = []
  var resolvedMicros: [Int64] = []
  /// The seq of item i's pledge.
  var pledgeSeq: [Int64] = []
  /// Where item i's details (ids, summary, parties, `with`, `by`, meeting) start in
  /// `arena`; -1 for an item loaded from a snapshot whose details were not read yet.
  var detailStart: [Int32] = []
  var arena: [UInt8] = []
  /// Items added by this fold.
  var added = AddedIds()
  /// Items loaded from a snapshot.
  var loaded = LoadedIds()
  /// False when only counts are needed (`state relations`): no details are kept.
  var keepDetails = true

  var count: Int { pledgedMicros.count }

  mutating func find(_ id: String) -> Int32? {
    var id = id
    return id.withUTF8 { find($0, hash: IdHash.hash($0)) }
  }

  /// The slot of the item whose id's bytes are `id`, hashed by `IdHash` as `hash`.
  mutating func find(_ id: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int32? {
    if let slot = added.find(id, hash: hash) { return slot }
    guard !loaded.isEmpty else { return nil }
    return loaded.find(id, hash: hash)
  }

  func pairs(of slot: Int32) -> ArraySlice<PairIndex> {
    pairs[Int(pairStart[Int(slot)])..<Int(pairStart[Int(slot) + 1])]
  }

  /// Calls `body` with every item's slot and each of its pairs, in slot order: counting
  /// the items of each relation reads them all, and a slice per item (`pairs(of:)`) was
  /// a retain and a release each.
  func forEachPair(_ body: (Int, PairIndex) -> Void) {
    pairStart.withUnsafeBufferPointer { starts in
      pairs.withUnsafeBufferPointer { pairs in
        for slot in 0..<count {
          for k in Int(starts[slot])..<Int(starts[slot + 1]) { body(slot, pairs[k]) }
        }
      }
    }
  }

  /// Adds a pledged item, or replaces the item of the same id (a pledge retracted and
  /// pledged again keeps its slot, as `Projector` keeps its key).
  mutating func pledge(_ p: FoldEvent.Pledge, pairs itemPairs: [PairIndex], micros: Int64, isDate: Bool) {
    var id = p.item ?? p.id
    let start = Int32(arena.count)
    if keepDetails { writeDetails(p) }
    let (slot, hash) = id.withUTF8 { bytes in
      let hash = IdHash.hash(bytes)
      return (find(bytes, hash: hash), hash)
    }
    if let slot {
      // Rare: rebuild the pair ranges with the new pairs in place.
      var rebuilt: [PairIndex] = []
      var starts: [Int32] = [0]
      for i in 0..<Int32(count) {
        rebuilt += i == slot ? ArraySlice(itemPairs) : pairs(of: i)
        starts.append(Int32(rebuilt.count))
      }
      pairs = rebuilt
      pairStart = starts
      let s = Int(slot)
      pledgedMicros[s] = micros
      dateFlags[s] = isDate ? 1 : 0
      dueDay[s] = p.due.map { Int32($0.day) } ?? Int32.min
      outcome[s] = 0
      resolvedMicros[s] = 0
      pledgeSeq[s] = p.seq
      detailStart[s] = keepDetails ? start : -1
      return
    }
    let newSlot = Int32(count)
    id.withUTF8 { added.insert($0, hash: hash, slot: newSlot) }
    pairs += itemPairs
    pairStart.append(Int32(pairs.count))
    pledgedMicros.append(micros)
    dateFlags.append(isDate ? 1 : 0)
    dueDay.append(p.due.map { Int32($0.day) } ?? Int32.min)
    outcome.append(0)
    resolvedMicros.append(0)
    pledgeSeq.append(p.seq)
    detailStart.append(keepDetails ? start : -1)
  }

  /// The item id of a slot, from its details or from the snapshot it was loaded from.
  func itemId(_ slot: Int32) -> String {
    if detailStart[Int(slot)] >= 0 { return details(slot).itemId }
    return loaded.id(of: slot)
  }

  /// Appends the bytes of a slot's item id to `bytes`, reading only the first two texts
  /// of its details (`itemId` decoded them all, as Strings: a snapshot's items part
  /// takes every id).
  func appendItemId(_ slot: Int32, to bytes: inout [UInt8]) {
    let start = detailStart[Int(slot)]
    guard start >= 0 else { return bytes += loaded.bytes(of: slot) }
    arena.withUnsafeBufferPointer { all in
      var reader = DetailReader(all, at: start)
      let event = reader.text()!
      bytes.append(contentsOf: reader.text() ?? event)
    }
  }

  /// The slots whose details are still to be read (items loaded from a snapshot).
  var slotsWithoutDetails: [Int32] {
    (0..<Int32(count)).filter { detailStart[Int($0)] < 0 }
  }

  /// Takes the details of `slots` written into another arena (`Self.writeDetails`),
  /// slot k's starting at `starts[k]` there; that arena becomes this one when this one
  /// is empty (shared, not copied).
  mutating func adoptDetails(_ other: [UInt8], starts: some Collection<Int32>, slots: ArraySlice<Int32>) {
    let base = Int32(arena.count)
    if arena.isEmpty { arena = other } else { arena += other }
    for (slot, start) in zip(slots, starts) { detailStart[Int(slot)] = base + start }
  }

  mutating func resolve(_ slot: Int32, _ result: Outcome, micros: Int64, isDate: Bool) {
    let s = Int(slot)
    outcome[s] = UInt8(Outcome.allCases.firstIndex(of: result)! + 1)
    resolvedMicros[s] = micros
    dateFlags[s] = (dateFlags[s] & 1) | (isDate ? 2 : 0)
  }

  func outcome(of slot: Int32) -> Outcome? {
    let code = outcome[Int(slot)]
    return code == 0 ? nil : Outcome.allCases[Int(code) - 1]
  }

  // MARK: Details in the arena

  /// The text of one item, decoded from the arena when the state is printed.
  struct Details: Equatable {
    var pledgeEvent: String
    var itemId: String
    var summary: String
    var parties: [String]
    var with: [String]
    var by: Actor?
    var meeting: String?
  }

  private mutating func writeDetails(_ p: FoldEvent.Pledge) {
    Self.writeDetails(p, into: &arena)
  }

  /// Appends one item's details to `arena` (the layout `details` and `DetailReader` read).
  static func writeDetails(_ p: FoldEvent.Pledge, into arena: inout [UInt8]) {
    func append(_ value: UInt32) {
      withUnsafeBytes(of: value.littleEndian) { arena += $0 }
    }
    func text(_ s: String?) {
      guard let s else {
        append(UInt32.max)
        return
      }
      append(UInt32(s.utf8.count))
      arena += s.utf8
    }
    func countries(_ list: [CountryIndex]) {
      append(UInt32(list.count))
      for c in list { append(UInt32(c)) }
    }
    text(p.id)
    text(p.item)
    text(p.summary)
    countries(p.parties)
    countries(p.with)
    text(p.by?.name)
    text(p.by?.role)
    text(p.by?.country)
    text(p.meeting)
  }

  func details(_ slot: Int32) -> Details {
    arena.withUnsafeBufferPointer { all in
      var reader = DetailReader(all, at: detailStart[Int(slot)])
      func text() -> String? { reader.text().map { String(decoding: $0, as: UTF8.self) } }
      func countries() -> [String] { (0..<reader.number()).map { _ in CountryIndexing.code(CountryIndex(reader.number())) } }
      let event = text()!
      let item = text()
      let summary = text()!
      let parties = countries()
      let with = countries()
      let name = text()
      let role = text()
      let country = text()
      let meeting = text()
      let by = name.map { Actor(name: $0, role: role, country: country ?? "") }
      return Details(
        pledgeEvent: event, itemId: item ?? event, summary: summary, parties: parties, with: with, by: by, meeting: meeting)
    }
  }

}
