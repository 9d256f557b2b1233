/// Turns canonical events into stored payloads and back: zstd with the dictionary the
/// row names (`dict_id`, 0 = none), loaded from the store's `dictionaries` table on
/// first use and kept for the life of the connection.
///
/// One instance per connection and thread (it owns zstd contexts).
final class PayloadCodec {
  private let connection: SQLiteConnection
  private var decompressors: [Int64: ZstdDecompressor] = [:]
  private var compressors: [Int64: ZstdCompressor] = [:]

  init(connection: SQLiteConnection) {
    self.connection = connection
  }

  /// The compressor that makes the stored form of canonical bytes with dictionary
  /// `dictId`: kept for this connection's thread (a store appending one event at a time
  /// digests its dictionary once), or, `forAnotherThread`, a new one the caller owns.
  func compressor(dictId: Int64, forAnotherThread: Bool = false) throws(StoredEventError) -> ZstdCompressor {
    if !forAnotherThread, let kept = compressors[dictId] { return kept }
    let made = ZstdCompressor(level: 3, dictionary: dictId == 0 ? nil : try dictionary(dictId))
    if !forAnotherThread { compressors[dictId] = made }
    return made
  }

  func canonicalBytes(dictId: Int64, payload: UnsafeRawBufferPointer) throws(StoredEventError) -> [UInt8] {
    let decompressor = try decompressor(dictId)
    do {
      return try decompressor.decompress(payload)
    } catch {
      throw StoredEventError(message: "payload does not decompress: \(error.message)")
    }
  }

  /// Decompresses into `buffer` (grown as needed, reused across calls); returns the size.
  func canonicalBytes(dictId: Int64, payload: UnsafeRawBufferPointer, into buffer: inout [UInt8]) throws(StoredEventError) -> Int {
    let decompressor = try decompressor(dictId)
    do {
      return try decompressor.decompress(payload, into: &buffer)
    } catch {
      throw StoredEventError(message: "payload does not decompress: \(error.message)")
    }
  }

  /// The size of the canonical event a payload holds, read from its frame header.
  func contentSize(dictId: Int64, payload: UnsafeRawBufferPointer) -> Int64 {
    (try? ZstdDecompressor.contentSize(payload, lean: dictId != 0)).map { Int64($0) } ?? 0
  }

  static func decode(canonical: [UInt8]) throws(StoredEventError) -> Event {
    try canonical.withUnsafeBufferPointer { (bytes) throws(StoredEventError) in try decode(canonical: bytes) }
  }

  static func decode(canonical: UnsafeBufferPointer<UInt8>) throws(StoredEventError) -> Event {
    if let direct = DirectEventDecoder.decode(canonical) { return direct.event }
    let value: JSONValue
    do { value = try JSONParser.parse(Array(canonical)) } catch {
      throw StoredEventError(message: "payload is not valid JSON: \(error.message)")
    }
    do { return try EventDecoder.decode(value).event } catch {
      throw StoredEventError(message: "payload is not a valid event: \(error.description)")
    }
  }

  /// Decompresses and decodes one payload.
  func event(dictId: Int64, payload: UnsafeRawBufferPointer) throws(StoredEventError) -> Event {
    try Self.decode(canonical: try canonicalBytes(dictId: dictId, payload: payload))
  }

  /// Forgets every loaded dictionary: after a rollback, a dictionary this connection
  /// inserted no longer exists, and its id may be given to another.
  func forgetDictionaries() {
    decompressors.removeAll()
    compressors.removeAll()
  }

  private func decompressor(_ dictId: Int64) throws(StoredEventError) -> ZstdDecompressor {
    if let known = decompressors[dictId] { return known }
    let dictionary = dictId == 0 ? nil : try dictionary(dictId)
    let made: ZstdDecompressor
    do { made = try ZstdDecompressor(dictionary: dictionary) } catch {
      throw StoredEventError(message: "dictionary \(dictId): \(error.message)")
    }
    decompressors[dictId] = made
    return made
  }

  private func dictionary(_ id: Int64) throws(StoredEventError) -> [UInt8] {
    let bytes: [UInt8]?
    do {
      let statement = try connection.prepare("SELECT bytes FROM dictionaries WHERE id = ?")
      try statement.bind(1, id)
      bytes = try statement.step() ? statement.blob(0) : nil
    } catch {
      throw StoredEventError(message: "dictionary \(id) cannot be read: \(error.message)")
    }
    guard let bytes else { throw StoredEventError(message: "dictionary \(id) is not in the store") }
    return bytes
  }
}

/// A stored row that cannot be read back.
struct StoredEventError: Error {
  var message: String
}
