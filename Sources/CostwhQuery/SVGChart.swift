import CostwhLoad
import Foundation

/// Inline SVG charts with axes, a legend, and a title and description for screen readers.
/// Series that may coincide (actual and amortized in a month without purchases) are drawn
/// as bars against a dashed line, so both stay visible.
enum SVGChart {
    static let width = 1000.0
    static let height = 300.0
    static let left = 92.0, right = 16.0, top = 40.0, bottom = 46.0
    static var plotWidth: Double { width - left - right }
    static var plotHeight: Double { height - top - bottom }

    /// A value axis from `lo` to `hi` (both rounded outwards) that always includes zero.
    struct Scale {
        let lo: Double
        let hi: Double

        init(_ values: [Double]) {
            let maxValue = max(0, values.max() ?? 0)
            let minValue = min(0, values.min() ?? 0)
            let span = SVGChart.nice(max(maxValue - minValue, 1e-9))
            let step = span / 4
            hi = (maxValue / step).rounded(.up) * step
            lo = (minValue / step).rounded(.down) * step
        }

        func y(_ v: Double) -> Double {
            SVGChart.top + SVGChart.plotHeight * (hi - v) / max(hi - lo, 1e-9)
        }

        var ticks: [Double] {
            let step = (hi - lo) / 4
            return (0...4).map { lo + step * Double($0) }
        }
    }

    static func nice(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for step in [1.0, 2.0, 2.5, 5.0, 10.0] where step * magnitude >= value { return step * magnitude }
        return 10 * magnitude
    }

    static func axisLabel(_ value: Double) -> String {
        if abs(value) >= 1_000_000 { return String(format: "%.1fM", value / 1_000_000) }
        if abs(value) >= 1_000 { return String(format: "%.1fk", value / 1_000) }
        return String(format: "%.0f", value)
    }

    static func money(_ value: Double, _ currency: String) -> String {
        CellFormat.money(currency: 0).text(.real(value), row: [.text(currency)])
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func x(_ i: Int, of count: Int) -> Double {
        left + plotWidth * (Double(i) + 0.5) / Double(max(count, 1))
    }

    /// The opening of a chart: its accessible name and description, the grid and value axis.
    static func open(title: String, description: String, scale: Scale, currency: String, id: String) -> String {
        var out =
            "<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\">\n"
        out += "<title id=\"\(id)-title\">\(HTMLPage.escape(title))</title>\n"
        out += "<desc id=\"\(id)-desc\">\(HTMLPage.escape(description))</desc>\n"
        for v in scale.ticks {
            let y = scale.y(v)
            out += "<line class=\"grid\" x1=\"\(left)\" y1=\"\(f(y))\" x2=\"\(width - right)\" y2=\"\(f(y))\" />\n"
            out +=
                "<text class=\"label\" x=\"\(left - 8)\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(axisLabel(v))</text>\n"
        }
        out += "<text class=\"label\" x=\"4\" y=\"16\">\(HTMLPage.escape(currency))</text>\n"
        out += "<line class=\"axis\" x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(height - bottom)\" />\n"
        out +=
            "<line class=\"zero\" x1=\"\(left)\" y1=\"\(f(scale.y(0)))\" x2=\"\(width - right)\" y2=\"\(f(scale.y(0)))\" />\n"
        return out
    }

    static func close(labels: [String], axis: String, caption: String) -> String {
        var out = ""
        let every = max(1, Int((Double(labels.count) / 12).rounded(.up)))
        for (i, label) in labels.enumerated() where i % every == 0 || i == labels.count - 1 {
            out +=
                "<text class=\"label\" x=\"\(f(x(i, of: labels.count)))\" y=\"\(height - bottom + 18)\" text-anchor=\"middle\">\(HTMLPage.escape(label))</text>\n"
        }
        out +=
            "<text class=\"label\" x=\"\(f(left + plotWidth / 2))\" y=\"\(height - 6)\" text-anchor=\"middle\">\(HTMLPage.escape(axis))</text>\n"
        return out + "</svg>\n<figcaption>\(HTMLPage.escape(caption))</figcaption>\n</figure>\n"
    }

    static func legend(_ items: [(kind: String, name: String)]) -> String {
        var out = ""
        var lx = left + 4
        for item in items {
            switch item.kind {
            case "line":
                out +=
                    "<line class=\"line\" x1=\"\(f(lx))\" y1=\"16\" x2=\"\(f(lx + 26))\" y2=\"16\" /><circle class=\"dot\" cx=\"\(f(lx + 13))\" cy=\"16\" r=\"3.5\" />"
                lx += 32
            default:
                out += "<rect class=\"\(item.kind)\" x=\"\(f(lx))\" y=\"9\" width=\"14\" height=\"14\" />"
                lx += 20
            }
            out += "<text class=\"label\" x=\"\(f(lx))\" y=\"20\">\(HTMLPage.escape(item.name))</text>\n"
            lx += Double(item.name.count) * 7.2 + 22
        }
        return out
    }

    static func describe(_ name: String, _ labels: [String], _ values: [Double], _ currency: String) -> String {
        guard let top = values.indices.max(by: { values[$0] < values[$1] }) else { return "\(name): no data." }
        return
            "\(name): \(money(values.reduce(0, +), currency)) in all, highest \(labels[top]) at \(money(values[top], currency))."
    }

    /// Bars of one series against a dashed line of another.
    static func barsAndLine(
        labels: [String], bars: [Double], line: [Double], names: (String, String), currency: String, axis: String,
        title: String, id: String
    ) -> String {
        let scale = Scale(bars + line)
        let description =
            "\(labels.count) points from \(labels.first ?? "") to \(labels.last ?? ""). "
            + describe(names.0, labels, bars, currency) + " " + describe(names.1, labels, line, currency)
        var out = open(title: title, description: description, scale: scale, currency: currency, id: id)
        out += legend([("bar-a", names.0), ("line", names.1)])
        let slot = plotWidth / Double(max(labels.count, 1))
        let bar = max(2, min(48, slot * 0.6))
        for (i, v) in bars.enumerated() {
            let y0 = scale.y(max(v, 0)), y1 = scale.y(min(v, 0))
            out +=
                "<rect class=\"bar-a\" x=\"\(f(x(i, of: labels.count) - bar / 2))\" y=\"\(f(y0))\" width=\"\(f(bar))\" height=\"\(f(max(y1 - y0, 0.5)))\"><title>\(HTMLPage.escape(labels[i])) \(HTMLPage.escape(names.0)): \(HTMLPage.escape(money(v, currency)))</title></rect>\n"
        }
        let points = line.enumerated().map { "\(f(x($0.offset, of: labels.count))),\(f(scale.y($0.element)))" }
        out += "<polyline class=\"line\" points=\"\(points.joined(separator: " "))\" />\n"
        for (i, v) in line.enumerated() {
            out +=
                "<circle class=\"dot\" cx=\"\(f(x(i, of: labels.count)))\" cy=\"\(f(scale.y(v)))\" r=\"3.5\"><title>\(HTMLPage.escape(labels[i])) \(HTMLPage.escape(names.1)): \(HTMLPage.escape(money(v, currency)))</title></circle>\n"
        }
        return out + close(labels: labels, axis: axis, caption: title)
    }

    /// One series around zero: above in one colour, below in another.
    static func signedBars(
        labels: [String], values: [Double], currency: String, axis: String, title: String, note: String, id: String
    ) -> String {
        let scale = Scale(values)
        let description =
            labels.indices.map { "\(labels[$0]): \(money(values[$0], currency))" }.joined(separator: "; ") + ". "
            + note
        var out = open(title: title, description: description, scale: scale, currency: currency, id: id)
        out += legend([("positive", "Amortized above actual"), ("negative", "Actual above amortized")])
        let slot = plotWidth / Double(max(labels.count, 1))
        let bar = max(2, min(48, slot * 0.6))
        for (i, v) in values.enumerated() {
            let y0 = scale.y(max(v, 0)), y1 = scale.y(min(v, 0))
            out +=
                "<rect class=\"\(v < 0 ? "negative" : "positive")\" x=\"\(f(x(i, of: labels.count) - bar / 2))\" y=\"\(f(y0))\" width=\"\(f(bar))\" height=\"\(f(max(y1 - y0, 0.5)))\"><title>\(HTMLPage.escape(labels[i])): \(HTMLPage.escape(money(v, currency)))</title></rect>\n"
        }
        return out + close(labels: labels, axis: axis, caption: title + ". " + note)
    }

    /// Two or more series side by side in each slot, each its own colour.
    static func groupedBars(
        labels: [String], series: [(String, [Double])], currency: String, axis: String, title: String, id: String
    ) -> String {
        let scale = Scale(series.flatMap(\.1))
        let description =
            "\(labels.count) months from \(labels.first ?? "") to \(labels.last ?? ""). "
            + series.map { describe($0.0, labels, $0.1, currency) }.joined(separator: " ")
        var out = open(title: title, description: description, scale: scale, currency: currency, id: id)
        let classes = ["bar-a", "bar-b", "positive", "negative"]
        out += legend(series.enumerated().map { (classes[$0.offset % classes.count], $0.element.0) })
        let slot = plotWidth / Double(max(labels.count, 1))
        let bar = max(2, min(40, slot * 0.7 / Double(max(series.count, 1))))
        for (s, (name, values)) in series.enumerated() {
            for (i, v) in values.enumerated() {
                let y0 = scale.y(max(v, 0)), y1 = scale.y(min(v, 0))
                let x0 = x(i, of: labels.count) - bar * Double(series.count) / 2 + bar * Double(s)
                out +=
                    "<rect class=\"\(classes[s % classes.count])\" x=\"\(f(x0))\" y=\"\(f(y0))\" width=\"\(f(bar - 1))\" height=\"\(f(max(y1 - y0, 0.5)))\"><title>\(HTMLPage.escape(labels[i])) \(HTMLPage.escape(name)): \(HTMLPage.escape(money(v, currency)))</title></rect>\n"
            }
        }
        return out + close(labels: labels, axis: axis, caption: title)
    }
}
