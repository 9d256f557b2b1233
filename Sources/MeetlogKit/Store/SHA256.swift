internal import CCrypto

/// SHA-256 from the system's libcrypto: the one place meetlog calls OpenSSL. Each value
/// owns one digest context, freed in `deinit`.
final class SHA256 {
  /// The algorithm, fetched once per process.
  nonisolated(unsafe) private static let algorithm: OpaquePointer = {
    guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { fatalError("libcrypto has no SHA-256") }
    return md
  }()
  private let context: OpaquePointer

  init() {
    guard let context = EVP_MD_CTX_new() else { fatalError("libcrypto cannot allocate a digest context") }
    self.context = context
    EVP_DigestInit_ex2(context, Self.algorithm, nil)
  }

  deinit { EVP_MD_CTX_free(context) }

  func update(_ bytes: UnsafeRawBufferPointer) {
    EVP_DigestUpdate(context, bytes.baseAddress, bytes.count)
  }

  func update(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { update($0) }
  }

  /// The 32-byte digest; the value cannot be updated afterwards.
  func finalize() -> [UInt8] {
    var digest = [UInt8](repeating: 0, count: 32)
    var length: UInt32 = 0
    digest.withUnsafeMutableBufferPointer { _ = EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
    return digest
  }
}
