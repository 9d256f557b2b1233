// meetlog-bench: one round of meetlog's measurements, as `RESULT meetlog KEY VALUE UNIT`
// lines (the format of ../shared/bench), for tools/bench to interleave with the peers'
// rounds and summarise. Whole-process figures run the release `meetlog` binary as a user
// would; the durable single append goes through the library.
//
//   meetlog-bench --meetlog PATH --events FILE --work DIR [--single N] [--loop N]
//                 [--repeat N] [--large STORE --large-events N]
//
// Each whole-process figure of a round (the batched append, the replay, verify, the
// large store's queries) is the median of `--repeat` runs (3): one run of a two-thread
// pipeline on this shared two-core machine moved by half from one round to the next.
import Glibc
import MeetlogKit

struct Options {
  var meetlog = ".build/release/meetlog"
  var events = ""
  var work = "/tmp/meetlog-bench-self"
  var single = 2000
  var loop = 200
  var repeats = 3
  var large: String?
  var largeEvents = 0

  init(_ arguments: [String]) {
    var i = 1
    func value() -> String {
      i += 1
      guard i < arguments.count else { fail("\(arguments[i - 1]) needs a value") }
      return arguments[i]
    }
    while i < arguments.count {
      switch arguments[i] {
      case "--meetlog": meetlog = value()
      case "--events": events = value()
      case "--work": work = value()
      case "--single": single = Int(value()) ?? single
      case "--loop": loop = Int(value()) ?? loop
      case "--repeat": repeats = max(1, Int(value()) ?? repeats)
      case "--large": large = value()
      case "--large-events": largeEvents = Int(value()) ?? 0
      default: fail("unknown argument \(arguments[i])")
      }
      i += 1
    }
    if events.isEmpty { fail("--events FILE is required") }
  }
}

func fail(_ message: String) -> Never {
  FileIO.writeStandardError("meetlog-bench: \(message)\n")
  exit(2)
}

func result(_ key: String, _ value: Double, _ unit: String) {
  let text = unit.hasPrefix("B") || unit == "ms" || unit == "MB" ? formatDecimal2(value) : String(Int(value.rounded()))
  print("RESULT meetlog \(key) \(text) \(unit)")
}

/// The outcome of one child process.
struct Run {
  var seconds: Double
  var status: Int32
}

/// Runs a process with stdin from `input` (or /dev/null) and stdout to /dev/null, timed
/// with the monotonic clock.
func spawn(_ arguments: [String], input: String? = nil, environment: [String] = []) -> Run {
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  posix_spawn_file_actions_addopen(&actions, 0, input ?? "/dev/null", O_RDONLY, 0)
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
  let argv = arguments.map { strdup($0) } + [nil]
  defer { argv.forEach { free($0) } }
  var env = (environment + currentEnvironment()).map { strdup($0) } + [nil]
  defer { env.forEach { free($0) } }
  var pid: pid_t = 0
  let clock = ContinuousClock()
  let start = clock.now
  guard posix_spawn(&pid, arguments[0], &actions, nil, argv, &env) == 0 else { fail("cannot run \(arguments[0])") }
  var status: Int32 = 0
  _ = waitpid(pid, &status, 0)
  return Run(seconds: seconds(clock.now - start), status: (status >> 8) & 0xFF)
}

/// Runs a process under `/usr/bin/time` for its peak resident set. `wait4`'s figure is
/// wrong for a child started by posix_spawn from a large process: Linux counts the
/// parent's memory, which the child shared until its exec, in the child's peak.
/// `time` forks (a copy of a small process) before its exec, so its figure is the child's.
func peakRSSKilobytes(_ arguments: [String]) -> Int {
  let report = options.work + "/rss.txt"
  let run = spawn(["/usr/bin/time", "-f", "%M", "-o", report] + arguments)
  guard run.status == 0, let text = try? FileIO.read(path: report),
    let kilobytes = Int(String(decoding: text, as: UTF8.self).split(separator: "\n").last ?? "")
  else { fail("cannot measure the peak memory of \(arguments.joined(separator: " ")) with /usr/bin/time") }
  return kilobytes
}

/// The median time of `options.repeats` runs of `arguments` (`prepare` before each, not
/// timed), failing with `what` when one exits with an error.
func medianSeconds(_ arguments: [String], _ what: String, prepare: () -> Void = {}) -> Double {
  var times: [Double] = []
  for _ in 0..<options.repeats {
    prepare()
    let run = spawn(arguments)
    guard run.status == 0 else { fail("\(what) exited \(run.status)") }
    times.append(run.seconds)
  }
  times.sort()
  return times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
}

func currentEnvironment() -> [String] {
  var list: [String] = []
  var pointer = environ
  while let entry = pointer.pointee {
    list.append(String(cString: entry))
    pointer += 1
  }
  return list
}

func removeStore(_ path: String) {
  for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
}

func fileSize(_ path: String) -> Double {
  var info = stat()
  return stat(path, &info) == 0 ? Double(info.st_size) : 0
}

func lines(of path: String) throws -> [[UInt8]] {
  try FileIO.read(path: path).split(separator: 0x0A).map(Array.init)
}

func seconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

let options = Options(CommandLine.arguments)
mkdir(options.work, 0o755)
let eventLines = try lines(of: options.events)
let count = Double(eventLines.count)
let store = options.work + "/bench.db"
let meetlog = options.meetlog

// Batched append: one process, the whole file, into a new store.
let appendSeconds = medianSeconds(
  [meetlog, "append", "--store", store, "--format", "ndjson", options.events], "meetlog append", prepare: { removeStore(store) })
result("append_batch", count / appendSeconds, "ev/s")
result("db_bytes", (fileSize(store) + fileSize(store + "-wal")) / count, "B/event")
result("raw_json_bytes", fileSize(options.events) / count - 1, "B/event")

// Full replay: `state` now with snapshots off, every event folded, JSON written to /dev/null.
let replaySeconds = medianSeconds(
  [meetlog, "state", "--all", "--format", "json", "--no-snapshots", "--store", store], "meetlog state")
result("replay_full", count / replaySeconds, "ev/s")

result("verify", count / medianSeconds([meetlog, "verify", "--store", store], "meetlog verify"), "ev/s")

// Durable single appends through the library: one transaction (synchronous=FULL) each.
let singleStore = options.work + "/single.db"
removeStore(singleStore)
do {
  let library = try SQLiteEventStore(path: singleStore, mode: .write)
  let events = try Operations.readEvents(from: [options.events]).prefix(options.single)
  let clock = ContinuousClock()
  let start = clock.now
  var now = try WallClock.now()
  for event in events {
    now += 1
    _ = try library.append([event], expectSeq: nil, now: now)
  }
  result("single_durable", Double(events.count) / seconds(clock.now - start), "ev/s")
}

// A script loop: one `meetlog append` process per event, the event on stdin.
let loopStore = options.work + "/loop.db"
removeStore(loopStore)
let one = options.work + "/one.ndjson"
var loopSeconds = 0.0
for line in eventLines.prefix(options.loop) {
  let fd = open(one, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
  _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
  close(fd)
  let run = spawn([meetlog, "append", "--store", loopStore], input: one)
  guard run.status == 0 else { fail("meetlog append (loop) exited \(run.status)") }
  loopSeconds += run.seconds
}
if loopSeconds > 0 { result("script_loop", Double(min(options.loop, eventLines.count)) / loopSeconds, "appends/s") }

// The large store (built once by tools/bench): state queries and the replay's memory.
if let large = options.large {
  for (key, arguments) in [
    ("large_state_now_relations", ["state", "relations"]),
    ("large_state_asof_relations", ["state", "relations", "--as-of", "2019-12-31"]),
    ("large_state_now_full", ["state"]),
  ] {
    let seconds = medianSeconds([meetlog] + arguments + ["--store", large], "meetlog \(arguments.joined(separator: " "))")
    result(key, seconds * 1000, "ms")
  }
  // Replaying every event (snapshots off): the fold's memory, then the memory of also
  // printing every item as JSON.
  let foldArguments = [meetlog, "state", "relations", "--no-snapshots", "--store", large]
  let fold = spawn(foldArguments)
  if options.largeEvents > 0 { result("large_replay_full", Double(options.largeEvents) / fold.seconds, "ev/s") }
  result("large_replay_rss", Double(peakRSSKilobytes(foldArguments)) / 1024, "MB")
  let output = [meetlog, "state", "--all", "--format", "json", "--no-snapshots", "--store", large]
  result("large_output_rss", Double(peakRSSKilobytes(output)) / 1024, "MB")
}
