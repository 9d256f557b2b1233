/// The Goldstein-style weight each kind of event adds to the pairs it touches.
///
/// The defaults are the CAMEO 1.1b3 values in `docs/scoring.md`; a user may override
/// any of them with a JSON file (`--weights FILE`).
public struct ScoreWeights: Sendable, Equatable {
  public var meetingHeld = 1.0
  public var statementMade = 0.0
  public var agreementPledged = 4.0
  public var thanksExpressed = 3.4
  public var itemUpdated = 0.0
  public var resolved: [Outcome: Double] = [
    .fulfilled: 6.0, .partiallyFulfilled: 3.5, .broken: -4.0, .withdrawn: -4.0, .superseded: 0.0,
  ]

  /// Half-life of the decay, in days.
  public static let halfLifeDays = 365.0

  public init() {}

  public func weight(of body: EventBody) -> Double {
    switch body {
    case .meetingHeld: meetingHeld
    case .statementMade: statementMade
    case .agreementPledged: agreementPledged
    case .thanksExpressed: thanksExpressed
    case .itemUpdated: itemUpdated
    case .itemResolved(let r): resolved[r.outcome] ?? 0
    case .eventRetracted: 0
    }
  }

  /// The keys a weights file may hold.
  public static let keys: [String] =
    ["meeting.held", "statement.made", "agreement.pledged", "thanks.expressed", "item.updated"]
    + Outcome.allCases.map { "item.resolved.\($0.rawValue)" }

  /// Reads a weights file: one JSON object, any subset of `keys`, numbers as values.
  public static func parse(_ bytes: [UInt8], file: String) throws(MeetlogError) -> ScoreWeights {
    let value: JSONValue
    do { value = try JSONParser.parse(bytes) } catch {
      throw MeetlogError(.invalidInput, "\(file):\(error.line): invalid JSON: \(error.message)")
    }
    guard case .object(let members) = value else {
      throw MeetlogError(.invalidInput, "\(file):1: a JSON object of weights was expected")
    }
    var weights = ScoreWeights()
    for (key, member) in members {
      guard case .number(let text) = member, let number = Double(text) else {
        throw MeetlogError(.invalidInput, "\(file):1: \(key): \(member.quoted) is not a number")
      }
      switch key {
      case "meeting.held": weights.meetingHeld = number
      case "statement.made": weights.statementMade = number
      case "agreement.pledged": weights.agreementPledged = number
      case "thanks.expressed": weights.thanksExpressed = number
      case "item.updated": weights.itemUpdated = number
      default:
        guard key.hasPrefix("item.resolved."), let outcome = Outcome(rawValue: String(key.dropFirst(14))) else {
          throw MeetlogError(.invalidInput, "\(file):1: \(key): unknown weight (expected one of \(keys.joined(separator: ", ")))")
        }
        weights.resolved[outcome] = number
      }
    }
    return weights
  }
}
