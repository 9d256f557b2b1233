import Foundation
import Testing

@testable import MeetlogKit

/// `DirectEventDecoder` is a shortcut: whenever it returns an event, the general path
/// (`JSONParser` + `EventDecoder`) must return the same one for the same bytes.
@Suite struct DirectDecoderTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static func lines(_ relative: String) throws -> [[UInt8]] {
    let data = try Data(contentsOf: root.appendingPathComponent(relative))
    return data.split(separator: 0x0A, omittingEmptySubsequences: true).map { Array($0) }
  }

  static func general(_ bytes: [UInt8]) -> DecodedInput? {
    guard let value = try? JSONParser.parse(bytes) else { return nil }
    return try? EventDecoder.decode(value)
  }

  /// The rule itself: never an event the general path would not give.
  static func agree(_ bytes: [UInt8]) -> Bool {
    guard let direct = DirectEventDecoder.decode(bytes) else { return true }
    guard let general = general(bytes) else { return false }
    return direct.event == general.event && direct.idGiven == general.idGiven
  }

  static let seedLines: [[UInt8]] = {
    (try? lines("events/2023-11-08-si-ba.ndjson") + lines("events/follow-ups.ndjson")) ?? []
  }()

  @Test func decodesTheSeedEventsAndTheirCanonicalForm() throws {
    #expect(Self.seedLines.count == 25)
    var direct = 0
    for line in Self.seedLines {
      #expect(Self.agree(line))
      // A string with an escape (a quotation in a summary) is left to the general path.
      guard let decoded = DirectEventDecoder.decode(line) else {
        #expect(line.contains(0x5C))
        continue
      }
      direct += 1
      let canonical = CanonicalEncoding.bytes(decoded.event)
      #expect(DirectEventDecoder.decode(canonical)?.event == decoded.event)
    }
    #expect(direct >= 20)
  }

  @Test func neverAcceptsWhatTheGeneralPathRejects() throws {
    let folder = Self.root.appendingPathComponent("Tests/MeetlogCLITests/BadInputs")
    var checked = 0
    for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasSuffix(".ndjson") || name.hasSuffix(".json")
    {
      for line in try Self.lines("Tests/MeetlogCLITests/BadInputs/" + name) {
        #expect(Self.agree(line), "\(name): \(String(decoding: line, as: UTF8.self))")
        checked += 1
      }
    }
    #expect(checked > 50)
  }

  @Test func agreesOnMutatedEvents() {
    var random = SplitMix(seed: 7)
    var accepted = 0
    for round in 0..<6000 {
      var line = Self.seedLines[round % Self.seedLines.count]
      let position = Int(random.next() % UInt64(line.count))
      let replacements: [UInt8] = Array(#"{}[]":,\ 0aZ-"#.utf8) + [0x00, 0x1F, 0xC3, 0xFF]
      switch random.next() % 3 {
      case 0: line.remove(at: position)
      case 1: line[position] = replacements[Int(random.next() % UInt64(replacements.count))]
      default: line.insert(replacements[Int(random.next() % UInt64(replacements.count))], at: position)
      }
      #expect(Self.agree(line), "\(String(decoding: line, as: UTF8.self))")
      if DirectEventDecoder.decode(line) != nil { accepted += 1 }
    }
    // Some mutations keep the event valid (a letter in a text): the shortcut takes those.
    #expect(accepted > 100)
  }
}

/// A small seeded generator, so a failure can be replayed.
struct SplitMix {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
