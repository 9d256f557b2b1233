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
    String(decoding: renderBytes(state, section: section, allItems: allItems, format: format, colour: colour), as: UTF8.self)
  }

  /// `render` as UTF-8 bytes: what `meetlog state` writes (a million-event state is tens
  /// of megabytes, which a String would copy and validate twice more). With `folded`
  /// (`StateQuery.runFolded`), the items printed are those, not `state.items` (the open
  /// ones only, unless `allItems`).
  public static func renderBytes(
    _ state: ProjectedState, items folded: FoldedItems? = nil, section: StateSection, allItems: Bool, format: OutputFormat,
    colour: Bool = false
  ) -> [UInt8] {
    renderBytes(state, items: folded, section: section, allItems: allItems, format: format, colour: colour, splitAt: 2_000)
  }

  /// `renderBytes`, writing the JSON items and the items table in two halves at once from
  /// `splitAt` items on.
  static func renderBytes(
    _ state: ProjectedState, items folded: FoldedItems?, section: StateSection, allItems: Bool, format: OutputFormat,
    colour: Bool, splitAt: Int
  ) -> [UInt8] {
    var out: [UInt8] = []
    render(state, items: folded, section: section, allItems: allItems, format: format, colour: colour, splitAt: splitAt) {
      out.append(contentsOf: $0)
    }
    return out
  }

  /// What `renderBytes` prints, passed to `write` in pieces, in order: an items table
  /// written from the fold comes in blocks of rows, written on two threads in turn into
  /// buffers used again (`FoldedItems.streamTable`), so that a million-event table is
  /// never 29 MB of fresh memory at once.
  public static func render(
    _ state: ProjectedState, items folded: FoldedItems? = nil, section: StateSection, allItems: Bool, format: OutputFormat,
    colour: Bool = false, splitAt: Int = 2_000, to write: (UnsafeRawBufferPointer) -> Void
  ) {
    if format == .table, section != .relations, let listed = allItems ? folded : folded?.onlyOpen(), listed.count > 0 {
      let head = renderBytes(
        state, items: nil, section: section, allItems: allItems, format: format, colour: colour, splitAt: splitAt, itemsFollow: true)
      head.withUnsafeBytes(write)
      listed.streamTable(colour: colour, splitAt: splitAt, emit: write)
      return
    }
    renderBytes(
      state, items: folded, section: section, allItems: allItems, format: format, colour: colour, splitAt: splitAt, itemsFollow: false
    ).withUnsafeBytes(write)
  }

  /// `renderBytes`; with `itemsFollow` (a table whose items the caller writes), the items
  /// section's heading is the last thing written.
  private static func renderBytes(
    _ state: ProjectedState, items folded: FoldedItems?, section: StateSection, allItems: Bool, format: OutputFormat,
    colour: Bool, splitAt: Int, itemsFollow: Bool
  ) -> [UInt8] {
    if let folded, format == .markdown {
      var withItems = state
      withItems.items = folded.itemStates()
      return renderBytes(withItems, section: section, allItems: allItems, format: format, colour: colour)
    }
    let items = allItems ? state.items : state.items.filter { $0.outcome == nil }
    let folded = allItems ? folded : folded?.onlyOpen()
    let itemCount = folded?.count ?? items.count
    @Sendable func writeItems(_ w: inout JSONWriter, from start: Int, to end: Int) {
      if let folded { folded.writeJSON(start..<end, into: &w) } else { for i in items[start..<end] { writeItem(i, &w) } }
    }
    switch format {
    case .json:
      var w = JSONWriter(indent: 2)
      w.reserve(state.relations.count * 900 + (section == .relations ? 0 : itemCount * 700))
      w.beginObject()
      if section == .all {
        w.key("point")
        writePoint(state, &w)
      }
      if section != .items {
        w.key("relations")
        w.beginArray()
        let order = TopicOrder(state.relations)
        for r in state.relations { writeRelation(r, &w, topicOrder: order) }
        w.endArray()
      }
      if section != .relations {
        w.key("items")
        w.beginArray()
        // A long list is written in two halves at once.
        if itemCount >= max(2, splitAt) {
          let half = itemCount / 2
          let (_, second) = concurrently(
            { writeItems(&w, from: 0, to: half) },
            {
              var writer = JSONWriter(indent: 2, continuingAtDepth: 2)
              writer.reserve((itemCount - half) * 700)
              writeItems(&writer, from: half, to: itemCount)
              return writer.bytes
            })
          w.append(fragment: second)
        } else {
          writeItems(&w, from: 0, to: itemCount)
        }
        w.endArray()
      }
      w.endObject()
      w.endLine()
      return w.bytes
    case .ndjson:
      var w = JSONWriter()
      if section != .items {
        let order = TopicOrder(state.relations)
        for r in state.relations {
          writeRelation(r, &w, topicOrder: order)
          w.endLine()
        }
      }
      if section != .relations {
        for k in 0..<itemCount {
          writeItems(&w, from: k, to: k + 1)
          w.endLine()
        }
      }
      return w.bytes
    case .table, .markdown:
      let markdown = format == .markdown
      var out: [UInt8] = []
      out += ((markdown ? "**State** " : "State ") + describePoint(state) + "\n\n").utf8
      if section != .items {
        out += (markdown ? "### Relations\n\n" : "Relations\n").utf8
        let table = relationsTable(state.relations)
        if state.relations.isEmpty {
          out += "(none)\n".utf8
        } else if markdown {
          out += table.renderMarkdown().utf8
        } else {
          out += table.renderTextBytes(colour: colour)
        }
        out += "\n".utf8
      }
      if section != .relations {
        out += (markdown ? "### \(allItems ? "Items" : "Open items")\n\n" : (allItems ? "Items\n" : "Open items\n")).utf8
        if itemsFollow { return out }
        if itemCount == 0 {
          out += "(none)\n".utf8
        } else if markdown {
          out += itemsTable(items).renderMarkdown().utf8
        } else {
          out += itemsTable(items).renderTextBytes(colour: colour)
        }
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

  /// The topic names of a state's relations in String order, ranked once: a relation's
  /// topics are then sorted by rank, not by comparing names (a 100,000-event state has
  /// 86,000 topic counts).
  struct TopicOrder {
    let rank: [String: Int]

    init(_ relations: [RelationState]) {
      var names = Set<String>()
      for r in relations { names.formUnion(r.topics.keys) }
      rank = Dictionary(uniqueKeysWithValues: names.sorted().enumerated().map { ($0.element, $0.offset) })
    }

    func sorted(_ topics: [String: Int]) -> [(key: String, value: Int)] {
      topics.map { (rank: rank[$0.key]!, entry: $0) }.sorted { $0.rank < $1.rank }.map(\.entry)
    }
  }

  public static func writeRelation(_ r: RelationState, _ w: inout JSONWriter) {
    writeRelation(r, &w, topicOrder: TopicOrder([r]))
  }

  static func writeRelation(_ r: RelationState, _ w: inout JSONWriter, topicOrder: TopicOrder) {
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
    for (key, count) in topicOrder.sorted(r.topics) { w.field(key, count) }
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

  static let itemHeaders = ["ITEM", "STATE", "PLEDGED", "DUE", "OVERDUE", "AGE", "PAIRS", "SUMMARY"]
  static let itemRightAligned: Set<Int> = [5]
  /// Summaries are cut to this many characters in tables.
  static let summaryWidth = 70

  /// The colour of an item's STATE cell.
  static func stateStyle(_ outcome: Outcome?, overdue: Bool) -> TextStyle? {
    switch outcome {
    case .fulfilled: .green
    case .partiallyFulfilled: .yellow
    case .broken, .withdrawn: .red
    case .superseded: .dim
    case nil: overdue ? .red : nil
    }
  }

  static func itemsTable(_ items: [ItemState]) -> TextTable {
    var t = TextTable(headers: itemHeaders, rightAligned: itemRightAligned)
    for i in items {
      var styles: [Int: TextStyle] = [:]
      if i.overdue { styles[4] = .red }
      styles[1] = stateStyle(i.outcome, overdue: i.overdue)
      t.add(
        [
          i.item, i.stateName, i.pledgedAt.display, i.due?.text ?? "–", i.overdue ? "yes" : "no", "\(i.ageDays) d",
          i.pairs.joined(separator: " "), i.summary.truncated(summaryWidth),
        ], styles: styles)
    }
    return t
  }

}
