import Foundation
import Testing

/// Runs docs/tutorial.md as a reader would: every `sh` block in order in one shell, in a
/// fresh directory with `events/` beside it, and compares what each block prints with
/// the `text` block that follows it on the page. `python` blocks that start with
/// `# file: NAME` are written to NAME first; `sh norun` blocks (building) are skipped.
@Suite struct TutorialTests {
  struct Block {
    var info: String
    var body: String
  }

  static func blocks(_ markdown: String) -> [Block] {
    var result: [Block] = []
    var current: Block?
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("```") {
        if var block = current {
          if block.body.hasSuffix("\n") { block.body.removeLast() }
          result.append(block)
          current = nil
        } else {
          current = Block(info: String(line.dropFirst(3)), body: "")
        }
      } else if current != nil {
        current!.body += line + "\n"
      }
    }
    return result
  }

  @Test func everyCommandRunsAndPrintsWhatThePageShows() throws {
    let page = try String(contentsOf: CLI.packageRoot.appendingPathComponent("docs/tutorial.md"), encoding: .utf8)
    let dir = CLI.tempDir()
    let store = dir.appendingPathComponent("tutorial.db").path
    let blocks = Self.blocks(page.replacingOccurrences(of: "/tmp/tutorial.db", with: store))
    try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("events"), withDestinationURL: CLI.events)
    var script = """
      set -euo pipefail
      cd '\(dir.path)'
      export PATH='\(CLI.binary.deletingLastPathComponent().path)':"$PATH"
      export MEETLOG_CLOCK=2026-01-15T12:00:00Z
      unset NO_COLOR MEETLOG_COLOR MEETLOG_PROGRESS MEETLOG_STORE

      """
    var expected: [Int: String] = [:]
    var shellIndex = -1
    for block in blocks {
      switch block.info {
      case "sh":
        shellIndex += 1
        script += "echo '@@@ \(shellIndex)'\n" + block.body + "\n"
      case "text" where shellIndex >= 0:
        expected[shellIndex] = block.body
      case "python":
        let first = block.body.split(separator: "\n").first ?? ""
        if first.hasPrefix("# file: ") {
          try block.body.write(to: dir.appendingPathComponent(String(first.dropFirst(8))), atomically: true, encoding: .utf8)
        }
      default: break
      }
    }
    let scriptFile = dir.appendingPathComponent("tutorial.sh")
    try script.write(to: scriptFile, atomically: true, encoding: .utf8)
    let run = try CLI.shell("bash '\(scriptFile.path)' 2>'\(dir.path)/stderr'")
    let stderr = (try? String(contentsOfFile: dir.path + "/stderr", encoding: .utf8)) ?? ""
    #expect(run.status == 0, "the tutorial's commands failed: \(stderr)")
    var outputs: [Int: String] = [:]
    var index = -1
    for line in run.stdout.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("@@@ "), let n = Int(line.dropFirst(4)) {
        index = n
        outputs[n] = ""
      } else if index >= 0 {
        outputs[index]! += line + "\n"
      }
    }
    #expect(outputs.count == shellIndex + 1, "every block ran")
    for (n, text) in expected.sorted(by: { $0.key < $1.key }) {
      let actual = (outputs[n] ?? "").split(separator: "\n", omittingEmptySubsequences: false).map {
        $0.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
      }.joined(separator: "\n").trimmingCharacters(in: .newlines)
      #expect(actual == text, "block \(n) printed:\n\(actual)")
    }
    #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("report.html").path))
    #expect(stderr.contains("typo.ndjson:1: data.from.country: \"BIH\" is not an ISO 3166-1 alpha-2 code"))
  }
}
