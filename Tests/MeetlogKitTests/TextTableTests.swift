import Testing

@testable import MeetlogKit

@Suite struct TextTableTests {
  @Test func widthCountsGraphemesAndWideCharacters() {
    #expect(TextTable.displayWidth("Nešić") == 5)
    #expect(TextTable.displayWidth("Nes\u{30C}ic\u{301}") == 5)  // decomposed: combining marks take no column
    #expect(TextTable.displayWidth("北京") == 4)
    #expect(TextTable.displayWidth("Božinović") == 9)
  }

  @Test func columnsAlignWhateverTheScript() {
    var table = TextTable(headers: ["NAME", "N"], rightAligned: [1])
    table.add(["Nes\u{30C}ic\u{301}", "1"])
    table.add(["北京", "22"])
    table.add(["Bozinovic", "333"])
    let lines = table.renderText().split(separator: "\n").map(String.init)
    #expect(Set(lines.map(TextTable.displayWidth)).count == 1)
  }

  @Test func markdownEscapesPipes() {
    var table = TextTable(headers: ["A"])
    table.add(["x | y"])
    #expect(table.renderMarkdown().contains("x \\| y"))
  }
}

/// The items table's ASCII test, eight bytes at a time: a byte of 0x80 or more, or a
/// carriage return where none is allowed, anywhere (in a whole word or the tail).
@Suite struct PlainASCIITests {
  @Test func everyPositionAndByte() {
    for length in 0..<20 {
      for position in 0..<max(length, 1) {
        for byte: UInt8 in [0x0D, 0x80, 0xC5, 0xFF, 0x41, 0x0C, 0x1D] {
          var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
          if length > 0 { bytes[position] = byte }
          for allowingCR in [false, true] {
            let expected = bytes.allSatisfy { $0 < 0x80 && (allowingCR || $0 != 0x0D) }
            let found = bytes.withUnsafeBufferPointer { FoldedItems.isPlainASCII($0, allowingCR: allowingCR) }
            #expect(found == expected, "\(bytes) \(allowingCR)")
          }
        }
      }
    }
  }
}

@Suite struct ProgressLineTests {
  @Test func describesCountRateAndTimeLeft() {
    #expect(ProgressLine.grouped(1_234_567) == "1,234,567")
    #expect(ProgressLine.grouped(999) == "999")
    #expect(
      ProgressLine.describe(label: "appending", unit: "events", done: 25_000, total: 100_000, elapsed: 0.5)
        == "appending 25,000/100,000 events (25%), 50,000 events/s, 2 s left")
    #expect(ProgressLine.duration(125) == "2 min 5 s")
    #expect(ProgressLine.duration(3700) == "1 h 1 min")
  }

  @Test func styledCellsKeepTheirColumns() {
    var t = TextTable(headers: ["A", "B"])
    t.add(["Nešić", "x"], styles: [0: .red])
    t.add(["ab", "y"])
    let coloured = t.renderText(colour: true)
    #expect(coloured.contains("\u{1B}[31mNešić\u{1B}[0m  x"))
    #expect(coloured.contains("ab     y"))
    #expect(t.renderText() == "A      B\nNešić  x\nab     y\n")
  }
}
