/// Entry points that take arbitrary bytes and must never crash, only report errors.
///
/// The libFuzzer targets in `Fuzz/` call them; so could any tool that checks input
/// without a store.
public enum UntrustedInput {
  /// Reads `bytes` as `meetlog append` input, validates every event and, if all are
  /// valid, appends them to an empty in-memory store (reference rules included).
  /// Returns the number of events appended, or the error a user would see.
  public static func checkAppendInput(_ bytes: [UInt8], now: Int64 = 1_700_000_000_000_000) -> Result<Int, MeetlogError> {
    do {
      var pending: [PendingEvent] = []
      for object in try InputReader.read(bytes, file: "fuzz") {
        do {
          pending.append(PendingEvent(input: try EventDecoder.decode(object.value), location: object.location))
        } catch {
          return .failure(MeetlogError(.invalidInput, "\(object.location.description): \(error.description)"))
        }
      }
      let store = try SQLiteEventStore(path: ":memory:", mode: .write)
      return .success(try store.append(pending, expectSeq: nil, now: now).count)
    } catch {
      return .failure(error)
    }
  }

  /// Decodes `bytes` as a stored payload (a zstd frame of canonical JSON), and also as
  /// canonical JSON itself. Returns the events that decoded.
  public static func decodeStoredPayload(_ bytes: [UInt8]) -> [Event] {
    guard let connection = try? SQLiteConnection(path: ":memory:", readOnly: false, create: true) else { return [] }
    let codec = PayloadCodec(connection: connection)
    var events: [Event] = []
    // The shortcut decoder must never give an event the general path would not.
    if let direct = DirectEventDecoder.decode(bytes) {
      let general = (try? JSONParser.parse(bytes)).flatMap { try? EventDecoder.decode($0) }
      precondition(general?.event == direct.event, "DirectEventDecoder disagrees with EventDecoder")
    }
    if let canonical = try? bytes.withUnsafeBytes({ (raw) throws(StoredEventError) in try codec.canonicalBytes(dictId: 0, payload: raw) }),
      let event = try? PayloadCodec.decode(canonical: canonical)
    {
      events.append(event)
    }
    // verify's fast path must never accept bytes the full path reads otherwise.
    if let checked = bytes.withUnsafeBufferPointer({ CanonicalCheck.check($0) }) {
      let event = try? PayloadCodec.decode(canonical: bytes)
      precondition(
        event.map { CanonicalEncoding.bytes($0) == bytes && $0.type == checked.type && $0.occurredAt.micros == checked.occurredMicros }
          == true, "CanonicalCheck accepted bytes the full path does not read the same way")
      precondition(ReferenceFacts(event!) == checked.facts, "CanonicalCheck's reference facts differ from the event's")
    }
    if let event = try? PayloadCodec.decode(canonical: bytes) {
      // A decoded event must re-encode to a form that decodes to the same event.
      let again = try? PayloadCodec.decode(canonical: CanonicalEncoding.bytes(event))
      precondition(again == event, "canonical form does not round-trip")
      events.append(event)
    }
    return events
  }
}
