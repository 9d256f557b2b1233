#if canImport(Glibc)
  import Glibc
#endif

/// The ids of the items a fold pledged itself (not loaded from a snapshot), with each
/// one's slot: an open-addressing table keyed by `IdHash` of the id's bytes, which are
/// kept to confirm a match.
///
/// A `[String: Int32]` did this before: SipHash over every id looked up, and the table
/// copied into one twice its size a dozen times while a replay grew it, about a tenth of
/// the folding thread of a 100,000-event replay (`docs/benchmarks.md`, session 14).
struct AddedIds {
  /// Per entry of the table: 0 empty, else the hash's high 32 bits over the index + 1
  /// of the id in `slots`.
  private var table: [UInt64] = []
  private var slots: [Int32] = []
  private var idStart: [Int32] = [0]
  private var idBytes: [UInt8] = []

  var count: Int { slots.count }

  /// The slot of the item whose id is `id` (hashed as `hash`), if added.
  func find(_ id: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int32? {
    guard !table.isEmpty else { return nil }
    return table.withUnsafeBufferPointer { table in
      let mask = table.count - 1
      var at = Int(truncatingIfNeeded: hash) & mask
      let tag = hash >> 32
      while true {
        let entry = table[at]
        if entry == 0 { return nil }
        if entry >> 32 == tag {
          let k = Int(entry & 0xFFFF_FFFF) - 1
          if matches(k, id) { return slots[k] }
        }
        at = (at + 1) & mask
      }
    }
  }

  /// Adds `id` (not added yet), hashed as `hash`, for item `slot`.
  mutating func insert(_ id: UnsafeBufferPointer<UInt8>, hash: UInt64, slot: Int32) {
    if (slots.count + 1) * 2 > table.count { grow() }
    slots.append(slot)
    idBytes.append(contentsOf: id)
    idStart.append(Int32(idBytes.count))
    place(entry: slots.count - 1, hash: hash)
  }

  private func matches(_ k: Int, _ id: UnsafeBufferPointer<UInt8>) -> Bool {
    let (start, end) = (Int(idStart[k]), Int(idStart[k + 1]))
    guard end - start == id.count else { return false }
    return idBytes.withUnsafeBufferPointer { all in
      id.isEmpty || memcmp(all.baseAddress! + start, id.baseAddress!, id.count) == 0
    }
  }

  private mutating func place(entry k: Int, hash: UInt64) {
    let mask = table.count - 1
    var at = Int(truncatingIfNeeded: hash) & mask
    while table[at] != 0 { at = (at + 1) & mask }
    table[at] = (hash >> 32) << 32 | UInt64(k + 1)
  }

  /// Doubles the table (at least 1,024 entries) and places every id again.
  private mutating func grow() {
    table = [UInt64](repeating: 0, count: max(1024, table.count * 2))
    idBytes.withUnsafeBufferPointer { all in
      for k in slots.indices {
        let bytes = UnsafeBufferPointer(rebasing: all[Int(idStart[k])..<Int(idStart[k + 1])])
        place(entry: k, hash: IdHash.hash(bytes))
      }
    }
  }
}

/// A hash of an item id's bytes for in-memory lookup tables only (never stored, so it
/// may change between versions), eight bytes at a time.
enum IdHash {
  static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
    var at = 0
    let raw = UnsafeRawBufferPointer(bytes)
    while at + 8 <= bytes.count {
      h = (h ^ raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
      h ^= h >> 32
      at += 8
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while at < bytes.count {
      tail |= UInt64(bytes[at]) << shift
      shift += 8
      at += 1
    }
    h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
    return h ^ (h >> 29)
  }
}
