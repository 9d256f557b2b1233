import Foundation
import Testing

/// The seed meeting and its follow-ups, end to end through the binary.
@Suite struct SeedTests {
  @Test func stateOnTheDayOfTheMeeting() throws {
    let store = try CLI.seededStore()
    let result = try CLI.run(["state", "--as-of", "2023-11-08", "--format", "json"], store: store)
    #expect(result.status == 0)
    let state = try CLI.json(result.stdout)
    let point = state["point"] as! [String: Any]
    #expect(point["as_of"] as? String == "2023-11-08")
    #expect(point["seq"] as? Int == 25)
    let relations = state["relations"] as! [[String: Any]]
    let pair = try #require(relations.first { $0["pair"] as? String == "BA-SI" })
    let meetings = pair["meetings"] as! [String: Any]
    #expect(meetings["count"] as? Int == 1)
    #expect(meetings["first"] as? String == "2023-11-08")
    #expect(meetings["last_place"] as? String == "Ljubljana")
    #expect(pair["statements"] as? Int == 6)
    #expect((pair["thanks"] as! [String: Int]) == ["SI>BA": 1, "BA>SI": 0])
    #expect((pair["items"] as! [String: Int])["open"] == 7)
    #expect(pair["score"] as? Double == 32.4)
    let items = state["items"] as! [[String: Any]]
    #expect(items.count == 8)
    let frontex = try #require(items.first { $0["item"] as? String == "frontex-status-agreement" })
    // The follow-up of the same day moved the due date to the end of the year.
    #expect(frontex["due"] as? String == "2023-12-31")
    #expect(frontex["meeting"] as? String == "si-ba-2023-11-08")
    #expect(frontex["pairs"] as? [String] == ["BA-SI"])
  }

  @Test func todayTheFrontexItemIsFulfilledAndRomaniaOverdue() throws {
    let store = try CLI.seededStore()
    let result = try CLI.run(["state", "items", "--all", "--format", "json"], store: store)
    #expect(result.status == 0)
    let items = try CLI.json(result.stdout)["items"] as! [[String: Any]]
    let byId = Dictionary(uniqueKeysWithValues: items.map { ($0["item"] as! String, $0) })
    #expect(byId["frontex-status-agreement"]?["state"] as? String == "fulfilled")
    #expect(byId["eu-accession-decision-december"]?["state"] as? String == "partially_fulfilled")
    #expect(byId["si-ro-working-meeting"]?["overdue"] as? Bool == true)
    let open = try CLI.json(try CLI.run(["state", "items", "--format", "json"], store: store).stdout)["items"] as! [[String: Any]]
    #expect(open.count == 6)
  }

  @Test func overdueBetweenDecemberAndMarch() throws {
    let store = try CLI.seededStore()
    let result = try CLI.run(["state", "items", "--as-of", "2024-01-15", "--format", "json"], store: store)
    let items = try CLI.json(result.stdout)["items"] as! [[String: Any]]
    let eu = try #require(items.first { $0["item"] as? String == "eu-accession-decision-december" })
    #expect(eu["overdue"] as? Bool == true)
    #expect(eu["age_days"] as? Int == 68)
  }

  @Test func weightsCanBeOverriddenFromAFile() throws {
    let store = try CLI.seededStore()
    let file = CLI.tempDir().appendingPathComponent("weights.json")
    try Data(#"{"meeting.held": 2.8, "item.resolved.withdrawn": -2}"#.utf8).write(to: file)
    let result = try CLI.run(["state", "relations", "--as-of", "2023-11-08", "--weights", file.path, "--format", "json"], store: store)
    let relations = try CLI.json(result.stdout)["relations"] as! [[String: Any]]
    #expect(relations.first { $0["pair"] as? String == "BA-SI" }?["score"] as? Double == 34.2)
    try Data(#"{"meeting": 1}"#.utf8).write(to: file)
    let bad = try CLI.run(["state", "--weights", file.path], store: store)
    #expect(bad.status == 65)
    #expect(bad.stderr.contains("meeting: unknown weight"))
  }

  @Test func tablesAndMarkdownNameTheMeeting() throws {
    let store = try CLI.seededStore()
    let table = try CLI.run(["state", "--as-of", "2023-11-08"], store: store)
    #expect(table.stdout.contains("BA-SI"))
    #expect(table.stdout.contains("Ljubljana"))
    let markdown = try CLI.run(["state", "relations", "--format", "markdown"], store: store)
    #expect(markdown.stdout.contains("| BA-SI |"))
  }

  @Test func logFilters() throws {
    let store = try CLI.seededStore()
    let pledges = try CLI.run(["log", "--type", "agreement.pledged", "--format", "ndjson"], store: store)
    #expect(pledges.stdout.split(separator: "\n").count == 8)
    let romania = try CLI.run(["log", "--pair", "RO-SI", "--format", "ndjson"], store: store)
    #expect(romania.stdout.split(separator: "\n").count == 1)
    let late = try CLI.run(["log", "--from", "2024-01-01", "--limit", "2", "--format", "ndjson"], store: store)
    let seqs = late.stdout.split(separator: "\n").map { try! CLI.json(String($0))["seq"] as! Int }
    #expect(seqs == [22, 23])
    #expect(try CLI.run(["log", "--limit", "0", "--format", "ndjson"], store: store).stdout.isEmpty)
    let eu = try CLI.run(["log", "--country", "EU", "--to", "2023-12-31", "--format", "json"], store: store)
    let list = try JSONSerialization.jsonObject(with: Data(eu.stdout.utf8)) as! [[String: Any]]
    #expect(list.map { $0["id"] as! String } == ["ba-nesic-2023-11-08-frontex-optimism"])
  }

  @Test func replayPrintsEachEventWithItsChanges() throws {
    let store = try CLI.seededStore()
    let result = try CLI.run(["replay", "--at-seq", "2", "--format", "ndjson"], store: store)
    let lines = result.stdout.split(separator: "\n").map { try! CLI.json(String($0)) }
    #expect(lines.count == 2)
    let changes = lines[1]["changes"] as! [[String: Any]]
    #expect(changes.contains { $0["field"] as? String == "thanks.SI>BA" && $0["after"] as? String == "1" })
  }

  @Test func exportImportExportIsByteIdentical() throws {
    let store = try CLI.seededStore()
    let first = try CLI.run(["export"], store: store)
    let copy = CLI.tempDir().appendingPathComponent("copy.db").path
    let imported = try CLI.run(["import"], stdin: first.stdout, store: copy)
    #expect(imported.status == 0, "\(imported.stderr)")
    let second = try CLI.run(["export"], store: copy)
    #expect(first.stdout == second.stdout)
    #expect(first.stdout.split(separator: "\n").count == 25)
    let stats = try CLI.json(try CLI.run(["stats", "--format", "json"], store: copy).stdout)
    let original = try CLI.json(try CLI.run(["stats", "--format", "json"], store: store).stdout)
    #expect(stats["head_hash"] as? String == original["head_hash"] as? String)
  }

  @Test func appendingTheSeedAgainReportsDuplicates() throws {
    let store = try CLI.seededStore()
    let again = try CLI.run(["append", "--format", "ndjson", CLI.seed], store: store)
    #expect(again.status == 0)
    #expect(again.stdout.split(separator: "\n").allSatisfy { $0.contains("\"duplicate\"") })
    let stats = try CLI.json(try CLI.run(["stats", "--format", "json"], store: store).stdout)
    #expect(stats["last_seq"] as? Int == 25)
  }

  @Test func verifyPassesAndStatsCount() throws {
    let store = try CLI.seededStore()
    let verify = try CLI.run(["verify"], store: store)
    #expect(verify.status == 0)
    #expect(verify.stdout.hasPrefix("ok: 25 events verified"))
    let stats = try CLI.json(try CLI.run(["stats", "--format", "json"], store: store).stdout)
    #expect((stats["by_type"] as! [String: Int])["agreement.pledged"] == 8)
    #expect(stats["events"] as? Int == 25)
  }

  @Test func initCreatesAnEmptyStoreOnce() throws {
    let path = CLI.tempDir().appendingPathComponent("new.db").path
    #expect(try CLI.run(["init"], store: path).status == 0)
    #expect(try CLI.run(["init"], store: path).status == 2)
    let state = try CLI.json(try CLI.run(["state", "--format", "json"], store: path).stdout)
    #expect((state["relations"] as! [Any]).isEmpty)
  }
}
