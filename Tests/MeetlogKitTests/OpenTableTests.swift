import Testing

@testable import MeetlogKit

/// The table of a snapshot's open items (`OpenTablePart`, `OpenTablePrinter`): printed,
/// it is byte for byte the items table written from the items' records, as of any day;
/// damaged, it is not printed.
@Suite struct OpenTableTests {
  static let now = Fixtures.day("2031-01-01T00:00:00Z")

  /// Pledges whose cells differ in what a table lays out: ids of several lengths,
  /// summaries with letters outside ASCII, long summaries (cut), pledge times as dates,
  /// UTC times and times with fractions, no due date, two to four parties; some items
  /// resolved.
  static func lines(_ count: Int) -> [String] {
    let countries = ["SI", "BA", "HR", "RS", "AT", "XK"]
    var out: [String] = []
    for n in 0..<count {
      let day = 20_000 + n / 3
      let date = Timestamp.formatDay(day)
      let occurred = [date, "\(date)T10:20:30Z", "\(date)T08:00:00.25Z", "\(date)T23:59:59+02:00"][n % 4]
      let item = n % 5 == 0 ? "i\(n)" : n % 7 == 0 ? "item-\(n)-with-a-longer-name" : "item-\(n)"
      let summary =
        n % 3 == 0 ? String(repeating: "A long summary of pledge \(n), ", count: 4) : n % 5 == 0 ? "Žabe in ježi \(n)" : "Do \(n)"
      let parties = (0..<(2 + n % 3)).map { "\"\(countries[(n + $0) % countries.count])\"" }.joined(separator: ",")
      let due = n % 4 == 1 ? "" : #","due":"\#(Timestamp.formatDay(day + (n % 50) * 20))""#
      out.append(
        #"{"id":"p\#(n)","type":"agreement.pledged","occurred_at":"\#(occurred)","data":{"summary":"\#(summary)","parties":[\#(parties)],"item":"\#(item)"\#(due)}}"#
      )
      if n % 6 == 2 { out.append(Fixtures.resolve("r\(n)", Timestamp.formatDay(day + 5), item: item)) }
    }
    return out
  }

  func store(_ count: Int) throws -> SQLiteEventStore {
    let store = try Fixtures.store(Self.lines(count))
    try store.writeSnapshot(now: Self.now)
    return store
  }

  /// `state` printed from the table and from the records, the same bytes (the relations
  /// and the items, and the items alone), at the snapshot and days after it.
  func expectSameTables(_ store: SQLiteEventStore, _ note: String) throws {
    for days in [0, 30, 900, 40_000] {
      let point = PointInTime(now: Self.now + Int64(days) * Timestamp.microsPerDay)
      let table = try StateQuery.runFolded(store, point, closedItems: false, tableOnly: true)
      let records = try StateQuery.runFolded(store, point, closedItems: false)
      let folded = try StateQuery.runFolded(store, point, closedItems: false, useSnapshots: false)
      #expect(table.items?.printer != nil && records.items?.printer == nil, "\(note)")
      for section in [StateSection.all, .items] {
        func printed(_ run: (state: ProjectedState, items: FoldedItems?)) -> String {
          String(
            decoding: StateRenderer.renderBytes(run.state, items: run.items, section: section, allItems: false, format: .table),
            as: UTF8.self)
        }
        #expect(printed(table) == printed(records), "\(note), \(days) days on, \(section)")
        #expect(printed(table) == printed(folded), "\(note), \(days) days on, \(section)")
      }
    }
  }

  @Test func theStoredTableIsTheTableOfTheRecords() throws {
    let store = try store(600)
    try expectSameTables(store, "at the snapshot")
    // Events after the cut that touch no item: the table is still the list.
    _ = try store.append(
      try Fixtures.pending([Fixtures.meeting("after-m", "2030-06-01"), Fixtures.thanks("after-t", "2030-06-02")]), expectSeq: nil,
      now: Self.now)
    try expectSameTables(store, "after a meeting and thanks")
    #expect(try store.verify().faults.isEmpty)
  }

  /// A table in many small segments, printed by two threads with two buffers, is the
  /// same as the records' table; so is one on one thread.
  @Test func aTableInManySegmentsPrintsTheSameRows() throws {
    let store = try store(300)
    for days in [0, 2_000] {
      let point = PointInTime(now: Self.now + Int64(days) * Timestamp.microsPerDay)
      let records = try #require(try StateQuery.runFolded(store, point, closedItems: false).items)
      var expected: [UInt8] = []
      records.streamTable(colour: false) { expected += $0 }
      for rows in [1, 7, 64, 10_000] {
        let encoded = try #require(OpenTablePart.encode(records, rowsPerSegment: rows))
        #expect(encoded.segments.count == (records.count + rows - 1) / rows)
        let table = try #require(OpenTablePart.table(OpenTablePart.value(encoded, compressor: ZstdCompressor())))
        #expect(table.decoded() == encoded)
        for buffers in [2, 5] {
          let printer = OpenTablePrinter(table, pointDay: records.pointDay, buffers: buffers)
          #expect(printer.isIntact())
          var printed: [UInt8] = []
          printer.stream { printed += $0 }
          #expect(String(decoding: printed, as: UTF8.self) == String(decoding: expected, as: UTF8.self), "\(rows) rows, \(buffers)")
        }
      }
    }
  }

  /// A damaged table is not printed (the records are, with the same state) and `verify`
  /// reports it; one in another version's layout, or left by an older snapshot, is
  /// not read and no fault; a store without the table prints from the records.
  @Test func aDamagedTableIsNotPrinted() throws {
    let store = try store(400)
    let snapshot = try #require(try store.snapshots().first)
    let stored = try #require(try store.storedOpenTableValue(snapshot))
    func replace(_ value: [UInt8]) throws {
      let update = try store.connection.prepare("UPDATE open_tables SET value = ?")
      try update.bind(1, value)
      try update.run()
    }
    let point = PointInTime(now: Self.now)
    func usesTable() throws -> Bool { try StateQuery.runFolded(store, point, closedItems: false, tableOnly: true).items?.printer != nil }
    #expect(try usesTable())
    var flipped = stored
    flipped[stored.count - 100] ^= 0x20
    var otherWidth = stored
    otherWidth[OpenTablePart.magic.count + 8] ^= 0x01  // the ITEM column's width, in the header
    var otherVersion = stored
    otherVersion[OpenTablePart.magic.count - 1] = UInt8(ascii: "9")
    for (value, isFault) in [(flipped, true), (otherWidth, true), (Array(stored.dropLast(3)), true), (otherVersion, false)] {
      try replace(value)
      #expect(try !usesTable())
      try expectSameTablesFromRecords(store, point)
      let faults = try store.verify().faults
      #expect(faults.contains { $0.message.contains("does not match the log") } == isFault, "\(faults)")
    }
    // A row whose snapshot is not the one stored now (an older meetlog replaced it).
    try replace(stored)
    #expect(try usesTable())
    try store.connection.execute("UPDATE open_tables SET created_at = '2000-01-01T00:00:00Z'")
    #expect(try !usesTable())
    try expectSameTablesFromRecords(store, point)
    #expect(try store.verify().faults.isEmpty)
    // No table at all (a store written before there was one).
    try store.connection.execute("DROP TABLE open_tables")
    #expect(try !usesTable())
    try expectSameTablesFromRecords(store, point)
    #expect(try store.verify().faults.isEmpty)
    // The next snapshot writes it again.
    try store.writeSnapshot(now: Self.now)
    #expect(try usesTable())
  }

  func expectSameTablesFromRecords(_ store: SQLiteEventStore, _ point: PointInTime) throws {
    let asked = try StateQuery.runFolded(store, point, closedItems: false, tableOnly: true)
    let folded = try StateQuery.runFolded(store, point, closedItems: false, useSnapshots: false)
    let a = StateRenderer.renderBytes(asked.state, items: asked.items, section: .all, allItems: false, format: .table)
    let b = StateRenderer.renderBytes(folded.state, items: folded.items, section: .all, allItems: false, format: .table)
    #expect(a == b)
  }

  /// Nothing open: no table is stored, and `state` prints the empty list as before.
  @Test func noOpenItemsNoTable() throws {
    let store = try Fixtures.store([Fixtures.meeting("m1", "2030-01-01")])
    try store.writeSnapshot(now: Self.now)
    let snapshot = try #require(try store.snapshots().first)
    #expect(try store.storedOpenTableValue(snapshot) == nil)
    try expectSameTablesFromRecords(store, PointInTime(now: Self.now))
  }
}
