import MeetlogKit

/// libFuzzer target: arbitrary bytes as `meetlog append` input — reader, decoder,
/// validator and an in-memory store. Any crash is a bug; errors are expected.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzAppendInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  switch UntrustedInput.checkAppendInput(bytes) {
  case .success(let count): precondition(count > 0)
  case .failure(let error): precondition(!error.message.isEmpty)
  }
  return 0
}
