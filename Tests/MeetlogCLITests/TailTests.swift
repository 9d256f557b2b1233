import Foundation
import Testing

/// `meetlog tail`: catch up, then follow a concurrent appender.
@Suite struct TailTests {
  @Test func catchesUpFromASeq() throws {
    let store = try CLI.seededStore()
    let result = try CLI.run(["tail", "--from-seq", "24"], store: store)
    #expect(result.status == 0)
    let seqs = result.stdout.split(separator: "\n").map { try! CLI.json(String($0))["seq"] as! Int }
    #expect(seqs == [24, 25])
    #expect(try CLI.run(["tail", "--from-seq", "0"], store: store).status == 2)
  }

  @Test func followsAConcurrentAppender() throws {
    let store = try CLI.seededStore()
    let lines = (0..<3).map { i in
      #"{"id":"followed-\#(i)","type":"thanks.expressed","occurred_at":"2024-01-0\#(i + 1)","data":{"from":{"name":"Nenad Nešić","country":"BA"},"to":"SI","for":"round \#(i)"}}"#
    }
    let input = CLI.tempDir().appendingPathComponent("later.ndjson")
    try lines.joined(separator: "\n").write(to: input, atomically: true, encoding: .utf8)
    let bin = CLI.binary.path
    // The shell runs tail for 4 s while an appender adds three events, one by one, after it started.
    let script = """
      (sleep 0.8; for n in 1 2 3; do sed -n "${n}p" '\(input.path)' | '\(bin)' append --store '\(store)' >/dev/null; sleep 0.2; done) &
      timeout 4 '\(bin)' tail --follow --from-seq 25 --store '\(store)'
      wait
      """
    let data = try CLI.shell(script).stdout
    let ids = data.split(separator: "\n").map { try! CLI.json(String($0))["id"] as! String }
    #expect(ids == ["frontex-signed-2025-06-11", "followed-0", "followed-1", "followed-2"])
  }
}
