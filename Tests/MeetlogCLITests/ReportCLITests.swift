import Foundation
import Testing

/// `meetlog report` end to end: the HTML file, and how headless Chromium renders it.
@Suite struct ReportCLITests {
  /// Chromium is installed by `.ci/run`; elsewhere the rendering test runs when it is
  /// present, and must run when MEETLOG_REQUIRE_CHROMIUM is set.
  static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
    FileManager.default.isExecutableFile(atPath: $0)
  }
  static let chromiumRequired = ProcessInfo.processInfo.environment["MEETLOG_REQUIRE_CHROMIUM"] == "1"

  static let summaries = [
    "Step up police cooperation", "Do all we can to prevent any threat of terrorism", "Work together to prevent irregular migration",
  ]

  func report(_ arguments: [String]) throws -> (html: String, path: String) {
    let store = try CLI.seededStore()
    let path = CLI.tempDir().appendingPathComponent("report.html").path
    let result = try CLI.run(["report"] + arguments + ["--output", path], store: store)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.isEmpty)
    return (try String(contentsOfFile: path, encoding: .utf8), path)
  }

  @Test func aPairReportHoldsTheTimelineTheCurveAndTheItems() throws {
    let (html, _) = try report(["--pair", "SI-BA"])
    #expect(html.hasPrefix("<!DOCTYPE html>"))
    #expect(html.contains("Bosnia and Herzegovina – Slovenia (BA-SI)"))
    #expect(html.contains("<svg class=\"timeline\""))
    #expect(html.contains("<svg class=\"curve\""))
    #expect(html.contains("<polyline"))
    for summary in Self.summaries { #expect(html.contains(summary)) }
    // Five open items and two closed ones on 2026-01-15; names kept exactly.
    #expect(html.contains("Open items (5)"))
    #expect(html.contains("Closed items (2)"))
    #expect(html.contains("Poklukar and Nešić"))
    // Self-contained: nothing to fetch.
    for pattern in ["<script", "<link", "src=", "url(", "@import", "<iframe", "<img"] {
      #expect(!html.contains(pattern), "\(pattern)")
    }
  }

  @Test func asOfLimitsTheReport() throws {
    let (html, _) = try report(["--pair", "BA-SI", "--as-of", "2023-12-31"])
    #expect(html.contains("Open items (7)"))
    #expect(!html.contains("Closed items ("))
    #expect(html.contains("as of 2023-12-31"))
  }

  @Test func allPairsHasAnOverviewAndASectionPerPair() throws {
    let (html, _) = try report(["--all-pairs"])
    for pair in ["BA-EU", "BA-SI", "HR-SI", "HU-SI", "RO-SI"] {
      #expect(html.contains("<a href=\"#pair-\(pair)\">\(pair)</a>"), "\(pair)")
      #expect(html.contains("id=\"pair-\(pair)\""), "\(pair)")
    }
  }

  @Test func wrongUsageIsExit2() throws {
    let store = try CLI.seededStore()
    #expect(try CLI.run(["report"], store: store).status == 2)
    #expect(try CLI.run(["report", "--pair", "BA-SI", "--all-pairs"], store: store).status == 2)
    let bad = try CLI.run(["report", "--pair", "BIH-SI"], store: store)
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("\"BIH\" is not an ISO 3166-1 alpha-2 code"))
    #expect(try CLI.run(["report", "--pair", "SI-SI"], store: store).status == 2)
  }

  @Test(.enabled(if: chromium != nil || chromiumRequired))
  func headlessChromiumRendersIt() throws {
    let chromium = try #require(Self.chromium, "chromium is required (MEETLOG_REQUIRE_CHROMIUM=1) but not installed")
    let (_, path) = try report(["--pair", "BA-SI"])
    let png = path + ".png"
    let flags = "--headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1600"
    let shot = try CLI.shell("timeout 120 \(chromium) \(flags) --screenshot=\(png) file://\(path) >/dev/null 2>&1; echo $?")
    #expect(FileManager.default.fileExists(atPath: png), "screenshot failed: \(shot.stdout)")
    // Not blank: many pixels are not the background, in more than a few colours.
    let stats = try CLI.shell("python3 -c '\(Self.pngStats)' \(png)")
    let fields = stats.stdout.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    #expect(fields.count == 2, "\(stats.stdout)")
    if fields.count == 2 {
      #expect(fields[0] > 0.03, "share of non-white pixels: \(fields[0])")
      #expect(fields[1] >= 8, "distinct colours: \(fields[1])")
    }
    // The items' text is on the rendered page.
    let dom = try CLI.shell("timeout 120 \(chromium) \(flags) --dump-dom file://\(path) 2>/dev/null")
    for summary in Self.summaries { #expect(dom.stdout.contains(summary), "\(summary)") }
    #expect(dom.stdout.contains("Open items (5)"))
  }

  /// Decodes an 8-bit RGB(A) PNG with zlib and prints the share of non-white pixels
  /// and the number of distinct colours.
  static let pngStats = """
    import sys, zlib, struct
    data = open(sys.argv[1], "rb").read()
    pos, idat, width, height, kind = 8, b"", 0, 0, 0
    while pos < len(data):
        n, tag = struct.unpack(">I4s", data[pos:pos + 8]); body = data[pos + 8:pos + 8 + n]; pos += 12 + n
        if tag == b"IHDR": width, height, depth, kind = struct.unpack(">IIBB", body[:10])
        if tag == b"IDAT": idat += body
    bpp = {2: 3, 6: 4}[kind]; raw = zlib.decompress(idat); stride = width * bpp
    prev = bytearray(stride); nonwhite = 0; colours = set()
    for y in range(height):
        f = raw[y * (stride + 1)]; line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0; b = prev[i]; c = prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, bpp * 4):
            px = bytes(line[x:x + 3]); colours.add(px)
            if px != b"\\xff\\xff\\xff": nonwhite += 1
        prev = line
    print(nonwhite / (height * width / 4), len(colours))
    """
}
