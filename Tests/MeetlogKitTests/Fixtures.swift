import Foundation
import Testing

@testable import MeetlogKit

/// Helpers shared by the unit tests: temporary stores and event builders.
enum Fixtures {
  static let poklukar = #"{"name":"Boštjan Poklukar","role":"Minister of the Interior","country":"SI"}"#
  static let nesic = #"{"name":"Nenad Nešić","role":"Minister of Security","country":"BA"}"#

  static func tempPath(_ name: String = "store.db") -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("meetlog-tests-\(UUID().uuidString)")
    try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent(name).path
  }

  static func pending(_ lines: [String], file: String = "test.ndjson") throws -> [PendingEvent] {
    let objects = try InputReader.read(Array(lines.joined(separator: "\n").utf8), file: file)
    return try objects.map { object in
      PendingEvent(input: try EventDecoder.decode(object.value), location: object.location)
    }
  }

  static func decode(_ line: String) throws(FieldError) -> Event {
    let value = try! JSONParser.parse(Array(line.utf8))
    return try EventDecoder.decode(value).event
  }

  static func meeting(_ id: String, _ date: String, city: String = "Ljubljana", countries: [String] = ["SI", "BA"]) -> String {
    let participants = countries.enumerated().map { #"{"name":"P\#($0.offset)","country":"\#($0.element)"}"# }
      .joined(separator: ",")
    return
      #"{"id":"\#(id)","type":"meeting.held","occurred_at":"\#(date)","data":{"participants":[\#(participants)],"place":{"city":"\#(city)","country":"SI"},"topics":["migration"]}}"#
  }

  static func pledge(_ id: String, _ date: String, item: String, due: String? = nil, parties: [String] = ["SI", "BA"]) -> String {
    let dueField = due.map { #","due":"\#($0)""# } ?? ""
    let list = parties.map { "\"\($0)\"" }.joined(separator: ",")
    return
      #"{"id":"\#(id)","type":"agreement.pledged","occurred_at":"\#(date)","data":{"summary":"Do \#(item)","parties":[\#(list)],"item":"\#(item)"\#(dueField)}}"#
  }

  static func resolve(_ id: String, _ date: String, item: String, outcome: String = "fulfilled") -> String {
    #"{"id":"\#(id)","type":"item.resolved","occurred_at":"\#(date)","data":{"item":"\#(item)","outcome":"\#(outcome)"}}"#
  }

  static func retract(_ id: String, _ date: String, target: String) -> String {
    #"{"id":"\#(id)","type":"event.retracted","occurred_at":"\#(date)","data":{"target":"\#(target)","reason":"recorded in error"}}"#
  }

  static func thanks(_ id: String, _ date: String, from: String = "SI", to: String = "BA") -> String {
    #"{"id":"\#(id)","type":"thanks.expressed","occurred_at":"\#(date)","data":{"from":{"name":"X","country":"\#(from)"},"to":"\#(to)","for":"help"}}"#
  }

  static func statement(_ id: String, _ date: String, meeting: String? = nil, about: [String] = ["BA"]) -> String {
    let m = meeting.map { #","meeting":"\#($0)""# } ?? ""
    let a = about.map { "\"\($0)\"" }.joined(separator: ",")
    return
      #"{"id":"\#(id)","type":"statement.made","occurred_at":"\#(date)","data":{"speaker":\#(poklukar),"text":"words","about":[\#(a)]\#(m)}}"#
  }

  static func day(_ text: String) -> Int64 {
    guard case .success(let t) = Timestamp.parse(text) else { fatalError(text) }
    return t.micros
  }

  /// A store with `lines` appended at `now`.
  static func store(_ lines: [String], now: String = "2024-01-01T00:00:00Z") throws -> SQLiteEventStore {
    let store = try SQLiteEventStore(path: tempPath(), mode: .write)
    _ = try store.append(try pending(lines), expectSeq: nil, now: day(now))
    return store
  }

  static func state(_ lines: [String], asOf: String? = nil, now: String = "2024-01-01T00:00:00Z") throws -> ProjectedState {
    let store = try store(lines)
    let point = PointInTime(asOf: asOf.map { try! Timestamp.parse($0).get() }, now: day(now))
    return try StateQuery.run(store, point)
  }

  static func fileBytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }
}
