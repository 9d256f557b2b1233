#if canImport(Glibc)
  import Glibc
#endif

extension Array where Element == UInt8 {
  /// True when `other` holds the same bytes: `memcmp`, where `==` compared byte by byte
  /// (a twentieth of `verify`'s reading thread, which compares every payload with its
  /// re-encoding).
  func sameBytes(as other: UnsafeBufferPointer<UInt8>) -> Bool {
    guard count == other.count else { return false }
    guard count > 0 else { return true }
    return withUnsafeBufferPointer { memcmp($0.baseAddress!, other.baseAddress!, count) == 0 }
  }

  func sameBytes(as other: [UInt8]) -> Bool { other.withUnsafeBufferPointer { sameBytes(as: $0) } }

  /// True when the bytes are `segments` one after another, compared where they lie:
  /// `Array(segments.joined())` copied them one byte at a time first (with `==` after
  /// it, about a sixth of `verify`'s snapshot check once its fold was done).
  func sameBytes(asJoined segments: [[UInt8]]) -> Bool {
    guard count == segments.reduce(0, { $0 + $1.count }) else { return false }
    return withUnsafeBufferPointer { all in
      var at = 0
      for segment in segments {
        let same = segment.withUnsafeBufferPointer { s in s.isEmpty || memcmp(all.baseAddress! + at, s.baseAddress!, s.count) == 0 }
        guard same else { return false }
        at += segment.count
      }
      return true
    }
  }
}
