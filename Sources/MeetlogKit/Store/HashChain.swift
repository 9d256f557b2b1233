#if canImport(Glibc)
  import Glibc
#endif

/// The SHA-256 chain that links every event to the one before it.
///
/// `hash(n) = SHA-256(hash(n-1) ‖ seq as 8 bytes big-endian ‖ recorded_at ‖ LF ‖ canonical)`,
/// with 32 zero bytes before the first event. It covers the canonical, uncompressed
/// event, so recompressing the store (a new dictionary, another level) never breaks it.
///
/// The store keeps each commit's last link whole and of the others their first
/// `storedPrefix` bytes (store format 3): the chain is computed whole all the same, so
/// changing an event changes every link after it up to the next whole one, which no
/// one can forge without breaking SHA-256; the prefix only names the event that differs.
/// It saves 24 of 32 bytes per event.
public enum HashChain {
  public static let genesis = [UInt8](repeating: 0, count: 32)
  /// How many bytes of a link the store keeps for an event that does not end its commit.
  static let storedPrefix = 8

  public static func link(previous: [UInt8], seq: Int64, recordedAt: String, canonical: [UInt8]) -> [UInt8] {
    var hasher = previous.withUnsafeBytes { previous in
      canonical.withUnsafeBufferPointer { linking(previous: previous, seq: seq, recordedAt: recordedAt, canonical: $0) }
    }
    return hasher.finalize()
  }

  /// Computes this event's link after `previous` into `link` (32 bytes) without
  /// allocating, and tells whether `stored` is that link or its first `storedPrefix`
  /// bytes (`verify` checks every event's).
  static func isLink(
    _ stored: UnsafeRawBufferPointer, previous: UnsafeRawBufferPointer, seq: Int64, recordedAt: String,
    canonical: UnsafeBufferPointer<UInt8>, computing link: UnsafeMutableRawBufferPointer
  ) -> Bool {
    var hasher = linking(previous: previous, seq: seq, recordedAt: recordedAt, canonical: canonical)
    hasher.finalize(into: link)
    guard stored.count == 32 || stored.count == storedPrefix else { return false }
    return memcmp(link.baseAddress!, stored.baseAddress!, stored.count) == 0
  }

  /// A hasher fed with everything the link covers.
  private static func linking(
    previous: UnsafeRawBufferPointer, seq: Int64, recordedAt: String, canonical: UnsafeBufferPointer<UInt8>
  ) -> SHA256 {
    var hasher = SHA256()
    hasher.update(previous)
    var bigEndian = UInt64(bitPattern: seq).bigEndian
    withUnsafeBytes(of: &bigEndian) { hasher.update($0) }
    var text = recordedAt
    text.withUTF8 { hasher.update(UnsafeRawBufferPointer($0)) }
    var newline: UInt8 = 0x0A
    withUnsafeBytes(of: &newline) { hasher.update($0) }
    hasher.update(UnsafeRawBufferPointer(canonical))
    return hasher
  }

  /// A generated event id: `ev-` and 16 hex digits of a hash of the log's head, the
  /// event's position in its batch and its content — unique without a random source.
  static func generatedId(head: [UInt8], position: Int, canonical: [UInt8]) -> String {
    var hasher = SHA256()
    hasher.update(head)
    hasher.update(Array(String(position).utf8))
    hasher.update(canonical)
    return "ev-" + hex(Array(hasher.finalize().prefix(8)))
  }

  public static func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
      out.append(digits[Int(b >> 4)])
      out.append(digits[Int(b & 15)])
    }
    return String(decoding: out, as: UTF8.self)
  }
}
