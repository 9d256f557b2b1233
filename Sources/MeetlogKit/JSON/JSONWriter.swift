/// Writes JSON text byte by byte, compact or indented, with one escaping rule.
///
/// The compact form is the canonical form that the hash chain covers: no whitespace,
/// keys in the order the caller writes them, only `"`, `\` and control characters
/// escaped, every other character (š, č, Cyrillic) kept as its UTF-8 bytes.
public struct JSONWriter: Sendable {
  public private(set) var bytes: [UInt8] = []
  private let indentWidth: Int
  /// One entry per open container: whether it already holds a member.
  private var containers: [Bool] = []
  private var afterKey = false

  /// `indent` of 0 writes compact JSON; more writes one member per line.
  public init(indent: Int = 0) {
    self.indentWidth = indent
    bytes.reserveCapacity(512)
  }

  /// A writer that continues a document inside `depth` open containers that already
  /// hold members (its first value is preceded by a comma): one half of a long array
  /// written on another thread, joined to the first half by `append(fragment:)`.
  init(indent: Int, continuingAtDepth depth: Int) {
    self.init(indent: indent)
    containers = [Bool](repeating: true, count: depth)
  }

  /// Appends what a `continuingAtDepth` writer wrote, at the same depth.
  mutating func append(fragment: [UInt8]) {
    bytes += fragment
    if !containers.isEmpty { containers[containers.count - 1] = true }
  }

  public var string: String { String(decoding: bytes, as: UTF8.self) }

  private mutating func newline() {
    guard indentWidth > 0 else { return }
    let width = containers.count * indentWidth
    bytes.append(0x0A)
    for _ in 0..<width { bytes.append(0x20) }
  }

  /// Separates a new member from the previous one inside the current container.
  private mutating func separate() {
    if afterKey {
      afterKey = false
      return
    }
    guard !containers.isEmpty else { return }
    if containers[containers.count - 1] { bytes.append(UInt8(ascii: ",")) }
    containers[containers.count - 1] = true
    newline()
  }

  public mutating func beginObject() {
    separate()
    bytes.append(UInt8(ascii: "{"))
    containers.append(false)
  }

  public mutating func endObject() {
    let hadMembers = containers.removeLast()
    if hadMembers { newline() }
    bytes.append(UInt8(ascii: "}"))
  }

  public mutating func beginArray() {
    separate()
    bytes.append(UInt8(ascii: "["))
    containers.append(false)
  }

  public mutating func endArray() {
    let hadMembers = containers.removeLast()
    if hadMembers { newline() }
    bytes.append(UInt8(ascii: "]"))
  }

  public mutating func key(_ name: String) {
    separate()
    appendEscaped(name)
    bytes.append(UInt8(ascii: ":"))
    if indentWidth > 0 { bytes.append(0x20) }
    afterKey = true
  }

  public mutating func string(_ value: String) {
    separate()
    appendEscaped(value)
  }

  /// A string given as UTF-8 bytes (text kept in a byte arena, with no String made).
  mutating func string(utf8: UnsafeBufferPointer<UInt8>) {
    separate()
    bytes.append(UInt8(ascii: "\""))
    appendEscapedBytes(utf8)
    bytes.append(UInt8(ascii: "\""))
  }

  /// Writes a literal (a number or `true`) exactly as given.
  public mutating func raw(_ literal: String) {
    separate()
    bytes.append(contentsOf: literal.utf8)
  }

  public mutating func int<I: BinaryInteger>(_ value: I) {
    guard let n = Int64(exactly: value), n != Int64.min else { return raw(String(value)) }
    separate()
    if n < 0 { bytes.append(UInt8(ascii: "-")) }
    Self.appendDecimal(n.magnitude, to: &bytes)
  }

  /// The decimal digits of `value`, appended without making a String: written
  /// backwards into a small buffer on the stack, then copied in order.
  static func appendDecimal(_ value: UInt64, to bytes: inout [UInt8]) {
    var magnitude = value
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
    withUnsafeMutableBytes(of: &digits) { buffer in
      var at = buffer.count
      repeat {
        at -= 1
        buffer[at] = UInt8(ascii: "0") + UInt8(magnitude % 10)
        magnitude /= 10
      } while magnitude > 0
      bytes.append(contentsOf: buffer[at...])
    }
  }

  /// Reserves room for `count` more bytes (a caller that knows its output is large).
  public mutating func reserve(_ count: Int) { bytes.reserveCapacity(bytes.count + count) }

  /// Appends a line feed after the value (the end of a document printed as a line).
  public mutating func endLine() { bytes.append(0x0A) }

  public mutating func bool(_ value: Bool) { raw(value ? "true" : "false") }

  public mutating func null() { raw("null") }

  public mutating func optionalString(_ value: String?) {
    if let value { string(value) } else { null() }
  }

  /// A number rounded to two decimals, printed without exponent or trailing zeros.
  public mutating func decimal2(_ value: Double) { raw(formatDecimal2(value)) }

  // Convenience: a key with a value.
  public mutating func field(_ name: String, _ value: String) {
    key(name)
    string(value)
  }

  public mutating func field(_ name: String, _ value: String?) {
    key(name)
    optionalString(value)
  }

  public mutating func field(_ name: String, _ value: Int) {
    key(name)
    int(value)
  }

  public mutating func field(_ name: String, _ value: Bool) {
    key(name)
    bool(value)
  }

  public mutating func field(_ name: String, strings: [String]) {
    key(name)
    beginArray()
    for s in strings { string(s) }
    endArray()
  }

  private mutating func appendEscaped(_ s: String) { Self.appendQuoted(s, to: &bytes) }

  private mutating func appendEscapedBytes(_ utf8: UnsafeBufferPointer<UInt8>) { Self.appendEscaped(utf8, to: &bytes) }

  /// `s` as a JSON string, quoted and escaped, appended to `bytes`: for writers of
  /// their own fixed shape (`AppendRenderer`).
  static func appendQuoted(_ s: String, to bytes: inout [UInt8]) {
    bytes.append(UInt8(ascii: "\""))
    if s.utf8.withContiguousStorageIfAvailable({ appendEscaped($0, to: &bytes) }) == nil {
      var text = s
      text.withUTF8 { appendEscaped($0, to: &bytes) }
    }
    bytes.append(UInt8(ascii: "\""))
  }

  /// Copies runs that need no escape in one go.
  private static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
    var runStart = 0
    while true {
      let special = JSONStringScan.firstSpecial(utf8, from: runStart)
      if runStart < special { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<special])) }
      guard special < utf8.count else { return }
      appendEscape(utf8[special], to: &bytes)
      runStart = special + 1
    }
  }

  private static func appendEscape(_ byte: UInt8, to bytes: inout [UInt8]) {
    bytes.append(0x5C)
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
    case 0x0A: bytes.append(UInt8(ascii: "n"))
    case 0x0D: bytes.append(UInt8(ascii: "r"))
    case 0x09: bytes.append(UInt8(ascii: "t"))
    case 0x08: bytes.append(UInt8(ascii: "b"))
    case 0x0C: bytes.append(UInt8(ascii: "f"))
    default:
      let hex: StaticString = "0123456789abcdef"
      bytes.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 15)]])
    }
  }
}

/// Rounds to two decimals and prints the shortest plain decimal (`14.2`, `-3`, `0.05`).
public func formatDecimal2(_ value: Double) -> String {
  var cents = (value * 100).rounded()
  if cents == 0 { cents = 0 }  // no "-0"
  let negative = cents < 0
  let magnitude = Int64(abs(cents))
  let whole = magnitude / 100
  let fraction = magnitude % 100
  var text = negative ? "-" : ""
  text += String(whole)
  if fraction != 0 {
    if fraction % 10 == 0 {
      text += "." + String(fraction / 10)
    } else {
      text += "." + (fraction < 10 ? "0" : "") + String(fraction)
    }
  }
  return text
}
