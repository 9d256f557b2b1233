/// Turns stored payloads back into events: decompress, parse the canonical JSON, decode.
///
/// One instance per thread (it owns a zstd context).
final class StoredEventCodec {
  private let decompressor = ZstdDecompressor()
  private let compressor = ZstdCompressor(level: 3)

  /// The stored form of canonical bytes: one zstd frame, no dictionary (dict_id 0).
  func compress(_ canonical: [UInt8]) -> (dictId: Int64, payload: [UInt8]) {
    (0, compressor.compress(canonical))
  }

  func canonicalBytes(dictId: Int64, payload: UnsafeRawBufferPointer) throws(StoredEventError) -> [UInt8] {
    guard dictId == 0 else { throw StoredEventError(message: "unknown dictionary \(dictId)") }
    do {
      return try decompressor.decompress(payload)
    } catch {
      throw StoredEventError(message: "payload does not decompress: \(error.message)")
    }
  }

  func decode(canonical: [UInt8]) throws(StoredEventError) -> Event {
    let value: JSONValue
    do { value = try JSONParser.parse(canonical) } catch {
      throw StoredEventError(message: "payload is not valid JSON: \(error.message)")
    }
    do { return try EventDecoder.decode(value).event } catch {
      throw StoredEventError(message: "payload is not a valid event: \(error.description)")
    }
  }
}

/// A stored row that cannot be read back.
struct StoredEventError: Error {
  var message: String
}
