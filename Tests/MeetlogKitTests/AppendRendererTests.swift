import Testing

@testable import MeetlogKit

/// What `meetlog append` prints, in every format, byte for byte.
@Suite struct AppendRendererTests {
  let outcomes = [AppendOutcome(seq: 1, id: "m1", duplicate: false), AppendOutcome(seq: 12, id: "t-ž", duplicate: true)]

  func text(_ format: OutputFormat, colour: Bool = false) -> String {
    String(decoding: AppendRenderer.render(outcomes, format: format, colour: colour), as: UTF8.self)
  }

  @Test func tableAndMarkdown() {
    #expect(text(.table) == "SEQ  ID   STATUS\n  1  m1   appended\n 12  t-ž  duplicate\n")
    #expect(text(.markdown) == "| SEQ | ID | STATUS |\n|---:|---|---|\n| 1 | m1 | appended |\n| 12 | t-ž | duplicate |\n")
    // In colour: headers bold, the status green or yellow, as any `TextTable`.
    var table = TextTable(headers: ["SEQ", "ID", "STATUS"], rightAligned: [0])
    table.add(["1", "m1", "appended"], styles: [2: .green])
    table.add(["12", "t-ž", "duplicate"], styles: [2: .yellow])
    #expect(text(.table, colour: true) == table.renderText(colour: true))
    #expect(text(.table, colour: true).contains("\u{1B}[33mduplicate\u{1B}[0m"))
    // Seqs wider than their header, ids of wide characters.
    let more = [AppendOutcome(seq: 123_456, id: "日本-1", duplicate: false), AppendOutcome(seq: 7, id: "x", duplicate: true)]
    table.add(["123456", "日本-1", "appended"], styles: [2: .green])
    table.add(["7", "x", "duplicate"], styles: [2: .yellow])
    for colour in [false, true] {
      #expect(AppendRenderer.render(outcomes + more, format: .table, colour: colour) == Array(table.renderText(colour: colour).utf8))
    }
  }

  @Test func jsonAndNDJSON() {
    #expect(
      text(.json) == "[\n  {\"seq\":1,\"id\":\"m1\",\"status\":\"appended\"},\n  {\"seq\":12,\"id\":\"t-ž\",\"status\":\"duplicate\"}\n]\n")
    #expect(text(.ndjson) == "{\"seq\":1,\"id\":\"m1\",\"status\":\"appended\"}\n{\"seq\":12,\"id\":\"t-ž\",\"status\":\"duplicate\"}\n")
  }
}
