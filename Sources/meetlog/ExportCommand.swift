import ArgumentParser
import MeetlogKit

/// What `meetlog export` writes: its own NDJSON (for import), or event data.
enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
  case ndjson, gdelt, plover
}

struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export", abstract: "Print every event as NDJSON, with seq and recorded_at, or as GDELT or PLOVER event data.",
    discussion: """
      The NDJSON output loads into an empty store with `meetlog import`, which reproduces
      the same events, ids, seq and recorded_at: exporting again gives identical bytes.

      --format gdelt writes tab-separated rows in the GDELT 2.0 event layout (CAMEO code,
      Goldstein value, quad class, three-letter actors), --format plover PLOVER JSON
      records; both leave retracted events out (docs/interop.md).

      Examples:
        meetlog export > backup.ndjson
        meetlog export --format gdelt > events.tsv
        meetlog export --format plover | head -3
      """)

  @OptionGroup var store: StoreOptions

  @Option(help: ArgumentHelp("ndjson (meetlog's own, for import), gdelt or plover.", valueName: "format"))
  var format: ExportFormat = .ndjson

  func run() throws {
    let store = try SQLiteEventStore(path: store.path, mode: .read)
    switch format {
    case .ndjson: try Operations.export(store) { FileIO.writeStandardOutput($0) }
    case .gdelt: try Operations.exportEventData(store, format: .gdelt, now: try WallClock.now()) { FileIO.writeStandardOutput($0) }
    case .plover: try Operations.exportEventData(store, format: .plover, now: try WallClock.now()) { FileIO.writeStandardOutput($0) }
    }
  }
}
