internal import CCrypto

/// SHA-256 from the system's libcrypto: the one place meetlog calls OpenSSL. It uses
/// the digest's own functions, not `EVP_MD_fetch`: those load no providers and read no
/// configuration file, which saved a `meetlog append` process about 0.6 ms of start-up.
/// Each value owns its context, a plain struct that needs no freeing.
final class SHA256 {
  private var context = SHA256_CTX()

  init() {
    SHA256_Init(&context)
  }

  func update(_ bytes: UnsafeRawBufferPointer) {
    SHA256_Update(&context, bytes.baseAddress, bytes.count)
  }

  func update(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { update($0) }
  }

  /// The 32-byte digest; the value cannot be updated afterwards.
  func finalize() -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: 32)
    digest.withUnsafeMutableBufferPointer { _ = SHA256_Final($0.baseAddress, &context) }
    return digest
  }
}
