import ArgumentParser
import MeetlogKit

struct VerifyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "verify", abstract: "Check the whole store: hash chain, seq, payloads, reference rules.",
    discussion: """
      Exits 0 when the store is sound, 1 when it found a fault (each named by its seq).

      Examples:
        meetlog verify
        meetlog verify --format json
      """)

  @OptionGroup var store: StoreOptions
  @OptionGroup var output: FormatOption

  func run() throws {
    let store = try SQLiteEventStore(path: store.path, mode: .read)
    let report = try store.verify()
    let head = HashChain.hex(report.headHash)
    switch output.format {
    case .json, .ndjson:
      var w = JSONWriter(indent: output.format == .json ? 2 : 0)
      w.beginObject()
      w.field("ok", report.faults.isEmpty)
      w.key("events")
      w.int(report.eventsChecked)
      w.field("head_hash", head)
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
      if report.faults.isEmpty {
        FileIO.writeStandardOutput("ok: \(report.eventsChecked) events verified; head hash \(head)\n")
      } else {
        var text = "FAULT: \(report.faults.count) problem(s) in \(report.eventsChecked) events; first bad seq \(report.faults[0].seq)\n"
        for f in report.faults { text += "seq \(f.seq): \(f.message)\n" }
        FileIO.writeStandardOutput(text)
      }
    }
    if !report.faults.isEmpty { throw ExitCode(1) }
  }
}
