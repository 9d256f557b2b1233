/// What `meetlog append` prints: one line per input event with its seq, id and whether
/// it was appended or already there. A batch of a hundred thousand events prints as
/// many lines, so the table and JSON are written as bytes without a String per cell
/// (building a `TextTable` of 100,000 rows took about 0.25 s of a 5 s append).
public enum AppendRenderer {
  public static func render(_ outcomes: [AppendOutcome], format: OutputFormat, colour: Bool) -> [UInt8] {
    switch format {
    case .json, .ndjson: json(outcomes, lines: format == .ndjson)
    case .markdown: Array(table(outcomes).renderMarkdown().utf8)
    case .table: cells(outcomes).render(colour: colour)
    }
  }

  private static func status(_ outcome: AppendOutcome) -> String { outcome.duplicate ? "duplicate" : "appended" }

  /// A JSON array with one object per line, or NDJSON.
  private static func json(_ outcomes: [AppendOutcome], lines: Bool) -> [UInt8] {
    var w = JSONWriter()
    w.reserve(outcomes.count * 80)
    if !lines { w.raw("[\n") }
    for (i, o) in outcomes.enumerated() {
      if !lines { w.raw("  ") }
      w.beginObject()
      w.key("seq")
      w.int(o.seq)
      w.field("id", o.id)
      w.field("status", status(o))
      w.endObject()
      if !lines && i < outcomes.count - 1 { w.raw(",") }
      w.endLine()
    }
    if !lines { w.raw("]\n") }
    return w.bytes
  }

  private static func table(_ outcomes: [AppendOutcome]) -> TextTable {
    var table = TextTable(headers: headers, rightAligned: [0])
    for o in outcomes { table.add([String(o.seq), o.id, status(o)]) }
    return table
  }

  private static let headers = ["SEQ", "ID", "STATUS"]

  private static func cells(_ outcomes: [AppendOutcome]) -> CellTable {
    var table = CellTable(rightAligned: [0])
    table.newRow()
    for header in headers { table.addCell(header, style: .bold) }
    for o in outcomes {
      table.newRow()
      table.addCell { (out) -> Int? in
        let start = out.count
        out += String(o.seq).utf8
        return out.count - start
      }
      table.addCell(o.id)
      table.addCell(status(o), style: o.duplicate ? .yellow : .green)
    }
    return table
  }
}
