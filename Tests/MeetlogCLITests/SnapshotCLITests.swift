import Foundation
import Testing

/// Snapshots end to end: written by append, used by state, invalidated by backfills,
/// checked by verify.
@Suite struct SnapshotCLITests {
  static let every = ["MEETLOG_SNAPSHOT_EVERY": "10"]

  func sql(_ store: String, _ query: String) throws -> String {
    try CLI.shell("sqlite3 '\(store)' \"\(query)\"").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  func sameWithAndWithout(_ store: String, _ arguments: [String]) throws {
    let with = try CLI.run(["state", "--format", "json"] + arguments, store: store)
    let without = try CLI.run(["state", "--format", "json", "--no-snapshots"] + arguments, store: store)
    #expect(with.status == 0 && without.status == 0)
    #expect(with.stdout == without.stdout, "\(arguments)")
  }

  /// A store of the seed and its follow-ups with a snapshot and a checkpoint every
  /// three events.
  func storeWithCheckpoints(_ name: String) throws -> String {
    let store = CLI.tempDir().appendingPathComponent(name).path
    var environment = Self.every
    environment["MEETLOG_CHECKPOINT_EVERY"] = "3"
    #expect(try CLI.run(["append", CLI.seed, CLI.followUps], store: store, environment: environment).status == 0)
    return store
  }

  @Test func appendWritesOneAndStateGivesTheSameResults() throws {
    let store = CLI.tempDir().appendingPathComponent("s.db").path
    #expect(try CLI.run(["append", CLI.seed, CLI.followUps], store: store, environment: Self.every).status == 0)
    #expect(try sql(store, "SELECT count(*), seq_bound FROM snapshots") == "1|25")
    for arguments in [[], ["--as-of", "2024-01-15"], ["items", "--all"], ["--at-seq", "20"], ["--as-of", "2023-11-08"]] {
      try sameWithAndWithout(store, arguments)
    }
    // A backfilled event (dated before the cut) makes the snapshot unusable, not wrong.
    let backfill =
      #"{"type":"statement.made","occurred_at":"2023-06-01","data":{"speaker":{"name":"X","country":"SI"},"text":"earlier","about":["BA"]}}"#
    #expect(try CLI.run(["append"], stdin: backfill, store: store, environment: Self.every).status == 0)
    #expect(try sql(store, "SELECT seq_bound FROM snapshots") == "25")
    try sameWithAndWithout(store, [])
    let statements = try CLI.json(try CLI.run(["state", "relations", "--format", "json"], store: store).stdout)["relations"]
    let pair = (statements as! [[String: Any]]).first { $0["pair"] as? String == "BA-SI" }!
    #expect(pair["statements"] as? Int == 7)
    #expect(try CLI.run(["verify"], store: store).status == 0)
  }

  /// `state` as a user types it prints the open items from the snapshot's table of
  /// them: the same bytes as folding the log. A damaged table is not printed (the same
  /// bytes again), and `verify` reports it.
  @Test func theOpenItemsTableGivesTheSameState() throws {
    let store = CLI.tempDir().appendingPathComponent("o.db").path
    #expect(try CLI.run(["append", CLI.seed, CLI.followUps], store: store, environment: Self.every).status == 0)
    #expect(try sql(store, "SELECT count(*) FROM open_tables") == "1")
    func same(_ arguments: [String]) throws {
      let with = try CLI.run(["state"] + arguments, store: store)
      let without = try CLI.run(["state", "--no-snapshots"] + arguments, store: store)
      #expect(with.status == 0 && without.status == 0)
      #expect(with.stdout == without.stdout && with.stdout.contains("OVERDUE"), "\(arguments)")
    }
    for arguments in [[], ["items"], ["--as-of", "2030-01-01"]] { try same(arguments) }
    #expect(try CLI.run(["verify"], store: store).status == 0)
    _ = try sql(store, "UPDATE open_tables SET value = zeroblob(length(value))")
    for arguments in [[], ["items"]] { try same(arguments) }
    let verify = try CLI.run(["verify"], store: store)
    #expect(verify.status == 1 && verify.stdout.contains("does not match the log"))
  }

  @Test func verifyFindsASnapshotThatDoesNotMatchTheLog() throws {
    let store = CLI.tempDir().appendingPathComponent("t.db").path
    #expect(try CLI.run(["append", CLI.seed, CLI.followUps], store: store, environment: Self.every).status == 0)
    _ = try sql(store, "UPDATE snapshots SET seq_bound = 24")
    let result = try CLI.run(["verify"], store: store)
    #expect(result.status == 1)
    #expect(result.stdout.contains("snapshot 1 (events up to seq 24"))
    #expect(result.stdout.contains("does not match the log"))
    // Damaged bytes: verify reports them, state folds the whole log instead.
    _ = try sql(store, "UPDATE snapshots SET seq_bound = 25, relations = zeroblob(64)")
    #expect(try CLI.run(["verify"], store: store).status == 1)
    try sameWithAndWithout(store, [])
  }

  @Test func asOfResumesFromCheckpointsAndVerifyChecksThem() throws {
    let store = try storeWithCheckpoints("c.db")
    let rows = Int(try sql(store, "SELECT count(*) FROM checkpoints WHERE snapshot_id = 1")) ?? 0
    // The seed's 20 events share one day; checkpoints fall between instants only.
    #expect(rows == 3)
    let points = ["2023-10-05", "2023-11-08", "2024-01-15", "2024-03-21", "2024-12-31", "2025-01-01T12:00:00Z"]
    for point in points { try sameWithAndWithout(store, ["--as-of", point]) }
    #expect(try CLI.run(["verify"], store: store).status == 0)
    // Two checkpoints swapped: verify names the snapshot whose checkpoints are wrong.
    _ = try sql(
      store,
      "UPDATE checkpoints SET relations = (SELECT relations FROM checkpoints ORDER BY cut_us LIMIT 1) WHERE cut_us = (SELECT max(cut_us) FROM checkpoints)"
    )
    let result = try CLI.run(["verify"], store: store)
    #expect(result.status == 1)
    #expect(result.stdout.contains("its checkpoints do not match the log"), "\(result.stdout)")
    // Damaged bytes: state folds the whole log instead.
    _ = try sql(store, "UPDATE checkpoints SET relations = zeroblob(16)")
    for point in points { try sameWithAndWithout(store, ["--as-of", point]) }
    #expect(try CLI.run(["verify"], store: store).status == 1)
  }

  /// A checkpoint's items are made on a thread of their own while the events after it
  /// are read: damaged ones are found there, and state folds the whole log instead.
  @Test func asOfWithDamagedItemsFoldsTheWholeLog() throws {
    let store = try storeWithCheckpoints("i.db")
    let points = ["2023-11-08", "2024-01-15", "2024-03-21", "2024-12-31"]
    for point in points { try sameWithAndWithout(store, ["--as-of", point]) }
    for damage in ["zeroblob(64)", "substr(items, 1, length(items) / 2)"] {
      _ = try sql(store, "UPDATE snapshots SET items = \(damage)")
      for point in points { try sameWithAndWithout(store, ["--as-of", point]) }
      #expect(try CLI.run(["verify"], store: store).status == 1)
    }
  }

  /// A store written by the meetlog before this one holds its items part in version 4's
  /// layout: state folds the log instead of reading it, and verify does not count it
  /// as a fault (its relations part and checkpoints are still checked).
  @Test func itemsInAnOlderLayoutAreNotReadNorAFault() throws {
    let store = try storeWithCheckpoints("o.db")
    // A zstd frame (one raw block) of "meetlog-items-4" and eight zero bytes.
    _ = try sql(store, "UPDATE snapshots SET items = X'28b52ffd2017b900006d6565746c6f672d6974656d732d340000000000000000'")
    for arguments in [[], ["--as-of", "2024-01-15"], ["items", "--all"], ["--as-of", "2023-11-08"]] {
      try sameWithAndWithout(store, arguments)
    }
    #expect(try CLI.run(["verify"], store: store).status == 0)
    _ = try sql(store, "UPDATE snapshots SET relations = zeroblob(64)")
    #expect(try CLI.run(["verify"], store: store).status == 1)
  }

  @Test func zeroTurnsSnapshotsOff() throws {
    let store = CLI.tempDir().appendingPathComponent("u.db").path
    #expect(try CLI.run(["append", CLI.seed], store: store, environment: ["MEETLOG_SNAPSHOT_EVERY": "0"]).status == 0)
    #expect(try sql(store, "SELECT count(*) FROM sqlite_master WHERE name = 'snapshots'") == "0")
  }
}
