/// A country acting, with the person who acted for it when the event names one.
public struct CodedActor: Sendable, Equatable {
  public var country: String
  public var person: Actor?
}

/// One event read as event data codes it: who did what, in CAMEO terms, towards whom.
///
/// The form is PLOVER's, with compound actors (all participants of a meeting are
/// sources, with no recipient); `directed()` splits it into GDELT's one row per
/// directed pair.
public struct CodedAct: Sendable, Equatable {
  public var code: CAMEOCode
  public var sources: [CodedActor]
  public var targets: [CodedActor]
  /// The meeting's host, which turns a bilateral meeting into a visit and a hosting.
  public var host: String?
  /// Where it happened: the meeting's place, or the place of the meeting it names.
  public var place: Place?
  /// The meeting's `format`, PLOVER's `mode`.
  public var mode: String?
  /// The text the act was coded from: a title, a quote, a summary, a reason, a note.
  public var text: String?
  /// The meeting or item the act belongs to, PLOVER's `link`.
  public var link: String?

  /// One act per directed pair of countries, as GDELT records them.
  ///
  /// A hosted meeting gives each visiting country a visit (042) towards the host and
  /// the host a hosting (043) towards it; other meetings one consultation per pair.
  /// A joint pledge (no `with`) and its resolution act in both directions between the
  /// parties. An act with a single country and no counterpart keeps an empty target.
  public func directed() -> [(source: CodedActor, target: CodedActor?, code: CAMEOCode)] {
    if code == .consult || code == .discussByTelephone {
      let countries = sources.map(\.country)
      if let host, code == .consult, let hostActor = sources.first(where: { $0.country == host }) {
        return sources.filter { $0.country != host }.flatMap { visitor in
          [(visitor, Optional(hostActor), CAMEOCode.makeVisit), (hostActor, Optional(visitor), CAMEOCode.hostVisit)]
        }
      }
      var rows: [(source: CodedActor, target: CodedActor?, code: CAMEOCode)] = []
      for i in countries.indices {
        for j in (i + 1)..<countries.count { rows.append((sources[i], sources[j], code)) }
      }
      return rows
    }
    if targets.isEmpty {
      if sources.count < 2 { return sources.map { ($0, nil, code) } }
      return sources.flatMap { a in sources.filter { $0.country != a.country }.map { (a, Optional($0), code) } }
    }
    return sources.flatMap { a in targets.filter { $0.country != a.country }.map { (a, Optional($0), code) } }
  }
}

/// Codes events as `CodedAct`s. It learns meetings' places and items' parties from the
/// events it is shown first, since a statement's place is its meeting's and a
/// resolution acts along the lines of its pledge.
public struct EventCoder: Sendable {
  private var places: [String: Place] = [:]
  private var items: [String: (pledge: AgreementPledged, id: String)] = [:]

  public init() {}

  /// Remembers what later events refer to: meetings and pledges.
  public mutating func learn(_ event: Event) {
    switch event.body {
    case .meetingHeld(let m):
      if let place = m.place { places[m.meeting ?? event.id] = place }
    case .agreementPledged(let p): items[p.item ?? event.id] = (p, event.id)
    default: break
    }
  }

  /// The act an event records; nil for kinds event data has no code for (updates,
  /// retractions, superseded items) and for a resolution of an unknown item.
  public func code(_ event: Event) -> CodedAct? {
    switch event.body {
    case .meetingHeld(let m):
      var seen = Set<String>()
      let sources = m.participants.filter { seen.insert($0.country).inserted }.map { CodedActor(country: $0.country, person: $0) }
      return CodedAct(
        code: m.format == .phone ? .discussByTelephone : .consult, sources: sources, targets: [], host: m.host, place: m.place,
        mode: m.format?.rawValue, text: m.title, link: m.meeting ?? event.id)
    case .statementMade(let s):
      let about = Self.distinct(s.about ?? []).filter { $0 != s.speaker.country }
      return CodedAct(
        code: .makeStatement, sources: [CodedActor(country: s.speaker.country, person: s.speaker)],
        targets: about.map { CodedActor(country: $0) }, place: s.meeting.flatMap { places[$0] }, text: s.text, link: s.meeting)
    case .agreementPledged(let p):
      return CodedAct(
        code: .intendToCooperate, sources: Self.actors(p.parties, by: p.by), targets: Self.actors(p.with ?? [], by: nil),
        place: p.meeting.flatMap { places[$0] }, text: p.summary, link: p.item ?? event.id)
    case .thanksExpressed(let t):
      return CodedAct(
        code: .praise, sources: [CodedActor(country: t.from.country, person: t.from)], targets: [CodedActor(country: t.to)],
        place: t.meeting.flatMap { places[$0] }, text: t.reason, link: t.meeting)
    case .itemResolved(let r):
      guard let item = items[r.item] else { return nil }
      let code: CAMEOCode
      switch r.outcome {
      case .fulfilled: code = .materialCooperation
      case .partiallyFulfilled: code = .diplomaticCooperation
      case .broken, .withdrawn: code = .reject
      case .superseded: return nil
      }
      let p = item.pledge
      return CodedAct(
        code: code, sources: Self.actors(p.parties, by: p.by), targets: Self.actors(p.with ?? [], by: nil),
        place: p.meeting.flatMap { places[$0] }, text: r.note ?? p.summary, link: r.item)
    case .itemUpdated, .eventRetracted:
      return nil
    }
  }

  static func actors(_ countries: [String], by: Actor?) -> [CodedActor] {
    distinct(countries).map { CodedActor(country: $0, person: by?.country == $0 ? by : nil) }
  }

  static func distinct(_ list: [String]) -> [String] {
    var seen = Set<String>()
    return list.filter { seen.insert($0).inserted }
  }
}

extension CodedActor {
  public init(country: String) { self.init(country: country, person: nil) }
}
