import Foundation
import Testing

/// Colour only on a terminal and never with NO_COLOR; progress lines only on a
/// terminal's standard error.
@Suite struct TerminalTests {
  static let escape = "\u{1B}["

  /// NDJSON of `count` meetings, enough work for a progress line.
  static func bigFile(_ count: Int) throws -> String {
    var text = ""
    for i in 0..<count {
      text +=
        #"{"type":"meeting.held","occurred_at":"2020-01-\#(String(format: "%02d", i % 28 + 1))","data":{"participants":[{"name":"A","country":"SI"},{"name":"B","country":"BA"}]}}"#
        + "\n"
    }
    let path = CLI.tempDir().appendingPathComponent("big.ndjson").path
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
  }

  @Test func colourIsForcedOnlyWithoutNoColor() throws {
    let store = try CLI.seededStore()
    let forced = try CLI.run(["state"], store: store, environment: ["NO_COLOR": "", "MEETLOG_COLOR": "always"])
    #expect(forced.stdout.contains(Self.escape + "1mPAIR"))
    // Colour never changes the columns: without the escapes the table is the plain one.
    let plain = try CLI.run(["state"], store: store, environment: ["NO_COLOR": ""])
    #expect(!plain.stdout.contains(Self.escape))
    let stripped = forced.stdout.replacingOccurrences(of: "\u{1B}\\[[0-9]+m", with: "", options: .regularExpression)
    #expect(stripped == plain.stdout)
    let noColor = try CLI.run(["state"], store: store, environment: ["NO_COLOR": "1", "MEETLOG_COLOR": "always"])
    #expect(!noColor.stdout.contains(Self.escape))
    let json = try CLI.run(["state", "--format", "json"], store: store, environment: ["NO_COLOR": "", "MEETLOG_COLOR": "always"])
    #expect(!json.stdout.contains(Self.escape))
    let error = try CLI.run(["state", "--as-of", "never"], store: store, environment: ["NO_COLOR": "", "MEETLOG_COLOR": "always"])
    #expect(error.status == 2)
  }

  @Test func aTerminalGetsColourUnlessNoColorIsSet() throws {
    let store = try CLI.seededStore()
    let command = "\(CLI.binary.path) state relations --store \(store)"
    let tty = try CLI.shell("env -u NO_COLOR -u MEETLOG_COLOR TERM=xterm script -qec '\(command)' /dev/null")
    #expect(tty.stdout.contains(Self.escape + "1mPAIR"))
    let noColor = try CLI.shell("env -u MEETLOG_COLOR NO_COLOR=1 TERM=xterm script -qec '\(command)' /dev/null")
    #expect(noColor.stdout.contains("PAIR"))
    #expect(!noColor.stdout.contains(Self.escape))
    let dumb = try CLI.shell("env -u NO_COLOR -u MEETLOG_COLOR TERM=dumb script -qec '\(command)' /dev/null")
    #expect(!dumb.stdout.contains(Self.escape))
  }

  @Test func progressGoesToStandardErrorOnlyWhenAsked() throws {
    let file = try Self.bigFile(9000)
    let dir = CLI.tempDir()
    let quiet = try CLI.run(["append", file, "--format", "json"], store: dir.appendingPathComponent("a.db").path)
    #expect(quiet.status == 0)
    #expect(quiet.stderr.isEmpty)
    let store = dir.appendingPathComponent("b.db").path
    let shown = try CLI.run(["append", file, "--format", "json"], store: store, environment: ["MEETLOG_PROGRESS": "always"])
    #expect(shown.status == 0)
    #expect(shown.stderr.contains("\rappending") || shown.stderr.contains("\r\u{1B}[Kappending"))
    #expect(shown.stderr.contains("/9,000 events ("))
    #expect(shown.stderr.contains("events/s"))
    #expect(shown.stderr.hasSuffix("\r\u{1B}[K"), "the line is erased at the end")
    #expect(!shown.stdout.contains("appending"))
    for (command, label) in [(["verify"], "verifying"), (["state", "relations"], "replaying")] {
      let result = try CLI.run(command, store: store, environment: ["MEETLOG_PROGRESS": "always"])
      #expect(result.status == 0)
      #expect(result.stderr.contains(label), "\(command)")
      let silent = try CLI.run(command, store: store)
      #expect(silent.stderr.isEmpty, "\(command)")
    }
  }

  @Test func aTerminalSeesProgressWhenWorkTakesLong() throws {
    // Long enough for the default half-second delay: session 9 made a debug build append
    // 20,000 events in less than that on this machine, and the test failed.
    let file = try Self.bigFile(80000)
    let store = CLI.tempDir().appendingPathComponent("c.db").path
    let command = "\(CLI.binary.path) append \(file) --store \(store) --format json >/dev/null"
    let tty = try CLI.shell("env -u MEETLOG_PROGRESS TERM=xterm script -qec '\(command)' /dev/null")
    #expect(tty.stdout.contains("appending "), "debug builds append 80,000 events in well over half a second")
    #expect(tty.stdout.contains("events/s"))
  }
}
