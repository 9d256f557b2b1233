/// A table of text cells rendered aligned for a terminal, or as a Markdown table.
///
/// Widths count terminal columns: a grapheme cluster is one column (so combining
/// marks in Nešić or Božinović do not shift the columns), East Asian wide characters two.
/// With colour, headers are bold and styled cells coloured; styles never change widths.
public struct TextTable: Sendable {
  public var headers: [String]
  public var rows: [[String]] = []
  /// Per row, the style of each styled cell (by column).
  public var styles: [[Int: TextStyle]] = []
  /// Columns whose cells align to the right (numbers).
  public var rightAligned: Set<Int> = []

  public init(headers: [String], rightAligned: Set<Int> = []) {
    self.headers = headers
    self.rightAligned = rightAligned
  }

  public mutating func add(_ row: [String], styles: [Int: TextStyle] = [:]) {
    rows.append(row)
    self.styles.append(styles)
  }

  public static func displayWidth(_ text: String) -> Int {
    if text.utf8.allSatisfy({ $0 < 0x80 }) { return text.utf8.count }
    var width = 0
    for character in text {
      let scalar = character.unicodeScalars.first!.value
      let wide =
        (0x1100...0x115F).contains(scalar) || (0x2E80...0xA4CF).contains(scalar) || (0xAC00...0xD7A3).contains(scalar)
        || (0xF900...0xFAFF).contains(scalar) || (0xFE30...0xFE4F).contains(scalar) || (0xFF00...0xFF60).contains(scalar)
        || (0xFFE0...0xFFE6).contains(scalar) || (0x1F300...0x1FAFF).contains(scalar) || (0x20000...0x3FFFD).contains(scalar)
      width += wide ? 2 : 1
    }
    return width
  }

  /// The table as aligned lines. Written into one byte buffer: `state` prints tables
  /// of a hundred thousand items, where a string per padded cell cost seconds.
  public func renderText(colour: Bool = false) -> String {
    String(decoding: renderTextBytes(colour: colour), as: UTF8.self)
  }

  /// `renderText` as UTF-8 bytes, for a caller that writes them out.
  public func renderTextBytes(colour: Bool = false) -> [UInt8] {
    var table = CellTable(rightAligned: rightAligned)
    table.newRow()
    for header in headers { table.addCell(header, style: .bold) }
    for (index, row) in rows.enumerated() {
      table.newRow()
      for (column, cell) in row.enumerated() { table.addCell(cell, style: index < styles.count ? styles[index][column] : nil) }
    }
    return table.render(colour: colour)
  }

  public func renderMarkdown() -> String {
    func escape(_ s: String) -> String {
      s.replacingAll("|", with: "\\|").replacingAll("\n", with: " ")
    }
    var out = "| " + headers.map(escape).joined(separator: " | ") + " |\n"
    out += "|" + headers.indices.map { rightAligned.contains($0) ? "---:|" : "---|" }.joined() + "\n"
    for row in rows { out += "| " + row.map(escape).joined(separator: " | ") + " |\n" }
    return out
  }
}

extension String {
  /// Replaces every occurrence of `target` (Foundation-free).
  func replacingAll(_ target: String, with replacement: String) -> String {
    guard !target.isEmpty, contains(target) else { return self }
    return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
  }

  /// The text cut to `limit` characters with an ellipsis.
  public func truncated(_ limit: Int) -> String {
    count <= limit ? self : String(prefix(limit - 1)) + "…"
  }
}
