import Glibc
import MeetlogKit

let args = CommandLine.arguments
let clock = ContinuousClock()
func time<R>(_ label: String, _ body: () throws -> R) rethrows -> R {
  let start = clock.now
  let r = try body()
  let d = clock.now - start
  print(label, d)
  return r
}
let file = args[1]
let events = try time("read+decode") { try Operations.readEvents(from: [file]) }
try time("checkFirstBatch") { try SQLiteEventStore.checkFirstBatch(events) }
let canon = time("canonical") { events.map { CanonicalEncoding.bytes($0.input.event) } }
var prev = HashChain.genesis
time("hash") {
  for (i, c) in canon.enumerated() {
    prev = HashChain.link(previous: prev, seq: Int64(i + 1), recordedAt: "2026-11-29T11:19:36.771843Z", canonical: c)
  }
}
let path = "/tmp/mb/phase.db"
_ = unlink(path); _ = unlink(path + "-wal"); _ = unlink(path + "-shm")
let store = try SQLiteEventStore(path: path, mode: .write)
_ = try time("store.append") { try store.append(events, expectSeq: nil, now: 1_800_000_000_000_000) }
