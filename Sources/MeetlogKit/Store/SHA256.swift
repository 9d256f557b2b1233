internal import CCrypto

/// SHA-256 from the system's libcrypto: the one place meetlog calls OpenSSL. It uses
/// the digest's own functions, not `EVP_MD_fetch`: those load no providers and read no
/// configuration file, which saved a `meetlog append` process about 0.6 ms of start-up.
/// Each value owns its context, a plain C struct that needs no freeing (a value, not an
/// object: `verify` hashes every event, and allocated one per event).
struct SHA256 {
  private var context = SHA256_CTX()

  init() {
    SHA256_Init(&context)
  }

  mutating func update(_ bytes: UnsafeRawBufferPointer) {
    SHA256_Update(&context, bytes.baseAddress, bytes.count)
  }

  mutating func update(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { update($0) }
  }

  /// The 32-byte digest; the value cannot be updated afterwards.
  mutating func finalize() -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: 32)
    digest.withUnsafeMutableBytes { finalize(into: $0) }
    return digest
  }

  /// Writes the 32-byte digest into `digest` (at least 32 bytes), allocating nothing.
  mutating func finalize(into digest: UnsafeMutableRawBufferPointer) {
    precondition(digest.count >= 32)
    _ = SHA256_Final(digest.baseAddress!.assumingMemoryBound(to: UInt8.self), &context)
  }
}
