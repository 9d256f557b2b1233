/// Renders a `Report` as one self-contained HTML file: inline CSS and SVG, no script,
/// nothing loaded from the network, so it can be mailed, archived and opened offline.
public enum ReportHTML {
  public static func render(_ report: Report, overview: Bool) -> String {
    let state = report.state
    let title =
      overview ? "Relations overview" : report.pairs.first.map { pairTitle($0.relation) } ?? "No relation"
    var out = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>meetlog report: \(htmlEscape(title))</title>
      <style>\(style)</style>
      </head>
      <body>
      <header>
      <h1>\(htmlEscape(title))</h1>
      <p class="point">State \(htmlEscape(StateRenderer.describePoint(state))).</p>
      </header>

      """
    if overview { out += overviewSection(report) }
    if report.pairs.isEmpty {
      out += "<p class=\"empty\">No relation in the log at this point in time.</p>\n"
    }
    for pair in report.pairs { out += section(pair, pointDay: state.point.day, heading: overview) }
    out += """
      <footer>
      <p>Legend: <span class="key" style="color:#1f6feb">●</span> meeting <span class="key" style="color:#8250df">▲</span> pledge
      <span class="key" style="color:#1a7f37">▼</span> fulfilled <span class="key" style="color:#9a6700">▼</span> partially fulfilled
      <span class="key" style="color:#cf222e">▼</span> broken or withdrawn <span class="key" style="color:#6e7781">▼</span> superseded
      <span class="key" style="color:#bf3989">◆</span> thanks <span class="key" style="color:#57606a">|</span> statement.
      Hover a mark for its event.</p>
      <p>Score: each act's weight (CAMEO 1.1b3 Goldstein values, docs/scoring.md) decayed with a half-life of 365 days
      towards the day shown. Written by meetlog.</p>
      </footer>
      </body>
      </html>

      """
    return out
  }

  static func pairTitle(_ r: RelationState) -> String {
    "\(CountryTable.name(r.countries[0])) – \(CountryTable.name(r.countries[1])) (\(r.pair))"
  }

  static func overviewSection(_ report: Report) -> String {
    var out = "<section><h2>All pairs</h2>\n<table><thead><tr><th>Pair</th><th>Countries</th><th class=\"n\">Score</th>"
    out +=
      "<th class=\"n\">Meetings</th><th class=\"n\">Open items</th><th class=\"n\">Overdue</th><th>Last event</th></tr></thead><tbody>\n"
    for pair in report.pairs {
      let r = pair.relation
      out += "<tr><td><a href=\"#pair-\(r.pair)\">\(r.pair)</a></td>"
      out += "<td>\(htmlEscape(CountryTable.name(r.countries[0]) + " – " + CountryTable.name(r.countries[1])))</td>"
      out += "<td class=\"n \(r.score < 0 ? "neg" : "pos")\">\(formatDecimal2(r.score))</td><td class=\"n\">\(r.meetingCount)</td>"
      out += "<td class=\"n\">\(r.itemCounts.open)</td><td class=\"n\">\(r.itemCounts.overdue)</td>"
      out += "<td>\(htmlEscape(r.lastEventAt?.display ?? "–"))</td></tr>\n"
    }
    return out + "</tbody></table></section>\n"
  }

  static func section(_ pair: PairReport, pointDay: Int, heading: Bool) -> String {
    let r = pair.relation
    var out = "<section class=\"pair\" id=\"pair-\(r.pair)\">\n"
    if heading { out += "<h2>\(htmlEscape(pairTitle(r)))</h2>\n" }
    let closed = r.itemCounts.byOutcome.values.reduce(0, +)
    let thanks = r.thanks.keys.sorted().map { "\($0) \(r.thanks[$0]!)" }.joined(separator: ", ")
    let lastMeeting = r.lastMeeting.map { $0.display + (r.lastPlace.map { ", \($0)" } ?? "") } ?? "–"
    let cards: [(String, String)] = [
      ("Score", formatDecimal2(r.score)), ("Meetings", String(r.meetingCount)), ("Last meeting", lastMeeting),
      ("Statements", String(r.statements)), ("Open items", String(r.itemCounts.open)), ("Overdue", String(r.itemCounts.overdue)),
      ("Closed items", String(closed)), ("Thanks", thanks),
    ]
    out += "<div class=\"cards\">"
    for (name, value) in cards {
      out += "<div class=\"card\"><div class=\"k\">\(name)</div><div class=\"v\">\(htmlEscape(value))</div></div>"
    }
    out += "</div>\n"
    out += "<h3>Timeline</h3>\n" + ReportCharts.timeline(pair, pointDay: pointDay) + "\n"
    out += "<h3>Cooperation score</h3>\n" + ReportCharts.scoreCurve(pair, pointDay: pointDay) + "\n"
    let open = pair.items.filter { $0.outcome == nil }
    out += "<h3>Open items (\(open.count))</h3>\n"
    out += open.isEmpty ? "<p class=\"empty\">None.</p>\n" : itemsTable(open, closed: false)
    let done = pair.items.filter { $0.outcome != nil }
    if !done.isEmpty { out += "<h3>Closed items (\(done.count))</h3>\n" + itemsTable(done, closed: true) }
    return out + "</section>\n"
  }

  static func itemsTable(_ items: [ItemState], closed: Bool) -> String {
    var out = "<table class=\"items\"><thead><tr><th>Item</th><th>Summary</th><th>Who → towards</th><th>Pledged</th>"
    out += closed ? "<th>Outcome</th><th>Resolved</th>" : "<th>Due</th><th class=\"n\">Age</th>"
    out += "</tr></thead><tbody>\n"
    for i in items {
      let who = i.parties.joined(separator: ", ") + (i.with.isEmpty ? "" : " → " + i.with.joined(separator: ", "))
      out += "<tr\(i.overdue ? " class=\"overdue\"" : "")><td>\(htmlEscape(i.item))</td><td>\(htmlEscape(i.summary))</td>"
      out += "<td>\(htmlEscape(who))</td><td class=\"d\">\(htmlEscape(i.pledgedAt.display))</td>"
      if closed {
        out +=
          "<td>\(htmlEscape(i.stateName.replacingAll("_", with: " ")))</td><td class=\"d\">\(htmlEscape(i.resolvedAt?.display ?? "–"))</td>"
      } else {
        let due = (i.due?.text ?? "–") + (i.overdue ? " (overdue)" : "")
        out += "<td class=\"d\">\(htmlEscape(due))</td><td class=\"n d\">\(i.ageDays) d</td>"
      }
      out += "</tr>\n"
    }
    return out + "</tbody></table>\n"
  }

  static let style = """
    body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#1f2328;margin:24px auto;max-width:1000px;padding:0 16px;background:#fff}\
    h1{font-size:26px;margin:0 0 4px}h2{font-size:21px;margin:32px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}\
    h3{font-size:16px;margin:22px 0 6px}.point{color:#57606a;margin:0}\
    .cards{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}.card{border:1px solid #d0d7de;border-radius:6px;padding:6px 12px;min-width:100px}\
    .card .k{font-size:12px;color:#57606a;text-transform:uppercase;letter-spacing:.04em}.card .v{font-size:18px;font-weight:600}\
    svg{width:100%;height:auto;display:block}svg text{font-size:12px;fill:#57606a}svg .lane{font-size:13px;fill:#1f2328}\
    table{border-collapse:collapse;width:100%;font-size:14px}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eaeef2;vertical-align:top}\
    th{background:#f6f8fa}td.d{white-space:nowrap}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}tr.overdue td{background:#fff1e5}\
    .neg{color:#cf222e}.pos{color:#1a7f37}.empty{color:#57606a}footer{margin-top:36px;color:#57606a;font-size:13px}.key{font-size:15px}
    """
}
