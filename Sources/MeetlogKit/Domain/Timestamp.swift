/// A point on the UTC time line as an event gives it: a calendar date or an RFC 3339
/// date-time with offset.
///
/// It keeps the text as given (with `T` and `Z` upper-cased) so the canonical event and
/// an export reproduce it exactly, and the UTC instant in microseconds for ordering and
/// filtering. A calendar date stands for 00:00:00 UTC of its day.
public struct Timestamp: Sendable, Hashable, Comparable {
  /// Microseconds since 1970-01-01T00:00:00Z.
  public let micros: Int64
  /// True for a bare calendar date (`2023-10-05`).
  public let isDate: Bool
  /// The canonical text: as given, `T` and `Z` in upper case.
  public let text: String

  public static let microsPerDay: Int64 = 86_400_000_000

  public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.micros < rhs.micros }
  public static func == (lhs: Timestamp, rhs: Timestamp) -> Bool {
    lhs.micros == rhs.micros && lhs.isDate == rhs.isDate && lhs.text == rhs.text
  }
  public func hash(into hasher: inout Hasher) { hasher.combine(text) }

  /// The UTC day number (days since 1970-01-01).
  public var day: Int { Int(floorDiv(micros, Self.microsPerDay)) }

  /// How the SPEC prints it: a date as `YYYY-MM-DD`, a date-time in UTC with `Z`.
  public var display: String { isDate ? text : Self.formatUTC(micros) }

  public init(micros: Int64, isDate: Bool, text: String) {
    self.micros = micros
    self.isDate = isDate
    self.text = text
  }

  /// An instant in UTC, printed with `Z`.
  public static func instant(_ micros: Int64) -> Timestamp {
    Timestamp(micros: micros, isDate: false, text: formatUTC(micros))
  }

  /// Parses a calendar date or an RFC 3339 date-time; the error says what is wrong.
  public static func parse(_ text: String) -> Result<Timestamp, TimeParseError> {
    let b = Array(text.utf8)
    if b.count == 10 {
      return parseDate(b).map { day in
        Timestamp(micros: Int64(day) * microsPerDay, isDate: true, text: text)
      }
    }
    return parseDateTime(b, text: text)
  }

  /// Parses only a calendar date `YYYY-MM-DD`; returns its UTC day number.
  public static func parseCalendarDate(_ text: String) -> Result<Int, TimeParseError> {
    let b = Array(text.utf8)
    guard b.count == 10 else { return .failure(TimeParseError("a calendar date YYYY-MM-DD was expected")) }
    return parseDate(b)
  }

  private static func digits(_ b: [UInt8], _ from: Int, _ count: Int) -> Int? {
    guard from + count <= b.count else { return nil }
    var value = 0
    for i in from..<(from + count) {
      let c = b[i]
      guard c >= 0x30 && c <= 0x39 else { return nil }
      value = value * 10 + Int(c - 0x30)
    }
    return value
  }

  private static func parseDate(_ b: [UInt8]) -> Result<Int, TimeParseError> {
    guard b.count >= 10, let year = digits(b, 0, 4), b[4] == UInt8(ascii: "-"), let month = digits(b, 5, 2),
      b[7] == UInt8(ascii: "-"), let dayOfMonth = digits(b, 8, 2)
    else {
      return .failure(TimeParseError("a calendar date YYYY-MM-DD or an RFC 3339 date-time with offset was expected"))
    }
    guard year >= 1 else { return .failure(TimeParseError("year 0000 does not exist")) }
    guard (1...12).contains(month) else { return .failure(TimeParseError("month \(month) does not exist")) }
    let length = daysInMonth(year: year, month: month)
    guard (1...length).contains(dayOfMonth) else {
      return .failure(TimeParseError("day \(dayOfMonth) does not exist in \(year)-\(pad2(month)) (it has \(length) days)"))
    }
    return .success(daysFromCivil(year: year, month: month, day: dayOfMonth))
  }

  /// `text` is `original` as a String: kept as the timestamp's text unless a lowercase
  /// `t` or `z` had to be raised.
  private static func parseDateTime(_ original: [UInt8], text: String) -> Result<Timestamp, TimeParseError> {
    var b = original
    if b.count == 19, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") {
      return .failure(TimeParseError("the offset is missing: add Z or ±HH:MM"))
    }
    guard b.count >= 20 else {
      return .failure(TimeParseError("a calendar date YYYY-MM-DD or an RFC 3339 date-time with offset was expected"))
    }
    if b[10] == UInt8(ascii: "t") { b[10] = UInt8(ascii: "T") }
    if b[b.count - 1] == UInt8(ascii: "z") { b[b.count - 1] = UInt8(ascii: "Z") }
    guard b[10] == UInt8(ascii: "T") else {
      return .failure(TimeParseError("a calendar date YYYY-MM-DD or an RFC 3339 date-time like 2023-10-05T11:30:00+02:00 was expected"))
    }
    let day: Int
    switch parseDate(b) {
    case .success(let d): day = d
    case .failure(let e): return .failure(e)
    }
    guard let hour = digits(b, 11, 2), b[13] == UInt8(ascii: ":"), let minute = digits(b, 14, 2),
      b[16] == UInt8(ascii: ":"), let second = digits(b, 17, 2)
    else { return .failure(TimeParseError("the time must be HH:MM:SS")) }
    guard hour <= 23 else { return .failure(TimeParseError("hour \(hour) does not exist (00–23)")) }
    guard minute <= 59 else { return .failure(TimeParseError("minute \(minute) does not exist (00–59)")) }
    guard second <= 59 else { return .failure(TimeParseError("second \(second) is not accepted (00–59)")) }
    var i = 19
    var fraction: Int64 = 0
    if i < b.count, b[i] == UInt8(ascii: ".") {
      i += 1
      let start = i
      while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
      let count = i - start
      guard count >= 1 else { return .failure(TimeParseError("a digit must follow the decimal point of the seconds")) }
      guard count <= 6 else { return .failure(TimeParseError("at most 6 fractional digits (microseconds) are kept")) }
      fraction = Int64(digits(b, start, count)!)
      for _ in count..<6 { fraction *= 10 }
    }
    guard i < b.count else { return .failure(TimeParseError("the offset is missing: add Z or ±HH:MM")) }
    var offsetSeconds = 0
    if b[i] == UInt8(ascii: "Z") {
      i += 1
    } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
      let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
      guard b.count == i + 6, let oh = digits(b, i + 1, 2), b[i + 3] == UInt8(ascii: ":"), let om = digits(b, i + 4, 2)
      else { return .failure(TimeParseError("the offset must be Z or ±HH:MM")) }
      guard oh <= 23, om <= 59 else {
        return .failure(TimeParseError("the offset \(String(decoding: b[i...], as: UTF8.self)) is out of range"))
      }
      offsetSeconds = sign * (oh * 3600 + om * 60)
      i += 6
    } else {
      return .failure(TimeParseError("the offset must be Z or ±HH:MM"))
    }
    guard i == b.count else { return .failure(TimeParseError("unexpected text after the offset")) }
    let seconds = Int64(day) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
    let normalized = b == original ? text : String(decoding: b, as: UTF8.self)
    return .success(Timestamp(micros: seconds * 1_000_000 + fraction, isDate: false, text: normalized))
  }

  /// `2023-10-05T09:30:00Z`, with `.ffffff` (trailing zeros cut) when not whole seconds.
  public static func formatUTC(_ micros: Int64) -> String {
    let text = String(unsafeUninitializedCapacity: maxUTCLength) { writeUTC(micros, into: $0) ?? 0 }
    if !text.isEmpty { return text }
    let day = Int(floorDiv(micros, microsPerDay))
    let within = micros - Int64(day) * microsPerDay
    return formatDay(day) + formatTimeOfDay(seconds: Int(within / 1_000_000), fraction: Int(within % 1_000_000))
  }

  /// Calls `body` with the bytes of `display` for an instant (`formatDay` of its day for a
  /// calendar date, else `formatUTC`), formatted on the stack: output of a hundred
  /// thousand instants makes no String for each.
  static func withDisplayBytes<R>(micros: Int64, isDate: Bool, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxUTCLength) { buffer in
      let count = isDate ? writeDay(Int(floorDiv(micros, microsPerDay)), into: buffer) : writeUTC(micros, into: buffer)
      if let count { return body(UnsafeBufferPointer(rebasing: buffer[..<count])) }
      var text = isDate ? formatDay(Int(floorDiv(micros, microsPerDay))) : formatUTC(micros)
      return text.withUTF8(body)
    }
  }

  /// The longest `formatUTC` text of a year 0000–9999: `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
  static let maxUTCLength = 27

  /// Writes `formatUTC(micros)` into `buffer` (at least `maxUTCLength` bytes) and
  /// returns its length; nil for a year outside 0000–9999. Output of a hundred thousand
  /// instants is written without a String for each.
  static func writeUTC(_ micros: Int64, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int? {
    let day = Int(floorDiv(micros, microsPerDay))
    let within = micros - Int64(day) * microsPerDay
    let seconds = Int(within / 1_000_000)
    var fraction = Int(within % 1_000_000)
    let (y, m, d) = civilFromDays(day)
    guard (0...9999).contains(y) else { return nil }
    writeDay(y, m, d, into: buffer)
    buffer[10] = UInt8(ascii: "T")
    writeTwoDigits(seconds / 3600, into: buffer, at: 11)
    buffer[13] = UInt8(ascii: ":")
    writeTwoDigits(seconds / 60 % 60, into: buffer, at: 14)
    buffer[16] = UInt8(ascii: ":")
    writeTwoDigits(seconds % 60, into: buffer, at: 17)
    var at = 19
    if fraction != 0 {
      buffer[at] = UInt8(ascii: ".")
      var digits = 6
      while fraction % 10 == 0 {
        fraction /= 10
        digits -= 1
      }
      for k in stride(from: digits, to: 0, by: -1) {
        buffer[at + k] = UInt8(ascii: "0") + UInt8(fraction % 10)
        fraction /= 10
      }
      at += digits + 1
    }
    buffer[at] = UInt8(ascii: "Z")
    return at + 1
  }

  /// Writes `formatDay(day)` into `buffer` (at least 10 bytes) and returns 10; nil for a
  /// year outside 0000–9999.
  static func writeDay(_ day: Int, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int? {
    let (y, m, d) = civilFromDays(day)
    guard (0...9999).contains(y) else { return nil }
    writeDay(y, m, d, into: buffer)
    return 10
  }

  /// `THH:MM:SS[.ffffff]Z` for years outside 0000–9999 (the slow path of `formatUTC`).
  private static func formatTimeOfDay(seconds: Int, fraction: Int) -> String {
    var text = "T" + pad2(seconds / 3600) + ":" + pad2(seconds / 60 % 60) + ":" + pad2(seconds % 60)
    if fraction != 0 {
      var digits = String(fraction)
      digits = String(repeating: "0", count: 6 - digits.count) + digits
      while digits.hasSuffix("0") { digits.removeLast() }
      text += "." + digits
    }
    return text + "Z"
  }

  /// `YYYY-MM-DD` of a day number.
  public static func formatDay(_ day: Int) -> String {
    let (y, m, d) = civilFromDays(day)
    guard (0...9999).contains(y) else {
      var year = String(y)
      if year.count < 4 { year = String(repeating: "0", count: 4 - year.count) + year }
      return year + "-" + pad2(m) + "-" + pad2(d)
    }
    return String(unsafeUninitializedCapacity: 10) { buffer in
      writeDay(y, m, d, into: buffer)
      return 10
    }
  }

  private static func writeDay(_ y: Int, _ m: Int, _ d: Int, into buffer: UnsafeMutableBufferPointer<UInt8>) {
    writeTwoDigits(y / 100, into: buffer, at: 0)
    writeTwoDigits(y % 100, into: buffer, at: 2)
    buffer[4] = UInt8(ascii: "-")
    writeTwoDigits(m, into: buffer, at: 5)
    buffer[7] = UInt8(ascii: "-")
    writeTwoDigits(d, into: buffer, at: 8)
  }

  private static func writeTwoDigits(_ n: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at index: Int) {
    buffer[index] = UInt8(ascii: "0") + UInt8(n / 10)
    buffer[index + 1] = UInt8(ascii: "0") + UInt8(n % 10)
  }
}

/// Why a date or time was rejected.
public struct TimeParseError: Error, Sendable {
  public var reason: String
  public init(_ reason: String) { self.reason = reason }
}

func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
  let q = a / b
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

func isLeapYear(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

func daysInMonth(year: Int, month: Int) -> Int {
  switch month {
  case 2: isLeapYear(year) ? 29 : 28
  case 4, 6, 9, 11: 30
  default: 31
  }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
  let y = month <= 2 ? year - 1 : year
  let era = (y >= 0 ? y : y - 399) / 400
  let yoe = y - era * 400
  let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
  let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
  return era * 146_097 + doe - 719_468
}

func civilFromDays(_ days: Int) -> (Int, Int, Int) {
  let z = days + 719_468
  let era = (z >= 0 ? z : z - 146_096) / 146_097
  let doe = z - era * 146_097
  let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
  let y = yoe + era * 400
  let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
  let mp = (5 * doy + 2) / 153
  let d = doy - (153 * mp + 2) / 5 + 1
  let m = mp < 10 ? mp + 3 : mp - 9
  return (y + (m <= 2 ? 1 : 0), m, d)
}
