/// Every failure meetlog reports, with the exit code the SPEC assigns to it.
///
/// The CLI maps an error to its exit code in one place (`exitCode`); the message is
/// what a person needs to fix the input: file, line, field path, the offending value
/// and what was expected.
public struct MeetlogError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The category decides the exit code.
  public enum Kind: Sendable, Equatable {
    /// Bad usage of a command or option (exit 2).
    case usage
    /// Invalid input: nothing was appended (exit 65).
    case invalidInput
    /// The store or an input file does not exist (exit 66).
    case missing
    /// Reading or writing failed (exit 74).
    case io
    /// The store file is damaged or not a meetlog store (exit 74; `verify` reports it
    /// as a fault, exit 1).
    case damaged
    /// `--expect-seq` mismatch or the store stayed busy: retry (exit 75).
    case conflict
    /// `verify` found a fault (exit 1).
    case fault
  }

  public var kind: Kind
  public var message: String

  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }

  /// The process exit code the SPEC fixes for this kind of error.
  public var exitCode: Int32 {
    switch kind {
    case .usage: 2
    case .invalidInput: 65
    case .missing: 66
    case .io, .damaged: 74
    case .conflict: 75
    case .fault: 1
    }
  }
}

/// Where a piece of input came from, so that errors can name `file:line`.
public struct InputLocation: Sendable, Equatable {
  public var file: String
  public var line: Int

  public init(file: String, line: Int) {
    self.file = file
    self.line = line
  }

  public var description: String { "\(file):\(line)" }
}
