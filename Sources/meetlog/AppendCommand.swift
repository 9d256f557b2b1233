import ArgumentParser
import MeetlogKit

struct AppendCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "append", abstract: "Append events from files or standard input, all or none.",
    discussion: """
      Input is NDJSON (one event per line), one JSON object, or an array of objects.
      Prints each event's seq and id; an id already in the log with identical content
      is reported as a duplicate and not appended again.

      Examples:
        meetlog append events/2023-11-08-si-ba.ndjson
        meetlog append --expect-seq 18 events/follow-ups.ndjson
        echo '{"type":"thanks.expressed",...}' | meetlog append
      """)

  @OptionGroup var store: StoreOptions

  @Option(help: ArgumentHelp("Append only if the log's last seq is N (else exit 75).", valueName: "N"))
  var expectSeq: Int64?

  @Option(help: ArgumentHelp("Output format: table, json or ndjson.", valueName: "format"))
  var format: OutputFormat = .table

  @Argument(help: ArgumentHelp("Event files; standard input when none or '-'.", valueName: "file"))
  var files: [String] = []

  var arguments: AppendArguments {
    AppendArguments(store: store.store, expectSeq: expectSeq, format: format, files: files)
  }

  func run() throws { try Self.run(arguments) }

  static func run(_ arguments: AppendArguments) throws {
    let format = arguments.format
    let events = try Operations.readEvents(from: arguments.files)
    let colour = Terminal.colourStandardOutput
    // The lines are rendered while the snapshot is written and the store linked.
    var rendering: BackgroundRender<[AppendOutcome], [UInt8]>?
    let outcomes = try Operations.append(
      storePath: StoreOptions.path(arguments.store), events: events, expectSeq: arguments.expectSeq, now: try WallClock.now(),
      progress: ProgressLine.forStandardError("appending"), snapshotProgress: ProgressLine.forStandardError("snapshotting"),
      committed: { rendering = BackgroundRender($0) { AppendRenderer.render($0, format: format, colour: colour) } })
    ProcessEnd.reclaim(events)
    FileIO.writeStandardOutput(rendering?.result(for: outcomes) ?? AppendRenderer.render(outcomes, format: format, colour: colour))
    ProcessEnd.reclaim(outcomes)
  }
}
