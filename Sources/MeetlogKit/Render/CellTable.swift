/// Table cells as UTF-8 bytes in one arena, each with its display width, laid out as
/// aligned lines: how `TextTable` renders, without a String per cell.
struct CellTable {
  let rightAligned: Set<Int>
  private var bytes: [UInt8] = []
  /// Cell k is `bytes[cellEnds[k - 1]..<cellEnds[k]]` (from 0 for the first).
  private var cellEnds: [Int] = []
  private var cellWidths: [Int] = []
  /// The first cell of each row.
  private var rowStarts: [Int] = []
  /// The style of each cell, if any.
  private var styles: [TextStyle?] = []

  init(rightAligned: Set<Int>) {
    self.rightAligned = rightAligned
  }

  var rowCount: Int { rowStarts.count }

  /// Starts a row; the cells added next belong to it.
  mutating func newRow() {
    rowStarts.append(cellEnds.count)
  }

  /// Adds a cell whose bytes `write` appends and returns their display width, or nil
  /// for the cell to measure them (`TextTable.displayWidth`).
  mutating func addCell(style: TextStyle? = nil, _ write: (inout [UInt8]) -> Int?) {
    let start = bytes.count
    let known = write(&bytes)
    styles.append(style)
    cellEnds.append(bytes.count)
    if let known {
      cellWidths.append(known)
    } else if bytes[start...].allSatisfy({ $0 < 0x80 }) {
      cellWidths.append(bytes.count - start)
    } else {
      cellWidths.append(TextTable.displayWidth(String(decoding: bytes[start...], as: UTF8.self)))
    }
  }

  mutating func addCell(_ text: String, style: TextStyle? = nil) {
    addCell(style: style) { (out) -> Int? in
      out += text.utf8
      return nil
    }
  }

  private func cells(ofRow row: Int) -> Range<Int> {
    rowStarts[row]..<(row + 1 < rowStarts.count ? rowStarts[row + 1] : cellEnds.count)
  }

  /// The rows as aligned lines: columns two spaces apart, padded to their widest cell
  /// (right-aligned ones on the left), the last column unpadded; with `colour`, styled
  /// cells wrapped in their escape codes (which never change widths).
  func render(colour: Bool) -> [UInt8] {
    var widths: [Int] = []
    for row in 0..<rowCount {
      for (i, cell) in cells(ofRow: row).enumerated() {
        if i == widths.count { widths.append(0) }
        widths[i] = max(widths[i], cellWidths[cell])
      }
    }
    let right = widths.indices.map { rightAligned.contains($0) }
    var out: [UInt8] = []
    out.reserveCapacity((widths.reduce(0, +) + 2 * widths.count + 1) * rowCount)
    func spaces(_ n: Int) {
      for _ in 0..<max(0, n) { out.append(UInt8(ascii: " ")) }
    }
    bytes.withUnsafeBufferPointer { all in
      for row in 0..<rowCount {
        let range = cells(ofRow: row)
        for (i, cell) in range.enumerated() {
          if i > 0 { spaces(2) }
          let padding = widths[i] - cellWidths[cell]
          if right[i] { spaces(padding) }
          let text = UnsafeBufferPointer(rebasing: all[(cell == 0 ? 0 : cellEnds[cell - 1])..<cellEnds[cell]])
          if colour, let style = styles[cell] {
            out += style.apply(String(decoding: text, as: UTF8.self), colour: true).utf8
          } else {
            out.append(contentsOf: text)
          }
          if !right[i] && i != range.count - 1 { spaces(padding) }
        }
        out.append(UInt8(ascii: "\n"))
      }
    }
    return out
  }
}
