/// The CAMEO event codes meetlog's events map onto, with what GDELT and PLOVER record
/// for each: the Goldstein value, the quad class and the PLOVER category.
///
/// The values are CAMEO 1.1b3's (`docs/interop.md`); they are the same numbers as the
/// default score weights (`docs/scoring.md`), except for the visit/host split, which
/// CAMEO codes and meetlog's score does not.
public enum CAMEOCode: String, Sendable, CaseIterable {
  case makeStatement = "010"
  case intendToCooperate = "030"
  case consult = "040"
  case discussByTelephone = "041"
  case makeVisit = "042"
  case hostVisit = "043"
  case diplomaticCooperation = "050"
  case praise = "051"
  case materialCooperation = "060"
  case reject = "120"

  public var goldstein: Double {
    switch self {
    case .makeStatement: 0.0
    case .intendToCooperate: 4.0
    case .consult, .discussByTelephone: 1.0
    case .makeVisit: 1.9
    case .hostVisit: 2.8
    case .diplomaticCooperation: 3.5
    case .praise: 3.4
    case .materialCooperation: 6.0
    case .reject: -4.0
    }
  }

  /// 1 verbal cooperation (root codes 01–05), 2 material cooperation (06–08),
  /// 3 verbal conflict (09–13), 4 material conflict (14–20).
  public var quadClass: Int {
    switch root {
    case "01", "02", "03", "04", "05": 1
    case "06", "07", "08": 2
    case "09", "10", "11", "12", "13": 3
    default: 4
    }
  }

  /// The three-digit base code (`EventBaseCode`).
  public var base: String { String(rawValue.prefix(3)) }

  /// The two-digit cue category (`EventRootCode`).
  public var root: String { String(rawValue.prefix(2)) }

  /// PLOVER's category for the cue category; nil for statements, which PLOVER drops.
  public var plover: String? {
    switch root {
    case "03": "AGREE"
    case "04": "CONSULT"
    case "05": "SUPPORT"
    case "06": "COOPERATE"
    case "12": "REJECT"
    default: nil
    }
  }
}
