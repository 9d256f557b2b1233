/// A `StateFold` stopped at a cut, as bytes: what `meetlog state` resumes from instead of
/// folding the whole log (`docs/store.md`, "Snapshots").
///
/// Two parts. `relations`: the relations, the interned tables, and per relation what its
/// items count (open ones with their sorted due days, closed ones by outcome) — all that
/// `state relations` needs when nothing after the cut updates or resolves an item.
/// `items`: the items' flat arrays with their pledges' seqs and the item ids, read when
/// items are printed or touched again. A third, `open_items` (`OpenItemsPart`), holds
/// what is printed of the items open at the cut, texts included, and a fourth (in the
/// `open_tables` table, `OpenTablePart`) their rows of `state`'s table; closed items' texts are
/// read back from their pledges when printed (`StateQuery`). Numbers are little-endian; arrays of fixed-width numbers are
/// written as their raw bytes, so loading is a few copies, not one allocation per item.
enum FoldSnapshot {
  static let magic: [UInt8] = Array("meetlog-fold-4".utf8)

  /// The weights a snapshot was folded with, as text: a snapshot serves only queries with
  /// the same weights.
  static func fingerprint(_ w: ScoreWeights) -> String {
    ([w.meetingHeld, w.statementMade, w.agreementPledged, w.thanksExpressed, w.itemUpdated]
      + Outcome.allCases.map { w.resolved[$0] ?? 0 }).map { String($0.bitPattern, radix: 16) }.joined(separator: ",")
  }

  /// The weights a fingerprint names; nil if it is not one.
  static func weights(fingerprint: String) -> ScoreWeights? {
    let values = fingerprint.split(separator: ",").compactMap { UInt64($0, radix: 16).map(Double.init(bitPattern:)) }
    guard values.count == 5 + Outcome.allCases.count else { return nil }
    var w = ScoreWeights()
    w.meetingHeld = values[0]
    w.statementMade = values[1]
    w.agreementPledged = values[2]
    w.thanksExpressed = values[3]
    w.itemUpdated = values[4]
    for (i, outcome) in Outcome.allCases.enumerated() { w.resolved[outcome] = values[5 + i] }
    return w
  }

  /// The snapshot of a fold that kept its items' details (ids are read from them).
  /// The `items` and `open_items` parts come as their segments (`ItemsPart`,
  /// `OpenItemsPart`), each compressed on its own. Both open items' parts are nil when
  /// an open item lacks its details (a part that left it out would be read as the whole
  /// list), and the table also when none is open.
  static func encode(_ fold: StateFold) -> (
    relations: [UInt8], items: [[UInt8]], openItems: [[UInt8]]?, openTable: OpenTablePart.Encoded?
  ) {
    var w = ByteWriter()
    w.bytes(magic)
    for table in [fold.topics.strings, fold.cities.strings] {
      w.int(table.count)
      for s in table { w.text(s) }
    }
    w.int(fold.relations.count)
    for r in fold.relations {
      w.u32(r.pair)
      w.int(r.meetings)
      w.moment(r.firstMeeting)
      w.moment(r.lastMeeting)
      w.int(r.lastPlace.map(Int.init) ?? -1)
      w.int(r.statements)
      w.int(r.thanksForward)
      w.int(r.thanksBackward)
      w.int(r.topics.count)
      for (topic, count) in r.topics.sorted(by: { $0.key < $1.key }) {
        w.int(Int(topic))
        w.int(count)
      }
      w.moment(r.lastEvent)
      w.u64(r.decayedSum.bitPattern)
      w.int(r.referenceDay ?? Int.min)
      w.u64(r.undecayed.bitPattern)
    }
    for base in fold.itemCountsPerRelation() {
      w.int(base.open)
      for n in base.byOutcome { w.int(n) }
      w.int(base.dueDays.count)
      w.array(base.dueDays)
    }
    let listed = OpenItemsPart.listed(fold.items)
    return (
      w.output, ItemsPart.encode(fold.items), listed.map { OpenItemsPart.encode(fold.items, listed: $0) },
      listed.flatMap { OpenTablePart.encode($0) }
    )
  }

  /// The fold stored in the parts, ready to fold the events after the cut towards
  /// `pointDay`; without `items`, the fold counts the snapshot's items from the relations
  /// part and must not meet an update or a resolution of one of them. `keepDetails` as
  /// for `StateFold`; with it, the open items' texts come from `openItems` when it is
  /// there and readable (else they are read back from the pledges). Nil when the bytes
  /// are not a snapshot this version wrote.
  static func decode(
    relations: [UInt8], items: [UInt8]?, openItems: [UInt8]? = nil, weights: ScoreWeights, pointDay: Int, keepDetails: Bool,
    countTopics: Bool = true
  ) -> StateFold? {
    var r = ByteReader(relations)
    guard var fold = decodeTables(&r, weights: weights, pointDay: pointDay, keepDetails: keepDetails, countTopics: countTopics)
    else { return nil }
    guard let relationCount = r.int() else { return nil }
    for index in 0..<relationCount {
      guard let pair = r.u32() else { return nil }
      var rel = StateFold.Relation(pair: pair)
      guard let meetings = r.int(), let first = r.moment(), let last = r.moment(), let place = r.int(), let statements = r.int(),
        let forward = r.int(), let backward = r.int(), let topicCount = r.int()
      else { return nil }
      rel.meetings = meetings
      rel.firstMeeting = first.value
      rel.lastMeeting = last.value
      rel.lastPlace = place < 0 ? nil : Int32(place)
      rel.statements = statements
      rel.thanksForward = forward
      rel.thanksBackward = backward
      if countTopics {
        rel.topics.reserveCapacity(topicCount)
        for _ in 0..<topicCount {
          guard let topic = r.int(), let count = r.int() else { return nil }
          rel.topics[Int32(topic)] = count
        }
      } else if r.bytes(topicCount * 16) == nil {
        return nil
      }
      guard let lastEvent = r.moment(), let sum = r.u64(), let reference = r.int(), let undecayed = r.u64() else { return nil }
      rel.lastEvent = lastEvent.value
      rel.decayedSum = Double(bitPattern: sum)
      rel.referenceDay = reference == Int.min ? nil : reference
      rel.undecayed = Double(bitPattern: undecayed)
      fold.relations.append(rel)
      fold.relationIndex[pair] = index
    }
    var baseCounts: [StateFold.BaseCounts] = []
    for _ in 0..<relationCount {
      var base = StateFold.BaseCounts()
      guard let open = r.int() else { return nil }
      base.open = open
      for k in base.byOutcome.indices {
        guard let n = r.int() else { return nil }
        base.byOutcome[k] = n
      }
      guard let dueCount = r.int(), let dueDays: [Int32] = r.array(dueCount) else { return nil }
      base.dueDays = dueDays
      baseCounts.append(base)
    }
    guard r.atEnd else { return nil }
    guard let items else {
      fold.baseCounts = baseCounts
      return fold
    }
    guard var decoded = decodeItems(items) else { return nil }
    // Open items' texts in another layout, or damaged, are read back from their pledges.
    if keepDetails, let openItems { _ = OpenItemsPart.adopt(openItems, into: &decoded) }
    decoded.keepDetails = keepDetails
    fold.items = decoded
    return fold
  }

  /// A fold with only the interned topics and cities of the `relations` part: what
  /// resuming from a checkpoint needs of it (the checkpoints give the relations).
  static func decodeTables(relations: [UInt8], weights: ScoreWeights, pointDay: Int, keepDetails: Bool, countTopics: Bool)
    -> StateFold?
  {
    var r = ByteReader(relations)
    return decodeTables(&r, weights: weights, pointDay: pointDay, keepDetails: keepDetails, countTopics: countTopics)
  }

  private static func decodeTables(_ r: inout ByteReader, weights: ScoreWeights, pointDay: Int, keepDetails: Bool, countTopics: Bool)
    -> StateFold?
  {
    guard r.bytes(magic.count).map(Array.init) == magic else { return nil }
    var fold = StateFold(weights: weights, pointDay: pointDay, keepDetails: keepDetails, countTopics: countTopics)
    for t in 0..<2 {
      guard let count = r.int() else { return nil }
      for _ in 0..<count {
        guard let s = r.text() else { return nil }
        if t == 0 { _ = fold.topics.intern(s) } else { _ = fold.cities.intern(s) }
      }
    }
    return fold
  }

  /// The `items` part alone (details not read, ids indexed unless `indexIds` is false);
  /// nil when the bytes are not an items part this version wrote.
  static func decodeItems(_ items: [UInt8], indexIds: Bool = true) -> ItemStore? {
    decodeItems(items, indexIds: indexIds, pledgedBy: nil)?.store
  }

  /// The items of the part pledged by `cut` (all with nil), and how many the part holds
  /// (`ItemsPart.decode`).
  static func decodeItems(_ items: [UInt8], indexIds: Bool, pledgedBy cut: Int64?) -> (store: ItemStore, count: Int)? {
    ItemsPart.decode(items, indexIds: indexIds, pledgedBy: cut)
  }
}

/// The ids of the items a fold loaded from a snapshot: each slot's id bytes, and a
/// sorted table of keys for lookups (a hash of the id above the slot, in one integer, so
/// that a table of 250,000 ids sorts in a few milliseconds). The table is built by the
/// first lookup: `state` printed from a snapshot with nothing folded after it looks
/// nothing up (building it was about 7 ms of a million-event `state`).
struct LoadedIds {
  private var keys: [UInt64] = []
  private var slotBits: UInt64 = 1
  /// Whether lookups are wanted, and whether the table for them is built.
  private var indexed = false
  private var built = false
  var idStart: [Int32] = [0]
  var idBytes: [UInt8] = []

  init() {}

  /// `indexed` false leaves out the lookup table (for a fold that only copies the ids).
  init(idStart: [Int32], idBytes: [UInt8], indexed: Bool = true) {
    self.idStart = idStart
    self.idBytes = idBytes
    self.indexed = indexed
  }

  /// Builds the lookup table now (when lookups are wanted), on this thread.
  mutating func buildIndexNow() {
    if indexed && !built { buildIndex() }
  }

  private mutating func buildIndex() {
    built = true
    let count = idStart.count - 1
    slotBits = UInt64(max(1, Int.bitWidth - count.leadingZeroBitCount))
    let shift = slotBits
    keys = [UInt64](unsafeUninitializedCapacity: count) { buffer, initialized in
      idBytes.withUnsafeBufferPointer { all in
        idStart.withUnsafeBufferPointer { starts in
          for slot in 0..<count {
            let bytes = UnsafeBufferPointer(rebasing: all[Int(starts[slot])..<Int(starts[slot + 1])])
            buffer[slot] = IdHash.hash(bytes) << shift | UInt64(slot)
          }
        }
      }
      initialized = count
    }
    Self.radixSort(&keys)
  }

  /// Sorts by 16 bits at a time, lowest first: four passes over 250,000 random keys
  /// instead of the comparison sort's eighteen (which was 7% of `state --as-of`).
  static func radixSort(_ keys: inout [UInt64]) {
    guard keys.count > 64 else { return keys.sort() }
    var counts = [Int](repeating: 0, count: 4 << 16)
    for key in keys {
      for pass in 0..<4 { counts[pass << 16 | Int(truncatingIfNeeded: key >> (16 * pass)) & 0xFFFF] += 1 }
    }
    var other = [UInt64](repeating: 0, count: keys.count)
    for pass in 0..<4 {
      var position = 0
      for digit in 0..<(1 << 16) {
        let n = counts[pass << 16 | digit]
        counts[pass << 16 | digit] = position
        position += n
      }
      keys.withUnsafeBufferPointer { from in
        other.withUnsafeMutableBufferPointer { to in
          for key in from {
            let slot = pass << 16 | Int(truncatingIfNeeded: key >> (16 * pass)) & 0xFFFF
            to[counts[slot]] = key
            counts[slot] += 1
          }
        }
      }
      swap(&keys, &other)
    }
  }

  /// True when there is nothing to look up: no ids, or no lookups wanted.
  var isEmpty: Bool { !indexed || idStart.count <= 1 }

  /// The id bytes of a slot.
  func bytes(of slot: Int32) -> ArraySlice<UInt8> {
    idBytes[Int(idStart[Int(slot)])..<Int(idStart[Int(slot) + 1])]
  }

  func id(of slot: Int32) -> String {
    String(decoding: idBytes[Int(idStart[Int(slot)])..<Int(idStart[Int(slot) + 1])], as: UTF8.self)
  }

  /// The slot whose id is `wanted` (hashed by `IdHash` as `hash`), if any.
  mutating func find(_ wanted: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int32? {
    if !built { buildIndex() }
    let prefix = hash << slotBits
    let slotMask = (UInt64(1) << slotBits) - 1
    var low = 0
    var high = keys.count
    while low < high {
      let mid = (low + high) / 2
      if keys[mid] < prefix { low = mid + 1 } else { high = mid }
    }
    while low < keys.count, keys[low] & ~slotMask == prefix {
      let slot = Int(keys[low] & slotMask)
      if idBytes[Int(idStart[slot])..<Int(idStart[slot + 1])].elementsEqual(wanted) { return Int32(slot) }
      low += 1
    }
    return nil
  }
}

/// Appends little-endian numbers, texts and raw arrays.
struct ByteWriter {
  var output: [UInt8] = []

  mutating func bytes(_ b: [UInt8]) { output += b }
  mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { output += $0 } }
  mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { output += $0 } }
  mutating func int(_ v: Int) { u64(UInt64(bitPattern: Int64(v))) }

  mutating func text(_ s: String) {
    int(s.utf8.count)
    output += s.utf8
  }

  mutating func moment(_ m: StateFold.Moment?) {
    guard let m else {
      output.append(0)
      return
    }
    output.append(m.isDate ? 2 : 1)
    int(Int(m.micros))
  }

  /// The raw bytes of an array of fixed-width numbers (this code runs little-endian).
  mutating func array<T: FixedWidthInteger>(_ values: [T]) {
    values.withUnsafeBytes { output += $0 }
  }
}

/// Reads what `ByteWriter` wrote; every read is bounds-checked and answers nil past the end.
struct ByteReader {
  let input: [UInt8]
  var at = 0

  init(_ input: [UInt8]) { self.input = input }

  var atEnd: Bool { at == input.count }

  mutating func bytes(_ n: Int) -> ArraySlice<UInt8>? {
    guard n >= 0, at + n <= input.count else { return nil }
    defer { at += n }
    return input[at..<(at + n)]
  }

  mutating func u64() -> UInt64? {
    guard let b = bytes(8) else { return nil }
    var v: UInt64 = 0
    for (k, byte) in b.enumerated() { v |= UInt64(byte) << (8 * k) }
    return v
  }

  mutating func u32() -> UInt32? {
    guard let b = bytes(4) else { return nil }
    var v: UInt32 = 0
    for (k, byte) in b.enumerated() { v |= UInt32(byte) << (8 * k) }
    return v
  }

  mutating func int() -> Int? { u64().map { Int(Int64(bitPattern: $0)) } }

  mutating func text() -> String? {
    guard let n = int(), let b = bytes(n) else { return nil }
    return String(decoding: b, as: UTF8.self)
  }

  mutating func moment() -> (value: StateFold.Moment?, ok: Bool)? {
    guard let kind = bytes(1)?.first else { return nil }
    if kind == 0 { return (nil, true) }
    guard kind <= 2, let micros = int() else { return nil }
    return (StateFold.Moment(micros: Int64(micros), isDate: kind == 2), true)
  }

  /// An array of `count` values.
  mutating func array<T: FixedWidthInteger>(_ count: Int) -> [T]? {
    guard count >= 0, let b = bytes(count * MemoryLayout<T>.stride) else { return nil }
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      b.withUnsafeBytes { raw in
        if let base = raw.baseAddress { memcpyBytes(buffer.baseAddress!, base, raw.count) }
      }
      initialized = count
    }
  }

  /// Skips `count` values of `T`, answering where they start; nil past the end.
  mutating func skip<T: FixedWidthInteger>(_ count: Int, of _: T.Type) -> Int? {
    let start = at
    return count >= 0 && bytes(count * MemoryLayout<T>.stride) != nil ? start : nil
  }

  /// The values of `T` in the input's runs (byte offset, count) one after another, up to
  /// `total` of them: columns stored in chunks, gathered into one array with room for
  /// `room` more.
  func gather<T: FixedWidthInteger>(_ runs: [(at: Int, count: Int)], total: Int, room: Int = 0, as _: T.Type = T.self) -> [T] {
    guard total + room > 0 else { return [] }
    return [T](unsafeUninitializedCapacity: total + room) { buffer, initialized in
      input.withUnsafeBytes { raw in
        var filled = 0
        for run in runs where filled < total {
          let n = min(run.count, total - filled)
          memcpyBytes(buffer.baseAddress! + filled, raw.baseAddress! + run.at, n * MemoryLayout<T>.stride)
          filled += n
        }
        initialized = filled
      }
    }
  }

  /// The little-endian value at byte `offset` of the input, without moving; nil past the end.
  func value<T: FixedWidthInteger>(at offset: Int) -> T? {
    guard offset >= 0, offset + MemoryLayout<T>.size <= input.count else { return nil }
    return input.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
  }
}

@inline(__always)
private func memcpyBytes(_ destination: UnsafeMutableRawPointer, _ source: UnsafeRawPointer, _ count: Int) {
  destination.copyMemory(from: source, byteCount: count)
}
