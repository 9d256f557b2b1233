import Foundation
import Testing

/// Store faults: each gets a clear message and the SPEC's exit code, and never leaves a
/// corrupted store.
@Suite struct StoreFaultTests {
  static let thanks =
    #"{"type":"thanks.expressed","occurred_at":"2023-11-09","data":{"from":{"name":"Nenad Nešić","country":"BA"},"to":"SI","for":"the hospitality"}}"#

  static func sh(_ command: String) -> Int32 { (try? CLI.shell(command).status) ?? -1 }

  /// Mounting needs root in a sandbox that allows it; CI runs as root.
  static let canMount: Bool = {
    let dir = CLI.tempDir().path
    guard sh("mount -t tmpfs -o size=64k tmpfs '\(dir)' 2>/dev/null") == 0 else { return false }
    _ = sh("umount '\(dir)'")
    return true
  }()

  func lastSeq(_ store: String) throws -> Int {
    try CLI.json(try CLI.run(["stats", "--format", "json"], store: store).stdout)["last_seq"] as! Int
  }

  @Test(.enabled(if: canMount)) func readOnlyMediaCanBeReadButNotWritten() throws {
    let store = try CLI.seededStore()
    let folder = URL(fileURLWithPath: store).deletingLastPathComponent().path
    let mount = CLI.tempDir().path
    #expect(Self.sh("mount --bind '\(folder)' '\(mount)' && mount -o remount,bind,ro '\(mount)'") == 0)
    defer { _ = Self.sh("umount '\(mount)'") }
    let path = mount + "/meetlog.db"
    let append = try CLI.run(["append"], stdin: Self.thanks, store: path)
    #expect(append.status == 74)
    #expect(append.stderr.contains("the store is read-only"))
    #expect(try CLI.run(["state"], store: path).status == 0)
    #expect(try CLI.run(["verify"], store: path).status == 0)
  }

  @Test(.enabled(if: canMount)) func aFullDiskFailsCleanly() throws {
    let mount = CLI.tempDir().path
    #expect(Self.sh("mount -t tmpfs -o size=256k tmpfs '\(mount)'") == 0)
    defer { _ = Self.sh("umount '\(mount)'") }
    let path = mount + "/meetlog.db"
    #expect(try CLI.run(["append", CLI.seed, CLI.followUps], store: path).status == 0)
    // A batch far larger than the 256 KiB file system.
    let batch = (0..<4000).map { i in
      let text = String(repeating: "word\(i) ", count: 20)
      return
        #"{"id":"big-\#(i)","type":"statement.made","occurred_at":"2024-01-01","data":{"speaker":{"name":"S","country":"SI"},"text":"\#(text)","about":["BA"]}}"#
    }.joined(separator: "\n")
    let result = try CLI.run(["append"], stdin: batch, store: path)
    #expect(result.status == 74)
    #expect(result.stderr.contains("the disk is full: nothing was written"), "\(result.stderr)")
    #expect(try CLI.run(["verify"], store: path).status == 0)
    #expect(try lastSeq(path) == 25)
  }

  @Test func aLockedStoreIsWaitedForThenReportedBusy() throws {
    let store = try CLI.seededStore()
    // Another process holds the write lock for 3 seconds.
    let holder = Process()
    holder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    holder.arguments = [
      "-c",
      "import sqlite3,time,sys; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(3); c.execute('ROLLBACK')",
      store,
    ]
    let out = Pipe()
    holder.standardOutput = out
    try holder.run()
    _ = out.fileHandleForReading.availableData  // wait for "locked"
    let busy = try CLI.run(["append"], stdin: Self.thanks, store: store, environment: ["MEETLOG_BUSY_TIMEOUT_MS": "300"])
    #expect(busy.status == 75)
    #expect(busy.stderr.contains("stayed busy"))
    #expect(!busy.stderr.contains("database is locked"))
    // With the default wait (10 s) the same append simply waits for the lock.
    let waited = try CLI.run(["append"], stdin: Self.thanks, store: store)
    #expect(waited.status == 0, "\(waited.stderr)")
    holder.waitUntilExit()
    #expect(try lastSeq(store) == 26)
  }

  @Test func truncatedAndForeignFilesAreRefused() throws {
    let store = try CLI.seededStore()
    let truncated = CLI.tempDir().appendingPathComponent("truncated.db").path
    try FileManager.default.copyItem(atPath: store, toPath: truncated)
    #expect(Self.sh("truncate -s 20000 '\(truncated)'") == 0)
    let state = try CLI.run(["state"], store: truncated)
    #expect(state.status == 74)
    #expect(state.stderr.contains("damaged"))
    let verify = try CLI.run(["verify"], store: truncated)
    #expect(verify.status == 1)
    #expect(verify.stdout.hasPrefix("FAULT"))

    let text = CLI.tempDir().appendingPathComponent("notes.db")
    try Data("these are my notes, not a database\n".utf8).write(to: text)
    #expect(try CLI.run(["state"], store: text.path).status == 74)
    let append = try CLI.run(["append"], stdin: Self.thanks, store: text.path)
    #expect(append.status == 74)
    #expect(try Data(contentsOf: text) == Data("these are my notes, not a database\n".utf8))

    let other = CLI.tempDir().appendingPathComponent("other.db").path
    #expect(Self.sh("sqlite3 '\(other)' 'CREATE TABLE t(x)'") == 0)
    #expect(try CLI.run(["state"], store: other).stderr.contains("not a meetlog store"))
  }

  @Test func aStoreFromANewerFormatIsRefused() throws {
    let store = try CLI.seededStore()
    #expect(Self.sh("sqlite3 '\(store)' 'PRAGMA user_version = 4'") == 0)
    let before = FileManager.default.contents(atPath: store)
    for arguments in [["state"], ["append", CLI.followUps], ["verify"]] {
      let result = try CLI.run(arguments, store: store)
      #expect(result.status == 74)
      #expect(result.stderr.contains("written by a newer meetlog"))
    }
    #expect(FileManager.default.contents(atPath: store) == before)
  }

  @Test func verifyExpectHeadCatchesATruncatedTail() throws {
    // Two appends: the seed meeting (seq 1–18), then its follow-ups (19–25).
    let store = CLI.tempDir().appendingPathComponent("two.db").path
    #expect(try CLI.run(["append", CLI.seed], store: store, clock: "2026-01-15T12:00:00Z").status == 0)
    #expect(try CLI.run(["append", CLI.followUps], store: store, clock: "2026-01-16T12:00:00Z").status == 0)
    let head = try CLI.json(try CLI.run(["stats", "--format", "json"], store: store).stdout)["head_hash"] as! String
    #expect(try CLI.run(["verify", "--expect-head", head], store: store).status == 0)
    let copy = CLI.tempDir().appendingPathComponent("copy.db").path
    try FileManager.default.copyItem(atPath: store, toPath: copy)
    // Cutting only events leaves the index tables disagreeing: verify alone sees that.
    #expect(Self.sh("sqlite3 '\(copy)' 'DELETE FROM events WHERE seq >= 24'") == 0)
    #expect(try CLI.run(["verify"], store: copy).status == 1)
    // Cutting inside a commit, index rows too, leaves a last event that stores only a
    // prefix of its link: verify alone sees that as well.
    try FileManager.default.removeItem(atPath: copy)
    try FileManager.default.copyItem(atPath: store, toPath: copy)
    let cutInside =
      "DELETE FROM events WHERE seq >= 24; DELETE FROM ids WHERE seq >= 24; DELETE FROM names WHERE seq >= 24; DELETE FROM resolutions WHERE seq >= 24;"
    #expect(Self.sh("sqlite3 '\(copy)' '\(cutInside)'") == 0)
    let inside = try CLI.run(["verify"], store: copy)
    #expect(inside.status == 1)
    #expect(inside.stdout.contains("stores only a prefix of its link"), "\(inside.stdout)")
    // A careful forger cuts a whole commit and its index rows: the chain is consistent by itself.
    let cut =
      "DELETE FROM events WHERE seq >= 19; DELETE FROM ids WHERE seq >= 19; DELETE FROM names WHERE seq >= 19; DELETE FROM resolutions WHERE seq >= 19; DELETE FROM commits WHERE first_seq >= 19;"
    #expect(Self.sh("sqlite3 '\(store)' '\(cut)'") == 0)
    #expect(try CLI.run(["verify"], store: store).status == 0)
    let result = try CLI.run(["verify", "--expect-head", head], store: store)
    #expect(result.status == 1)
    #expect(result.stdout.contains("truncated or rewritten"))
    #expect(try CLI.run(["verify", "--expect-head", "xyz"], store: store).status == 2)
  }

  /// `--expect-head` finds a head hash that the store keeps only as a prefix (a commit's
  /// end that an import merged with the next commit): verify computes every link.
  @Test func verifyExpectHeadFindsALinkStoredAsAPrefix() throws {
    let store = CLI.tempDir().appendingPathComponent("two.db").path
    #expect(try CLI.run(["append", CLI.seed], store: store, clock: "2026-01-15T12:00:00Z").status == 0)
    let middle = try CLI.json(try CLI.run(["stats", "--format", "json"], store: store).stdout)["head_hash"] as! String
    #expect(try CLI.run(["append", CLI.followUps], store: store, clock: "2026-01-16T12:00:00Z").status == 0)
    // Seq 18 ends the first commit: it stores its whole link; keep 8 bytes of it, as
    // for an event inside a commit.
    let length = try CLI.shell("sqlite3 '\(store)' 'SELECT length(hash) FROM events WHERE seq = 18'")
    #expect(length.1.trimmingCharacters(in: .whitespacesAndNewlines) == "32")
    #expect(Self.sh("sqlite3 '\(store)' 'UPDATE events SET hash = substr(hash, 1, 8) WHERE seq = 18'") == 0)
    let result = try CLI.run(["verify", "--expect-head", middle, "--format", "json"], store: store)
    let report = try CLI.json(result.stdout)
    #expect(report["expected_head_seq"] as? Int == 18, "\(result.stdout)")
  }

  @Test func verifyFindsSwappedEvents() throws {
    let store = try CLI.seededStore()
    let swap = """
      UPDATE events SET seq = 1000 WHERE seq = 5; UPDATE events SET seq = 5 WHERE seq = 6; UPDATE events SET seq = 6 WHERE seq = 1000;
      """
    #expect(Self.sh("sqlite3 '\(store)' '\(swap)'") == 0)
    let result = try CLI.run(["verify"], store: store)
    #expect(result.status == 1)
    #expect(result.stdout.contains("first bad seq 5"))
  }

  /// A damaged dictionary: `verify` names the first event compressed with it (exit 1)
  /// and `state` says which seq it cannot read, without crashing.
  @Test func aDamagedDictionaryIsNamedNotACrash() throws {
    let store = try StoreFormatTests.storeWithADictionary()
    let damage = "UPDATE dictionaries SET bytes = CAST(substr(bytes, 1, 8) || zeroblob(64) || substr(bytes, 73) AS BLOB) WHERE id = 1"
    #expect(Self.sh("sqlite3 '\(store)' '\(damage)'") == 0)
    let (_, first) = try CLI.shell("sqlite3 '\(store)' 'SELECT min(seq) FROM events WHERE dict_id = 1'")
    let result = try CLI.run(["verify"], store: store)
    #expect(result.status == 1)
    #expect(result.stdout.contains("first bad seq \(first.trimmingCharacters(in: .whitespacesAndNewlines))"), "\(result.stdout)")
    #expect(result.stdout.contains("dictionary 1"), "\(result.stdout)")
    let state = try CLI.run(["state", "--no-snapshots"], store: store)
    #expect(state.status != 0 && state.status < 128, "\(state.status)")
  }

  @Test func pathsAreUsedExactlyAsGiven() throws {
    let dir = CLI.tempDir()
    let nested = dir.appendingPathComponent("sub dir/it's \"quoted\"; DROP TABLE events;")
    try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
    let storePath = nested.path + "/../store name with spaces & 'quotes'.db"
    let input = nested.appendingPathComponent("ev ents; rm -rf x.ndjson")
    try FileManager.default.copyItem(atPath: CLI.seed, toPath: input.path)
    let result = try CLI.run(["append", "--store", storePath, input.path])
    #expect(result.status == 0, "\(result.stderr)")
    let expected = dir.appendingPathComponent("sub dir/store name with spaces & 'quotes'.db").path
    #expect(FileManager.default.fileExists(atPath: expected))
    #expect(try CLI.run(["verify", "--store", storePath]).status == 0)
    // Text that looks like SQL is data, stored and returned as given.
    let sql =
      #"{"id":"x'; DROP TABLE events; --","type":"thanks.expressed","occurred_at":"2023-11-09","data":{"from":{"name":"Robert'); DROP TABLE events;--","country":"SI"},"to":"BA","for":"\" OR 1=1"}}"#
    #expect(try CLI.run(["append", "--store", storePath], stdin: sql).status == 65)
    let safe = sql.replacingOccurrences(of: #""id":"x'; DROP TABLE events; --","#, with: "")
    #expect(try CLI.run(["append", "--store", storePath], stdin: safe).status == 0)
    let log = try CLI.run(["log", "--store", storePath, "--format", "ndjson"]).stdout
    #expect(log.contains("Robert'); DROP TABLE events;--"))
    #expect(log.split(separator: "\n").count == 19)
  }
}
