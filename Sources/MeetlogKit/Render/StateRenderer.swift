/// Which parts of the state `meetlog state` prints.
public enum StateSection: String, Sendable, CaseIterable {
  case all, relations, items
}

/// Prints a `ProjectedState` in each output format. The JSON follows the SPEC's
/// contract key for key (`docs/json.md`).
public enum StateRenderer {
  /// `colour` styles the table form (scores, overdue items, outcomes) for a terminal.
  public static func render(
    _ state: ProjectedState, section: StateSection, allItems: Bool, format: OutputFormat, colour: Bool = false
  ) -> String {
    let items = allItems ? state.items : state.items.filter { $0.outcome == nil }
    switch format {
    case .json:
      var w = JSONWriter(indent: 2)
      w.reserve(state.relations.count * 900 + (section == .relations ? 0 : items.count * 700))
      w.beginObject()
      if section == .all {
        w.key("point")
        writePoint(state, &w)
      }
      if section != .items {
        w.key("relations")
        w.beginArray()
        for r in state.relations { writeRelation(r, &w) }
        w.endArray()
      }
      if section != .relations {
        w.key("items")
        w.beginArray()
        for i in items { writeItem(i, &w) }
        w.endArray()
      }
      w.endObject()
      w.endLine()
      return w.string
    case .ndjson:
      var out = ""
      if section != .items {
        for r in state.relations {
          var w = JSONWriter()
          writeRelation(r, &w)
          out += w.string + "\n"
        }
      }
      if section != .relations {
        for i in items {
          var w = JSONWriter()
          writeItem(i, &w)
          out += w.string + "\n"
        }
      }
      return out
    case .table, .markdown:
      let markdown = format == .markdown
      var out = ""
      out += (markdown ? "**State** " : "State ") + describePoint(state) + "\n\n"
      if section != .items {
        out += markdown ? "### Relations\n\n" : "Relations\n"
        let table = relationsTable(state.relations)
        out += state.relations.isEmpty ? "(none)\n" : (markdown ? table.renderMarkdown() : table.renderText(colour: colour))
        out += "\n"
      }
      if section != .relations {
        out += markdown ? "### \(allItems ? "Items" : "Open items")\n\n" : (allItems ? "Items\n" : "Open items\n")
        let table = itemsTable(items)
        out += items.isEmpty ? "(none)\n" : (markdown ? table.renderMarkdown() : table.renderText(colour: colour))
      }
      return out
    }
  }

  static func describePoint(_ state: ProjectedState) -> String {
    var parts: [String] = []
    parts.append("as of " + (state.point.asOf?.display ?? "now (\(Timestamp.formatDay(state.point.day)))"))
    if let k = state.point.knownAt { parts.append("known at \(k.display)") }
    if let s = state.point.atSeq { parts.append("at seq \(s)") }
    parts.append("log up to seq \(state.seq)")
    return parts.joined(separator: ", ")
  }

  static func writePoint(_ state: ProjectedState, _ w: inout JSONWriter) {
    w.beginObject()
    w.field("as_of", state.point.asOf?.display)
    w.field("known_at", state.point.knownAt?.display)
    w.key("at_seq")
    if let s = state.point.atSeq { w.int(s) } else { w.null() }
    w.key("seq")
    w.int(state.seq)
    w.field("day", Timestamp.formatDay(state.point.day))
    w.endObject()
  }

  public static func writeRelation(_ r: RelationState, _ w: inout JSONWriter) {
    w.beginObject()
    w.field("pair", r.pair)
    w.field("countries", strings: r.countries)
    w.key("meetings")
    w.beginObject()
    w.field("count", r.meetingCount)
    w.field("first", r.firstMeeting?.display)
    w.field("last", r.lastMeeting?.display)
    w.field("last_place", r.lastPlace)
    w.endObject()
    w.field("statements", r.statements)
    w.key("items")
    w.beginObject()
    w.field("open", r.itemCounts.open)
    w.field("overdue", r.itemCounts.overdue)
    for outcome in Outcome.allCases { w.field(outcome.rawValue, r.itemCounts.byOutcome[outcome] ?? 0) }
    w.endObject()
    w.key("thanks")
    w.beginObject()
    for key in r.thanks.keys.sorted() { w.field(key, r.thanks[key]!) }
    w.endObject()
    w.key("topics")
    w.beginObject()
    for key in r.topics.keys.sorted() { w.field(key, r.topics[key]!) }
    w.endObject()
    w.field("last_event_at", r.lastEventAt?.display)
    w.key("score")
    w.decimal2(r.score)
    w.endObject()
  }

  public static func writeItem(_ i: ItemState, _ w: inout JSONWriter) {
    w.beginObject()
    w.field("item", i.item)
    w.field("summary", i.summary)
    w.field("parties", strings: i.parties)
    w.field("with", strings: i.with)
    w.field("pairs", strings: i.pairs)
    w.field("pledged_at", i.pledgedAt.display)
    w.field("due", i.due?.text)
    w.field("state", i.stateName)
    w.field("overdue", i.overdue)
    w.field("age_days", i.ageDays)
    w.field("meeting", i.meeting)
    w.field("resolved_at", i.resolvedAt?.display)
    w.key("by")
    if let by = i.by { CanonicalEncoding.write(by, into: &w) } else { w.null() }
    w.field("pledge_event", i.pledgeEvent)
    w.endObject()
  }

  static func relationsTable(_ relations: [RelationState]) -> TextTable {
    var t = TextTable(
      headers: ["PAIR", "MEETINGS", "LAST MEETING", "PLACE", "STATEMENTS", "OPEN", "OVERDUE", "CLOSED", "THANKS", "SCORE", "LAST EVENT"],
      rightAligned: [1, 4, 5, 6, 7, 9])
    for r in relations {
      let closed = r.itemCounts.byOutcome.values.reduce(0, +)
      let thanks = r.thanks.keys.sorted().map { "\($0) \(r.thanks[$0]!)" }.joined(separator: ", ")
      var styles: [Int: TextStyle] = [:]
      if r.itemCounts.overdue > 0 { styles[6] = .red }
      if r.score > 0 { styles[9] = .green } else if r.score < 0 { styles[9] = .red }
      t.add(
        [
          r.pair, String(r.meetingCount), r.lastMeeting?.display ?? "–", r.lastPlace ?? "–", String(r.statements),
          String(r.itemCounts.open), String(r.itemCounts.overdue), String(closed), thanks, formatDecimal2(r.score),
          r.lastEventAt?.display ?? "–",
        ], styles: styles)
    }
    return t
  }

  static func itemsTable(_ items: [ItemState]) -> TextTable {
    var t = TextTable(headers: ["ITEM", "STATE", "PLEDGED", "DUE", "OVERDUE", "AGE", "PAIRS", "SUMMARY"], rightAligned: [5])
    for i in items {
      var styles: [Int: TextStyle] = [:]
      if i.overdue { styles[4] = .red }
      switch i.outcome {
      case .fulfilled: styles[1] = .green
      case .partiallyFulfilled: styles[1] = .yellow
      case .broken, .withdrawn: styles[1] = .red
      case .superseded: styles[1] = .dim
      case nil: if i.overdue { styles[1] = .red }
      }
      t.add(
        [
          i.item, i.stateName, i.pledgedAt.display, i.due?.text ?? "–", i.overdue ? "yes" : "no", "\(i.ageDays) d",
          i.pairs.joined(separator: " "), i.summary.truncated(70),
        ], styles: styles)
    }
    return t
  }
}
