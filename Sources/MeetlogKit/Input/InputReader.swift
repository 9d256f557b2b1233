import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// One JSON object of the input with the line it starts on.
public struct InputObject: Sendable {
  public var location: InputLocation
  /// The parsed object; `null` when `direct` holds the event instead.
  public var value: JSONValue
  /// The event, when `DirectEventDecoder` read it straight from the line's bytes.
  public var direct: DecodedInput?
}

/// Splits input text into event objects, in the three shapes the SPEC accepts:
/// NDJSON (one object per line, blank lines skipped), one object (which may span many
/// lines), or one array of objects. Errors name `file:line`.
public enum InputReader {
  /// The largest event meetlog accepts, as an input line or in canonical form.
  public static let maxEventBytes = 1 << 20

  /// With `direct`, each NDJSON line is first given to `DirectEventDecoder`; only lines
  /// it declines are parsed into a `JSONValue`.
  public static func read(_ bytes: [UInt8], file: String, direct: Bool = false) throws(MeetlogError) -> [InputObject] {
    try read(bytes, file: file, direct: direct) { (object) throws(MeetlogError) in object }
  }

  /// `read`, with each object passed through `transform` as it is read (on the thread
  /// that reads it, when a long NDJSON input is read in pieces on two threads).
  public static func read<T: Sendable>(
    _ bytes: [UInt8], file: String, direct: Bool = false, _ transform: @escaping @Sendable (InputObject) throws(MeetlogError) -> T
  ) throws(MeetlogError) -> [T] {
    var start = 0
    // A UTF-8 byte order mark is tolerated at the very start, as RFC 8259 allows.
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { start = 3 }
    if let bad = firstInvalidUTF8Offset(bytes) {
      let line = bytes[0..<bad].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
      throw MeetlogError(
        .invalidInput,
        "\(file):\(line): invalid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true)) at offset \(bad)): the input must be UTF-8 text"
      )
    }
    var parser = JSONParser(bytes: bytes, start: start)
    parser.skipWhitespace()
    if parser.atEnd { throw MeetlogError(.invalidInput, "\(file): the input holds no events") }

    func fail(_ f: JSONParser.Failure) -> MeetlogError {
      MeetlogError(.invalidInput, "\(file):\(f.line): \(f.path.isEmpty ? "" : f.path + ": ")invalid JSON: \(f.message)")
    }

    if parser.peek == UInt8(ascii: "[") {
      let line = parser.currentLine
      let value: JSONValue
      do { value = try parser.parseValue() } catch { throw fail(error) }
      parser.skipWhitespace()
      if !parser.atEnd {
        throw MeetlogError(.invalidInput, "\(file):\(parser.currentLine): unexpected text after the array of events")
      }
      guard case .array(let items) = value else { fatalError("unreachable") }
      if items.isEmpty { throw MeetlogError(.invalidInput, "\(file):\(line): the array holds no events") }
      // Each element's line: re-scan to find where each element starts.
      let lines = elementLines(bytes, start: start)
      var objects: [T] = []
      for (i, item) in items.enumerated() {
        objects.append(
          try transform(InputObject(location: InputLocation(file: file, line: i < lines.count ? lines[i] : line), value: item, direct: nil))
        )
      }
      return objects
    }

    // A first value that spans lines means a document of (pretty-printed) objects;
    // otherwise the input is NDJSON and each line is parsed on its own.
    let firstLine = parser.currentLine
    var probe = parser
    let firstSpansLines: Bool
    do {
      _ = try probe.parseValue()
      firstSpansLines = probe.currentLine != firstLine
    } catch {
      firstSpansLines = false
    }
    if firstSpansLines {
      var objects: [T] = []
      while true {
        parser.skipWhitespace()
        if parser.atEnd { break }
        let line = parser.currentLine
        let value: JSONValue
        do { value = try parser.parseValue() } catch { throw fail(error) }
        objects.append(try transform(InputObject(location: InputLocation(file: file, line: line), value: value, direct: nil)))
      }
      return objects
    }
    let objects = try ndjson(bytes, start: start, file: file, direct: direct, transform)
    if objects.isEmpty { throw MeetlogError(.invalidInput, "\(file): the input holds no events") }
    return objects
  }

  /// Inputs of at least this many bytes are read in pieces on two threads.
  static let splitBytes = 1 << 20
  /// Into how many pieces: enough that both threads end together however unequal the
  /// pieces' cost (two halves ended up to 100 ms apart on a 100,000-event input, under
  /// `perf`).
  static let pieceCount = 16

  /// Each line of NDJSON from `start`, through `transform`. A long input is read in
  /// pieces split at line breaks, taken in order by two threads; the first error by
  /// line is thrown.
  static func ndjson<T: Sendable>(
    _ bytes: [UInt8], start: Int, file: String, direct: Bool, splitAt: Int = splitBytes,
    _ transform: @escaping @Sendable (InputObject) throws(MeetlogError) -> T
  ) throws(MeetlogError) -> [T] {
    guard bytes.count - start >= splitAt else {
      let run = MovableRun<T>()
      try lines(bytes, start..<bytes.count, firstLine: 1, file: file, direct: direct, into: run, transform)
      return MovableRun.joined([run])
    }
    let pieces = pieceRanges(bytes, from: start, count: pieceCount)
    // The line each piece starts on: the newlines before it, counted on both threads.
    let newlines = Slots<Int>(pieces.count, 0)
    parallelFor(pieces.count) { i in newlines[i] = countNewlines(bytes, pieces[i]) + 1 }
    var firstLines = [1]
    for i in 1..<pieces.count { firstLines.append(firstLines[i - 1] + newlines[i - 1]) }
    let runs = pieces.map { MovableRun<T>(capacity: $0.count / 256 + 16) }
    let failures = Slots<MeetlogError?>(pieces.count, nil)
    let firstFailure = Atomic<Int>(.max)
    parallelFor(pieces.count) { [firstLines] i in
      // Pieces are taken in order: one after a failed piece need not be read.
      guard i < firstFailure.load(ordering: .relaxed) else { return }
      do throws(MeetlogError) {
        try lines(bytes, pieces[i], firstLine: firstLines[i], file: file, direct: direct, into: runs[i], transform)
      } catch {
        failures[i] = error
        firstFailure.min(i, ordering: .relaxed)
      }
    }
    if let failure = (0..<pieces.count).lazy.compactMap({ failures[$0] }).first { throw failure }
    return MovableRun.joined(runs)
  }

  /// `count` ranges of about equal size from `start` to the end, each ending before a
  /// newline (the last at the end); one may be empty (a blank line), and still counts
  /// the newline after it.
  private static func pieceRanges(_ bytes: [UInt8], from start: Int, count: Int) -> [Range<Int>] {
    var ranges: [Range<Int>] = []
    var at = start
    for k in 1...count where at < bytes.count {
      let end = k == count ? bytes.count : lineEnd(bytes, from: max(at, start + (bytes.count - start) * k / count), to: bytes.count)
      ranges.append(at..<end)
      at = end + 1
    }
    return ranges
  }

  /// How many newlines `range` holds.
  private static func countNewlines(_ bytes: [UInt8], _ range: Range<Int>) -> Int {
    bytes.withUnsafeBufferPointer { all in
      var n = 0
      for byte in UnsafeBufferPointer(rebasing: all[range]) where byte == 0x0A { n += 1 }
      return n
    }
  }

  /// The offset of the first newline at or after `start` and before `end`, or `end`:
  /// `memchr`, which reads a word at a time (a 44 MB input is read twice this way).
  private static func lineEnd(_ bytes: [UInt8], from start: Int, to end: Int) -> Int {
    guard start < end else { return end }
    return bytes.withUnsafeBufferPointer { all in
      guard let base = all.baseAddress, let found = memchr(base + start, 0x0A, end - start) else { return end }
      return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
    }
  }

  /// The NDJSON lines of `range`, the first numbered `firstLine`; blank lines skipped.
  private static func lines<T>(
    _ bytes: [UInt8], _ range: Range<Int>, firstLine: Int, file: String, direct: Bool, into objects: MovableRun<T>,
    _ transform: (InputObject) throws(MeetlogError) -> T
  ) throws(MeetlogError) {
    var lineStart = range.lowerBound
    var lineNumber = firstLine
    let count = range.upperBound
    while lineStart < count {
      let lineEnd = Self.lineEnd(bytes, from: lineStart, to: count)
      if lineEnd - lineStart > maxEventBytes {
        throw MeetlogError(
          .invalidInput,
          "\(file):\(lineNumber): the line is \(lineEnd - lineStart) bytes long: an event may be at most \(maxEventBytes) bytes (1 MiB)")
      }
      if direct,
        let event = bytes.withUnsafeBufferPointer({ DirectEventDecoder.decode(UnsafeBufferPointer(rebasing: $0[lineStart..<lineEnd])) })
      {
        objects.append(try transform(InputObject(location: InputLocation(file: file, line: lineNumber), value: .null, direct: event)))
        lineStart = lineEnd + 1
        lineNumber += 1
        continue
      }
      var lineParser = JSONParser(bytes: bytes, start: lineStart, end: lineEnd, line: lineNumber)
      lineParser.skipWhitespace()
      if !lineParser.atEnd {
        let value: JSONValue
        do {
          value = try lineParser.parseValue()
        } catch {
          let message = error.atEnd ? "truncated line: \(error.message)" : error.message
          throw MeetlogError(
            .invalidInput, "\(file):\(lineNumber): \(error.path.isEmpty ? "" : error.path + ": ")invalid JSON: \(message)")
        }
        lineParser.skipWhitespace()
        if !lineParser.atEnd {
          throw MeetlogError(.invalidInput, "\(file):\(lineNumber): invalid JSON: unexpected text after the object (one event per line)")
        }
        objects.append(try transform(InputObject(location: InputLocation(file: file, line: lineNumber), value: value, direct: nil)))
      }
      lineStart = lineEnd + 1
      lineNumber += 1
    }
  }

  /// The line on which each element of a top-level array starts.
  private static func elementLines(_ bytes: [UInt8], start: Int) -> [Int] {
    var lines: [Int] = []
    var parser = JSONParser(bytes: bytes, start: start)
    parser.skipWhitespace()
    guard parser.peek == UInt8(ascii: "[") else { return lines }
    // Walk the array with a nested parser positioned after '['.
    var index = parser.currentIndex + 1
    var line = parser.currentLine
    while true {
      var element = JSONParser(bytes: bytes, start: index, line: line)
      element.skipWhitespace()
      if element.peek == UInt8(ascii: "]") || element.atEnd { break }
      lines.append(element.currentLine)
      guard (try? element.parseValue()) != nil else { break }
      element.skipWhitespace()
      guard element.peek == UInt8(ascii: ",") else { break }
      index = element.currentIndex + 1
      line = element.currentLine
    }
    return lines
  }
}
