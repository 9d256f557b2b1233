import Foundation
import Testing

/// Several processes append at once: nothing lost, nothing duplicated, seq gapless.
@Suite struct ConcurrencyTests {
  @Test func concurrentAppendersLoseNothing() async throws {
    let store = try CLI.seededStore()
    let writers = 4
    let perWriter = 8
    try await withThrowingTaskGroup(of: [Int32].self) { group in
      for w in 0..<writers {
        group.addTask {
          var statuses: [Int32] = []
          for i in 0..<perWriter {
            let line =
              #"{"id":"w\#(w)-\#(i)","type":"thanks.expressed","occurred_at":"2024-01-0\#(1 + i % 9)","data":{"from":{"name":"W\#(w)","country":"SI"},"to":"BA","for":"round \#(i)"}}"#
            statuses.append(try CLI.run(["append"], stdin: line, store: store, clock: nil).status)
          }
          return statuses
        }
      }
      for try await statuses in group { #expect(statuses.allSatisfy { $0 == 0 }) }
    }
    let export = try CLI.run(["export"], store: store).stdout.split(separator: "\n")
    let seqs = export.map { try! CLI.json(String($0))["seq"] as! Int }
    #expect(seqs == Array(1...(25 + writers * perWriter)))
    #expect(try CLI.run(["verify"], store: store).status == 0)
  }

  @Test func severalFirstAppendsCreateOneStore() async throws {
    for round in 0..<3 {
      let store = CLI.tempDir().appendingPathComponent("new-\(round).db").path
      let statuses = try await withThrowingTaskGroup(of: Result.self) { group in
        for w in 0..<4 {
          group.addTask {
            let line =
              #"{"id":"first-\#(w)","type":"thanks.expressed","occurred_at":"2024-01-01","data":{"from":{"name":"W","country":"SI"},"to":"BA","for":"x"}}"#
            let result = try CLI.run(["append"], stdin: line, store: store, clock: nil)
            return Result(status: result.status, stderr: result.stderr)
          }
        }
        var all: [Result] = []
        for try await r in group { all.append(r) }
        return all
      }
      #expect(statuses.allSatisfy { $0.status == 0 }, "\(statuses.map(\.stderr))")
      #expect(try CLI.run(["verify"], store: store).stdout.hasPrefix("ok: 4 events"))
      // Each writer built a store beside the path; those that lost the race removed theirs.
      let folder = (store as NSString).deletingLastPathComponent
      #expect(try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".new-") }.isEmpty)
    }
  }

  struct Result: Sendable {
    var status: Int32
    var stderr: String
  }
}
