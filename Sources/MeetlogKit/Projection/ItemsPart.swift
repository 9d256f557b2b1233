/// A snapshot's `items` part: a header, then the items in chunks of consecutive slots,
/// each chunk its own segment (stored as its own zstd frame), so that `state --as-of`
/// decompresses only the chunks that hold items pledged by its checkpoint's cut instead
/// of the whole part (17.5 MB once decompressed on a million-event log).
///
/// The header: the magic, the item count, the items per chunk, the chunk count and, per
/// chunk, the earliest pledge time among its items. A chunk: its items' arrays, as
/// `ItemStore` holds them, with the pair and id offsets counted from the chunk's start.
enum ItemsPart {
  static let magic: [UInt8] = Array("meetlog-items-5".utf8)
  /// How every version's items part begins (meetlog wrote `meetlog-items-4`, one frame,
  /// before the part came in chunks).
  static let family: [UInt8] = Array("meetlog-items-".utf8)

  /// Chunks of at least 16,384 items, at most sixteen of them: one or two frames on the
  /// benchmark's 100,000 events (each frame costs compression: sixteen there added 0.9
  /// bytes per event), about fifteen on a million (250,000 items).
  static func itemsPerChunk(count: Int) -> Int { max(16_384, (count + 15) / 16) }

  /// The part's segments: the header, then one per chunk (of `perChunk` items; tests
  /// choose small ones).
  static func encode(_ items: ItemStore, perChunk: Int? = nil) -> [[UInt8]] {
    let count = items.count
    let perChunk = perChunk ?? itemsPerChunk(count: count)
    let chunks = stride(from: 0, to: count, by: perChunk).map { $0..<min($0 + perChunk, count) }
    var header = ByteWriter()
    header.bytes(magic)
    header.int(count)
    header.int(perChunk)
    header.int(chunks.count)
    header.array(chunks.map { items.pledgedMicros[$0].min()! })
    return [header.output] + chunks.map { encode(items, $0) }
  }

  private static func encode(_ items: ItemStore, _ slots: Range<Int>) -> [UInt8] {
    var w = ByteWriter()
    let firstPair = items.pairStart[slots.lowerBound]
    w.array(items.pairStart[slots.lowerBound...slots.upperBound].map { $0 - firstPair })
    w.array(Array(items.pairs[Int(firstPair)..<Int(items.pairStart[slots.upperBound])]))
    w.array(Array(items.pledgedMicros[slots]))
    w.array(Array(items.dateFlags[slots]))
    w.array(Array(items.dueDay[slots]))
    w.array(Array(items.outcome[slots]))
    w.array(Array(items.resolvedMicros[slots]))
    w.array(Array(items.pledgeSeq[slots]))
    // Each slot's item id (the lookup table is rebuilt from them on load).
    var idStart: [Int32] = [0]
    var idBytes: [UInt8] = []
    for slot in slots {
      items.appendItemId(Int32(slot), to: &idBytes)
      idStart.append(Int32(idBytes.count))
    }
    w.array(idStart)
    w.array(idBytes)
    return w.output
  }

  /// How many segments, header included, hold every item pledged by `cut`; nil when
  /// `header` does not begin with a header this version wrote.
  static func segmentsNeeded(header: [UInt8], pledgedBy cut: Int64) -> Int? {
    var r = ByteReader(header)
    guard let (_, _, earliest) = readHeader(&r) else { return nil }
    return 1 + (earliest.lastIndex { $0 <= cut }.map { $0 + 1 } ?? 0)
  }

  private static func readHeader(_ r: inout ByteReader) -> (count: Int, perChunk: Int, earliest: [Int64])? {
    // Bounded, so that damaged numbers cannot overflow what is computed from them.
    guard r.bytes(magic.count).map(Array.init) == magic, let count = r.int(), count >= 0, count < 1 << 31,
      let perChunk = r.int(), perChunk > 0, perChunk < 1 << 31, let chunkCount = r.int(),
      chunkCount == (count + perChunk - 1) / perChunk, let earliest: [Int64] = r.array(chunkCount)
    else { return nil }
    return (count, perChunk, earliest)
  }

  /// The items pledged by `cut` (all with nil), ids indexed unless `indexIds` is false,
  /// and how many the part holds. `bytes` holds the part's segments from the header on:
  /// all of them, or with a cut at least the `segmentsNeeded`. The items pledged by the
  /// cut must be the first slots (a fold adds items in the order of their pledges; an
  /// item pledged again keeps its slot and may break that): nil otherwise, and when the
  /// bytes are not a part this version wrote.
  static func decode(_ bytes: [UInt8], indexIds: Bool, pledgedBy cut: Int64?) -> (store: ItemStore, count: Int)? {
    var r = ByteReader(bytes)
    guard let (count, perChunk, earliest) = readHeader(&r) else { return nil }
    let chunks = cut.map { cut in earliest.lastIndex { $0 <= cut }.map { $0 + 1 } ?? 0 } ?? earliest.count
    // Where each chunk's arrays are, in the order of `Column`.
    var runs = [[(at: Int, count: Int)]](repeating: [], count: Column.allCases.count)
    var pairBase: [Int32] = []
    var idBase: [Int32] = []
    var (pairTotal, idTotal): (Int32, Int32) = (0, 0)
    for chunk in 0..<chunks {
      let n = min(perChunk, count - chunk * perChunk)
      func column<T: FixedWidthInteger>(_ c: Column, _ count: Int, _ type: T.Type) -> Bool {
        guard let at = r.skip(count, of: type) else { return false }
        runs[c.rawValue].append((at, count))
        return true
      }
      guard column(.pairStart, n + 1, Int32.self), let pairCount: Int32 = r.value(at: r.at - 4), pairCount >= 0,
        column(.pairs, Int(pairCount), PairIndex.self), column(.pledged, n, Int64.self), column(.flags, n, UInt8.self),
        column(.due, n, Int32.self), column(.outcome, n, UInt8.self), column(.resolved, n, Int64.self),
        column(.seq, n, Int64.self), column(.idStart, n + 1, Int32.self), let idCount: Int32 = r.value(at: r.at - 4),
        idCount >= 0, column(.idBytes, Int(idCount), UInt8.self)
      else { return nil }
      pairBase.append(pairTotal)
      idBase.append(idTotal)
      (pairTotal, idTotal) = (pairTotal + pairCount, idTotal + idCount)
    }
    guard cut != nil || r.atEnd else { return nil }
    let read = min(count, chunks * perChunk)
    let pledged = r.gather(runs[Column.pledged.rawValue], total: read, as: Int64.self)
    for chunk in 0..<chunks {
      let slots = (chunk * perChunk)..<min(read, (chunk + 1) * perChunk)
      guard pledged[slots].min() == earliest[chunk] else { return nil }
    }
    var kept = read
    if let cut {
      kept = pledged.firstIndex { $0 > cut } ?? read
      guard !pledged[kept...].contains(where: { $0 <= cut }) else { return nil }
    }
    // Room for the items a fold after the cut adds (at most those the part holds after
    // it): growing six-figure arrays by doubling would copy them on the calling thread.
    let room = min(count - kept, 16_384)
    // The offsets of the first `kept` items' pairs (or ids), counted from the part's
    // start, and where the last of them ends; nil unless they never go back.
    func starts(_ column: Column, bases: [Int32], total: Int32) -> [Int32]? {
      let local = runs[column.rawValue]
      var starts = r.gather(local.map { ($0.at, $0.count - 1) }, total: kept, room: room + 1, as: Int32.self)
      for slot in 0..<kept { starts[slot] &+= bases[slot / perChunk] }
      let end =
        kept == read ? total : bases[kept / perChunk] &+ r.value(at: local[kept / perChunk].at + 4 * (kept % perChunk))!
      starts.append(end)
      var previous: Int32 = 0
      for start in starts {
        guard start >= previous else { return nil }
        previous = start
      }
      return end <= total ? starts : nil
    }
    guard let pairStart = starts(.pairStart, bases: pairBase, total: pairTotal),
      let idStart = starts(.idStart, bases: idBase, total: idTotal)
    else { return nil }
    var store = ItemStore()
    store.pairStart = pairStart
    store.pairs = r.gather(runs[Column.pairs.rawValue], total: Int(pairStart[kept]), room: 4 * room)
    store.pledgedMicros = r.gather(runs[Column.pledged.rawValue], total: kept, room: room)
    store.dateFlags = r.gather(runs[Column.flags.rawValue], total: kept, room: room)
    store.dueDay = r.gather(runs[Column.due.rawValue], total: kept, room: room)
    store.outcome = r.gather(runs[Column.outcome.rawValue], total: kept, room: room)
    store.resolvedMicros = r.gather(runs[Column.resolved.rawValue], total: kept, room: room)
    store.pledgeSeq = r.gather(runs[Column.seq.rawValue], total: kept, room: room)
    store.detailStart.reserveCapacity(kept + room)
    store.detailStart += repeatElement(-1, count: kept)
    let idBytes: [UInt8] = r.gather(runs[Column.idBytes.rawValue], total: Int(idStart[kept]))
    store.loaded = LoadedIds(idStart: idStart, idBytes: idBytes, indexed: indexIds)
    return (store, count)
  }

  /// A chunk's arrays, in the order they are stored.
  private enum Column: Int, CaseIterable {
    case pairStart, pairs, pledged, flags, due, outcome, resolved, seq, idStart, idBytes
  }
}
