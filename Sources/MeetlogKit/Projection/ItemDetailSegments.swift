/// The open items' texts in a snapshot's `items` part (`ItemsPart`), after the items'
/// chunks: what `state` prints of each open item (id, summary, parties, `with`, `by`,
/// meeting), so that printing the open items of a snapshot reads no pledge back. On a
/// million-event log that was 155,000 pledges, about 8 µs each.
///
/// Only the items open at the snapshot's cut: closed ones are printed only with `--all`,
/// or at an earlier point, and are read back from their pledges then. Each segment (its
/// own zstd frame) holds up to `perSegment` items: their slots, where each one's record
/// starts, and the records in `ItemStore`'s arena layout (`ItemStore.writeDetails`).
/// Loading checks every record's lengths and country indexes, so that a damaged
/// snapshot is refused instead of read out of bounds.
enum ItemDetailSegments {
  /// Items per segment: at least 16,384, at most eight segments.
  static func perSegment(count: Int) -> Int { max(16_384, (count + 7) / 8) }

  /// The segments of `items`' open items that have their details, in slot order (a
  /// snapshot's fold has every open item's details: `writeSnapshot` reads back those a
  /// fold resumed from a snapshot lacks).
  static func encode(_ items: ItemStore) -> [[UInt8]] {
    let open = (0..<Int32(items.count)).filter { items.outcome[Int($0)] == 0 && items.detailStart[Int($0)] >= 0 }
    let per = perSegment(count: open.count)
    return items.arena.withUnsafeBufferPointer { all in
      stride(from: 0, to: open.count, by: per).map { first in
        let slots = Array(open[first..<min(first + per, open.count)])
        var starts: [Int32] = []
        starts.reserveCapacity(slots.count + 1)
        var records: [UInt8] = []
        for slot in slots {
          starts.append(Int32(records.count))
          let begin = Int(items.detailStart[Int(slot)])
          let length = recordLength(all, at: begin) ?? 0
          records.append(contentsOf: UnsafeBufferPointer(rebasing: all[begin..<(begin + length)]))
        }
        starts.append(Int32(records.count))
        var w = ByteWriter()
        w.int(slots.count)
        w.array(slots)
        w.array(starts)
        w.array(records)
        return w.output
      }
    }
  }

  /// Gives `store` the records of the `segments` segments in `bytes` from `offset` on
  /// (the rest of `bytes`), keeping `bytes` as the store's arena when it has none (no
  /// copy: a million-event log's open items' texts are about 20 MB); false when a
  /// segment is damaged (nothing is given then).
  static func adopt(_ bytes: [UInt8], from offset: Int, segments: Int, into store: inout ItemStore) -> Bool {
    var r = ByteReader(bytes)
    r.at = offset
    var slots: [Int32] = []
    var starts: [Int32] = []
    let count = store.count
    for _ in 0..<segments {
      guard let n = r.int(), n >= 0, n < 1 << 31, let segmentSlots: [Int32] = r.array(n), let segmentStarts: [Int32] = r.array(n + 1),
        let end = segmentStarts.last, end >= 0, let recordsAt = r.skip(Int(end), of: UInt8.self), recordsAt + Int(end) < 1 << 31
      else { return false }
      let whole = bytes.withUnsafeBufferPointer { all in
        let records = UnsafeBufferPointer(rebasing: all[recordsAt..<(recordsAt + Int(end))])
        for k in 0..<n {
          let (slot, start) = (Int(segmentSlots[k]), Int(segmentStarts[k]))
          guard slot >= 0, slot < count, start >= 0, start <= records.count, let length = recordLength(records, at: start),
            start + length == Int(segmentStarts[k + 1])
          else { return false }
        }
        return true
      }
      guard whole else { return false }
      slots += segmentSlots
      starts += segmentStarts.dropLast().lazy.map { $0 + Int32(recordsAt) }
    }
    guard r.atEnd else { return false }
    store.adoptDetails(bytes, starts: starts, slots: slots[...])
    return true
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
