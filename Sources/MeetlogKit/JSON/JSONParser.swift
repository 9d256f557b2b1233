/// A strict JSON parser (RFC 8259) over UTF-8 bytes.
///
/// It exists because Foundation's parsers accept duplicate keys silently, lose the
/// line of an error and are several times too slow for replay. This one rejects
/// duplicate keys, control characters in strings, unpaired surrogates, and nesting
/// deeper than `maxDepth`, and reports the line and field path of every fault.
public struct JSONParser {
  /// A syntax error with the 1-based line where it was found.
  public struct Failure: Error, Sendable {
    public var line: Int
    public var path: String
    public var message: String
    /// True when the input ended before the value did (a truncated line or file).
    public var atEnd: Bool
  }

  public static let maxDepth = 64

  private let bytes: [UInt8]
  private(set) var index: Int
  private let end: Int
  /// The 1-based line of `index`.
  private(set) var line: Int
  private var path: [PathComponent] = []

  private enum PathComponent {
    case key(String)
    case index(Int)
  }

  public init(bytes: [UInt8], start: Int = 0, end: Int? = nil, line: Int = 1) {
    self.bytes = bytes
    self.index = start
    self.end = end ?? bytes.count
    self.line = line
  }

  /// Parses the whole buffer as exactly one value.
  public static func parse(_ bytes: [UInt8]) throws(Failure) -> JSONValue {
    var parser = JSONParser(bytes: bytes)
    let value = try parser.parseValue()
    parser.skipWhitespace()
    if !parser.atEnd { throw parser.failure("unexpected text after the JSON value") }
    return value
  }

  public var atEnd: Bool { index >= end }
  public var currentLine: Int { line }
  public var currentIndex: Int { index }

  /// The byte at the current position, if any.
  public var peek: UInt8? { index < end ? bytes[index] : nil }

  public mutating func skipWhitespace() {
    while index < end {
      switch bytes[index] {
      case 0x20, 0x09, 0x0D: index += 1
      case 0x0A:
        index += 1
        line += 1
      default: return
      }
    }
  }

  func pathString() -> String {
    var text = ""
    for component in path {
      switch component {
      case .key(let k):
        if !text.isEmpty { text += "." }
        text += k
      case .index(let i): text += "[\(i)]"
      }
    }
    return text
  }

  func failure(_ message: String) -> Failure {
    Failure(line: line, path: pathString(), message: message, atEnd: index >= end)
  }

  /// Parses one value starting at the current position (leading whitespace allowed).
  public mutating func parseValue() throws(Failure) -> JSONValue {
    skipWhitespace()
    guard index < end else { throw failure("unexpected end of input: a JSON value was expected") }
    switch bytes[index] {
    case UInt8(ascii: "{"): return try parseObject()
    case UInt8(ascii: "["): return try parseArray()
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
    case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
    case UInt8(ascii: "n"): return try parseLiteral("null", .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    default:
      throw failure("unexpected character \(describeByte(bytes[index])): a JSON value was expected")
    }
  }

  private func describeByte(_ byte: UInt8) -> String {
    if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
    return "byte 0x" + String(byte, radix: 16, uppercase: true)
  }

  private mutating func parseLiteral(_ word: StaticString, _ value: JSONValue) throws(Failure) -> JSONValue {
    let count = word.utf8CodeUnitCount
    guard index + count <= end else { throw failure("truncated literal: expected \(word)") }
    let matches = word.withUTF8Buffer { buffer in
      var i = 0
      while i < count {
        if bytes[index + i] != buffer[i] { return false }
        i += 1
      }
      return true
    }
    guard matches else { throw failure("invalid literal: expected \(word)") }
    index += count
    return value
  }

  private mutating func parseNumber() throws(Failure) -> JSONValue {
    let start = index
    if bytes[index] == UInt8(ascii: "-") { index += 1 }
    guard index < end, isDigit(bytes[index]) else { throw failure("invalid number: a digit was expected") }
    if bytes[index] == UInt8(ascii: "0") {
      index += 1
      if index < end, isDigit(bytes[index]) { throw failure("invalid number: leading zero") }
    } else {
      while index < end, isDigit(bytes[index]) { index += 1 }
    }
    if index < end, bytes[index] == UInt8(ascii: ".") {
      index += 1
      guard index < end, isDigit(bytes[index]) else { throw failure("invalid number: a digit must follow '.'") }
      while index < end, isDigit(bytes[index]) { index += 1 }
    }
    if index < end, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
      index += 1
      if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
      guard index < end, isDigit(bytes[index]) else { throw failure("invalid number: a digit must follow the exponent") }
      while index < end, isDigit(bytes[index]) { index += 1 }
    }
    return .number(String(decoding: bytes[start..<index], as: UTF8.self))
  }

  private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

  private mutating func parseArray() throws(Failure) -> JSONValue {
    guard path.count < Self.maxDepth else { throw failure("nested deeper than \(Self.maxDepth) levels") }
    index += 1
    var items: [JSONValue] = []
    skipWhitespace()
    if index < end, bytes[index] == UInt8(ascii: "]") {
      index += 1
      return .array(items)
    }
    while true {
      path.append(.index(items.count))
      items.append(try parseValue())
      path.removeLast()
      skipWhitespace()
      guard index < end else { throw failure("unexpected end of input inside an array: ',' or ']' expected") }
      let byte = bytes[index]
      index += 1
      if byte == UInt8(ascii: ",") { continue }
      if byte == UInt8(ascii: "]") { return .array(items) }
      index -= 1
      throw failure("unexpected character \(describeByte(byte)) in an array: ',' or ']' expected")
    }
  }

  private mutating func parseObject() throws(Failure) -> JSONValue {
    guard path.count < Self.maxDepth else { throw failure("nested deeper than \(Self.maxDepth) levels") }
    index += 1
    var members: [(String, JSONValue)] = []
    skipWhitespace()
    if index < end, bytes[index] == UInt8(ascii: "}") {
      index += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard index < end else { throw failure("unexpected end of input inside an object: a key was expected") }
      guard bytes[index] == UInt8(ascii: "\"") else {
        throw failure("unexpected character \(describeByte(bytes[index])) in an object: a quoted key was expected")
      }
      let key = try parseString()
      for (existing, _) in members where existing == key {
        path.append(.key(key))
        defer { path.removeLast() }
        throw failure("duplicate key \"\(key)\"")
      }
      skipWhitespace()
      guard index < end, bytes[index] == UInt8(ascii: ":") else {
        throw failure("':' expected after the key \"\(key)\"")
      }
      index += 1
      path.append(.key(key))
      let value = try parseValue()
      path.removeLast()
      members.append((key, value))
      skipWhitespace()
      guard index < end else { throw failure("unexpected end of input inside an object: ',' or '}' expected") }
      let byte = bytes[index]
      index += 1
      if byte == UInt8(ascii: ",") { continue }
      if byte == UInt8(ascii: "}") { return .object(members) }
      index -= 1
      throw failure("unexpected character \(describeByte(byte)) in an object: ',' or '}' expected")
    }
  }

  private mutating func parseString() throws(Failure) -> String {
    index += 1  // opening quote
    let start = index
    // Fast path: no escapes.
    while index < end {
      let byte = bytes[index]
      if byte == UInt8(ascii: "\"") {
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        index += 1
        return text
      }
      if byte == UInt8(ascii: "\\") { break }
      if byte < 0x20 { throw failure(controlCharacterMessage(byte)) }
      index += 1
    }
    var scratch: [UInt8] = Array(bytes[start..<index])
    while index < end {
      let byte = bytes[index]
      switch byte {
      case UInt8(ascii: "\""):
        index += 1
        return String(decoding: scratch, as: UTF8.self)
      case UInt8(ascii: "\\"):
        index += 1
        guard index < end else { break }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "\""): scratch.append(0x22)
        case UInt8(ascii: "\\"): scratch.append(0x5C)
        case UInt8(ascii: "/"): scratch.append(0x2F)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
          var scalar = try parseHex4()
          if (0xD800...0xDBFF).contains(scalar) {
            guard index + 1 < end, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
              throw failure("unpaired UTF-16 surrogate \\u\(String(scalar, radix: 16, uppercase: true)) in a string")
            }
            index += 2
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else {
              throw failure("invalid UTF-16 surrogate pair in a string")
            }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
          } else if (0xDC00...0xDFFF).contains(scalar) {
            throw failure("unpaired UTF-16 surrogate \\u\(String(scalar, radix: 16, uppercase: true)) in a string")
          }
          scratch.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
        default:
          throw failure("invalid escape '\\\(Character(Unicode.Scalar(escape)))' in a string")
        }
      default:
        if byte < 0x20 { throw failure(controlCharacterMessage(byte)) }
        scratch.append(byte)
        index += 1
      }
    }
    throw failure("unterminated string: the closing '\"' is missing")
  }

  private func controlCharacterMessage(_ byte: UInt8) -> String {
    if byte == 0x0A { return "unterminated string: a line break inside a string (escape it as \\n)" }
    return "control character 0x\(String(byte, radix: 16, uppercase: true)) inside a string (escape it)"
  }

  private mutating func parseHex4() throws(Failure) -> UInt32 {
    guard index + 4 <= end else { throw failure("truncated \\u escape in a string") }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let byte = bytes[index]
      let digit: UInt32
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 0x30)
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 0x61 + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 0x41 + 10)
      default: throw failure("invalid hex digit in a \\u escape")
      }
      value = value * 16 + digit
      index += 1
    }
    return value
  }
}

/// Finds the first byte sequence that is not valid UTF-8; returns its offset, or nil.
/// Runs of ASCII are skipped eight bytes at a time: it reads every input before any
/// of it is parsed, on one thread (a byte at a time, it took about 70 ms of a 44 MB
/// append).
public func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
  bytes.withUnsafeBufferPointer { buffer -> Int? in
    guard let base = buffer.baseAddress else { return nil }
    let raw = UnsafeRawPointer(base)
    let n = buffer.count
    var i = 0
    while i < n {
      while i + 8 <= n, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 { i += 8 }
      guard i < n else { return nil }
      let b = base[i]
      if b < 0x80 {
        i += 1
        continue
      }
      let length: Int
      var minimum: UInt32
      var scalar: UInt32
      switch b {
      case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(b & 0x1F)
      case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(b & 0x0F)
      case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(b & 0x07)
      default: return i
      }
      guard i + length <= n else { return i }
      for k in 1..<length {
        let c = base[i + k]
        guard c & 0xC0 == 0x80 else { return i }
        scalar = (scalar << 6) | UInt32(c & 0x3F)
      }
      if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i }
      i += length
    }
    return nil
  }
}
