import ArgumentParser
import MeetlogKit

struct StateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "state", abstract: "Replay to a point in time and print relations and items.",
    discussion: """
      Without a section, prints the relations and the open items. `items` lists the
      open items, or every item with --all.

      Examples:
        meetlog state --as-of 2023-11-08
        meetlog state items --all --format json
        meetlog state relations --as-of 2024-06-30 --known-at 2024-01-01
      """)

  @OptionGroup var store: StoreOptions
  @OptionGroup var point: PointOptions
  @OptionGroup var output: FormatOption

  @Argument(help: ArgumentHelp("What to print: relations or items (default: both).", valueName: "section"))
  var section: StateSection = .all

  @Flag(help: "List every item, resolved ones included, not only the open ones.")
  var all = false

  @OptionGroup var weights: WeightsOption

  @Flag(help: "Fold the whole log instead of resuming from a snapshot (the result is the same).")
  var noSnapshots = false

  func run() throws {
    let point = try point.point()
    let scoreWeights = try weights.load()
    // A snapshot leaves little to fold: the threads make a few large arrays each
    // (`ProcessMemory.shareOneArena`).
    if !noSnapshots { ProcessMemory.shareOneArena() }
    let store = try SQLiteEventStore(path: store.path, mode: .read)
    store.progress = ProgressLine.forStandardError("replaying")
    defer { store.progress?.finish() }
    let colour = Terminal.colourStandardOutput
    let (state, items) = try StateQuery.runFolded(
      store, point, weights: scoreWeights, withItems: section != .relations, closedItems: all,
      withTopics: output.format == .json || output.format == .ndjson, useSnapshots: !noSnapshots,
      tableOnly: output.format == .table && !colour)
    store.progress?.finish()
    StateRenderer.render(
      state, items: items, section: section, allItems: all, format: output.format, colour: colour, to: FileIO.writeStandardOutput)
    // Freeing a large state (its arrays, the items' texts) is left to the process's end.
    ProcessEnd.reclaim((state, items))
  }
}
