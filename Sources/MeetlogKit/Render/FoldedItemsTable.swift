/// `state`'s items table written straight from the fold: the lines `TextTable` lays out
/// for the same items (columns two spaces apart, padded to their widest cell, AGE on
/// the right, the summary last and unpadded), byte for byte, colours included.
///
/// A million-event log lists 155,000 open items (29 MB of table). A cell arena per table
/// (`CellTable`) made and laid out every cell: about 100 ms of CPU and three times the
/// table's size in memory. Here one pass measures the columns and a second writes the
/// lines, each half of a long list on its own thread.
extension FoldedItems {
  /// Appends the table's lines, header first, to `out`; a list of `splitAt` items or
  /// more is written in two halves at once, and the second half is returned to be
  /// written after `out` (joining them would copy half the table again).
  func writeTable(colour: Bool, splitAt: Int = 4_000, into out: inout [UInt8]) -> [UInt8]? {
    let widths = columnWidths()
    writeHeader(widths: widths, colour: colour, into: &out)
    let rowBytes = widths.reduce(0, +) + 2 * widths.count + StateRenderer.summaryWidth
    guard count >= max(2, splitAt) else {
      out.reserveCapacity(out.count + count * rowBytes)
      writeRows(0..<count, widths: widths, colour: colour, into: &out)
      return nil
    }
    let half = count / 2
    let (_, second) = concurrently(
      {
        out.reserveCapacity(out.count + half * rowBytes)
        writeRows(0..<half, widths: widths, colour: colour, into: &out)
      },
      { [self] in
        var rest: [UInt8] = []
        rest.reserveCapacity((count - half) * rowBytes)
        writeRows(half..<count, widths: widths, colour: colour, into: &rest)
        return rest
      })
    return second
  }

  /// The display width of every column but the last (which is never padded), headers
  /// included.
  private func columnWidths() -> [Int] {
    var widths = StateRenderer.itemHeaders.dropLast().map(\.utf8.count)
    store.arena.withUnsafeBufferPointer { arena in
      for slot in slots {
        let s = Int(slot)
        widths[0] = max(widths[0], Self.displayWidth(DetailReader(arena, at: store.detailStart[s]).itemId))
        widths[1] = max(widths[1], stateText(slot).utf8.count)
        let pledged = Timestamp.withDisplayBytes(micros: store.pledgedMicros[s], isDate: store.dateFlags[s] & 1 != 0) { $0.count }
        widths[2] = max(widths[2], pledged)
        widths[3] = max(widths[3], store.dueDay[s] == Int32.min ? 1 : 10)
        widths[4] = max(widths[4], isOverdue(slot) ? 3 : 2)
        widths[5] = max(widths[5], Self.digits(ageDays(slot)) + 2)
        let pairs = Int(store.pairStart[s + 1] - store.pairStart[s])
        widths[6] = max(widths[6], pairs == 0 ? 0 : 6 * pairs - 1)
      }
    }
    return widths
  }

  private func writeHeader(widths: [Int], colour: Bool, into out: inout [UInt8]) {
    let headers = StateRenderer.itemHeaders
    for (i, header) in headers.enumerated() {
      if i > 0 { Self.spaces(2, &out) }
      let padding = i < widths.count ? widths[i] - header.utf8.count : 0
      if StateRenderer.itemRightAligned.contains(i) { Self.spaces(padding, &out) }
      Self.styled(colour ? .bold : nil, &out) { $0 += header.utf8 }
      if !StateRenderer.itemRightAligned.contains(i) && i < widths.count { Self.spaces(padding, &out) }
    }
    out.append(UInt8(ascii: "\n"))
  }

  private func writeRows(_ positions: Range<Int>, widths: [Int], colour: Bool, into out: inout [UInt8]) {
    store.arena.withUnsafeBufferPointer { arena in
      for slot in slots[positions] {
        let s = Int(slot)
        var d = DetailReader(arena, at: store.detailStart[s])
        let event = d.text()!
        let item = d.text() ?? event
        let summary = d.text()!
        let overdue = isOverdue(slot)
        // ITEM
        out.append(contentsOf: item)
        Self.spaces(widths[0] - Self.displayWidth(item) + 2, &out)
        // STATE
        let state = stateText(slot)
        Self.styled(colour ? StateRenderer.stateStyle(store.outcome(of: slot), overdue: overdue) : nil, &out) { $0 += state.utf8 }
        Self.spaces(widths[1] - state.utf8.count + 2, &out)
        // PLEDGED
        let pledged = Timestamp.withDisplayBytes(micros: store.pledgedMicros[s], isDate: store.dateFlags[s] & 1 != 0) {
          out.append(contentsOf: $0)
          return $0.count
        }
        Self.spaces(widths[2] - pledged + 2, &out)
        // DUE
        let due = store.dueDay[s]
        if due == Int32.min {
          out += "–".utf8
          Self.spaces(widths[3] - 1 + 2, &out)
        } else {
          Timestamp.withDisplayBytes(micros: Int64(due) * Timestamp.microsPerDay, isDate: true) { out.append(contentsOf: $0) }
          Self.spaces(widths[3] - 10 + 2, &out)
        }
        // OVERDUE
        Self.styled(colour && overdue ? .red : nil, &out) { $0 += (overdue ? "yes" : "no").utf8 }
        Self.spaces(widths[4] - (overdue ? 3 : 2) + 2, &out)
        // AGE, on the right
        let age = ageDays(slot)
        Self.spaces(widths[5] - Self.digits(age) - 2, &out)
        Self.appendDecimal(age, &out)
        out += " d  ".utf8
        // PAIRS
        let pairs = store.pairs(of: slot)
        for (k, pair) in pairs.enumerated() {
          if k > 0 { out.append(UInt8(ascii: " ")) }
          withUnsafeBytes(of: CountryIndexing.pairBytes(pair)) { out.append(contentsOf: $0) }
        }
        Self.spaces(widths[6] - (pairs.isEmpty ? 0 : 6 * pairs.count - 1) + 2, &out)
        // SUMMARY
        Self.appendTruncated(summary, to: &out)
        out.append(UInt8(ascii: "\n"))
      }
    }
  }

  /// The STATE cell's text.
  private func stateText(_ slot: Int32) -> String { store.outcome(of: slot)?.rawValue ?? "open" }

  /// `TextTable.displayWidth` of UTF-8 bytes, from their count when they are ASCII.
  private static func displayWidth(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
    bytes.allSatisfy { $0 < 0x80 } ? bytes.count : TextTable.displayWidth(String(decoding: bytes, as: UTF8.self))
  }

  /// `String.truncated(limit)` of a summary, from its bytes when it is ASCII (one
  /// character per byte; a carriage return could pair with a line feed).
  private static func appendTruncated(_ text: UnsafeBufferPointer<UInt8>, limit: Int = StateRenderer.summaryWidth, to out: inout [UInt8]) {
    guard text.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) else {
      out += String(decoding: text, as: UTF8.self).truncated(limit).utf8
      return
    }
    if text.count <= limit { return out.append(contentsOf: text) }
    out.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<(limit - 1)]))
    out += "…".utf8
  }

  /// Writes a cell through `write`, in `style`'s escape codes when there is one.
  private static func styled(_ style: TextStyle?, _ out: inout [UInt8], _ write: (inout [UInt8]) -> Void) {
    guard let style else { return write(&out) }
    out += "\u{1B}[\(style.code)m".utf8
    write(&out)
    out += "\u{1B}[0m".utf8
  }

  private static func spaces(_ n: Int, _ out: inout [UInt8]) {
    if n > 0 { out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: n)) }
  }

  private static func digits(_ n: Int) -> Int {
    var (n, count) = (n, 1)
    while n >= 10 {
      n /= 10
      count += 1
    }
    return count
  }

  private static func appendDecimal(_ n: Int, _ out: inout [UInt8]) {
    var divisor = 1
    while divisor <= n / 10 { divisor *= 10 }
    var rest = n
    while divisor > 0 {
      out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
      rest %= divisor
      divisor /= 10
    }
  }
}
