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
