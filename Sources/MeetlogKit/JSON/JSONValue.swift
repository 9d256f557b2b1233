/// A parsed JSON value that keeps what strict validation needs.
///
/// Objects keep their keys in input order (duplicates are rejected by the parser),
/// numbers keep their literal text so that nothing is rounded before a field decides
/// what it accepts.
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case number(String)
  case string(String)
  case array([JSONValue])
  case object([(String, JSONValue)])

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case let (.bool(a), .bool(b)): return a == b
    case let (.number(a), .number(b)): return a == b
    case let (.string(a), .string(b)): return a == b
    case let (.array(a), .array(b)): return a == b
    case let (.object(a), .object(b)):
      return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    default: return false
    }
  }

  /// The JSON type name used in error messages ("a string", "an object").
  public var typeDescription: String {
    switch self {
    case .null: "null"
    case .bool: "a boolean"
    case .number: "a number"
    case .string: "a string"
    case .array: "an array"
    case .object: "an object"
    }
  }

  /// A short rendering of the value for error messages, cut to a readable length.
  public var quoted: String {
    var writer = JSONWriter()
    writer.write(self)
    let text = writer.string
    if text.count > 60 { return String(text.prefix(57)) + "…" }
    return text
  }
}

extension JSONWriter {
  /// Writes any `JSONValue` compactly, keys in their stored order.
  public mutating func write(_ value: JSONValue) {
    switch value {
    case .null: raw("null")
    case .bool(let b): raw(b ? "true" : "false")
    case .number(let n): raw(n)
    case .string(let s): string(s)
    case .array(let items):
      beginArray()
      for item in items { write(item) }
      endArray()
    case .object(let members):
      beginObject()
      for (key, member) in members {
        self.key(key)
        write(member)
      }
      endObject()
    }
  }
}
