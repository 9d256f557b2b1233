/// Finds where a JSON string's plain run ends: the first quote, backslash or control
/// character. Eight bytes are tested at a time (a word with none of them is skipped in
/// a few instructions): reading and writing strings byte by byte was about 6% of a large
/// append's instructions (callgrind), in the input's decoder and the canonical writer.
enum JSONStringScan {
  /// The index of the first `"`, `\` or byte below 0x20 in `bytes` at or after `start`,
  /// or `bytes.count`.
  static func firstSpecial(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
    var i = start
    let n = bytes.count
    if let base = bytes.baseAddress {
      let raw = UnsafeRawPointer(base)
      while i + 8 <= n, !hasSpecial(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) { i += 8 }
    }
    while i < n {
      let b = bytes[i]
      if b == 0x22 || b == 0x5C || b < 0x20 { return i }
      i += 1
    }
    return n
  }

  /// Whether any byte of the word is `"`, `\` or below 0x20 (exact: the zero-byte test
  /// on the word, and on its XORs with `"` and `\`, has no false positives, since each
  /// is computed without carries between bytes).
  @inline(__always)
  static func hasSpecial(_ word: UInt64) -> Bool {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let lows: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
    // A byte is below 0x20 iff its top three bits are zero: (b & 0xE0) == 0.
    func zeroByte(_ v: UInt64) -> UInt64 { ~(((v & lows) &+ lows) | v | lows) }
    let quote = zeroByte(word ^ (ones &* 0x22))
    let backslash = zeroByte(word ^ (ones &* 0x5C))
    let control = zeroByte(word & (ones &* 0xE0))
    return (quote | backslash | control) & highs != 0
  }
}
