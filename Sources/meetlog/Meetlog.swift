import ArgumentParser
import MeetlogKit

#if canImport(Glibc)
  import Glibc
#endif

/// The `meetlog` command: a thin shell that parses options, calls `MeetlogKit` and
/// prints. Errors are mapped to the SPEC's exit codes here and nowhere else.
@main
struct Meetlog: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "meetlog",
    abstract: "An event-sourced log of diplomatic and ministerial meetings.",
    discussion: """
      Append events (meetings, statements, pledges, thanks, resolutions) to a local
      SQLite store and replay the state of bilateral relations and open items to any
      point in time. The store is ./meetlog.db unless --store or MEETLOG_STORE says otherwise.

      Exit codes: 0 success, 1 verify found a fault, 2 wrong usage, 65 invalid input,
      66 store or input file missing, 74 I/O error, 75 conflict or store busy (retry).
      """,
    version: "0.1.0",
    subcommands: [
      InitCommand.self, AppendCommand.self, LogCommand.self, StateCommand.self, ReplayCommand.self,
      VerifyCommand.self, ExportCommand.self, ImportCommand.self, StatsCommand.self, TailCommand.self, ReportCommand.self,
    ]
  )

  static func main() {
    ProcessMemory.configure()
    // A file-size limit (ulimit -f) must fail the write, not kill the process mid-append.
    signal(SIGXFSZ, SIG_IGN)
    // A parent may start us with signals blocked (threads of test runners do): `tail
    // --follow` must still stop on SIGTERM, SIGINT and SIGHUP.
    var unblock = sigset_t()
    sigemptyset(&unblock)
    for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE] { sigaddset(&unblock, signal) }
    sigprocmask(SIG_UNBLOCK, &unblock, nil)
    do {
      // Scripts start one `meetlog append` per event: its plain command lines skip
      // ArgumentParser's start-up cost (see `AppendArguments`).
      let arguments = Array(CommandLine.arguments.dropFirst())
      if arguments.first == "append", let plain = AppendArguments(plain: Array(arguments.dropFirst())) {
        try AppendCommand.run(plain)
        return
      }
      var command = try parseAsRoot()
      try command.run()
    } catch let error as MeetlogError {
      FileIO.writeStandardError(TextStyle.red.apply("meetlog:", colour: Terminal.colourStandardError) + " \(error.message)\n")
      Glibc.exit(error.exitCode)
    } catch let code as ExitCode {
      Glibc.exit(code.rawValue)
    } catch {
      let code = exitCode(for: error)
      let message = fullMessage(for: error)
      if code == .success {
        FileIO.writeStandardOutput(message.isEmpty ? "" : message + "\n")
        Glibc.exit(0)
      }
      FileIO.writeStandardError(message + "\n")
      // The SPEC's exit code for wrong usage is 2 (ArgumentParser's own is 64).
      Glibc.exit(code == .validationFailure ? 2 : code.rawValue)
    }
  }
}
