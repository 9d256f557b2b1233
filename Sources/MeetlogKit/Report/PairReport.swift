/// One mark on a report's timeline: an act that touched the pair.
public struct TimelineMark: Sendable, Equatable {
  /// The lanes of the timeline, top to bottom.
  public enum Lane: Int, Sendable, CaseIterable {
    case meetings, pledges, closed, thanks, statements

    public var title: String {
      switch self {
      case .meetings: "Meetings"
      case .pledges: "Pledges"
      case .closed: "Items closed"
      case .thanks: "Thanks"
      case .statements: "Statements"
      }
    }
  }

  public var lane: Lane
  public var occurredAt: Timestamp
  public var eventId: String
  /// What a reader sees on hover: the title, the summary, the quote.
  public var label: String
  /// The outcome of a closed item (it gives the mark its colour).
  public var outcome: Outcome?
  /// The weight the event added to the pair's score, before decay.
  public var weight: Double
}

/// One point of the cooperation-score curve: the score as of the end of a day.
public struct ScorePoint: Sendable, Equatable {
  public var day: Int
  public var score: Double
}

/// What `meetlog report` shows about one pair at a point in time: its relation, its
/// items, the timeline of acts that touched it and the score curve.
public struct PairReport: Sendable {
  public var relation: RelationState
  /// Every item touching the pair, in pledge order: open ones and closed ones.
  public var items: [ItemState]
  public var timeline: [TimelineMark]
  public var curve: [ScorePoint]
}

/// A whole report: the projected state at the point and the pairs it details.
public struct Report: Sendable {
  public var state: ProjectedState
  public var pairs: [PairReport]
}
