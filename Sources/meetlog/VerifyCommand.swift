import ArgumentParser
import MeetlogKit

struct VerifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify", abstract: "Check the whole store: hash chain, seq, payloads, reference rules.",
    discussion: """
      Exits 0 when the store is sound, 1 when it found a fault (each named by its seq).
      The chain shows any change inside the log; only a head hash kept elsewhere (from
      `meetlog stats`) shows a log rewritten or cut from some point on: pass it with
      --expect-head, and verify checks it is still a link of the chain.

      Examples:
        meetlog verify
        meetlog verify --expect-head 7e5cc0fb348c6660f84b85e4644ec20685a22d9187fdbedabb8c946c8eda3b59
        meetlog verify --format json
      """)

  @OptionGroup var store: StoreOptions
  @OptionGroup var output: FormatOption

  @Option(help: ArgumentHelp("A head hash kept elsewhere (64 hex digits) that must still be in the chain.", valueName: "hash"))
  var expectHead: String?

  func run() throws {
    var expected: [UInt8]?
    if let expectHead {
      guard let bytes = Self.hexBytes(expectHead), bytes.count == 32 else {
        throw MeetlogError(.usage, "--expect-head: \"\(expectHead)\" is not a SHA-256 hash (64 hex digits)")
      }
      expected = bytes
    }
    let report = try Self.verify(path: store.path, expectHead: expected)
    let head = HashChain.hex(report.headHash)
    switch output.format {
    case .json, .ndjson:
      var w = JSONWriter(indent: output.format == .json ? 2 : 0)
      w.beginObject()
      w.field("ok", report.faults.isEmpty)
      w.key("events")
      w.int(report.eventsChecked)
      w.field("head_hash", head)
      w.key("expected_head_seq")
      if let seq = report.expectedHeadSeq { w.int(seq) } else { w.null() }
      w.key("faults")
      w.beginArray()
      for f in report.faults {
        w.beginObject()
        w.key("seq")
        w.int(f.seq)
        w.field("message", f.message)
        w.endObject()
      }
      w.endArray()
      w.endObject()
      FileIO.writeStandardOutput(w.string + "\n")
    case .table, .markdown:
      let colour = output.format == .table && Terminal.colourStandardOutput
      if report.faults.isEmpty {
        var text = TextStyle.green.apply("ok", colour: colour) + ": \(report.eventsChecked) events verified; head hash \(head)\n"
        if let seq = report.expectedHeadSeq {
          let since = report.eventsChecked - seq
          let tail: String = since == 0 ? ", the last event" : "; \(since) events were appended since"
          text += "the expected head is the hash of seq \(seq)" + tail + "\n"
        }
        FileIO.writeStandardOutput(text)
      } else {
        var text =
          TextStyle.red.apply("FAULT", colour: colour)
          + ": \(report.faults.count) problem(s) in \(report.eventsChecked) events; first bad seq \(report.faults[0].seq)\n"
        for f in report.faults { text += "seq \(f.seq): \(f.message)\n" }
        FileIO.writeStandardOutput(text)
      }
    }
    if !report.faults.isEmpty { throw ExitCode(1) }
  }

  /// Verifies; a store too damaged to open is a fault (exit 1), not an I/O error.
  static func verify(path: String, expectHead: [UInt8]?) throws -> VerifyReport {
    do {
      let opened = try SQLiteEventStore(path: path, mode: .read)
      opened.progress = ProgressLine.forStandardError("verifying")
      defer { opened.progress?.finish() }
      return try opened.verify(expectHead: expectHead)
    } catch {
      guard error.kind == .damaged else { throw error }
      FileIO.writeStandardOutput("FAULT: the store cannot be read: " + error.message + "\n")
      throw ExitCode(1)
    }
  }

  static func hexBytes(_ text: String) -> [UInt8]? {
    var bytes: [UInt8] = []
    var high: UInt8?
    for c in text.utf8 {
      let v: UInt8
      switch c {
      case 0x30...0x39: v = c - 0x30
      case 0x61...0x66: v = c - 0x61 + 10
      case 0x41...0x46: v = c - 0x41 + 10
      default: return nil
      }
      if let h = high {
        bytes.append(h << 4 | v)
        high = nil
      } else {
        high = v
      }
    }
    return high == nil ? bytes : nil
  }
}
