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
}
