import ArgumentParser
import MeetlogKit

struct InitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "init", abstract: "Create an empty store.",
    discussion: "Example:\n  meetlog init --store relations.db")

  @OptionGroup var store: StoreOptions

  func run() throws {
    _ = try SQLiteEventStore(path: store.path, mode: .create)
    FileIO.writeStandardOutput("created an empty store at \(store.path)\n")
  }
}
