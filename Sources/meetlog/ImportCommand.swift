import ArgumentParser
import MeetlogKit

struct ImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import", abstract: "Load an export into an empty store, keeping ids, seq and recorded_at.",
    discussion: """
      Every line is validated as on append, and seq must run 1, 2, 3 … without gaps.

      Example:
        meetlog import --store copy.db backup.ndjson
      """)

  @OptionGroup var store: StoreOptions

  @Argument(help: ArgumentHelp("Export files; standard input when none or '-'.", valueName: "file"))
  var files: [String] = []

  func run() throws {
    let events = try Operations.readEvents(from: files, recordFields: true)
    let last = try Operations.importExport(storePath: store.path, events: events) { ProgressLine.forStandardError($0) }
    FileIO.writeStandardOutput("imported \(events.count) events; last seq \(last)\n")
  }
}
