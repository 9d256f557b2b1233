/// A snapshot's `open_items` part: the items open at the cut, with everything `state`
/// prints of them (pairs, pledge time, due day, and the texts: ids, summary, parties,
/// `with`, `by`, meeting), so that printing the open items of a snapshot reads no pledge
/// back (a million-event log has 155,000 of them, about 8 µs each) and, when nothing
/// after the cut touches an item, not the `items` part either.
///
/// Closed items are printed only with `--all` or at an earlier point, and read back from
/// their pledges then. The part is stored as frames of up to `perSegment` items (at most
/// eight, decompressed on two threads), each: the magic, the item count n, the items' slots in the
/// `items` part, their pair offsets (n + 1) and pairs, pledge instants, date flags, due
/// days, where each one's text record starts (n + 1), and the records in `ItemStore`'s
/// arena layout (`ItemStore.writeDetails`). Loading checks every record's lengths and
/// country indexes, so that a damaged snapshot is refused instead of read out of bounds.
enum OpenItemsPart {
  /// What each segment begins with; another number is another layout, not read.
  static let magic: [UInt8] = Array("meetlog-open-1".utf8)
  /// How every version's segments begin.
  static let family: [UInt8] = Array("meetlog-open-".utf8)

  /// Items per segment: at least 16,384, at most eight segments.
  static func perSegment(count: Int) -> Int { max(16_384, (count + 7) / 8) }

  /// The open items of `items` as `state` lists them (pledge time, then id), when every
  /// one has its details: a snapshot's fold has them (`writeSnapshot` reads back those a
  /// fold resumed from a snapshot lacks).
  static func listed(_ items: ItemStore) -> FoldedItems? {
    let open = items.outcome.indices.lazy.filter { items.outcome[$0] == 0 }
    guard open.allSatisfy({ items.detailStart[$0] >= 0 }) else { return nil }
    return FoldedItems(items, pointDay: 0, closedItems: false)
  }

  /// The segments of `items`' open items, in `listed`'s order (`listed(_:)`), so that a
  /// list read back needs no sorting.
  static func encode(_ items: ItemStore, listed: FoldedItems) -> [[UInt8]] {
    let open = listed.slots
    let per = perSegment(count: open.count)
    return items.arena.withUnsafeBufferPointer { all in
      stride(from: 0, to: open.count, by: per).map { first in
        let slots = Array(open[first..<min(first + per, open.count)])
        var pairStart: [Int32] = [0]
        var pairs: [PairIndex] = []
        var starts: [Int32] = []
        var records: [UInt8] = []
        for slot in slots {
          pairs += items.pairs(of: slot)
          pairStart.append(Int32(pairs.count))
          starts.append(Int32(records.count))
          let begin = Int(items.detailStart[Int(slot)])
          let length = recordLength(all, at: begin) ?? 0
          records.append(contentsOf: UnsafeBufferPointer(rebasing: all[begin..<(begin + length)]))
        }
        starts.append(Int32(records.count))
        var w = ByteWriter()
        w.bytes(magic)
        w.int(slots.count)
        w.array(slots)
        w.array(pairStart)
        w.array(pairs)
        w.array(slots.map { items.pledgedMicros[Int($0)] })
        w.array(slots.map { items.dateFlags[Int($0)] & 1 })
        w.array(slots.map { items.dueDay[Int($0)] })
        w.array(starts)
        w.array(records)
        return w.output
      }
    }
  }

  /// One segment as read: where its columns are in the part's bytes.
  private struct Segment {
    var count: Int
    var slots: Int
    var pairStart: Int
    var pairs: (at: Int, count: Int)
    var pledged: Int
    var flags: Int
    var due: Int
    var starts: Int
    var records: (at: Int, count: Int)
  }

  /// The segments of a part, each record checked (unless `checked`: `checkSegment`
  /// passed each already); nil when one is damaged or a slot is not below `slotLimit`.
  private static func segments(_ bytes: [UInt8], slotLimit: Int, checked: Bool = false) -> [Segment]? {
    bytes.withUnsafeBufferPointer { all -> [Segment]? in
      var found: [Segment] = []
      var at = 0
      while at < all.count {
        guard let (segment, end) = layout(UnsafeRawBufferPointer(all), at: at),
          checked || isWhole(segment, all, slotLimit: slotLimit)
        else { return nil }
        found.append(segment)
        at = end
      }
      return found
    }
  }

  /// Whether `bytes` are exactly one segment, every record of it checked (run by the
  /// threads that decompress the part, on each frame as it is decoded).
  static func checkSegment(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let (segment, end) = layout(UnsafeRawBufferPointer(bytes), at: 0), end == bytes.count else { return false }
    return isWhole(segment, bytes, slotLimit: Int(Int32.max))
  }

  /// Where the columns of the segment at `start` are, and where it ends; nil when they
  /// run past the end.
  private static func layout(_ raw: UnsafeRawBufferPointer, at start: Int) -> (Segment, end: Int)? {
    var at = start
    func skip(_ n: Int, _ size: Int) -> Int? {
      guard n >= 0, n <= (raw.count - at) / size else { return nil }
      defer { at += n * size }
      return at
    }
    func int32(_ offset: Int) -> Int32 { raw.loadUnaligned(fromByteOffset: offset, as: Int32.self) }
    guard let magicAt = skip(magic.count, 1),
      UnsafeRawBufferPointer(rebasing: raw[magicAt..<(magicAt + magic.count)]).elementsEqual(magic),
      let countAt = skip(1, 8)
    else { return nil }
    let n = Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: countAt, as: Int64.self)))
    guard n >= 0, n < 1 << 31, let slots = skip(n, 4), let pairStart = skip(n + 1, 4) else { return nil }
    let pairCount = Int(int32(at - 4))
    guard pairCount >= 0, let pairs = skip(pairCount, 4), let pledged = skip(n, 8), let flags = skip(n, 1), let due = skip(n, 4),
      let starts = skip(n + 1, 4)
    else { return nil }
    let recordCount = Int(int32(at - 4))
    guard recordCount >= 0, let records = skip(recordCount, 1) else { return nil }
    let segment = Segment(
      count: n, slots: slots, pairStart: pairStart, pairs: (pairs, pairCount), pledged: pledged, flags: flags, due: due,
      starts: starts, records: (records, recordCount))
    return (segment, at)
  }

  /// Whether every record of `segment` in `all` is whole, its offsets in order, its slots
  /// below `slotLimit`, its pairs two countries each and its date flags 0 or 1.
  private static func isWhole(_ segment: Segment, _ all: UnsafeBufferPointer<UInt8>, slotLimit: Int) -> Bool {
    let raw = UnsafeRawBufferPointer(all)
    func int32(_ offset: Int) -> Int32 { raw.loadUnaligned(fromByteOffset: offset, as: Int32.self) }
    let records = UnsafeBufferPointer(rebasing: all[segment.records.at..<(segment.records.at + segment.records.count)])
    guard segment.count == 0 || int32(segment.pairStart) == 0 else { return false }
    var (previousStart, previousPairs): (Int32, Int32) = (0, 0)
    for k in 0..<segment.count {
      let (slot, start, end) = (int32(segment.slots + 4 * k), int32(segment.starts + 4 * k), int32(segment.starts + 4 * (k + 1)))
      let pairEnd = int32(segment.pairStart + 4 * (k + 1))
      guard slot >= 0, Int(slot) < slotLimit, start == previousStart, let length = recordLength(records, at: Int(start)),
        Int(start) + length == Int(end), pairEnd >= previousPairs, all[segment.flags + k] <= 1
      else { return false }
      (previousStart, previousPairs) = (end, pairEnd)
    }
    guard Int(previousStart) == segment.records.count, Int(previousPairs) == segment.pairs.count else { return false }
    for k in 0..<segment.pairs.count {
      let pair = raw.loadUnaligned(fromByteOffset: segment.pairs.at + 4 * k, as: PairIndex.self)
      guard pair >> 16 < 26 * 26, pair & 0xFFFF < 26 * 26 else { return false }
    }
    return true
  }

  /// Gives the records of `bytes` (the part, decompressed) to `store`'s slots, keeping
  /// `bytes` as the store's arena when it has none (no copy: a million-event log's open
  /// items' texts are about 20 MB); false when the part is damaged (nothing is given).
  static func adopt(_ bytes: [UInt8], into store: inout ItemStore) -> Bool {
    guard let found = segments(bytes, slotLimit: store.count) else { return false }
    var slots: [Int32] = []
    var starts: [Int32] = []
    let r = ByteReader(bytes)
    for segment in found {
      slots += r.gather([(segment.slots, segment.count)], total: segment.count, as: Int32.self)
      let local: [Int32] = r.gather([(segment.starts, segment.count)], total: segment.count)
      starts += local.lazy.map { $0 + Int32(segment.records.at) }
    }
    store.adoptDetails(bytes, starts: starts, slots: slots[...])
    return true
  }

  /// The open items alone, as a store of their own (slot k: the part's k-th item), for
  /// printing them when nothing after the cut touches an item; its arena is `bytes`.
  /// Nil when the part is damaged (`checked`: each segment passed `checkSegment`).
  static func store(_ bytes: [UInt8], checked: Bool = false) -> ItemStore? {
    guard let found = segments(bytes, slotLimit: Int(Int32.max), checked: checked) else { return nil }
    let r = ByteReader(bytes)
    let total = found.reduce(0) { $0 + $1.count }
    var store = ItemStore()
    store.pairStart.reserveCapacity(total + 1)
    for segment in found {
      let base = Int32(store.pairs.count)
      let starts: [Int32] = r.gather([(segment.pairStart + 4, segment.count)], total: segment.count)
      store.pairStart += starts.lazy.map { $0 + base }
      store.pairs += r.gather([segment.pairs], total: segment.pairs.count, as: PairIndex.self)
      store.pledgedMicros += r.gather([(segment.pledged, segment.count)], total: segment.count, as: Int64.self)
      store.dateFlags += r.gather([(segment.flags, segment.count)], total: segment.count, as: UInt8.self)
      store.dueDay += r.gather([(segment.due, segment.count)], total: segment.count, as: Int32.self)
      let local: [Int32] = r.gather([(segment.starts, segment.count)], total: segment.count)
      store.detailStart += local.lazy.map { $0 + Int32(segment.records.at) }
    }
    store.outcome = [UInt8](repeating: 0, count: total)
    store.resolvedMicros = [Int64](repeating: 0, count: total)
    // Not kept in the part: every item here has its details, so none is read back.
    store.pledgeSeq = [Int64](repeating: 0, count: total)
    store.arena = bytes
    return store
  }

  /// The length of the record at `start` (`ItemStore.writeDetails`'s layout); nil when
  /// it runs past the end, lacks its event id or summary, or names no country.
  static func recordLength(_ all: UnsafeBufferPointer<UInt8>, at start: Int) -> Int? {
    var at = start
    func number() -> UInt32? {
      guard at >= 0, at + 4 <= all.count else { return nil }
      var value: UInt32 = 0
      for k in 0..<4 { value |= UInt32(all[at + k]) << (8 * k) }
      at += 4
      return value
    }
    /// A text: false when it runs past the end, or is missing where it must be there.
    func text(required: Bool = false) -> Bool {
      guard let length = number() else { return false }
      if length == UInt32.max { return !required }
      guard Int(length) <= all.count - at else { return false }
      at += Int(length)
      return true
    }
    func countries() -> Bool {
      guard let count = number(), Int(count) <= (all.count - at) / 4 else { return false }
      for _ in 0..<count {
        guard let index = number(), index < 26 * 26 else { return false }
      }
      return true
    }
    // Event id, item id, summary, parties, with, by's name, role and country, meeting.
    guard text(required: true), text(), text(required: true), countries(), countries(), text(), text(), text(), text()
    else { return nil }
    return at - start
  }
}
