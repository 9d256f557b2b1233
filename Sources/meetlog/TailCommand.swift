import ArgumentParser
import MeetlogKit

struct TailCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tail", abstract: "Print events as NDJSON from a seq on, then follow new appends.",
    discussion: """
      Catches up first (every event with seq ≥ --from-seq, in export form), then, with
      --follow, prints each new event as soon as its append commits, until interrupted.

      Examples:
        meetlog tail --from-seq 20
        meetlog tail --follow | while read -r event; do echo "new: $event"; done
      """)

  @OptionGroup var store: StoreOptions

  @Option(help: ArgumentHelp("Start at this seq (default 1).", valueName: "N"))
  var fromSeq: Int64 = 1

  @Flag(help: "Keep running and print new events as they are appended.")
  var follow = false

  func run() throws {
    if fromSeq < 1 { throw MeetlogError(.usage, "--from-seq: \(fromSeq) must be 1 or more") }
    let opened = try SQLiteEventStore(path: store.path, mode: .read)
    try Tail.run(opened, fromSeq: fromSeq, follow: follow) { FileIO.writeStandardOutputChecked($0) }
  }
}
