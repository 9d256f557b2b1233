import CSQLite
import Foundation
import Testing

@testable import MeetlogKit

@Suite struct StoreTests {
  let now = Fixtures.day("2024-01-01T00:00:00Z")

  func append(_ store: SQLiteEventStore, _ lines: [String], expect: Int64? = nil) throws -> [AppendOutcome] {
    try store.append(try Fixtures.pending(lines), expectSeq: expect, now: now)
  }

  func rejection(_ store: SQLiteEventStore, _ lines: [String]) -> MeetlogError? {
    do {
      _ = try append(store, lines)
      return nil
    } catch let error as MeetlogError { return error } catch { return nil }
  }

  @Test func appendAssignsGaplessSeqAndChainsHashes() throws {
    let store = try Fixtures.store([Fixtures.meeting("m1", "2023-11-08"), Fixtures.thanks("t1", "2023-11-08")])
    let outcomes = try append(store, [Fixtures.thanks("t2", "2023-11-09"), Fixtures.thanks("t3", "2023-11-10")])
    #expect(outcomes.map(\.seq) == [3, 4])
    let report = try store.verify()
    #expect(report.faults.isEmpty)
    #expect(report.eventsChecked == 4)
  }

  /// A new store is built beside its path and linked into place: complete or absent,
  /// and a store another process created meanwhile is left alone.
  @Test func aNewStoreIsLinkedIntoPlaceOnlyWhenComplete() throws {
    let path = Fixtures.tempPath()
    let folder = (path as NSString).deletingLastPathComponent
    let outcomes = try Operations.append(
      storePath: path, events: try Fixtures.pending([Fixtures.thanks("t1", "2023-11-08")]), expectSeq: nil, now: now)
    #expect(outcomes.map(\.seq) == [1])
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["store.db"])
    #expect(try SQLiteEventStore(path: path, mode: .read).verify().eventsChecked == 1)

    // A failing batch: nothing at the path, no temporary file left.
    let failing = Fixtures.tempPath()
    let bad = try Fixtures.pending([Fixtures.thanks("t1", "2023-11-08"), Fixtures.resolve("r1", "2023-11-09", item: "nope")])
    let error = #expect(throws: MeetlogError.self) { try Operations.append(storePath: failing, events: bad, expectSeq: nil, now: now) }
    #expect(error?.message.contains("test.ndjson:2: data.item") == true, "\(String(describing: error))")
    #expect(try FileManager.default.contentsOfDirectory(atPath: (failing as NSString).deletingLastPathComponent).isEmpty)

    // Another process creates the store while this one builds its own: nil, and theirs stays.
    let raced = Fixtures.tempPath()
    let result = try SQLiteEventStore.createLinked(at: raced) { (store) throws(MeetlogError) -> Int in
      let theirs = try SQLiteEventStore(path: raced, mode: .write)
      _ = try theirs.append(try! Fixtures.pending([Fixtures.thanks("theirs", "2023-11-08")]), expectSeq: nil, now: now)
      _ = try store.append(try! Fixtures.pending([Fixtures.thanks("mine", "2023-11-08")]), expectSeq: nil, now: now)
      return 1
    }
    #expect(result == nil)
    #expect(try FileManager.default.contentsOfDirectory(atPath: (raced as NSString).deletingLastPathComponent) == ["store.db"])
    var ids: [String] = []
    try SQLiteEventStore(path: raced, mode: .read).scan(EventQuery()) {
      ids.append($0.event.id)
      return true
    }
    #expect(ids == ["theirs"])
  }

  @Test func identicalIdIsADuplicateOtherContentAnError() throws {
    let store = try Fixtures.store([Fixtures.thanks("t1", "2023-11-08")])
    let head = try store.head()
    let again = try append(store, [Fixtures.thanks("t1", "2023-11-08")])
    #expect(again == [AppendOutcome(seq: 1, id: "t1", duplicate: true)])
    #expect(try store.head() == head)
    let clash = rejection(store, [Fixtures.thanks("t1", "2023-11-09")])
    #expect(clash?.kind == .invalidInput)
    #expect(clash?.message.contains("test.ndjson:1: id:") == true)
  }

  /// A large batch is compressed on a second thread a run of 4,096 rows at a time, and
  /// each run is inserted once the next is staged: a repeated id is found whether its
  /// first event is inserted, being compressed or still staged.
  @Test func aLargeBatchFindsItsOwnRepeatsInEveryRun() throws {
    let n = 3 * 4096 + 100
    var lines = (0..<n).map { Fixtures.thanks("t\($0)", "2023-11-08") }
    // Inserted (runs 0 and 1), being compressed (run 2), staged (the last 100).
    let repeated = [5, 4096 + 7, 2 * 4096 + 9, n - 3]
    let store = try SQLiteEventStore(path: Fixtures.tempPath(), mode: .write)
    let outcomes = try append(store, lines + repeated.map { lines[$0] })
    #expect(outcomes.count == n + repeated.count)
    #expect(Array(outcomes.suffix(repeated.count)) == repeated.map { AppendOutcome(seq: Int64($0 + 1), id: "t\($0)", duplicate: true) })
    #expect(try store.verify().faults.isEmpty)
    var seen = 0
    try store.scan(EventQuery()) {
      #expect($0.event.id == "t\(seen)")
      seen += 1
      return true
    }
    #expect(seen == n)

    // The same id with other content, in each place: the whole batch is refused.
    let fresh = try SQLiteEventStore(path: Fixtures.tempPath(), mode: .write)
    for index in repeated {
      lines.append(Fixtures.thanks("t\(index)", "2023-11-09"))
      let error = rejection(fresh, lines)
      #expect(error?.message.contains("test.ndjson:\(lines.count): id: \"t\(index)\" already names another event") == true)
      lines.removeLast()
    }
    #expect(try fresh.head().seq == 0)
  }

  /// A batch too large for one thread trains its dictionary (topped up with stored
  /// events) and writes its rows on a second one, and asks what the log held before it
  /// through a connection of its own: it builds the store that the same events build in
  /// small batches, row for row.
  @Test func aLargeBatchBuildsWhatSmallBatchesBuild() throws {
    var generator = HistoryGenerator(seed: 31)
    var lines = generator.lines(5_700)
    // Under the first dictionary's 1,000 events, then more than a run but fewer than
    // the 5,000 samples a dictionary is trained on.
    let split = 900
    // A resolution before the split, retracted after it, and its item resolved again.
    let resolved = lines[..<split].last { $0.contains("item.resolved") }!
    let id = String(resolved.split(separator: "\"")[3])
    let item = String(resolved.split(separator: "\"item\":\"")[1].prefix { $0 != "\"" })
    lines += [
      Fixtures.retract("x1", "2400-01-01", target: id), Fixtures.resolve("x2", "2400-01-02", item: item, outcome: "broken"), lines[5],
    ]
    let now = Fixtures.day("2500-01-01")
    let small = try SQLiteEventStore(path: Fixtures.tempPath(), mode: .write)
    for start in stride(from: 0, to: lines.count, by: 3_000) {
      _ = try small.append(try Fixtures.pending(Array(lines[start..<min(lines.count, start + 3_000)])), expectSeq: nil, now: now)
    }
    let large = try SQLiteEventStore(path: Fixtures.tempPath(), mode: .write)
    _ = try large.append(try Fixtures.pending(Array(lines[..<split])), expectSeq: nil, now: now)
    let outcomes = try large.append(try Fixtures.pending(Array(lines[split...])), expectSeq: nil, now: now)
    #expect(outcomes.last?.duplicate == true)
    #expect((4_097..<5_000).contains(outcomes.count), "\(outcomes.count)")
    #expect(try large.connection.scalar("SELECT samples FROM dictionaries") == 5_000)
    var exports: [[UInt8]] = [[], []]
    for (i, store) in [small, large].enumerated() {
      #expect(try store.verify().faults.isEmpty)
      try Operations.export(store) { exports[i] += $0 }
    }
    #expect(exports[0] == exports[1])
    for table in ["ids ORDER BY key, seq", "names ORDER BY key, seq", "resolutions ORDER BY item_seq", "retractions ORDER BY target_seq"] {
      var rows: [[Int64]] = [[], []]
      for (i, store) in [small, large].enumerated() {
        let statement = try store.connection.prepare("SELECT * FROM \(table)")
        while try statement.step() { rows[i] += [statement.int64(0), statement.int64(1)] }
      }
      #expect(rows[0] == rows[1], "\(table)")
      #expect(!rows[0].isEmpty, "\(table)")
    }
  }

  /// A payload that decodes to a valid event but is not its canonical form: `verify`
  /// names it, before the hash that no longer matches.
  @Test func verifyNamesAPayloadNotInCanonicalForm() throws {
    let store = try Fixtures.store([Fixtures.thanks("t1", "2023-11-08"), Fixtures.thanks("t2", "2023-11-09")])
    let read = try store.connection.prepare("SELECT payload FROM events WHERE seq = 2")
    #expect(try read.step())
    let frame = read.blob(0)
    let canonical = try frame.withUnsafeBytes { (raw) throws(ZstdError) in try ZstdDecompressor().decompress(raw) }
    // The same event with a space after its first colon.
    var spaced = canonical
    spaced.insert(0x20, at: spaced.firstIndex(of: UInt8(ascii: ":"))! + 1)
    #expect(try PayloadCodec.decode(canonical: spaced).id == "t2")
    let update = try store.connection.prepare("UPDATE events SET payload = ? WHERE seq = 2")
    try update.bind(1, ZstdCompressor().compress(spaced))
    try update.run()
    let report = try store.verify()
    #expect(report.faults.map(\.seq) == [2, 2])
    #expect(report.faults.first?.message == "payload is not in canonical form")
    #expect(report.faults.last?.message.hasPrefix("hash does not match") == true)
  }

  @Test func generatedIdsAreUnique() throws {
    let line = #"{"type":"thanks.expressed","occurred_at":"2023-11-08","data":{"from":{"name":"X","country":"SI"},"to":"BA","for":"help"}}"#
    let store = try Fixtures.store([line, line])
    let more = try append(store, [line])
    #expect(more[0].seq == 3)
    var ids = Set<String>()
    try store.scan(EventQuery()) {
      ids.insert($0.event.id)
      return true
    }
    #expect(ids.count == 3)
    #expect(ids.allSatisfy { $0.hasPrefix("ev-") })
  }

  @Test func referencesMustResolve() throws {
    let store = try Fixtures.store([
      Fixtures.meeting("m1", "2023-11-08"), Fixtures.pledge("p1", "2023-11-08", item: "i1"),
      Fixtures.resolve("r1", "2023-11-09", item: "i1"), Fixtures.thanks("t1", "2023-11-08"),
      Fixtures.retract("x1", "2023-11-10", target: "t1"),
    ])
    #expect(rejection(store, [Fixtures.statement("s", "2023-11-08", meeting: "nope")])?.message.contains("data.meeting") == true)
    #expect(rejection(store, [Fixtures.resolve("r2", "2023-11-09", item: "i1")])?.message.contains("already resolved") == true)
    #expect(rejection(store, [Fixtures.resolve("r3", "2023-11-09", item: "nope")])?.message.contains("data.item") == true)
    #expect(rejection(store, [Fixtures.retract("x2", "2023-11-10", target: "t1")])?.message.contains("already retracted") == true)
    #expect(rejection(store, [Fixtures.retract("x3", "2023-11-10", target: "x1")])?.message.contains("cannot be retracted") == true)
    #expect(rejection(store, [Fixtures.retract("x4", "2023-11-10", target: "zz")])?.message.contains("data.target") == true)
    #expect(rejection(store, [Fixtures.meeting("m2", "2023-11-08").replacingAll(#""data":{"#, with: #""data":{"meeting":"m1","#)]) != nil)
    #expect(rejection(store, [Fixtures.statement("s", "2023-11-07", meeting: "m1")])?.message.contains("later meeting") == true)
    #expect(try store.head().seq == 5)
  }

  @Test func retractingAResolutionReopensTheItemForChanges() throws {
    let store = try Fixtures.store([
      Fixtures.pledge("p1", "2023-11-08", item: "i1"), Fixtures.resolve("r1", "2023-11-09", item: "i1"),
      Fixtures.retract("x1", "2023-11-10", target: "r1"),
    ])
    #expect(try append(store, [Fixtures.resolve("r2", "2023-11-11", item: "i1", outcome: "broken")]).count == 1)
    let retractedMeeting = try Fixtures.store([Fixtures.meeting("m1", "2023-11-08"), Fixtures.retract("x", "2023-11-09", target: "m1")])
    #expect(rejection(retractedMeeting, [Fixtures.statement("s", "2023-11-09", meeting: "m1")])?.message.contains("retracted") == true)
    // The id of a retracted meeting may be used again by the corrected event.
    #expect(
      try append(retractedMeeting, [Fixtures.meeting("m1b", "2023-11-08").replacingAll(#""data":{"#, with: #""data":{"meeting":"m1","#)])
        .count == 1)
  }

  @Test func aBatchIsAllOrNothingAndLeavesTheFileUnchanged() throws {
    let store = try Fixtures.store([Fixtures.thanks("t1", "2023-11-08")])
    let before = Fixtures.fileBytes(store.path)
    let error = rejection(store, [Fixtures.thanks("t2", "2023-11-08"), Fixtures.statement("s", "2023-11-08", meeting: "nope")])
    #expect(error?.message.hasPrefix("test.ndjson:2: data.meeting:") == true)
    #expect(try store.head().seq == 1)
    #expect(Fixtures.fileBytes(store.path) == before)
  }

  @Test func expectSeqGuardsConcurrentWriters() throws {
    let store = try Fixtures.store([Fixtures.thanks("t1", "2023-11-08")])
    #expect(try append(store, [Fixtures.thanks("t2", "2023-11-08")], expect: 1).count == 1)
    // Without --expect-seq there is nothing to conflict with.
    #expect(rejection(store, [Fixtures.thanks("t3", "2023-11-08")]) == nil)
    do {
      _ = try append(store, [Fixtures.thanks("t4", "2023-11-08")], expect: 1)
      Issue.record("expected a conflict")
    } catch let error as MeetlogError {
      #expect(error.kind == .conflict)
      #expect(error.exitCode == 75)
    }
  }

  @Test func recordedAtNeverDecreases() throws {
    let store = try Fixtures.store([Fixtures.thanks("t1", "2023-11-08")], now: "2024-06-01T00:00:00Z")
    _ = try store.append(
      try Fixtures.pending([Fixtures.thanks("t2", "2023-11-08")]), expectSeq: nil, now: Fixtures.day("2024-01-01T00:00:00Z"))
    var recorded: [Int64] = []
    try store.scan(EventQuery()) {
      recorded.append($0.recordedAt.micros)
      return true
    }
    #expect(recorded[1] >= recorded[0])
    #expect(try store.lastSeq(recordedAtMost: Fixtures.day("2024-05-31T00:00:00Z")) == 0)
    #expect(try store.lastSeq(recordedAtMost: Fixtures.day("2024-06-01T00:00:00Z")) == 2)
  }

  @Test func verifyFindsTamperingAndNamesTheSeq() throws {
    func tampered(_ sql: String) throws -> VerifyReport {
      let store = try Fixtures.store((1...5).map { Fixtures.thanks("t\($0)", "2023-11-0\($0)") })
      var db: OpaquePointer?
      sqlite3_open(store.path, &db)
      defer { sqlite3_close(db) }
      #expect(sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK)
      return try store.verify()
    }
    #expect(try tampered("DELETE FROM events WHERE seq = 3").faults.first?.seq == 3)
    // A commit added at seq 2: the recorded_at of seq 2–5 changes (so seq 3–5 cannot
    // be checked once seq 2 differs), and seq 1 would end a commit with only a prefix
    // of its link.
    let commit = try tampered("INSERT INTO commits(first_seq, recorded_us) SELECT 2, max(recorded_us) + 1000000 FROM commits")
    #expect(commit.faults.map(\.seq) == [1, 2, 3])
    #expect(commit.faults.prefix(2).map(\.message) == [VerifyRowChecker.partOfLastLink, VerifyRowChecker.hashMismatch])
    #expect(commit.faults.last?.message.hasPrefix("hash: seq 3…5 could not be checked: the chain broke at seq 2") == true)
    #expect(try tampered("UPDATE events SET occurred_us = occurred_us + 86400000000 WHERE seq = 4").faults.first?.seq == 4)
    #expect(
      try tampered("UPDATE events SET payload = (SELECT payload FROM events WHERE seq = 5) WHERE seq = 2").faults.first?.seq == 2)
    #expect(try tampered("UPDATE events SET payload = x'28b52ffd00' WHERE seq = 3").faults.first?.seq == 3)
    let flipped = try tampered(
      "UPDATE events SET payload = CAST(substr(payload, 1, 20) || x'00' || substr(payload, 22) AS BLOB) WHERE seq = 4")
    #expect(flipped.faults.first?.seq == 4)
  }

  /// Events inside a commit store 8 bytes of their link: `verify` still names the one
  /// event that changed, tells a damaged prefix from a changed event, and says which
  /// events after a changed one the chain could not check (up to the commit's end,
  /// whose whole link it resumes from).
  @Test func verifyLocatesDamageWithLinkPrefixes() throws {
    func tampered(_ sql: String) throws -> [VerifyFault] {
      // Two commits: t1–t5 (seq 1–5), then t6–t8 (seq 6–8).
      let store = try Fixtures.store((1...5).map { Fixtures.thanks("t\($0)", "2023-11-0\($0)") })
      _ = try store.append(
        try Fixtures.pending((6...8).map { Fixtures.thanks("t\($0)", "2023-11-0\($0)") }), expectSeq: nil,
        now: Fixtures.day("2024-01-02T00:00:00Z"))
      var db: OpaquePointer?
      sqlite3_open(store.path, &db)
      defer { sqlite3_close(db) }
      #expect(sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK)
      return try store.verify().faults
    }
    let lengths = try tampered("SELECT 1")
    #expect(lengths.isEmpty)
    // Only the stored prefix of seq 2 is wrong: seq 3 still matches its computed link.
    let prefix = try tampered("UPDATE events SET hash = zeroblob(8) WHERE seq = 2")
    #expect(prefix.map(\.seq) == [2])
    #expect(prefix.first?.message == VerifyRowChecker.hashMismatch)
    // Seq 2's event changed (another valid payload): seq 3–5 cannot be checked by the
    // chain; seq 6–8 are, from seq 5's whole link.
    let changed = try tampered("UPDATE events SET payload = (SELECT payload FROM events WHERE seq = 7), occurred_us = 1 WHERE seq = 2")
    let hash = changed.filter { $0.message.hasPrefix("hash") }
    #expect(hash.map(\.seq) == [2, 3])
    #expect(hash.last?.message.contains("seq 3…5 could not be checked") == true, "\(hash)")
    // The whole link of a commit's end cut to a prefix.
    let cut = try tampered("UPDATE events SET hash = substr(hash, 1, 8) WHERE seq = 5")
    #expect(cut.map(\.message) == [VerifyRowChecker.partOfLastLink])
    #expect(cut.map(\.seq) == [5])
  }

  /// `verify` rebuilds the `ids` and `names` tables from the log: a row removed, added
  /// or changed in either is a fault that names the table.
  @Test func verifyComparesTheIndexTables() throws {
    func faults(_ sql: String) throws -> [String] {
      let store = try Fixtures.store([
        Fixtures.meeting("m1", "2023-11-08"), Fixtures.pledge("p1", "2023-11-08", item: "i1"), Fixtures.thanks("t1", "2023-11-09"),
      ])
      var db: OpaquePointer?
      sqlite3_open(store.path, &db)
      defer { sqlite3_close(db) }
      #expect(sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK)
      return try store.verify().faults.map(\.message)
    }
    let ids = ["index table `ids` differs from the log"]
    let names = ["index table `names` differs from the log"]
    #expect(try faults("SELECT 1") == [])
    #expect(try faults("DELETE FROM ids WHERE seq = 2") == ids)
    #expect(try faults("INSERT INTO ids(key, seq) VALUES (42, 1)") == ids)
    #expect(try faults("UPDATE ids SET seq = 3 WHERE seq = 2") == ids)
    #expect(try faults("UPDATE names SET key = key + 1 WHERE seq = 1") == names)
    #expect(try faults("UPDATE names SET seq = 3 WHERE seq = 2") == names)
  }

  /// `verify`'s memory index finds ids and names by 64-bit keys: ids and names that
  /// share a key are still told apart.
  @Test func theMemoryIndexTellsApartWhatSharesAKey() {
    let index = MemoryReferenceIndex(idKey: { _ in 7 }, nameKey: { _, _ in 7 })
    func facts(_ id: String, _ defines: (NameKind, String)?) -> ReferenceFacts {
      var facts = ReferenceFacts(id: id, type: .meetingHeld, occurredMicros: 0, occurredIsDate: true)
      facts.defines = defines.map { (kind: $0.0, name: $0.1) }
      return facts
    }
    for (seq, id, defines) in [(1, "a", (NameKind.meeting, "m1")), (2, "b", (.item, "m1")), (3, "c", (.meeting, "m2"))] {
      index.add(facts(id, defines), seq: Int64(seq))
      index.record(seq: Int64(seq), effects: ReferenceEffects(defines: defines))
    }
    #expect(index.event(id: "a")?.seq == 1)
    #expect(index.event(id: "b")?.seq == 2)
    #expect(index.event(id: "c")?.seq == 3)
    #expect(index.event(id: "d") == nil)
    #expect(index.holder(.meeting, "m1")?.seq == 1)
    #expect(index.holder(.item, "m1")?.seq == 2)
    #expect(index.holder(.meeting, "m2")?.seq == 3)
    #expect(index.holder(.item, "m2") == nil)
    // A name given again (its first holder retracted) names the new holder.
    index.add(facts("e", (.item, "m1")), seq: 4)
    index.record(seq: 4, effects: ReferenceEffects(defines: (.item, "m1")))
    #expect(index.holder(.item, "m1")?.seq == 4)
    #expect(index.holder(.meeting, "m1")?.seq == 1)
  }

  @Test func exportThenImportIsIdentical() throws {
    let store = try Fixtures.store([
      Fixtures.meeting("m1", "2023-11-08T10:00:00+01:00"), Fixtures.pledge("p1", "2023-11-08", item: "i1", due: "2024-01-31"),
      Fixtures.retract("x1", "2023-11-10", target: "p1"),
    ])
    var first: [UInt8] = []
    try Operations.export(store) { first += $0 }
    let lines = String(decoding: first, as: UTF8.self).split(separator: "\n").map(String.init)
    let objects = try InputReader.read(first, file: "export.ndjson")
    let pending = try objects.map { PendingEvent(input: try EventDecoder.decode($0.value, recordFields: true), location: $0.location) }
    let copyPath = Fixtures.tempPath()
    #expect(try Operations.importExport(storePath: copyPath, events: pending) == 3)
    let copy = try SQLiteEventStore(path: copyPath, mode: .read)
    var second: [UInt8] = []
    try Operations.export(copy) { second += $0 }
    #expect(first == second)
    #expect(lines.count == 3)
    #expect(try copy.head() == store.head())
    // A second import into the now non-empty store is refused.
    #expect(throws: MeetlogError.self) { try copy.importEvents(pending) }
  }

  @Test func readingAMissingStoreIsExit66() {
    do {
      _ = try SQLiteEventStore(path: "/nonexistent/dir/x.db", mode: .read)
      Issue.record("opened a missing store")
    } catch { #expect(error.exitCode == 66) }
  }

  @Test func aNonSQLiteFileIsRejected() throws {
    let path = Fixtures.tempPath()
    try Data("hello, this is not a database at all".utf8).write(to: URL(fileURLWithPath: path))
    do {
      _ = try SQLiteEventStore(path: path, mode: .read)
      Issue.record("opened a text file")
    } catch { #expect(error.exitCode == 74) }
  }
}

/// A large append compresses some runs on its checking thread with a compressor that
/// shares the writer's digested dictionary: its frames must be the writer's, byte for byte.
@Suite struct SharedCompressorTests {
  @Test func aCompressorSharingADictionaryWritesTheSameFrames() throws {
    var generator = HistoryGenerator(seed: 3)
    let events = generator.lines(2_000).map { Array($0.utf8) }
    let dictionary = try #require(DictionaryPolicy.train(events))
    for original in [ZstdCompressor(level: 3, dictionary: dictionary), ZstdCompressor(level: 3)] {
      let shared = ZstdCompressor(sharingDictionaryOf: original)
      for event in events.prefix(300) { #expect(shared.compress(event) == original.compress(event)) }
    }
    // A lean frame (with a dictionary) reads back with the dictionary.
    let shared = ZstdCompressor(sharingDictionaryOf: ZstdCompressor(level: 3, dictionary: dictionary))
    let frame = shared.compress(events[7])
    let decompressor = try ZstdDecompressor(dictionary: dictionary)
    let back = try frame.withUnsafeBytes { (raw) throws(ZstdError) in try decompressor.decompress(raw) }
    #expect(back == events[7])
  }

  /// A dictionary decompressor decodes each frame right after its dictionary's bytes,
  /// in room it grows for a frame larger than it had: frames of any size, in any order,
  /// decode to what was compressed.
  @Test func framesLargerThanTheWindowGrowIt() throws {
    var generator = HistoryGenerator(seed: 5)
    let events = generator.lines(2_000).map { Array($0.utf8) }
    let dictionary = try #require(DictionaryPolicy.train(events))
    let compressor = ZstdCompressor(level: 3, dictionary: dictionary)
    let decompressor = try ZstdDecompressor(dictionary: dictionary)
    let large = Array(events[..<600].joined())
    #expect(large.count > 64 << 10)
    for original in [events[1], large, events[2], large + large, events[3]] {
      let frame = compressor.compress(original)
      let back = try frame.withUnsafeBytes { (raw) throws(ZstdError) in try decompressor.decompress(raw) }
      #expect(back == original)
      var reused: [UInt8] = []
      let count = try frame.withUnsafeBytes { (raw) throws(ZstdError) in try decompressor.decompress(raw, into: &reused) }
      #expect(Array(reused[..<count]) == original)
    }
  }

  /// A dictionary zstd cannot read (its header kept, its tables damaged) is an error,
  /// not a crash.
  @Test func aDamagedDictionaryIsAnError() throws {
    var generator = HistoryGenerator(seed: 6)
    var dictionary = try #require(DictionaryPolicy.train(generator.lines(2_000).map { Array($0.utf8) }))
    for k in 8..<64 { dictionary[k] = 0xFF }
    #expect(throws: ZstdError.self) { try ZstdDecompressor(dictionary: dictionary) }
  }

  /// A snapshot part's prefix, and several frames one after another, decode to what
  /// the whole decodes to.
  @Test func prefixesAndFramesDecodeAsTheWhole() throws {
    var generator = HistoryGenerator(seed: 4)
    let text = Array(generator.lines(1_500).joined(separator: "\n").utf8)
    #expect(text.count > 200_000)
    let compressor = ZstdCompressor(level: 3)
    let decompressor = try ZstdDecompressor()
    let frame = compressor.compress(text)
    func prefix(_ count: Int) -> [UInt8]? { frame.withUnsafeBytes { try? decompressor.decompressPrefix($0, count: count) } }
    for count in [0, 1, 1 << 16, 150_001, text.count, text.count + 10] { #expect(prefix(count) == Array(text.prefix(count))) }
    let pieces = [Array(text[..<1000]), Array(text[1000..<90_000]), Array(text[90_000...])]
    let frames = pieces.flatMap { compressor.compress($0) }
    func first(_ n: Int, _ bytes: [UInt8]) -> [UInt8]? { bytes.withUnsafeBytes { try? decompressor.decompressFrames($0, first: n) } }
    #expect(first(.max, frames) == text)
    #expect(first(2, frames) == Array(text[..<90_000]))
    #expect(first(.max, Array(frames.dropLast())) == nil)
    #expect(first(4, frames) == nil)
  }
}

/// The reference rules read a stored holder's id, type, time and defined name with a
/// scan of its canonical form; it must give what decoding the whole event gives.
@Suite struct StoredHeaderTests {
  func canonicalForms() throws -> [[UInt8]] {
    var generator = HistoryGenerator(seed: 17)
    var lines = generator.lines(2_000)
    // Escapes in the values the scan skips.
    lines.append(
      #"{"id":"m-q","type":"meeting.held","occurred_at":"2024-01-02","data":{"participants":[{"name":"A \"B\"","country":"SI"},{"name":"C\\D","country":"BA"}],"title":"x\ny"}}"#
    )
    lines.append(
      #"{"id":"p1","type":"agreement.pledged","occurred_at":"2024-01-02T10:00:00+01:00","source":"s \"t\"","data":{"summary":"do \"it\"","parties":["SI","BA"],"item":"it.em:1","due":"2024-05-01"}}"#
    )
    lines.append(
      #"{"id":"p2","type":"agreement.pledged","occurred_at":"2024-01-02","data":{"summary":"no item","parties":["SI","BA"],"by":{"name":"N","role":"R","country":"SI"}}}"#
    )
    lines.append(Fixtures.meeting("m-plain", "2024-02-03"))
    return try Fixtures.pending(lines).map { CanonicalEncoding.bytes($0.input.event) }
  }

  @Test func theScanGivesWhatTheDecoderGives() throws {
    var scanned = 0
    for canonical in try canonicalForms() {
      let decoded = StoredHeader(try PayloadCodec.decode(canonical: canonical))
      if let header = StoredHeader.scan(canonical) {
        scanned += 1
        #expect(header == decoded, "\(String(decoding: canonical, as: UTF8.self))")
      }
      #expect(try StoredHeader.read(canonical) == decoded)
    }
    // The test means something only if the scan took nearly every event.
    #expect(scanned > 1_990)
  }

  @Test func bytesThatAreNotAnEventAreNotScanned() {
    for text in [
      "", "{", #"{"id":"a"}"#, #"{"id":"a","type":"meeting.held","occurred_at":"2024-01-01","data":{"meeting":"m"}} x"#,
      #"{"type":"meeting.held","id":"a","occurred_at":"nope","data":{}}"#,
      #"{"data":{},"type":"meeting.held","id":"a","occurred_at":"2024-01-01"}"#,
    ] {
      #expect(StoredHeader.scan(Array(text.utf8)) == nil, "\(text)")
    }
  }
}
