/// The country codes meetlog accepts: ISO 3166-1 alpha-2 as officially assigned, plus
/// `XK` (Kosovo, user-assigned but in general use) and `EU` (the European Union, a code
/// ISO reserves for it).
public enum CountryCode {
  static let assigned: Set<String> = {
    let list = """
      AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
      BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
      CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
      DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
      GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY \
      HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP \
      KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY \
      MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
      NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY \
      QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
      TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ \
      VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
      """
    return Set(list.split(separator: " ").map(String.init))
  }()

  /// Codes accepted beyond the assigned list.
  static let extra: Set<String> = ["XK", "EU"]

  public static func isValid(_ code: String) -> Bool {
    var code = code
    return code.withUTF8 { isValid($0) }
  }

  /// Checked on the bytes: every country of every decoded event is, and hashing a
  /// String into a Set was about 4% of the direct decoder's samples (`perf`, `verify`).
  static func isValid(_ raw: UnsafeBufferPointer<UInt8>) -> Bool {
    guard raw.count == 2, let index = letterIndex(raw[0], raw[1]) else { return false }
    return accepted[index >> 6] & (1 << UInt64(index & 63)) != 0
  }

  /// `(first − A) × 26 + (second − A)` for two upper-case letters.
  private static func letterIndex(_ first: UInt8, _ second: UInt8) -> Int? {
    let (a, b) = (first &- 65, second &- 65)
    guard a < 26, b < 26 else { return nil }
    return Int(a) * 26 + Int(b)
  }

  /// One bit per pair of letters: set for the assigned and extra codes.
  private static let accepted: [UInt64] = {
    var bits = [UInt64](repeating: 0, count: (26 * 26 + 63) / 64)
    for code in assigned.union(extra) {
      let u = Array(code.utf8)
      let index = letterIndex(u[0], u[1])!
      bits[index >> 6] |= 1 << UInt64(index & 63)
    }
    return bits
  }()

  /// Says what is wrong with a rejected code, for the error message.
  public static func problem(with code: String) -> String {
    if code.utf8.count == 2, isValid(code.uppercased()) {
      return "\"\(code)\" must be upper case: \"\(code.uppercased())\""
    }
    return "\"\(code)\" is not an ISO 3166-1 alpha-2 code"
  }

  /// The pair key of two countries: codes sorted, joined by `-` (`BA-SI`).
  public static func pairKey(_ a: String, _ b: String) -> String {
    a < b ? a + "-" + b : b + "-" + a
  }
}
