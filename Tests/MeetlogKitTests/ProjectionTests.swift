import Testing

@testable import MeetlogKit

@Suite struct ProjectionTests {
  func relation(_ state: ProjectedState, _ pair: String) -> RelationState? { state.relations.first { $0.pair == pair } }

  @Test func meetingTouchesEveryPairOfParticipantCountries() throws {
    let state = try Fixtures.state([Fixtures.meeting("m1", "2023-11-08", countries: ["SI", "BA", "HR"])])
    #expect(state.relations.map(\.pair) == ["BA-HR", "BA-SI", "HR-SI"])
    #expect(relation(state, "BA-SI")?.meetingCount == 1)
    #expect(relation(state, "BA-SI")?.lastPlace == "Ljubljana")
    #expect(relation(state, "BA-SI")?.topics == ["migration": 1])
  }

  @Test func firstLastAndPlaceFollowFoldOrderNotLogOrder() throws {
    // Backfilled: the second append occurred earlier.
    let state = try Fixtures.state([
      Fixtures.meeting("m2", "2023-11-08", city: "Ljubljana"), Fixtures.meeting("m1", "2023-06-01", city: "Sarajevo"),
    ])
    let r = try #require(relation(state, "BA-SI"))
    #expect(r.firstMeeting?.display == "2023-06-01")
    #expect(r.lastMeeting?.display == "2023-11-08")
    #expect(r.lastPlace == "Ljubljana")
    #expect(r.meetingCount == 2)
  }

  @Test func thanksHoldBothDirections() throws {
    let state = try Fixtures.state([Fixtures.thanks("t1", "2023-11-08"), Fixtures.thanks("t2", "2023-11-09", from: "BA", to: "SI")])
    #expect(relation(state, "BA-SI")?.thanks == ["SI>BA": 1, "BA>SI": 1])
    let one = try Fixtures.state([Fixtures.thanks("t1", "2023-11-08")])
    #expect(relation(one, "BA-SI")?.thanks == ["SI>BA": 1, "BA>SI": 0])
  }

  @Test func statementTouchesSpeakerWithEachAboutCountry() throws {
    let state = try Fixtures.state([Fixtures.statement("s1", "2023-11-08", about: ["BA", "HR", "SI"])])
    #expect(state.relations.map(\.pair) == ["BA-SI", "HR-SI"])
    #expect(relation(state, "HR-SI")?.statements == 1)
  }

  @Test func overdueIsStrictlyBeforeThePointDay() throws {
    let lines = [Fixtures.pledge("p1", "2023-11-08", item: "i1", due: "2023-12-31")]
    let onDue = try Fixtures.state(lines, asOf: "2023-12-31")
    #expect(onDue.items[0].overdue == false)
    #expect(onDue.items[0].ageDays == 53)
    let after = try Fixtures.state(lines, asOf: "2024-01-01")
    #expect(after.items[0].overdue == true)
    #expect(relation(after, "BA-SI")?.itemCounts.overdue == 1)
    #expect(relation(after, "BA-SI")?.itemCounts.open == 1)
  }

  @Test func updatesMoveTheDueDate() throws {
    let state = try Fixtures.state(
      [
        Fixtures.pledge("p1", "2023-11-08", item: "i1", due: "2023-12-31"),
        #"{"id":"u1","type":"item.updated","occurred_at":"2023-12-20","data":{"item":"i1","due":"2024-06-30"}}"#,
      ], asOf: "2024-01-15")
    #expect(state.items[0].due?.text == "2024-06-30")
    #expect(state.items[0].overdue == false)
    let before = try Fixtures.state(
      [
        Fixtures.pledge("p1", "2023-11-08", item: "i1", due: "2023-12-31"),
        #"{"id":"u1","type":"item.updated","occurred_at":"2024-02-01","data":{"item":"i1","due":"2024-06-30"}}"#,
      ], asOf: "2024-01-15")
    #expect(before.items[0].due?.text == "2023-12-31")
    #expect(before.items[0].overdue == true)
  }

  @Test func scoreDecaysWithAHalfLifeOfOneYear() throws {
    let state = try Fixtures.state([Fixtures.meeting("m1", "2023-01-01")], asOf: "2024-01-01")
    #expect(abs(relation(state, "BA-SI")!.score - 0.5) < 1e-9)
    let thanks = try Fixtures.state([Fixtures.thanks("t1", "2023-11-08")], asOf: "2023-11-08")
    #expect(relation(thanks, "BA-SI")!.score == 3.4)
    let resolved = try Fixtures.state(
      [Fixtures.pledge("p1", "2023-11-08", item: "i1"), Fixtures.resolve("r1", "2023-11-08", item: "i1", outcome: "broken")],
      asOf: "2023-11-08")
    #expect(relation(resolved, "BA-SI")!.score == 0)
    #expect(relation(resolved, "BA-SI")!.itemCounts.byOutcome == [.broken: 1])
  }

  @Test func retractingAPledgeRemovesItsItemAndResolution() throws {
    let state = try Fixtures.state(
      [
        Fixtures.pledge("p1", "2023-11-08", item: "i1"), Fixtures.resolve("r1", "2023-11-09", item: "i1"),
        Fixtures.retract("x1", "2023-11-10", target: "p1"), Fixtures.thanks("t1", "2023-11-08"),
      ], asOf: "2023-11-08")
    #expect(state.items.isEmpty)
    #expect(relation(state, "BA-SI")?.itemCounts == ItemCounts())
    #expect(relation(state, "BA-SI")?.score == 3.4)
  }

  @Test func retractingAResolutionReopensTheItem() throws {
    let state = try Fixtures.state([
      Fixtures.pledge("p1", "2023-11-08", item: "i1"), Fixtures.resolve("r1", "2023-11-09", item: "i1"),
      Fixtures.retract("x1", "2023-11-10", target: "r1"),
    ])
    #expect(state.items[0].outcome == nil)
    #expect(relation(state, "BA-SI")?.itemCounts.open == 1)
  }

  @Test func retractingAMeetingKeepsStatementsThatNamedIt() throws {
    let state = try Fixtures.state([
      Fixtures.meeting("m1", "2023-11-08"), Fixtures.statement("s1", "2023-11-08", meeting: "m1"),
      Fixtures.retract("x1", "2023-11-09", target: "m1"),
    ])
    #expect(relation(state, "BA-SI")?.meetingCount == 0)
    #expect(relation(state, "BA-SI")?.statements == 1)
    #expect(relation(state, "BA-SI")?.lastPlace == nil)
  }

  @Test func aRetractionCountsWhateverItsTargetsDate() throws {
    // The retraction occurred after --as-of, but it is in the log: it takes effect.
    let state = try Fixtures.state(
      [Fixtures.thanks("t1", "2023-11-08"), Fixtures.retract("x1", "2024-05-01", target: "t1")], asOf: "2023-12-01")
    #expect(state.relations.isEmpty)
  }

  @Test func aResolutionBeforeItsPledgeInFoldOrderStillApplies() throws {
    // Same day: the resolution's calendar date sorts at 00:00, before the pledge at 10:00.
    let state = try Fixtures.state([
      Fixtures.pledge("p1", "2023-11-08T10:00:00Z", item: "i1"), Fixtures.resolve("r1", "2023-11-08", item: "i1"),
    ])
    #expect(state.items[0].outcome == .fulfilled)
  }

  @Test func itemsSortByPledgeDateThenId() throws {
    let state = try Fixtures.state([
      Fixtures.pledge("p1", "2023-11-08", item: "b"), Fixtures.pledge("p2", "2023-11-08", item: "a"),
      Fixtures.pledge("p3", "2023-10-01", item: "c"),
    ])
    #expect(state.items.map(\.item) == ["c", "a", "b"])
  }

  @Test func knownAtAndAtSeqBoundTheLogPrefix() throws {
    let store = try Fixtures.store([Fixtures.thanks("t1", "2023-11-08")], now: "2024-01-01T00:00:00Z")
    _ = try store.append(
      try Fixtures.pending([Fixtures.thanks("t2", "2023-11-01")]), expectSeq: nil, now: Fixtures.day("2024-02-01T00:00:00Z"))
    let now = Fixtures.day("2024-03-01T00:00:00Z")
    let known = try StateQuery.run(store, PointInTime(knownAt: try Timestamp.parse("2024-01-15").get(), now: now))
    #expect(known.seq == 1)
    #expect(known.relations[0].thanks["SI>BA"] == 1)
    let all = try StateQuery.run(store, PointInTime(now: now))
    #expect(all.seq == 2)
    #expect(all.relations[0].thanks["SI>BA"] == 2)
    let atSeq = try StateQuery.run(store, PointInTime(atSeq: 1, now: now))
    #expect(atSeq == known)
    // point.seq is taken before --as-of filters by date.
    let asOf = try StateQuery.run(store, PointInTime(asOf: try Timestamp.parse("2023-11-05").get(), now: now))
    #expect(asOf.seq == 2)
    #expect(asOf.relations[0].thanks["SI>BA"] == 1)
  }
}

/// `StateFold` (what `state` runs) prints what `Projector` (the reference) prints,
/// including for payloads its fast reader leaves to the general decoder.
@Suite struct StateFoldTests {
  static let lines = [
    #"{"id":"m","type":"meeting.held","occurred_at":"2024-01-02T23:30:00-02:00","data":{"participants":[{"name":"A \"the\" B","country":"SI"},{"name":"C","country":"BA"},{"name":"D","country":"SI"}],"place":{"city":"Sarajevo \u0161","country":"BA"},"topics":["mi\\gration","police","police"]}}"#,
    #"{"id":"p","type":"agreement.pledged","occurred_at":"2024-01-03","data":{"summary":"Sign it","parties":["BA"],"with":["SI","EU"],"item":"x","by":{"name":"Nenad Nešić","role":"Minister","country":"BA"},"due":"2024-02-01","meeting":"m","topics":["Frontex"]}}"#,
    #"{"id":"t","type":"thanks.expressed","occurred_at":"2024-01-04","data":{"from":{"name":"E","country":"BA"},"to":"SI","for":"help"}}"#,
    #"{"id":"r0","type":"item.resolved","occurred_at":"2024-01-03","data":{"item":"x","outcome":"broken"}}"#,
    #"{"id":"s","type":"statement.made","occurred_at":"2030-01-01","data":{"speaker":{"name":"F","country":"EU"},"text":"later","about":["BA","SI"]}}"#,
    #"{"id":"q","type":"agreement.pledged","occurred_at":"2024-01-05","data":{"summary":"pla\"in","parties":["SI","BA"]}}"#,
  ]

  @Test(arguments: [nil, "2024-01-03", "2024-03-01"] as [String?])
  func printsWhatTheReferencePrints(asOf: String?) throws {
    let store = try Fixtures.store(Self.lines)
    let point = PointInTime(asOf: asOf.map { try! Timestamp.parse($0).get() }, now: Fixtures.day("2025-06-01T00:00:00Z"))
    let fast = try StateQuery.run(store, point)
    let reference = try StateQuery.runReference(store, point)
    #expect(PropertyTests.rendered(fast) == PropertyTests.rendered(reference))
    #expect(fast.relations.count == reference.relations.count && !fast.relations.isEmpty)
    let relationsOnly = try StateQuery.run(store, point, withItems: false)
    #expect(relationsOnly.relations == fast.relations)
    #expect(relationsOnly.items.isEmpty)
  }

  /// Items written straight from the fold (`FoldedItems`) print what their `ItemState`s
  /// print, in every format, for the texts a table cuts or a JSON writer escapes.
  @Test func itemsWrittenFromTheFoldPrintWhatTheirValuesPrint() throws {
    let long = String(repeating: "Deliver the border crossing plan ", count: 3)
    let lines =
      Self.lines + [
        #"{"id":"p2","type":"agreement.pledged","occurred_at":"2024-01-06T10:11:12.345Z","data":{"summary":"\#(long)","parties":["SI"],"with":["HR","XK"],"by":{"name":"Ana","country":"HR"},"due":"2023-12-01","meeting":"m"}}"#,
        #"{"id":"p3","type":"agreement.pledged","occurred_at":"2024-01-06T10:11:12Z","data":{"summary":"\"Quoted\"\\ \ttab \u00e9 Подписать соглашение о сотрудничестве в области пограничного контроля и миграции сегодня","parties":["RS","BA"],"item":"i:2"}}"#,
        #"{"id":"p4","type":"agreement.pledged","occurred_at":"2024-01-07","data":{"summary":"Nešić\r\nsigns","parties":["SI","BA"],"item":"z"}}"#,
        #"{"id":"r1","type":"item.resolved","occurred_at":"2024-01-08T08:00:00+01:00","data":{"item":"z","outcome":"superseded"}}"#,
      ]
    let store = try Fixtures.store(lines)
    for asOf in [nil, "2024-01-06"] as [String?] {
      let point = PointInTime(asOf: asOf.map { try! Timestamp.parse($0).get() }, now: Fixtures.day("2024-06-01T00:00:00Z"))
      for closedItems in [true, false] {
        let values = try StateQuery.run(store, point, closedItems: closedItems)
        let folded = try StateQuery.runFolded(store, point, closedItems: closedItems)
        #expect(folded.state.items.isEmpty && folded.items?.count == values.items.count)
        for format in OutputFormat.allCases {
          for colour in [false, true] {
            for section in StateSection.allCases {
              let direct = StateRenderer.renderBytes(
                folded.state, items: folded.items, section: section, allItems: closedItems, format: format, colour: colour, splitAt: 2)
              let reference = StateRenderer.renderBytes(values, section: section, allItems: closedItems, format: format, colour: colour)
              #expect(
                String(decoding: direct, as: UTF8.self) == String(decoding: reference, as: UTF8.self),
                "\(format) \(section) colour \(colour) closed \(closedItems) as of \(asOf ?? "now")")
              // A list with its closed items, printed without them.
              if closedItems {
                let openOnly = StateRenderer.renderBytes(
                  folded.state, items: folded.items, section: section, allItems: false, format: format)
                let openReference = StateRenderer.renderBytes(values, section: section, allItems: false, format: format)
                #expect(openOnly == openReference, "\(format) \(section), open items only")
              }
            }
          }
        }
      }
    }
  }

  /// A long items table is written in blocks by two threads in turn: the same bytes as
  /// one block on one thread, and as the table made from the items' values.
  @Test func anItemsTableInBlocksOnTwoThreadsIsTheSameTable() throws {
    var generator = HistoryGenerator(seed: 14)
    let store = try Fixtures.store(generator.lines(2_000))
    let point = PointInTime(asOf: nil, now: Fixtures.day("2120-01-01T00:00:00Z"))
    let folded = try #require(try StateQuery.runFolded(store, point).items)
    #expect(folded.count > 300)
    let values = try StateQuery.run(store, point)
    for colour in [false, true] {
      func table(splitAt: Int, blockRows: Int) -> [UInt8] {
        var out: [UInt8] = []
        folded.streamTable(colour: colour, splitAt: splitAt, blockRows: blockRows) { out.append(contentsOf: $0) }
        return out
      }
      let whole = table(splitAt: .max, blockRows: 1_000_000)
      for blockRows in [1, 7, 64, 1_000] { #expect(table(splitAt: 2, blockRows: blockRows) == whole, "\(blockRows)") }
      let reference = StateRenderer.itemsTable(values.items).renderTextBytes(colour: colour)
      #expect(String(decoding: whole, as: UTF8.self) == String(decoding: reference, as: UTF8.self))
    }
  }

  @Test func theFastReaderKeepsWhatTheFoldNeeds() throws {
    var topics = StringTable()
    var cities = StringTable()
    let canonical = CanonicalEncoding.bytes(try Fixtures.decode(Self.lines[1]))
    let event = try #require(canonical.withUnsafeBufferPointer { FoldDecoder.decode($0, seq: 2, topics: &topics, cities: &cities) })
    guard case .pledge(let p) = event.body else { Issue.record("not a pledge"); return }
    #expect(p.id == "p" && p.item == "x" && p.meeting == "m" && p.due?.text == "2024-02-01")
    #expect(p.parties.map(CountryIndexing.code) == ["BA"] && p.with.map(CountryIndexing.code) == ["SI", "EU"])
    #expect(p.by?.name == "Nenad Nešić")
    #expect(topics[p.topics[0]] == "Frontex")
    // An escape in a string the fold keeps sends the event to the general decoder.
    let escaped = CanonicalEncoding.bytes(try Fixtures.decode(Self.lines[0]))
    #expect(escaped.withUnsafeBufferPointer { FoldDecoder.decode($0, seq: 2, topics: &topics, cities: &cities) } == nil)
  }
}

@Suite struct FoldInstantTests {
  /// The fold's allocation-free reader of `occurred_at` agrees with `Timestamp.parse`
  /// wherever it answers, and answers for the usual forms.
  @Test func agreesWithTheGeneralParser() {
    var texts = [
      "2023-11-08", "2024-02-29", "2023-02-29", "2023-13-01", "2023-11-08T09:30:00Z", "2023-11-08T09:30:00+02:00",
      "2023-11-08T23:59:59.5-11:30", "2023-11-08T09:30:00.123456Z", "2023-11-08T09:30:00.1234567Z", "2023-11-08T24:00:00Z",
      "2023-11-08t09:30:00z", "2023-11-08T09:30:00", "0001-01-01", "9999-12-31T23:59:59Z", "2023-11-08T09:30:00+24:00",
    ]
    var state: UInt64 = 7
    for _ in 0..<3000 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let r = Int(state >> 33)
      let date = Timestamp.formatDay(r % 40_000 - 5_000)
      let time = "T\(pad2(r % 25)):\(pad2(r / 7 % 61)):\(pad2(r / 11 % 61))"
      let fraction = r % 3 == 0 ? "" : "." + String(r % 10_000_000).prefix(r % 7 + 1)
      let offset = ["Z", "+01:00", "-05:30", "+23:59", "-00:00"][r % 5]
      texts.append(r % 4 == 0 ? date : date + time + fraction + offset)
    }
    var answered = 0
    for text in texts {
      let fast = Array(text.utf8).withUnsafeBufferPointer { FoldDecoder.instant($0) }
      guard let fast else { continue }
      answered += 1
      guard case .success(let t) = Timestamp.parse(text) else {
        Issue.record("\(text): the fold reads it, Timestamp.parse rejects it")
        continue
      }
      #expect(t.micros == fast.micros && t.isDate == fast.isDate, "\(text)")
    }
    #expect(answered > 2000)
  }
}

/// The lookup table of a snapshot's item ids is sorted by radix; it must order as
/// `sort()` does, and the ids must be found.
@Suite struct LoadedIdsTests {
  @Test func radixSortOrdersAsSortDoes() {
    var state: UInt64 = 0x1234_5678
    func next() -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return state
    }
    for count in [0, 1, 63, 64, 65, 1_000, 70_000] {
      // Random keys, a run of equal ones, and keys that differ only in their top bits.
      var keys = (0..<count).map { _ in next() }
      if count > 100 {
        for i in 0..<50 { keys[i] = 42 }
        for i in 50..<100 { keys[i] = UInt64(i) << 60 }
      }
      var sorted = keys
      LoadedIds.radixSort(&sorted)
      #expect(sorted == keys.sorted(), "\(count) keys")
    }
  }

  @Test func everyIdIsFound() {
    let ids = (0..<5_000).map { "item-\($0 * 7919 % 100_003)" }
    var starts: [Int32] = [0]
    var bytes: [UInt8] = []
    for id in ids {
      bytes += id.utf8
      starts.append(Int32(bytes.count))
    }
    var loaded = LoadedIds(idStart: starts, idBytes: bytes)
    func find(_ id: String) -> Int32? {
      var id = id
      return id.withUTF8 { loaded.find($0, hash: IdHash.hash($0)) }
    }
    for (slot, id) in ids.enumerated() { #expect(find(id) == Int32(slot)) }
    #expect(find("item-none") == nil)
  }

  /// Interned strings keep their first index through the table's doublings; equal
  /// bytes give the same index, different bytes (a prefix, the empty string) another.
  @Test func internedStringsKeepTheirIndex() {
    let words = (0..<3_000).map { "topic \($0 * 7919 % 100_003)" } + ["", "t", "topic 1", "topic 1 ", "topic 10"]
    var table = StringTable()
    var first: [String: Int32] = [:]
    for round in 0..<2 {
      for word in words {
        let index = table.intern(word)
        if round == 0, first[word] == nil { first[word] = index }
        #expect(index == first[word], "\(word)")
        #expect(table[index] == word)
      }
    }
    #expect(table.strings.count == Set(words).count)
  }

  /// The table of ids a fold added, through several doublings: every id finds its slot,
  /// ids that differ in one byte or in length do not find each other.
  @Test func everyAddedIdIsFound() {
    var ids = (0..<5_000).map { "item-\($0 * 7919 % 100_003)" }
    ids += ["", "a", "1234567", "12345678", "123456789", "1234567812345678", "12345678123456789", "item-1 "]
    var added = AddedIds()
    func withBytes<T>(_ id: String, _ body: (UnsafeBufferPointer<UInt8>, UInt64) -> T) -> T {
      var id = id
      return id.withUTF8 { body($0, IdHash.hash($0)) }
    }
    for (k, id) in ids.enumerated() {
      #expect(withBytes(id) { added.find($0, hash: $1) } == nil, "\(id) before it was added")
      withBytes(id) { added.insert($0, hash: $1, slot: Int32(k * 3)) }
    }
    #expect(added.count == ids.count)
    for (k, id) in ids.enumerated() { #expect(withBytes(id) { added.find($0, hash: $1) } == Int32(k * 3), "\(id)") }
    for absent in ["item-none", "item-", "item-10000000", "123456781234567", "item-1  "] {
      #expect(withBytes(absent) { added.find($0, hash: $1) } == nil, "\(absent)")
    }
  }
}

/// `state --as-of` decodes only the items pledged by the checkpoint's cut: the same
/// items as decoding the whole part and keeping its first slots.
@Suite struct ItemsPrefixTests {
  @Test func theItemsPledgedByACutAreThePartsFirstSlots() throws {
    var generator = HistoryGenerator(seed: 9)
    let store = try Fixtures.store(generator.lines(3_000))
    try store.writeSnapshot(now: Fixtures.day("2120-01-01T00:00:00Z"))
    let snapshot = try #require(try store.snapshots().first)
    let part = try #require(try store.storedPart(snapshot, "items"))
    let whole = try #require(FoldSnapshot.decodeItems(part, indexIds: false))
    #expect(whole.count > 500)
    var cuts = [Int64.min, Int64.max]
    for slot in stride(from: 0, to: whole.count, by: whole.count / 7) { cuts.append(whole.pledgedMicros[slot]) }
    for cut in cuts {
      let (prefix, count) = try #require(FoldSnapshot.decodeItems(part, indexIds: false, pledgedBy: cut))
      let kept = whole.pledgedMicros.firstIndex { $0 > cut } ?? whole.count
      #expect(count == whole.count)
      #expect(prefix.count == kept)
      #expect(prefix.pledgedMicros == Array(whole.pledgedMicros[..<kept]))
      #expect(prefix.pledgeSeq == Array(whole.pledgeSeq[..<kept]))
      #expect(prefix.outcome == Array(whole.outcome[..<kept]) && prefix.dueDay == Array(whole.dueDay[..<kept]))
      #expect(prefix.resolvedMicros == Array(whole.resolvedMicros[..<kept]) && prefix.dateFlags == Array(whole.dateFlags[..<kept]))
      #expect(prefix.pairStart == Array(whole.pairStart[...kept]))
      #expect(prefix.pairs == Array(whole.pairs[..<Int(whole.pairStart[kept])]))
      for slot in stride(from: 0, to: kept, by: 97) { #expect(prefix.itemId(Int32(slot)) == whole.itemId(Int32(slot))) }
    }
    // Truncated or damaged bytes are refused.
    #expect(FoldSnapshot.decodeItems(Array(part.dropLast()), indexIds: false, pledgedBy: nil) == nil)
    #expect(FoldSnapshot.decodeItems(Array(part.dropLast()), indexIds: false, pledgedBy: .max) == nil)
    #expect(FoldSnapshot.decodeItems(Array(part.dropFirst()), indexIds: false, pledgedBy: nil) == nil)
  }

  /// The `open_items` part holds what is printed of every item open at the cut (the same
  /// as a fold of the log gives): given to the `items` part's slots, or as a store of its
  /// own; a damaged record is refused, not read out of bounds.
  @Test func theOpenItemsPartHoldsWhatIsPrinted() throws {
    var generator = HistoryGenerator(seed: 11)
    let store = try Fixtures.store(generator.lines(3_000))
    try store.writeSnapshot(now: Fixtures.day("2120-01-01T00:00:00Z"))
    let snapshot = try #require(try store.snapshots().first)
    var fold = StateFold(weights: ScoreWeights(), pointDay: Int(floorDiv(snapshot.cutMicros, Timestamp.microsPerDay)))
    try StateQuery.foldEvents(store, into: &fold, bound: snapshot.seqBound, after: nil, upTo: snapshot.cutMicros)
    // In the order `state` lists them.
    let open = FoldedItems(fold.items, pointDay: 0, closedItems: false).slots
    #expect(open.count > 100 && open.count < fold.items.count)
    let bytes = try #require(try store.storedOpenItems(snapshot))
    // Given to the items part's slots.
    let part = try #require(try store.storedPart(snapshot, "items"))
    var items = try #require(FoldSnapshot.decodeItems(part, indexIds: false))
    #expect(OpenItemsPart.adopt(bytes, into: &items))
    for slot in 0..<Int32(items.count) {
      #expect((items.detailStart[Int(slot)] >= 0) == open.contains(slot))
      if items.detailStart[Int(slot)] >= 0 { #expect(items.details(slot) == fold.items.details(slot)) }
    }
    // A store of their own.
    let alone = try #require(OpenItemsPart.store(bytes))
    #expect(alone.count == open.count)
    for (k, slot) in open.enumerated() {
      let k = Int32(k)
      #expect(alone.details(k) == fold.items.details(slot) && Array(alone.pairs(of: k)) == Array(fold.items.pairs(of: slot)))
      #expect(alone.pledgedMicros[Int(k)] == fold.items.pledgedMicros[Int(slot)] && alone.dueDay[Int(k)] == fold.items.dueDay[Int(slot)])
      #expect(alone.dateFlags[Int(k)] == fold.items.dateFlags[Int(slot)] & 1 && alone.outcome[Int(k)] == 0)
    }
    // A record's length made to run past its segment.
    let segments = OpenItemsPart.encode(fold.items, listed: try #require(OpenItemsPart.listed(fold.items)))
    #expect(Array(segments.joined()) == bytes)
    var last = segments.last!
    let m = OpenItemsPart.magic.count
    #expect(Array(last[..<m]) == OpenItemsPart.magic)
    let n = Int(last[m]) | Int(last[m + 1]) << 8  // the segment's item count, little-endian
    #expect(n > 0 && last[(m + 2)..<(m + 8)].allSatisfy { $0 == 0 })
    let pairCount = Int(last[m + 8 + 4 * n + 4 * n]) | Int(last[m + 8 + 4 * n + 4 * n + 1]) << 8
    let firstRecord = m + 8 + 4 * n + 4 * (n + 1) + 4 * pairCount + 8 * n + n + 4 * n + 4 * (n + 1)
    last[firstRecord + 3] = 0x7F
    let damaged = Array((segments.dropLast() + [last]).joined())
    #expect(OpenItemsPart.store(damaged) == nil)
    var again = try #require(FoldSnapshot.decodeItems(part, indexIds: false))
    #expect(!OpenItemsPart.adopt(damaged, into: &again))
    #expect(OpenItemsPart.store(Array(bytes.dropLast())) == nil)
    // Another layout's segments are not read.
    var other = bytes
    other[m - 1] = UInt8(ascii: "2")
    #expect(OpenItemsPart.store(other) == nil)
  }

  /// An `open_items` part that cannot be read — damaged, or in another version's layout —
  /// leaves the snapshot usable: the open items' texts are read back from their pledges,
  /// with the same state. `verify` reports the damaged one, not the other version's.
  @Test func anUnreadableOpenItemsPartLeavesTheSnapshotUsable() throws {
    var generator = HistoryGenerator(seed: 13)
    let store = try Fixtures.store(generator.lines(1_500))
    let now = Fixtures.day("2120-01-01T00:00:00Z")
    try store.writeSnapshot(now: now)
    let snapshot = try #require(try store.snapshots().first)
    let stored = try #require(try store.storedOpenItems(snapshot))
    var otherVersion = stored
    otherVersion[OpenItemsPart.magic.count - 1] = UInt8(ascii: "9")
    for (part, isFault) in [(Array(stored.dropLast(5)), true), (otherVersion, false)] {
      let update = try store.connection.prepare("UPDATE snapshots SET open_items = ? WHERE id = ?")
      try update.bind(1, ZstdCompressor(level: 3).compress(part))
      try update.bind(2, snapshot.id)
      try update.run()
      let point = PointInTime(asOf: nil, now: now)
      for closedItems in [false, true] {
        let run = try StateQuery.runResuming(
          store, point, weights: ScoreWeights(), withItems: true, closedItems: closedItems, useSnapshots: true)
        #expect(run.resumedCut != nil)
        #expect(run.state == (try StateQuery.run(store, point, closedItems: closedItems, useSnapshots: false)))
      }
      let faults = try store.verify().faults
      #expect(faults.contains { $0.message.contains("does not match the log") } == isFault, "\(faults)")
    }
  }

  /// A snapshots table made by an earlier meetlog has no `open_items`: its snapshot is
  /// used with the texts read back from the pledges, and the next snapshot written adds
  /// the column and fills it.
  @Test func aSnapshotsTableWithoutOpenItemsGetsTheColumn() throws {
    var generator = HistoryGenerator(seed: 15)
    let store = try Fixtures.store(generator.lines(1_000))
    let now = Fixtures.day("2120-01-01T00:00:00Z")
    try store.writeSnapshot(now: now)
    try store.connection.execute("ALTER TABLE snapshots DROP COLUMN open_items")
    #expect(try !store.hasOpenItems())
    let point = PointInTime(asOf: nil, now: now)
    let run = try StateQuery.runResuming(store, point, weights: ScoreWeights(), withItems: true, closedItems: false, useSnapshots: true)
    #expect(run.resumedCut != nil)
    #expect(run.state == (try StateQuery.run(store, point, closedItems: false, useSnapshots: false)))
    #expect(try store.verify().faults.isEmpty)
    try store.writeSnapshot(now: now)
    #expect(try store.hasOpenItems())
    let snapshot = try #require(try store.snapshots().first)
    #expect(try store.storedOpenItems(snapshot) != nil)
    #expect(try store.verify().faults.isEmpty)
  }

  /// `state` with only the open items, nothing after the snapshot's cut pledging,
  /// updating or resolving one, prints the snapshot's open items as stored: the same
  /// state as folding the log, after other events too; a pledge after the cut takes
  /// the usual way, with the same result.
  @Test func openItemsPrintedFromTheSnapshotAreTheFoldsOpenItems() throws {
    var generator = HistoryGenerator(seed: 12)
    let store = try Fixtures.store(generator.lines(2_000))
    let now = Fixtures.day("2120-01-01T00:00:00Z")
    try store.writeSnapshot(now: now)
    func check(_ note: String) throws {
      for asOf in [nil, "2119-06-01"] as [String?] {
        let point = PointInTime(asOf: asOf.map { try! Timestamp.parse($0).get() }, now: now)
        let run = try StateQuery.runResuming(store, point, weights: ScoreWeights(), withItems: true, closedItems: false, useSnapshots: true)
        let slow = try StateQuery.run(store, point, closedItems: false, useSnapshots: false)
        let fast = run.state
        #expect(run.resumedCut != nil, "\(note)")
        #expect(fast == slow, "\(note)")
        #expect(!fast.items.isEmpty)
      }
    }
    try check("at the snapshot")
    _ = try store.append(
      try Fixtures.pending([Fixtures.thanks("after-1", "2119-03-01"), Fixtures.meeting("after-m", "2119-04-01")]), expectSeq: nil,
      now: now)
    try check("meetings and thanks after the cut")
    _ = try store.append(try Fixtures.pending([Fixtures.pledge("after-p", "2119-05-01", item: "after-i")]), expectSeq: nil, now: now)
    try check("a pledge after the cut")
  }

  /// The part is stored as a frame per chunk: the frames up to the last chunk with an
  /// item pledged by the cut are enough to decode the items pledged by it, and `state
  /// --as-of` resuming from a checkpoint reads only those (here chunks of 100 items, so
  /// that a small log has several).
  @Test func theFramesUpToTheCutsChunkHoldItsItems() throws {
    var generator = HistoryGenerator(seed: 9)
    let store = try Fixtures.store(generator.lines(3_000))
    try store.writeSnapshot(now: Fixtures.day("2120-01-01T00:00:00Z"), checkpointEvery: 150)
    let snapshot = try #require(try store.snapshots().first)
    let part = try #require(try store.storedPart(snapshot, "items"))
    let all = try #require(FoldSnapshot.decodeItems(part, indexIds: false))
    let chunks = 100
    #expect(all.count > 5 * chunks)
    let segments = ItemsPart.encode(all, perChunk: chunks)
    let compressor = ZstdCompressor(level: 3)
    let blob = segments.flatMap { compressor.compress($0) }
    let update = try store.connection.prepare("UPDATE snapshots SET items = ? WHERE id = ?")
    try update.bind(1, blob)
    try update.bind(2, snapshot.id)
    try update.run()
    #expect(try store.storedPart(snapshot, "items") == Array(segments.joined()))
    let decompressor = try ZstdDecompressor()
    let frames = { (n: Int) in try blob.withUnsafeBytes { try decompressor.decompressFrames($0, first: n) } }
    let header = try frames(1)
    for cut in [Int64.min, all.pledgedMicros[chunks - 1], all.pledgedMicros[chunks], all.pledgedMicros[3 * chunks + 7], .max] {
      let needed = try #require(ItemsPart.segmentsNeeded(header: header, pledgedBy: cut))
      let kept = all.pledgedMicros.firstIndex { $0 > cut } ?? all.count
      #expect(needed == 1 + (kept + chunks - 1) / chunks)
      let (prefix, count) = try #require(FoldSnapshot.decodeItems(try frames(needed), indexIds: false, pledgedBy: cut))
      #expect(count == all.count && prefix.count == kept)
      #expect(prefix.pairStart == Array(all.pairStart[...kept]) && prefix.pledgeSeq == Array(all.pledgeSeq[..<kept]))
      if kept > 0 { #expect(prefix.itemId(Int32(kept - 1)) == all.itemId(Int32(kept - 1))) }
      // One frame short of them is refused.
      if needed > 1 { #expect(FoldSnapshot.decodeItems(try frames(needed - 1), indexIds: false, pledgedBy: cut) == nil) }
      // Read from the store a little at a time, as `state --as-of` does with larger steps.
      for firstRead in [1, 700, blob.count] {
        let stored = try SQLiteBlob(connection: store.connection, table: "snapshots", column: "items", rowid: snapshot.id)
        let head = try #require(try RewoundItems.decodedHead(stored, cut: cut, firstRead: firstRead))
        #expect(head.count == count && head.store.pledgeSeq == prefix.pledgeSeq && head.store.pairs == prefix.pairs)
      }
    }
    // States at points between checkpoints resume from the small chunks, with the same result.
    var resumed = 0
    for slot in stride(from: 0, to: all.count, by: all.count / 9) {
      let point = PointInTime(asOf: .instant(all.pledgedMicros[slot] + 1), now: Fixtures.day("2120-01-01T00:00:00Z"))
      let run = try StateQuery.runResuming(store, point, weights: ScoreWeights(), withItems: true, useSnapshots: true)
      resumed += run.resumedCut == nil ? 0 : 1
      #expect(run.state == (try StateQuery.run(store, point, useSnapshots: false)))
    }
    #expect(resumed > 5)
  }
}
