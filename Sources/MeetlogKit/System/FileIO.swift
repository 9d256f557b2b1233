#if canImport(Glibc)
  import Glibc
#endif

/// File and standard-stream access without Foundation (it costs start-up time, and
/// scripts start meetlog once per event). Paths are used exactly as given.
public enum FileIO {
  public static func read(path: String) throws(MeetlogError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 {
      let code = errno
      if code == ENOENT { throw MeetlogError(.missing, "\(path): no such file") }
      throw MeetlogError(.io, "\(path): cannot open: \(String(cString: strerror(code)))")
    }
    defer { close(fd) }
    return try readAll(fd: fd, name: path)
  }

  public static func readStandardInput() throws(MeetlogError) -> [UInt8] {
    try readAll(fd: STDIN_FILENO, name: "<stdin>")
  }

  /// Everything left to read from `fd`. A regular file is read straight into one buffer
  /// of its size; what is read past that (a file that grew, or a pipe) in chunks, copied
  /// together once at the end. Growing one array by each 64 KiB read copied a 44 MB
  /// input about twice over, in fresh pages each time: 0.13 s of a 100,000-event append.
  private static func readAll(fd: Int32, name: String) throws(MeetlogError) -> [UInt8] {
    func failure(_ code: Int32) -> MeetlogError {
      if code == EISDIR { return MeetlogError(.io, "\(name): is a directory") }
      return MeetlogError(.io, "\(name): read failed: \(String(cString: strerror(code)))")
    }
    /// Up to `capacity` bytes, read straight into the array: fewer only where the input ends.
    func read(upTo capacity: Int) throws(MeetlogError) -> [UInt8] {
      var error: MeetlogError?
      let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
        count = 0
        while count < buffer.count {
          let n = Glibc.read(fd, buffer.baseAddress! + count, buffer.count - count)
          if n < 0 {
            if errno == EINTR { continue }
            error = failure(errno)
            return
          }
          if n == 0 { return }
          count += n
        }
      }
      if let error { throw error }
      return bytes
    }
    var info = stat()
    let size = fstat(fd, &info) == 0 && info.st_mode & S_IFMT == S_IFREG ? Int(info.st_size) : 0
    var result: [UInt8]
    if size >= parallelReadBytes, let whole = readInHalves(fd: fd, size: size) {
      // Then on from the end, as below, in case the file grew.
      result = whole
      guard lseek(fd, off_t(size), SEEK_SET) == off_t(size) else { throw failure(errno) }
    } else {
      // One byte more than the size: a full buffer means the file may have grown.
      result = try read(upTo: size + 1)
      guard result.count == size + 1 else { return result }
    }
    var chunks: [[UInt8]] = []
    while true {
      let chunk = try read(upTo: 1 << 16)
      if chunk.isEmpty { break }
      chunks.append(chunk)
    }
    result.reserveCapacity(result.count + chunks.reduce(0) { $0 + $1.count })
    for chunk in chunks { result += chunk }
    return result
  }

  /// Files of at least this size are read in two halves at once.
  static let parallelReadBytes = 8 << 20

  /// The first `size` bytes of a regular file, its halves read by two threads at once
  /// (copying 44 MB out of the page cache into fresh pages was the first 40 ms of a
  /// 100,000-event append under `perf`, on one thread); nil when either half comes back short or
  /// fails (the caller then reads it the plain way).
  private static func readInHalves(fd: Int32, size: Int) -> [UInt8]? {
    var complete = false
    let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
      let base = SendablePointer(address: buffer.baseAddress!)
      let half = size / 2
      let (first, second) = concurrently(
        { preadAll(fd, base.address, 0, half) }, { @Sendable in preadAll(fd, base.address + half, half, size - half) })
      complete = first && second
      count = complete ? size : 0
    }
    return complete ? bytes : nil
  }

  /// Reads exactly `count` bytes at `offset` into `destination`; false if it cannot.
  private static func preadAll(_ fd: Int32, _ destination: UnsafeMutablePointer<UInt8>, _ offset: Int, _ count: Int) -> Bool {
    var done = 0
    while done < count {
      let n = pread(fd, destination + done, count - done, off_t(offset + done))
      if n < 0 && errno == EINTR { continue }
      if n <= 0 { return false }
      done += n
    }
    return true
  }

  /// A buffer's address handed to the thread that fills part of it.
  private struct SendablePointer: @unchecked Sendable {
    let address: UnsafeMutablePointer<UInt8>
  }

  /// Writes text to standard output in one call (a broken pipe ends quietly).
  public static func writeStandardOutput(_ text: String) {
    writeAll(STDOUT_FILENO, Array(text.utf8))
  }

  public static func writeStandardOutput(_ bytes: [UInt8]) {
    writeAll(STDOUT_FILENO, bytes)
  }

  public static func writeStandardOutput(_ bytes: UnsafeRawBufferPointer) {
    writeAll(STDOUT_FILENO, bytes)
  }

  /// Writes bytes to standard output; false when it is closed (the reader went away).
  public static func writeStandardOutputChecked(_ bytes: [UInt8]) -> Bool {
    writeAll(STDOUT_FILENO, bytes)
  }

  public static func writeStandardError(_ text: String) {
    writeAll(STDERR_FILENO, Array(text.utf8))
  }

  @discardableResult
  private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { writeAll(fd, $0) }
  }

  @discardableResult
  private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < bytes.count {
      let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
      if n < 0 {
        if errno == EINTR { continue }
        return false
      }
      offset += n
    }
    return true
  }

  /// Writes a whole file: to `PATH.tmp-PID` first, then renamed over `path`, so a
  /// reader never sees half of it.
  public static func writeFile(path: String, bytes: [UInt8]) throws(MeetlogError) {
    let temporary = path + ".tmp-\(getpid())"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    if fd < 0 { throw MeetlogError(.io, "\(path): cannot create: \(String(cString: strerror(errno)))") }
    let written = writeAll(fd, bytes)
    let code = errno
    close(fd)
    guard written, rename(temporary, path) == 0 else {
      let reason = String(cString: strerror(written ? errno : code))
      unlink(temporary)
      throw MeetlogError(.io, "\(path): cannot write: \(reason)")
    }
  }

  /// Gives the file at `existing` a second name, `path` (`link(2)`, which never replaces
  /// a file), and syncs the folder so the name survives a power cut. False when a file
  /// is at `path` already.
  static func linkNew(_ existing: String, as path: String) throws(MeetlogError) -> Bool {
    guard link(existing, path) == 0 else {
      if errno == EEXIST { return false }
      throw MeetlogError(.io, "\(path): cannot create: \(String(cString: strerror(errno)))")
    }
    var folder = "."
    if let slash = path.lastIndex(of: "/") { folder = slash == path.startIndex ? "/" : String(path[..<slash]) }
    let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if fd >= 0 {
      fsync(fd)
      close(fd)
    }
    return true
  }

  /// Writes the file's data to the disk (`fsync(2)`) before it returns.
  static func sync(_ path: String) throws(MeetlogError) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw MeetlogError(.io, "\(path): cannot open to sync: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    guard fsync(fd) == 0 else { throw MeetlogError(.io, "\(path): cannot sync: \(String(cString: strerror(errno)))") }
  }

  /// Removes a file if it is there.
  static func remove(_ path: String) {
    unlink(path)
  }

  /// This process's id (names of temporary files).
  static var processId: Int32 { getpid() }

  public static func environment(_ name: String) -> String? {
    getenv(name).map { String(cString: $0) }
  }
}

/// The wall clock, in microseconds since the epoch (UTC).
///
/// `MEETLOG_CLOCK` (an RFC 3339 date-time) fixes it, so tests and demos print stable output.
public enum WallClock {
  public static func now() throws(MeetlogError) -> Int64 {
    if let fixed = FileIO.environment("MEETLOG_CLOCK"), !fixed.isEmpty {
      switch Timestamp.parse(fixed) {
      case .success(let t): return t.micros
      case .failure(let e): throw MeetlogError(.usage, "MEETLOG_CLOCK: \"\(fixed)\" is not a date-time: \(e.reason)")
      }
    }
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec / 1000)
  }
}
