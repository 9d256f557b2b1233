/// `state`'s items table written straight from the fold: the lines `TextTable` lays out
/// for the same items (columns two spaces apart, padded to their widest cell, AGE on
/// the right, the summary last and unpadded), byte for byte, colours included.
///
/// A million-event log lists 155,000 open items (29 MB of table). A cell arena per table
/// (`CellTable`) made and laid out every cell: about 100 ms of CPU and three times the
/// table's size in memory. Here one pass measures the columns (each half of a long list
/// on its own thread) and a second writes the lines in blocks, this thread and a second
/// one in turn, into buffers used again for the next blocks: filling the table's 29 MB
/// of fresh memory was seven thousand page faults.
extension FoldedItems {
  /// Rows per block of `streamTable`.
  static let blockRows = 4_096

  /// Passes the table, header first, to `emit` in pieces, in order: the rows in blocks of
  /// `blockRows`. A list of `splitAt` items or more is measured in two halves at once and
  /// its blocks written by this thread and a second one in turn.
  func streamTable(
    colour: Bool, splitAt: Int = 4_000, blockRows: Int = Self.blockRows, emit: (UnsafeRawBufferPointer) -> Void
  ) {
    if let printer {
      precondition(!colour, "a stored table has no colours")
      return printer.stream(emit: emit)
    }
    let split = count >= max(2, splitAt)
    let widths = columnWidths(splitAt: splitAt)
    var header: [UInt8] = []
    Self.writeHeader(widths: widths, colour: colour, into: &header)
    header.withUnsafeBytes(emit)
    let blocks = stride(from: 0, to: count, by: blockRows).map { $0..<min($0 + blockRows, count) }
    let mine = RowBlock()
    // The second thread writes the odd blocks into the buffers `free` hands it, and
    // hands them back written through `written`, in order.
    let written = HandOff<RowBlock>(capacity: 2)
    let free = HandOff<RowBlock>(capacity: 3)
    let thread =
      split && blocks.count > 1
      ? BackgroundThread { [self] in
        defer { written.finish() }
        for k in stride(from: 1, to: blocks.count, by: 2) {
          guard let block = free.take() else { return }
          rows(blocks[k], widths: widths, colour: colour, into: block)
          written.put(block)
        }
      } : nil
    if thread != nil {
      free.put(RowBlock())
      free.put(RowBlock())
    }
    for k in blocks.indices {
      if thread != nil && k % 2 == 1 {
        guard let block = written.take() else { break }
        block.bytes(emit)
        free.put(block)
      } else {
        rows(blocks[k], widths: widths, colour: colour, into: mine)
        mine.bytes(emit)
      }
    }
    free.finish()
    thread?.join()
  }

  /// The display width of every column but the last over the whole list, measured in
  /// two halves at once from `splitAt` items on.
  func columnWidths(splitAt: Int = 4_000) -> [Int] {
    guard count >= max(2, splitAt) else { return measure(0..<count) }
    let half = count / 2
    let (first, second) = concurrently({ measure(0..<half) }, { [self] in measure(half..<count) })
    return zip(first, second).map { max($0, $1) }
  }

  /// The display width of every column but the last (which is never padded), headers
  /// included, over the items at `positions`.
  private func measure(_ positions: Range<Int>) -> [Int] {
    var widths = StateRenderer.itemHeaders.dropLast().map(\.utf8.count)
    var days = DayTexts()
    store.arena.withUnsafeBufferPointer { arena in
      for slot in slots[positions] {
        let s = Int(slot)
        var d = DetailReader(arena, at: store.detailStart[s])
        let event = d.text()!
        let item = d.text() ?? event
        widths[0] = max(widths[0], Self.displayWidth(item))
        widths[1] = max(widths[1], stateText(slot).utf8.count)
        widths[2] = max(widths[2], days.instantLength(store.pledgedMicros[s], isDate: store.dateFlags[s] & 1 != 0))
        widths[3] = max(widths[3], store.dueDay[s] == Int32.min ? 1 : 10)
        widths[4] = max(widths[4], isOverdue(slot) ? 3 : 2)
        widths[5] = max(widths[5], Self.digits(ageDays(slot)) + 2)
        let pairs = Int(store.pairStart[s + 1] - store.pairStart[s])
        widths[6] = max(widths[6], pairs == 0 ? 0 : 6 * pairs - 1)
      }
    }
    return widths
  }

  static func writeHeader(widths: [Int], colour: Bool, into out: inout [UInt8]) {
    let headers = StateRenderer.itemHeaders
    for (i, header) in headers.enumerated() {
      if i > 0 { out += "  ".utf8 }
      let padding = i < widths.count ? widths[i] - header.utf8.count : 0
      let right = StateRenderer.itemRightAligned.contains(i)
      if right && padding > 0 { out += repeatElement(UInt8(ascii: " "), count: padding) }
      if colour { out += "\u{1B}[\(TextStyle.bold.code)m".utf8 }
      out += header.utf8
      if colour { out += "\u{1B}[0m".utf8 }
      if !right && i < widths.count && padding > 0 { out += repeatElement(UInt8(ascii: " "), count: padding) }
    }
    out.append(UInt8(ascii: "\n"))
  }

  /// Writes the rows of the items at `positions` into `block`, through a pointer into
  /// its buffer, grown first to hold them (appending to an array checked its capacity at
  /// every cell).
  private func rows(_ positions: Range<Int>, widths: [Int], colour: Bool, into block: RowBlock) {
    // Each column's text is at most its width in bytes (all ASCII but the ids, the
    // summaries and the dash of a missing due date), and its padding at most its width;
    // a summary is cut to 70 characters and an ellipsis.
    let perRow = 2 * widths.reduce(0, +) + 2 * widths.count + 3 + 3 + 1 + (colour ? 2 * 9 : 0)
    var textBytes = 0
    store.arena.withUnsafeBufferPointer { arena in
      for slot in slots[positions] {
        var d = DetailReader(arena, at: store.detailStart[Int(slot)])
        let event = d.text()!
        textBytes += (d.text() ?? event).count + d.text()!.count
      }
    }
    block.reserve(positions.count * perRow + textBytes)
    block.write { buffer in
      var line = LineWriter(buffer)
      var days = DayTexts()
      store.arena.withUnsafeBufferPointer { arena in
        for slot in slots[positions] { writeRow(slot, arena, widths: widths, colour: colour, days: &days, &line) }
      }
      return line.count
    }
  }

  private func writeRow(
    _ slot: Int32, _ arena: UnsafeBufferPointer<UInt8>, widths: [Int], colour: Bool, days: inout DayTexts, _ line: inout LineWriter
  ) {
    let summary = writeLeadingCells(slot, arena, widths: widths, colour: colour, days: &days, &line)
    Self.writeTimeCells(overdue: isOverdue(slot), age: ageDays(slot), widths: widths, colour: colour, &line)
    writeTrailingCells(slot, summary: summary, widths: widths, &line)
  }

  /// ITEM, STATE, PLEDGED and DUE, each followed by its padding and the two spaces
  /// between columns; the item's summary (the last cell's text).
  private func writeLeadingCells(
    _ slot: Int32, _ arena: UnsafeBufferPointer<UInt8>, widths: [Int], colour: Bool, days: inout DayTexts, _ line: inout LineWriter
  ) -> UnsafeBufferPointer<UInt8> {
    let s = Int(slot)
    var d = DetailReader(arena, at: store.detailStart[s])
    let event = d.text()!
    let item = d.text() ?? event
    let summary = d.text()!
    // ITEM
    line.bytes(item)
    line.spaces(widths[0] - Self.displayWidth(item) + 2)
    // STATE
    let state = stateText(slot)
    let style = colour ? StateRenderer.stateStyle(store.outcome(of: slot), overdue: isOverdue(slot)) : nil
    line.styled(style) { $0.text(state) }
    line.spaces(widths[1] - state.utf8.count + 2)
    // PLEDGED
    let pledged = days.writeInstant(store.pledgedMicros[s], isDate: store.dateFlags[s] & 1 != 0, to: &line)
    line.spaces(widths[2] - pledged + 2)
    // DUE
    let due = store.dueDay[s]
    if due == Int32.min {
      line.text("–")
      line.spaces(widths[3] - 1 + 2)
    } else {
      let length = days.writeInstant(Int64(due) * Timestamp.microsPerDay, isDate: true, to: &line)
      line.spaces(widths[3] - length + 2)
    }
    return summary
  }

  /// OVERDUE and AGE (on the right), each followed by the two spaces between columns:
  /// the cells that depend on the day the state is of.
  static func writeTimeCells(overdue: Bool, age: Int, widths: [Int], colour: Bool, _ line: inout LineWriter) {
    writeOverdueCell(overdue, widths: widths, colour: colour, &line)
    writeAgeCell(age, widths: widths, &line)
  }

  static func writeOverdueCell(_ overdue: Bool, widths: [Int], colour: Bool, _ line: inout LineWriter) {
    line.styled(colour && overdue ? .red : nil) { $0.text(overdue ? "yes" : "no") }
    line.spaces(widths[4] - (overdue ? 3 : 2) + 2)
  }

  /// AGE, on the right: `widths[5] + 2` bytes.
  static func writeAgeCell(_ age: Int, widths: [Int], _ line: inout LineWriter) {
    line.spaces(widths[5] - Self.digits(age) - 2)
    line.decimal(age)
    line.text(" d  ")
  }

  /// PAIRS, padded, and the summary cut to `StateRenderer.summaryWidth`, then the line's end.
  private func writeTrailingCells(_ slot: Int32, summary: UnsafeBufferPointer<UInt8>, widths: [Int], _ line: inout LineWriter) {
    let s = Int(slot)
    let (first, end) = (Int(store.pairStart[s]), Int(store.pairStart[s + 1]))
    for k in first..<end {
      if k > first { line.byte(UInt8(ascii: " ")) }
      withUnsafeBytes(of: CountryIndexing.pairBytes(store.pairs[k])) { line.bytes($0.assumingMemoryBound(to: UInt8.self)) }
    }
    line.spaces(widths[6] - (end == first ? 0 : 6 * (end - first) - 1) + 2)
    Self.writeTruncated(summary, to: &line)
    line.byte(UInt8(ascii: "\n"))
  }

  /// The rows of the items at `positions` without their time cells, for a snapshot's
  /// table of its open items (`OpenTablePart`): `body` gets each row's text, where its
  /// time cells go in it, and the slot.
  func rowsWithoutTimeCells(
    _ positions: Range<Int>, widths: [Int], _ body: (_ text: UnsafeBufferPointer<UInt8>, _ timeCellsAt: Int, _ slot: Int32) -> Void
  ) {
    let perRow = 2 * widths.reduce(0, +) + 2 * widths.count + 3 + 3 + 1
    var buffer = [UInt8](repeating: 0, count: perRow)
    var days = DayTexts()
    store.arena.withUnsafeBufferPointer { arena in
      for slot in slots[positions] {
        var d = DetailReader(arena, at: store.detailStart[Int(slot)])
        let event = d.text()!
        let needed = perRow + (d.text() ?? event).count + d.text()!.count
        if buffer.count < needed { buffer = [UInt8](repeating: 0, count: needed) }
        buffer.withUnsafeMutableBufferPointer { out in
          var line = LineWriter(out)
          let summary = writeLeadingCells(slot, arena, widths: widths, colour: false, days: &days, &line)
          let timeCellsAt = line.count
          writeTrailingCells(slot, summary: summary, widths: widths, &line)
          body(UnsafeBufferPointer(rebasing: out[..<line.count]), timeCellsAt, slot)
        }
      }
    }
  }

  /// The STATE cell's text.
  private func stateText(_ slot: Int32) -> String { store.outcome(of: slot)?.rawValue ?? "open" }

  /// `TextTable.displayWidth` of UTF-8 bytes, from their count when they are ASCII.
  private static func displayWidth(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    isPlainASCII(bytes, allowingCR: true) ? bytes.count : TextTable.displayWidth(String(decoding: bytes, as: UTF8.self))
  }

  /// Whether `bytes` are all ASCII (and, unless `allowingCR`, hold no carriage return,
  /// which could pair with a line feed into one character), eight at a time.
  static func isPlainASCII(_ bytes: UnsafeBufferPointer<UInt8>, allowingCR: Bool) -> Bool {
    let raw = UnsafeRawBufferPointer(bytes)
    let high: UInt64 = 0x8080_8080_8080_8080
    let ones: UInt64 = 0x0101_0101_0101_0101
    let carriageReturns: UInt64 = allowingCR ? 0 : 0x0D0D_0D0D_0D0D_0D0D
    var at = 0
    while at + 8 <= raw.count {
      let word = raw.loadUnaligned(fromByteOffset: at, as: UInt64.self)
      // A byte of the word equal to 0x0D is zero after the xor (the classic zero-byte test).
      let xored = word ^ carriageReturns
      let hasCR = !allowingCR && (xored &- ones) & ~xored & high != 0
      if word & high != 0 || hasCR { return false }
      at += 8
    }
    while at < raw.count {
      let byte = raw[at]
      if byte >= 0x80 || (!allowingCR && byte == 0x0D) { return false }
      at += 1
    }
    return true
  }

  /// `String.truncated(limit)` of a summary, from its bytes when it is ASCII (one
  /// character per byte; a carriage return could pair with a line feed).
  private static func writeTruncated(
    _ text: UnsafeBufferPointer<UInt8>, limit: Int = StateRenderer.summaryWidth, to line: inout LineWriter
  ) {
    guard isPlainASCII(text, allowingCR: false) else {
      return line.text(String(decoding: text, as: UTF8.self).truncated(limit))
    }
    if text.count <= limit { return line.bytes(text) }
    line.bytes(UnsafeBufferPointer(rebasing: text[..<(limit - 1)]))
    line.text("…")
  }

  static func digits(_ n: Int) -> Int {
    var (n, count) = (n, 1)
    while n >= 10 {
      n /= 10
      count += 1
    }
    return count
  }
}

/// Writes bytes through a pointer into a buffer the caller sized for everything written.
struct LineWriter {
  private let base: UnsafeMutablePointer<UInt8>
  private let capacity: Int
  private(set) var count = 0

  init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
    base = buffer.baseAddress!
    capacity = buffer.count
  }

  mutating func byte(_ b: UInt8) {
    precondition(count < capacity)
    base[count] = b
    count += 1
  }

  mutating func bytes(_ bytes: UnsafeBufferPointer<UInt8>) {
    precondition(count + bytes.count <= capacity)
    if let source = bytes.baseAddress { (base + count).update(from: source, count: bytes.count) }
    count += bytes.count
  }

  mutating func text(_ text: String) {
    var text = text
    text.withUTF8 { bytes($0) }
  }

  mutating func spaces(_ n: Int) {
    guard n > 0 else { return }
    precondition(count + n <= capacity)
    (base + count).update(repeating: UInt8(ascii: " "), count: n)
    count += n
  }

  mutating func decimal(_ n: Int) {
    var divisor = 1
    while divisor <= n / 10 { divisor *= 10 }
    var rest = n
    while divisor > 0 {
      byte(UInt8(ascii: "0") + UInt8(rest / divisor))
      rest %= divisor
      divisor /= 10
    }
  }

  /// A cell through `write`, in `style`'s escape codes when there is one.
  mutating func styled(_ style: TextStyle?, _ write: (inout LineWriter) -> Void) {
    guard let style else { return write(&self) }
    text("\u{1B}[\(style.code)m")
    write(&self)
    text("\u{1B}[0m")
  }
}

/// The text of the last days written, so that the dates of 155,000 rows (sorted by pledge
/// time, so often the same day as the row before) are mostly copied, not computed again.
private struct DayTexts {
  private var cached: [(day: Int, text: (UInt64, UInt16))] = Array(repeating: (Int.min, (0, 0)), count: 512)

  /// The length of `Timestamp.display` of an instant (a date, or UTC with `Z`).
  mutating func instantLength(_ micros: Int64, isDate: Bool) -> Int {
    let day = Int(floorDiv(micros, Timestamp.microsPerDay))
    guard dayText(day) != nil else { return Timestamp.withDisplayBytes(micros: micros, isDate: isDate) { $0.count } }
    if isDate { return 10 }
    var fraction = Int(micros - Int64(day) * Timestamp.microsPerDay) % 1_000_000
    guard fraction != 0 else { return 20 }
    var digits = 6
    while fraction % 10 == 0 {
      fraction /= 10
      digits -= 1
    }
    return 21 + digits
  }

  /// Writes `Timestamp.display` of an instant; its length.
  mutating func writeInstant(_ micros: Int64, isDate: Bool, to line: inout LineWriter) -> Int {
    let day = Int(floorDiv(micros, Timestamp.microsPerDay))
    guard var text = dayText(day) else {
      return Timestamp.withDisplayBytes(micros: micros, isDate: isDate) {
        line.bytes($0)
        return $0.count
      }
    }
    withUnsafeBytes(of: &text) { line.bytes(UnsafeBufferPointer(start: $0.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 10)) }
    guard !isDate else { return 10 }
    // THH:MM:SS, the fraction without its trailing zeros, Z (`Timestamp.formatUTC`).
    let within = micros - Int64(day) * Timestamp.microsPerDay
    let seconds = Int(within / 1_000_000)
    var fraction = Int(within % 1_000_000)
    func two(_ separator: Character, _ value: Int) {
      line.byte(separator.asciiValue!)
      line.byte(UInt8(ascii: "0") + UInt8(value / 10))
      line.byte(UInt8(ascii: "0") + UInt8(value % 10))
    }
    two("T", seconds / 3600)
    two(":", seconds / 60 % 60)
    two(":", seconds % 60)
    var length = 20
    if fraction != 0 {
      var digits = 6
      while fraction % 10 == 0 {
        fraction /= 10
        digits -= 1
      }
      line.byte(UInt8(ascii: "."))
      var divisor = 1
      for _ in 1..<digits { divisor *= 10 }
      while divisor > 0 {
        line.byte(UInt8(ascii: "0") + UInt8(fraction / divisor % 10))
        divisor /= 10
      }
      length += digits + 1
    }
    line.byte(UInt8(ascii: "Z"))
    return length
  }

  /// `YYYY-MM-DD` of a day as ten bytes, nil for a year outside 0000–9999.
  private mutating func dayText(_ day: Int) -> (UInt64, UInt16)? {
    let slot = day & (cached.count - 1)
    if cached[slot].day == day { return cached[slot].text }
    var text: (UInt64, UInt16) = (0, 0)
    let written = withUnsafeMutableBytes(of: &text) { raw in
      Timestamp.writeDay(day, into: UnsafeMutableBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: 10))
    }
    guard written == 10 else { return nil }
    cached[slot] = (day, text)
    return text
  }
}

/// A buffer of table rows, written by one thread and read by another in turn (never at
/// once: a `HandOff`, or `OpenTablePrinter`'s monitor, passes it between them), used
/// again for the next block.
final class RowBlock: @unchecked Sendable {
  private var storage = UnsafeMutableBufferPointer<UInt8>(start: nil, count: 0)
  private var count = 0
  /// What the writer of the rows keeps from one block to the next (for a stored table,
  /// its segment decoder), used by one thread at a time as the buffer is.
  var reusable: AnyObject?

  deinit { storage.deallocate() }

  /// Makes room for `capacity` bytes (what was written is dropped).
  func reserve(_ capacity: Int) {
    count = 0
    guard storage.count < capacity else { return }
    storage.deallocate()
    storage = .allocate(capacity: max(capacity, 2 * storage.count))
  }

  /// Lets `body` write into the buffer; it returns how many bytes it wrote.
  func write(_ body: (UnsafeMutableBufferPointer<UInt8>) -> Int) {
    count = body(storage)
  }

  func bytes(_ body: (UnsafeRawBufferPointer) -> Void) {
    body(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: storage[..<count])))
  }
}
