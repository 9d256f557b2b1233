import ArgumentParser
import Testing

@testable import meetlog

/// `meetlog append` reads plain command lines without ArgumentParser (start-up cost):
/// whatever it accepts, ArgumentParser must read the same way, and whatever is unusual
/// must be left to ArgumentParser.
@Suite struct AppendArgumentsTests {
  static let accepted: [[String]] = [
    [],
    ["-"],
    ["events.ndjson"],
    ["a.ndjson", "b.ndjson", "-"],
    ["--store", "s.db", "-"],
    ["--store=s.db", "events.ndjson"],
    ["--store", "dir with space/s.db"],
    ["--expect-seq", "18", "events.ndjson"],
    ["--expect-seq=0"],
    ["--format", "json", "--store", "x.db"],
    ["--format=ndjson", "-"],
    ["--format", "markdown"],
    ["--", "--store", "-x"],
    ["events.ndjson", "--store", "s.db", "--expect-seq", "3", "--format", "table"],
  ]

  static let declined: [[String]] = [
    ["--help"],
    ["-h"],
    ["--version"],
    ["--generate-completion-script", "bash"],
    ["--unknown"],
    ["-s", "x.db"],
    ["--store"],
    ["--store", "--format", "json"],
    ["--store="],
    ["--store", "a.db", "--store", "b.db"],
    ["--expect-seq", "ten"],
    ["--expect-seq", "-1"],
    ["--expect-seq", "+1"],
    ["--expect-seq", "99999999999999999999"],
    ["--format", "yaml"],
    ["--format=JSON"],
  ]

  @Test(arguments: accepted)
  func readsAsArgumentParserDoes(_ arguments: [String]) throws {
    let plain = try #require(AppendArguments(plain: arguments))
    let parsed = try AppendCommand.parse(arguments)
    #expect(plain == parsed.arguments)
  }

  @Test(arguments: declined)
  func leavesTheRestToArgumentParser(_ arguments: [String]) {
    #expect(AppendArguments(plain: arguments) == nil)
  }

  /// Random command lines from the tokens scripts use and misuse: whenever the plain
  /// reader accepts one, ArgumentParser accepts it too and reads the same.
  @Test func randomCommandLinesReadAlike() throws {
    let tokens = [
      "-", "--", "e.ndjson", "f.ndjson", "--store", "--store=s.db", "s.db", "--expect-seq", "--expect-seq=7", "7", "x",
      "--format", "--format=json", "json", "table", "-x", "--help", "=",
    ]
    var generator = SystemRandomNumberGenerator()
    var accepted = 0
    for _ in 0..<800 {
      let line = (0..<Int.random(in: 0...5, using: &generator)).map { _ in tokens.randomElement(using: &generator)! }
      guard let plain = AppendArguments(plain: line) else { continue }
      accepted += 1
      let parsed = try AppendCommand.parse(line)
      #expect(plain == parsed.arguments, "\(line)")
    }
    #expect(accepted > 30)
  }
}
