import Foundation
import Testing

@testable import MeetlogKit

/// `CanonicalCheck` is `verify`'s fast path: it may decline any payload, but whatever it
/// accepts, the full path (decode, re-encode, compare) must accept with the same answers.
@Suite struct CanonicalCheckTests {
  /// Lines that use every member of every type, some in forms the fast path declines.
  static let extraLines = [
    #"{"id":"x1","type":"meeting.held","occurred_at":"2024-03-01T09:30:00.250+01:00","source":"press release","data":{"participants":[{"name":"Tanja Fajon","role":"Minister of Foreign Affairs","country":"SI"},{"name":"Elmedin Konaković","country":"BA"}],"meeting":"mx","title":"Talks","place":{"city":"Sarajevo","country":"BA"},"host":"BA","format":"bilateral","topics":["energy","EU accession"]}}"#,
    #"{"id":"x2","type":"statement.made","occurred_at":"2024-03-01","data":{"speaker":{"name":"Tanja Fajon","country":"SI"},"text":"We thank \"friends\"","meeting":"mx","about":["BA","HR"],"topics":["floods"]}}"#,
    #"{"id":"x3","type":"agreement.pledged","occurred_at":"2024-03-01T10:00:00Z","data":{"summary":"Joint commission","parties":["SI","BA"],"with":["EU"],"item":"ix","by":{"name":"Ministry","role":"lead","country":"SI"},"due":"2024-12-31","meeting":"mx","topics":["energy"]}}"#,
    #"{"id":"x4","type":"thanks.expressed","occurred_at":"2024-03-01","data":{"from":{"name":"E. K.","country":"BA"},"to":"SI","for":"flood aid","meeting":"mx"}}"#,
    #"{"id":"x5","type":"item.updated","occurred_at":"2024-04-01","data":{"item":"ix","due":"2025-01-31","note":"moved"}}"#,
    #"{"id":"x6","type":"item.updated","occurred_at":"2024-04-02","data":{"item":"ix","note":"still open"}}"#,
    #"{"id":"x7","type":"item.resolved","occurred_at":"2024-05-01","data":{"item":"ix","outcome":"superseded","note":"replaced","superseded_by":"iy"}}"#,
    #"{"id":"x8","type":"event.retracted","occurred_at":"2024-05-02","data":{"target":"x4","reason":"duplicate"}}"#,
    #"{"id":"x9","type":"statement.made","occurred_at":"2024-03-01T08:00:00-05:00","data":{"speaker":{"name":"Čč","country":"HR"},"text":"Ćao","about":["SI"]}}"#,
    #"{"id":"x10","type":"thanks.expressed","occurred_at":"2024-03-01","data":{"from":{"name":"A","country":"SI"},"to":"BA","for":"line\nbreak"}}"#,
    #"{"id":"x11","type":"meeting.held","occurred_at":"2024-03-01","data":{"participants":[{"name":"A","country":"SI"},{"name":"B","country":"SI"},{"name":"C","country":"XK"}],"format":"videoconference"}}"#,
  ]

  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  /// The canonical forms of the events of `events/`, of a generated history and of
  /// `extraLines`.
  static func samples() throws -> [(event: Event, canonical: [UInt8])] {
    var lines = extraLines
    for file in ["events/2023-11-08-si-ba.ndjson", "events/follow-ups.ndjson"] {
      let text = try String(contentsOf: packageRoot.appendingPathComponent(file), encoding: .utf8)
      lines += text.split(separator: "\n").map(String.init)
    }
    var generator = HistoryGenerator(seed: 77)
    lines += generator.lines(1_500)
    return try lines.map { line in
      let event = try Fixtures.decode(line)
      return (event, CanonicalEncoding.bytes(event))
    }
  }

  static func check(_ bytes: [UInt8]) -> CanonicalCheck.Checked? {
    bytes.withUnsafeBufferPointer { CanonicalCheck.check($0) }
  }

  /// It reads the canonical form of every event, with the answers the full path gives,
  /// except those with an escape in a string or a text without a visible ASCII character.
  @Test func readsTheCanonicalFormWithTheFullPathsAnswers() throws {
    let samples = try Self.samples()
    var declined = 0
    for (event, canonical) in samples {
      guard let checked = Self.check(canonical) else {
        declined += 1
        // x9's speaker is "Čč".
        #expect(canonical.contains(0x5C) || event.id == "x9", "\(event.id)")
        continue
      }
      #expect(checked.type == event.type)
      #expect(checked.occurredMicros == event.occurredAt.micros)
      #expect(checked.facts == ReferenceFacts(event), "\(event.id)")
    }
    #expect(declined < samples.count / 100, "\(declined) of \(samples.count)")
  }

  /// Whatever it accepts among thousands of damaged payloads, the full path accepts as
  /// canonical with the same answers.
  @Test func acceptsOnlyWhatTheFullPathAccepts() throws {
    var random = HistoryGenerator(seed: 2026)
    let inserts: [[UInt8]] = [
      [0x20], [0x22], [0x5C], [0x2C], [0x7D], [0x5D], Array(#","x":1"#.utf8), Array(#","topics":[]"#.utf8), Array(#""role":"r","#.utf8),
      Array("null".utf8), [0x7A], [0x74], [0x30], [0xC3], [0x80],
    ]
    var accepted = 0
    let samples = try Self.samples()
    for (n, sample) in samples.enumerated() where n % 3 == 0 || n < Self.extraLines.count {
      for _ in 0..<60 {
        var bytes = sample.canonical
        for _ in 0...random.next(2) {
          let at = random.next(bytes.count)
          switch random.next(6) {
          case 0: bytes[at] = UInt8(random.next(256))
          case 1: bytes.remove(at: at)
          case 2: bytes.insert(contentsOf: inserts[random.next(inserts.count)], at: at)
          case 3:
            let other = random.next(bytes.count)
            bytes.swapAt(at, other)
          case 4:
            // A letter's case, or a digit changed.
            let b = bytes[at]
            if (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) {
              bytes[at] = b ^ 0x20
            } else if (0x30...0x39).contains(b) {
              bytes[at] = 0x30 + UInt8(random.next(10))
            }
          default:
            // A slice repeated or dropped (a member twice, a member gone).
            let end = min(bytes.count, at + 1 + random.next(40))
            if random.next(2) == 0 { bytes.insert(contentsOf: bytes[at..<end], at: end) } else { bytes.removeSubrange(at..<end) }
          }
          if bytes.isEmpty { break }
        }
        guard let checked = Self.check(bytes) else { continue }
        accepted += 1
        let event = try PayloadCodec.decode(canonical: bytes)
        #expect(CanonicalEncoding.bytes(event) == bytes, "\(String(decoding: bytes, as: UTF8.self))")
        #expect(checked.type == event.type)
        #expect(checked.occurredMicros == event.occurredAt.micros)
        #expect(checked.facts == ReferenceFacts(event), "\(String(decoding: bytes, as: UTF8.self))")
      }
    }
    // Some mutations keep the form canonical (a digit of a date, a letter of a name).
    #expect(accepted > 100, "\(accepted)")
  }

  /// Forms that decode but are not canonical are declined.
  @Test func declinesWhatIsNotCanonical() {
    let canonical =
      #"{"id":"t1","type":"thanks.expressed","occurred_at":"2024-01-01T10:00:00Z","data":{"from":{"name":"X","country":"SI"},"to":"BA","for":"help"}}"#
    #expect(Self.check(Array(canonical.utf8)) != nil)
    for variant in [
      canonical.replacingOccurrences(of: #""to":"BA""#, with: #""to": "BA""#),
      canonical.replacingOccurrences(of: "10:00:00Z", with: "10:00:00z"),
      canonical.replacingOccurrences(of: "T10", with: "t10"),
      canonical.replacingOccurrences(of: #""to":"BA","for":"help""#, with: #""for":"help","to":"BA""#),
      canonical.replacingOccurrences(of: #"{"id":"t1","type":"thanks.expressed""#, with: #"{"type":"thanks.expressed","id":"t1""#),
      canonical.replacingOccurrences(of: #""for":"help""#, with: #""for":"help","meeting":null"#),
      canonical.replacingOccurrences(of: #""name":"X","country":"SI""#, with: #""country":"SI","name":"X""#),
      canonical.replacingOccurrences(of: #""for":"help""#, with: #""for":"   ""#),
      canonical.replacingOccurrences(of: #""to":"BA""#, with: #""to":"ba""#),
      canonical + "\n",
    ] {
      #expect(Self.check(Array(variant.utf8)) == nil, "\(variant)")
    }
  }
}
