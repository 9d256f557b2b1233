import Foundation
import Testing

/// Every command explains itself: a one-line purpose, its options and real examples,
/// and the man page and shell completions cover every command.
@Suite struct HelpTests {
  static let commands = ["init", "append", "log", "state", "replay", "verify", "export", "import", "stats", "tail", "report"]

  @Test(arguments: commands)
  func helpHasPurposeOptionsAndExamples(_ command: String) throws {
    let result = try CLI.run([command, "--help"])
    #expect(result.status == 0)
    let text = result.stdout
    let overview = try #require(text.split(separator: "\n").first { $0.hasPrefix("OVERVIEW: ") })
    #expect(overview.count > 20, "a one-line purpose")
    #expect(text.contains("OPTIONS:"))
    #expect(text.contains("--store <path>"))
    let examples = text.split(separator: "\n").filter { $0.hasPrefix("  meetlog \(command)") || $0.contains("| meetlog \(command)") }
    #expect((1...3).contains(examples.count), "\(command): \(examples.count) examples")
    // Example files under events/ exist.
    for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" }) where word.hasPrefix("events/") {
      #expect(FileManager.default.fileExists(atPath: CLI.packageRoot.appendingPathComponent(String(word)).path), "\(word)")
    }
  }

  @Test func theManPageAndCompletionsCoverEveryCommand() throws {
    let man = try String(contentsOf: CLI.packageRoot.appendingPathComponent("docs/man/meetlog.1"), encoding: .utf8)
    for command in Self.commands {
      #expect(man.contains("meetlog \(command)") || man.contains("meetlog-\(command)"), "\(command) in docs/man/meetlog.1")
    }
    for shell in ["bash", "zsh", "fish"] {
      let result = try CLI.run(["--generate-completion-script", shell])
      #expect(result.status == 0)
      for command in Self.commands { #expect(result.stdout.contains(command), "\(shell): \(command)") }
    }
  }
}
