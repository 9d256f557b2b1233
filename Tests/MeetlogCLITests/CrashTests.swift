import Foundation
import Testing

/// Crashes and power loss, in short: `tools/stress` runs the same trials many more times.
@Suite struct CrashTests {
  /// A batch of `count` valid events with ids unique to `prefix`.
  static func batch(_ prefix: String, count: Int) -> String {
    (0..<count).map { i in
      #"{"id":"\#(prefix)-\#(i)","type":"statement.made","occurred_at":"2024-02-0\#(1 + i % 9)","data":{"speaker":{"name":"Nenad Nešić","country":"BA"},"text":"Statement number \#(i) of batch \#(prefix).","about":["SI"],"topics":["migration"]}}"#
    }.joined(separator: "\n")
  }

  func lastSeq(_ store: String) throws -> Int {
    try CLI.json(try CLI.run(["stats", "--format", "json"], store: store).stdout)["last_seq"] as! Int
  }

  func startAppend(_ file: URL, store: String) throws -> Process {
    let process = Process()
    process.executableURL = CLI.binary
    process.arguments = ["append", "--store", store, file.path]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
  }

  @Test func aKilledAppendLeavesTheBatchWholeOrAbsent() throws {
    let store = try CLI.seededStore()
    let size = 3000
    var outcomes: [String] = []
    // Time one whole append, then kill at moments spread over 0…120% of it.
    let probe = CLI.tempDir().appendingPathComponent("probe.ndjson")
    try Self.batch("probe", count: size).write(to: probe, atomically: true, encoding: .utf8)
    let start = Date()
    #expect(try CLI.run(["append", probe.path], store: store).status == 0)
    let duration = Date().timeIntervalSince(start)
    let trials = 6
    for trial in 0..<trials {
      let file = CLI.tempDir().appendingPathComponent("batch.ndjson")
      try Self.batch("kill\(trial)", count: size).write(to: file, atomically: true, encoding: .utf8)
      let before = try lastSeq(store)
      let process = try startAppend(file, store: store)
      usleep(UInt32(duration * 1.2 * Double(trial + 1) / Double(trials) * 1_000_000))
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      #expect(try CLI.run(["verify"], store: store).status == 0)
      let after = try lastSeq(store)
      #expect(after == before || after == before + size, "trial \(trial): \(before) → \(after)")
      outcomes.append(after == before ? "absent" : "whole")
      // The store keeps working.
      let one = try CLI.run(["append"], stdin: Self.batch("after\(trial)", count: 1), store: store)
      #expect(one.status == 0, "\(one.stderr)")
    }
    print("kill trials: \(outcomes)")
  }

  @Test func aCopyTakenMidAppendOpensAtABatchBoundary() throws {
    // What a power cut leaves is what was written: a copy of the file and its WAL taken
    // while an append is stopped mid-way must open to the log before or after the batch.
    let store = try CLI.seededStore()
    let size = 3000
    for trial in 0..<4 {
      let file = CLI.tempDir().appendingPathComponent("batch.ndjson")
      try Self.batch("power\(trial)", count: size).write(to: file, atomically: true, encoding: .utf8)
      let before = try lastSeq(store)
      let process = try startAppend(file, store: store)
      usleep(UInt32(30_000 + trial * 70_000))
      kill(process.processIdentifier, SIGSTOP)
      let copy = CLI.tempDir().appendingPathComponent("copy.db").path
      for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: store + suffix) {
        try FileManager.default.copyItem(atPath: store + suffix, toPath: copy + suffix)
      }
      kill(process.processIdentifier, SIGCONT)
      process.waitUntilExit()
      #expect(process.terminationStatus == 0)
      #expect(try CLI.run(["verify"], store: copy).status == 0)
      let seen = try lastSeq(copy)
      #expect(seen == before || seen == before + size, "trial \(trial): \(before) → \(seen)")
      // Once append returned 0, a copy holds the whole batch.
      let done = CLI.tempDir().appendingPathComponent("done.db").path
      for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: store + suffix) {
        try FileManager.default.copyItem(atPath: store + suffix, toPath: done + suffix)
      }
      #expect(try lastSeq(done) == before + size)
    }
  }

  @Test func readersSeeAConsistentPrefixWhileWritersAppend() async throws {
    let store = try CLI.seededStore()
    let writers = 3
    let batches = 5
    let size = 20
    try await withThrowingTaskGroup(of: String.self) { group in
      for w in 0..<writers {
        group.addTask {
          for b in 0..<batches {
            let result = try CLI.run(["append"], stdin: Self.batch("w\(w)b\(b)", count: size), store: store, clock: nil)
            if result.status != 0 { return "writer \(w): \(result.stderr)" }
          }
          return ""
        }
      }
      for r in 0..<2 {
        group.addTask {
          for _ in 0..<8 {
            let result = try CLI.run(["export"], store: store)
            if result.status != 0 { return "reader \(r): exit \(result.status): \(result.stderr)" }
            let export = result.stdout.split(separator: "\n")
            let lines = export.map { try! CLI.json(String($0)) }
            let seqs = lines.map { $0["seq"] as! Int }
            if seqs.count < 25 || seqs != Array(1...seqs.count) { return "reader \(r): seq has gaps" }
            var perBatch: [String: Int] = [:]
            for line in lines {
              let id = line["id"] as! String
              if id.hasPrefix("w") { perBatch[String(id.split(separator: "-")[0]), default: 0] += 1 }
            }
            if let partial = perBatch.first(where: { $0.value != size }) { return "reader \(r): batch \(partial.key) is partial" }
          }
          return ""
        }
      }
      for try await problem in group { #expect(problem.isEmpty, "\(problem)") }
    }
    #expect(try lastSeq(store) == 25 + writers * batches * size)
    #expect(try CLI.run(["verify"], store: store).status == 0)
  }
}
