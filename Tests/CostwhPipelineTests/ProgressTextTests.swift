import CostwhLoad
import CostwhPipeline
import Testing

@Suite struct ProgressTextTests {
    /// With the size known: percent with one decimal, MiB read of the total, the rate, and
    /// the time left at that rate.
    @Test func aKnownSizeGivesPercentRateAndTimeLeft() {
        let p = LoadProgress(
            part: "month.csv", bytes: 0, rows: 312_000, readBytes: 100 << 20, totalBytes: 400 << 20)
        let line = ProgressText.line(verb: "loading", p, elapsed: 2)
        #expect(line == "loading month.csv: 25.0 % · 312,000 rows · 100 of 400 MiB · 50 MiB/s · 6 s left")
    }

    /// Without a size (a gzip stream's length, a JSON page): rows, MiB and rate only.
    @Test func anUnknownSizeGivesRowsAndRate() {
        let p = LoadProgress(part: "page", bytes: 3 << 20, rows: 1_500)
        #expect(ProgressText.line(verb: "loading", p, elapsed: 1) == "loading page: 1,500 rows · 3 MiB · 3 MiB/s")
        // Too early for a rate.
        #expect(ProgressText.line(verb: "loading", p, elapsed: 0.1) == "loading page: 1,500 rows · 3 MiB")
    }

    @Test(arguments: [(0.2, "1 s"), (59.0, "59 s"), (61.0, "1 min 1 s"), (7_300.0, "2 h 1 min")])
    func durationsReadNaturally(seconds: Double, text: String) {
        #expect(ProgressText.duration(seconds) == text)
    }
}
