internal import CZstd

/// The one place meetlog calls zstd: a compressor and a decompressor, each owning one
/// context (and, with a dictionary, its digested form), freed in `deinit` and reused for
/// every payload. A context is not thread-safe: each is used by one thread.
///
/// Without a dictionary a payload is a standard zstd frame; with one it is a lean frame
/// (no magic number, no dictionary id, no checksum), since the row's `dict_id` already
/// names the dictionary and the hash chain covers the content.
final class ZstdCompressor {
  private let context: OpaquePointer
  private let digested: OpaquePointer?
  /// The compressor whose digested dictionary this one uses (kept alive with it).
  private let sharing: ZstdCompressor?
  let level: Int32

  init(level: Int32 = 3, dictionary: [UInt8]? = nil) {
    context = ZSTD_createCCtx()
    self.level = level
    sharing = nil
    if let dictionary {
      digested = dictionary.withUnsafeBytes { ZSTD_createCDict($0.baseAddress, $0.count, level) }
      precondition(digested != nil, "zstd could not digest a dictionary")
    } else {
      digested = nil
    }
    Self.configure(context, digested: digested, level: level)
  }

  /// A compressor for another thread that writes the same frames as `other`: a context
  /// of its own, and `other`'s digested dictionary (zstd lets contexts on several
  /// threads share one), so the dictionary is not digested twice.
  init(sharingDictionaryOf other: ZstdCompressor) {
    context = ZSTD_createCCtx()
    level = other.level
    digested = nil
    sharing = other.digested == nil ? nil : other
    Self.configure(context, digested: other.digested, level: level)
  }

  /// A context writes lean frames with a digested dictionary, standard frames at
  /// `level` without one.
  private static func configure(_ context: OpaquePointer, digested: OpaquePointer?, level: Int32) {
    if let digested {
      ZSTD_CCtx_refCDict(context, digested)
      precondition(ZSTD_isError(meetlog_zstd_cctx_lean(context)) == 0, "zstd rejected the lean frame parameters")
    } else {
      ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level)
    }
  }

  deinit {
    ZSTD_freeCCtx(context)
    if let digested { ZSTD_freeCDict(digested) }
  }

  func compress(_ input: [UInt8]) -> [UInt8] {
    let bound = ZSTD_compressBound(input.count)
    var output = [UInt8](repeating: 0, count: bound)
    let written = output.withUnsafeMutableBytes { out in
      input.withUnsafeBytes { src in ZSTD_compress2(context, out.baseAddress, bound, src.baseAddress, src.count) }
    }
    precondition(ZSTD_isError(written) == 0, "zstd compression cannot fail with a bound-sized buffer")
    output.removeLast(output.count - written)
    return output
  }
}

/// Decompresses stored payloads; errors say what is wrong with the frame.
final class ZstdDecompressor {
  private let context: OpaquePointer
  private var digested: OpaquePointer?
  private let lean: Bool
  /// With a dictionary: its bytes, followed by room for one frame's output (`windowRoom`
  /// bytes). zstd decodes a frame written right after its dictionary's bytes as if the
  /// dictionary were the frame's own earlier output, and copies a match into it inline;
  /// with the dictionary elsewhere each such match was a `memmove` call. Decompressing
  /// the 100,000 events of the benchmark took 49-50 ms this way, 58-62 ms the other
  /// (in C, same library).
  private var window: UnsafeMutableRawPointer?
  private var windowRoom = 0
  private var dictionaryCount = 0
  /// Frames larger than this are refused (a corrupted size field must not exhaust memory).
  static let maxContentSize = 64 << 20

  init(dictionary: [UInt8]? = nil) throws(ZstdError) {
    context = ZSTD_createDCtx()
    lean = dictionary != nil
    guard let dictionary else { return }
    dictionaryCount = dictionary.count
    // A failure leaves the context to `deinit` (which a class's failing init runs once
    // every property is set).
    guard dictionary.withUnsafeBytes({ makeWindow(room: 64 << 10, dictionary: $0) }) else {
      throw ZstdError(message: "the dictionary is not usable by zstd")
    }
    meetlog_zstd_dctx_lean(context)
  }

  deinit {
    ZSTD_freeDCtx(context)
    if let digested { ZSTD_freeDDict(digested) }
    window?.deallocate()
  }

  /// Allocates a window with `room` bytes after the dictionary (copied from `dictionary`)
  /// and makes zstd use it; false when zstd cannot read the dictionary.
  private func makeWindow(room: Int, dictionary: UnsafeRawBufferPointer) -> Bool {
    let made = UnsafeMutableRawPointer.allocate(byteCount: dictionaryCount + room, alignment: 64)
    if dictionaryCount > 0 { made.copyMemory(from: dictionary.baseAddress!, byteCount: dictionaryCount) }
    guard let reading = ZSTD_createDDict_byReference(made, dictionaryCount) else {
      made.deallocate()
      return false
    }
    ZSTD_DCtx_refDDict(context, reading)
    if let digested { ZSTD_freeDDict(digested) }
    window?.deallocate()
    (window, windowRoom, digested) = (made, room, reading)
    return true
  }

  /// Decodes a dictionary frame of `size` bytes into the window, right after the
  /// dictionary; the bytes stay valid until the next call.
  private func decodeInWindow(_ frame: UnsafeRawBufferPointer, size: Int) throws(ZstdError) -> UnsafeRawBufferPointer {
    if size > windowRoom {
      let grown = makeWindow(room: max(size, 2 * windowRoom), dictionary: UnsafeRawBufferPointer(start: window, count: dictionaryCount))
      precondition(grown, "zstd read this dictionary before")
    }
    let output = window! + dictionaryCount
    let written = ZSTD_decompressDCtx(context, output, size, frame.baseAddress, frame.count)
    if ZSTD_isError(written) != 0 {
      throw ZstdError(message: String(cString: ZSTD_getErrorName(written)))
    }
    guard written == size else { throw ZstdError(message: "the frame decoded to \(written) of \(size) bytes") }
    return UnsafeRawBufferPointer(start: output, count: size)
  }

  func decompress(_ frame: UnsafeRawBufferPointer, limit: Int = maxContentSize) throws(ZstdError) -> [UInt8] {
    let size = try Self.contentSize(frame, lean: lean)
    guard size <= UInt64(limit) else { throw ZstdError(message: "the frame claims \(size) bytes") }
    if window != nil { return Array(try decodeInWindow(frame, size: Int(size))) }
    // Not zero-filled first: zstd writes every byte it reports (a snapshot's 17 MB items
    // part spent a tenth of `state --as-of` in memset), and the array keeps only those.
    var written = 0
    let output = [UInt8](unsafeUninitializedCapacity: Int(size)) { out, initialized in
      written = ZSTD_decompressDCtx(context, out.baseAddress, out.count, frame.baseAddress, frame.count)
      initialized = ZSTD_isError(written) != 0 ? 0 : min(written, out.count)
    }
    if ZSTD_isError(written) != 0 {
      throw ZstdError(message: String(cString: ZSTD_getErrorName(written)))
    }
    guard written == Int(size) else { throw ZstdError(message: "the frame decoded to \(written) of \(size) bytes") }
    return output
  }

  /// The standard frames of `blob`, one after another (a snapshot's items part is one
  /// per segment), decompressed into one array: the first `frames` of them (an error if
  /// the blob holds fewer whole frames), or all.
  func decompressFrames(_ blob: UnsafeRawBufferPointer, first frames: Int = .max, limit: Int = maxContentSize) throws(ZstdError)
    -> [UInt8]
  {
    precondition(!lean, "lean frames are single events")
    let spans = try Self.frameSpans(blob, first: frames, limit: limit)
    let total = spans.last.map { $0.to + $0.size } ?? 0
    var failure: ZstdError?
    let output = [UInt8](unsafeUninitializedCapacity: total) { out, initialized in
      failure = decompress(spans[...], of: blob, into: out)
      initialized = failure == nil ? total : 0
    }
    if let failure { throw failure }
    return output
  }

  /// `decompressFrames` of every frame, the frames split in two runs of about the same
  /// decoded size, decoded on two threads at once into one array; each thread passes
  /// each frame it decoded to `check` (a frame it refuses is an error).
  static func decompressFramesOnTwoThreads(
    _ blob: UnsafeRawBufferPointer, limit: Int = maxContentSize,
    check: @escaping @Sendable (UnsafeBufferPointer<UInt8>) -> Bool = { _ in true }
  ) throws(ZstdError) -> [UInt8] {
    let spans = try frameSpans(blob, first: .max, limit: limit)
    let total = spans.last.map { $0.to + $0.size } ?? 0
    let split = spans.firstIndex { $0.to + $0.size > total / 2 }.map { $0 + 1 } ?? spans.count
    let (first, second) = (try ZstdDecompressor(), try ZstdDecompressor())
    var failure: ZstdError?
    let output = [UInt8](unsafeUninitializedCapacity: total) { out, initialized in
      nonisolated(unsafe) let (blob, out, second) = (blob, out, second)
      let rest = spans[split...]
      let (a, b) = concurrently(
        { first.decompress(spans[..<split], of: blob, into: out, check: check) },
        { second.decompress(rest, of: blob, into: out, check: check) })
      failure = a ?? b
      initialized = failure == nil ? total : 0
    }
    if let failure { throw failure }
    return output
  }

  /// Where each standard frame of `blob` is (`at`, `count` bytes) and what it decodes
  /// to (`size` bytes); an error when one is not whole or they claim more than `limit`.
  static func frames(_ blob: UnsafeRawBufferPointer, limit: Int) throws(ZstdError) -> [(at: Int, count: Int, size: Int)] {
    try frameSpans(blob, first: .max, limit: limit).map { ($0.at, $0.count, $0.size) }
  }

  /// Decodes one standard frame into `out`; false unless it decodes to exactly `out.count` bytes.
  func decompressFrame(_ frame: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Bool {
    precondition(!lean, "lean frames are single events")
    let written = ZSTD_decompressDCtx(context, out.baseAddress, out.count, frame.baseAddress, frame.count)
    return ZSTD_isError(written) == 0 && written == out.count
  }

  /// Where each frame of `blob` is (`at`, `count` bytes), what it decodes to (`size`
  /// bytes) and where that goes in the frames' output (`to`): the first `frames` of them
  /// (an error if the blob holds fewer whole frames), or all.
  private static func frameSpans(_ blob: UnsafeRawBufferPointer, first frames: Int, limit: Int) throws(ZstdError) -> [(
    at: Int, count: Int, size: Int, to: Int
  )] {
    var spans: [(at: Int, count: Int, size: Int, to: Int)] = []
    var (at, total) = (0, 0)
    while at < blob.count && spans.count < frames {
      let rest = UnsafeRawBufferPointer(rebasing: blob[at...])
      let count = ZSTD_findFrameCompressedSize(rest.baseAddress, rest.count)
      if ZSTD_isError(count) != 0 { throw ZstdError(message: String(cString: ZSTD_getErrorName(count))) }
      let size = try contentSize(rest, lean: false)
      guard size <= UInt64(limit - total) else { throw ZstdError(message: "the frames claim more than \(limit) bytes") }
      spans.append((at, count, Int(size), total))
      (at, total) = (at + count, total + Int(size))
    }
    if frames != .max && spans.count < frames { throw ZstdError(message: "\(spans.count) of \(frames) frames") }
    return spans
  }

  /// Decodes the frames of `spans` into their places in `out`, each passed to `check`;
  /// the error, if any.
  private func decompress(
    _ spans: ArraySlice<(at: Int, count: Int, size: Int, to: Int)>, of blob: UnsafeRawBufferPointer,
    into out: UnsafeMutableBufferPointer<UInt8>, check: (UnsafeBufferPointer<UInt8>) -> Bool = { _ in true }
  ) -> ZstdError? {
    for span in spans {
      let written = ZSTD_decompressDCtx(context, out.baseAddress! + span.to, span.size, blob.baseAddress! + span.at, span.count)
      guard ZSTD_isError(written) == 0, written == span.size else {
        return ZstdError(message: ZSTD_isError(written) != 0 ? String(cString: ZSTD_getErrorName(written)) : "a frame decoded short")
      }
      guard check(UnsafeBufferPointer(start: out.baseAddress! + span.to, count: span.size)) else {
        return ZstdError(message: "a frame's content is damaged")
      }
    }
    return nil
  }

  /// The first `count` bytes a standard frame decodes to (all of them when it holds
  /// fewer), without decoding the rest: a snapshot's interned tables lead its
  /// relations part, which a million-event log decodes to 2 MB.
  func decompressPrefix(_ frame: UnsafeRawBufferPointer, count: Int) throws(ZstdError) -> [UInt8] {
    precondition(!lean, "lean frames are single events")
    ZSTD_DCtx_reset(context, ZSTD_reset_session_only)
    var failure: Int?
    let output = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
      var output = ZSTD_outBuffer(dst: out.baseAddress, size: count, pos: 0)
      var input = ZSTD_inBuffer(src: frame.baseAddress, size: frame.count, pos: 0)
      while output.pos < count && input.pos < input.size {
        let result = ZSTD_decompressStream(context, &output, &input)
        if ZSTD_isError(result) != 0 { failure = result }
        if ZSTD_isError(result) != 0 || result == 0 { break }
      }
      initialized = output.pos
    }
    if let failure { throw ZstdError(message: String(cString: ZSTD_getErrorName(failure))) }
    return output
  }

  /// Decompresses into `output`, grown when too small and otherwise reused; returns the size.
  func decompress(_ frame: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(ZstdError) -> Int {
    let size = try Self.contentSize(frame, lean: lean)
    guard size <= UInt64(Self.maxContentSize) else { throw ZstdError(message: "the frame claims \(size) bytes") }
    if output.count < Int(size) { output = [UInt8](repeating: 0, count: max(Int(size), 2 * output.count)) }
    if window != nil {
      let decoded = try decodeInWindow(frame, size: Int(size))
      output.withUnsafeMutableBytes { $0.copyMemory(from: decoded) }
      return decoded.count
    }
    let written = output.withUnsafeMutableBytes { out in
      ZSTD_decompressDCtx(context, out.baseAddress, Int(size), frame.baseAddress, frame.count)
    }
    if ZSTD_isError(written) != 0 {
      throw ZstdError(message: String(cString: ZSTD_getErrorName(written)))
    }
    guard written == Int(size) else { throw ZstdError(message: "the frame decoded to \(written) of \(size) bytes") }
    return written
  }

  /// The decompressed size a frame records in its header.
  static func contentSize(_ frame: UnsafeRawBufferPointer, lean: Bool) throws(ZstdError) -> UInt64 {
    var size: UInt64 = 0
    switch meetlog_zstd_content_size(frame.baseAddress, frame.count, lean ? 1 : 0, &size) {
    case 0: return size
    case 2: throw ZstdError(message: "the frame does not record its size")
    default: throw ZstdError(message: "not a zstd frame")
    }
  }
}

/// Trains a zstd dictionary on sample events (fastCover, fixed parameters).
enum ZstdDictionaryTrainer {
  /// A dictionary of at most `capacity` bytes, or nil when zstd finds the samples too
  /// few or too uniform to train on.
  static func train(samples: [[UInt8]], capacity: Int, level: Int32 = 3) -> [UInt8]? {
    // Joined by appending each (a flattening `Array(samples.joined())` cost about as
    // much as the training's own setup, callgrind).
    var joined: [UInt8] = []
    joined.reserveCapacity(samples.reduce(0) { $0 + $1.count })
    for sample in samples { joined += sample }
    let sizes = samples.map(\.count)
    var dictionary = [UInt8](repeating: 0, count: capacity)
    let written = dictionary.withUnsafeMutableBytes { out in
      joined.withUnsafeBytes { src in
        sizes.withUnsafeBufferPointer { sizes in
          meetlog_zdict_train(out.baseAddress, capacity, src.baseAddress, sizes.baseAddress, UInt32(sizes.count), level)
        }
      }
    }
    guard ZDICT_isError(written) == 0 else { return nil }
    dictionary.removeLast(capacity - written)
    return dictionary
  }
}

struct ZstdError: Error {
  var message: String
}

var zstdLibraryVersion: String { String(cString: ZSTD_versionString()) }
