internal import CZstd

/// The one place meetlog calls zstd: a compressor and a decompressor, each owning one
/// context (freed in `deinit`) that is reused for every payload. A context is not
/// thread-safe: each is used by one thread.
final class ZstdCompressor {
  private let context: OpaquePointer
  let level: Int32

  init(level: Int32 = 3) {
    context = ZSTD_createCCtx()
    self.level = level
  }

  deinit { ZSTD_freeCCtx(context) }

  func compress(_ input: [UInt8]) -> [UInt8] {
    let bound = ZSTD_compressBound(input.count)
    var output = [UInt8](repeating: 0, count: bound)
    let written = output.withUnsafeMutableBytes { out in
      input.withUnsafeBytes { src in
        ZSTD_compressCCtx(context, out.baseAddress, bound, src.baseAddress, src.count, level)
      }
    }
    precondition(ZSTD_isError(written) == 0, "zstd compression cannot fail with a bound-sized buffer")
    output.removeLast(output.count - written)
    return output
  }
}

/// Decompresses stored payloads; errors say what is wrong with the frame.
final class ZstdDecompressor {
  private let context: OpaquePointer
  /// Frames larger than this are refused (a corrupted size field must not exhaust memory).
  static let maxContentSize = 64 << 20

  init() { context = ZSTD_createDCtx() }

  deinit { ZSTD_freeDCtx(context) }

  func decompress(_ frame: UnsafeRawBufferPointer) throws(ZstdError) -> [UInt8] {
    let size = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
    if size == ZSTD_CONTENTSIZE_ERROR { throw ZstdError(message: "not a zstd frame") }
    if size == ZSTD_CONTENTSIZE_UNKNOWN { throw ZstdError(message: "the frame does not record its size") }
    guard size <= UInt64(Self.maxContentSize) else { throw ZstdError(message: "the frame claims \(size) bytes") }
    var output = [UInt8](repeating: 0, count: Int(size))
    let written = output.withUnsafeMutableBytes { out in
      ZSTD_decompressDCtx(context, out.baseAddress, out.count, frame.baseAddress, frame.count)
    }
    if ZSTD_isError(written) != 0 {
      throw ZstdError(message: String(cString: ZSTD_getErrorName(written)))
    }
    guard written == Int(size) else { throw ZstdError(message: "the frame decoded to \(written) of \(size) bytes") }
    return output
  }
}

struct ZstdError: Error {
  var message: String
}

var zstdLibraryVersion: String { String(cString: ZSTD_versionString()) }

extension ZstdDecompressor {
  /// The decompressed size a frame records in its header (0 if it records none).
  static func contentSize(_ frame: UnsafeRawBufferPointer) -> Int64 {
    let size = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
    if size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN { return 0 }
    return Int64(size)
  }
}
