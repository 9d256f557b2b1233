import MeetlogKit

/// libFuzzer target: arbitrary bytes as a stored payload (zstd frame) and as canonical
/// JSON. Any crash, or a canonical form that does not round-trip, is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStoredPayload(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  _ = UntrustedInput.decodeStoredPayload(Array(UnsafeBufferPointer(start: data, count: size)))
  return 0
}
