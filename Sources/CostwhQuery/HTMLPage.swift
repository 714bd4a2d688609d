/// The report's page: its content security policy, its styles for screens and for print.
enum HTMLPage {
    static func wrap(_ body: String) -> String {
        """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
        <head>
        <meta charset="utf-8" />
        <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>costwh report</title>
        <style>
        \(css)</style>
        </head>
        <body>
        <main>
        \(body)</main>
        </body>
        </html>

        """
    }

    static let css = """
        :root { --actual: #1f5fbf; --amortized: #d9822b; --positive: #2f8f5b; --negative: #c2410c; --ink: #1f2933; --muted: #52606d; --rule: #d9e2ec; }
        * { box-sizing: border-box; }
        body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: var(--ink); background: #fff; }
        main { max-width: 1180px; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
        h1 { font-size: 1.6rem; margin: 0 0 0.2rem; }
        h2 { font-size: 1.2rem; margin-top: 2.2rem; border-bottom: 1px solid var(--rule); padding-bottom: 0.3rem; }
        h3 { font-size: 0.85rem; margin: 0; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: 0.03em; }
        .meta, .note, caption { color: var(--muted); font-size: 0.85rem; }
        .empty { padding: 1rem; background: #fff8e1; border: 1px solid #f0c36d; }
        nav { margin: 1.5rem 0 0; font-size: 0.9rem; }
        nav a { margin-right: 0.6rem; color: var(--actual); }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(10.5rem, 1fr)); gap: 0.8rem; }
        .card { border: 1px solid var(--rule); border-radius: 6px; padding: 0.8rem; min-width: 0; }
        .card .figure { font-size: 1.2rem; font-weight: 600; margin: 0.35rem 0; font-variant-numeric: tabular-nums; overflow-wrap: normal; }
        .card ul { margin: 0.4rem 0 0; padding-left: 1.1rem; font-size: 0.85rem; }
        .table { max-width: 100%; overflow-x: auto; margin-top: 1rem; }
        table { border-collapse: collapse; width: 100%; font-size: 0.8rem; }
        caption { text-align: left; padding-bottom: 0.3rem; caption-side: top; }
        th, td { padding: 0.3rem 0.45rem; border-bottom: 1px solid #e4e7eb; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
        th { background: #f5f7fa; font-weight: 600; }
        th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.id { word-break: break-all; font-size: 0.75rem; }
        figure { margin: 1rem 0; }
        figcaption { color: var(--muted); font-size: 0.85rem; }
        svg { display: block; width: 100%; height: auto; }
        .axis { stroke: #9aa5b1; stroke-width: 1; }
        .zero { stroke: #52606d; stroke-width: 1.5; }
        .grid { stroke: #e4e7eb; stroke-width: 1; }
        .label { font-size: 12px; fill: var(--muted); }
        .bar-a { fill: var(--actual); }
        .bar-b { fill: var(--amortized); }
        .line { fill: none; stroke: var(--ink); stroke-width: 2.5; stroke-dasharray: 7 4; }
        .dot { fill: #fff; stroke: var(--ink); stroke-width: 2; }
        .positive { fill: var(--positive); }
        .negative { fill: var(--negative); }
        @media print {
          main { max-width: none; padding: 0; }
          nav { display: none; }
          h2 { break-after: avoid-page; }
          section, figure, .card, tr { break-inside: avoid-page; }
          .table { overflow: visible; }
          table { font-size: 9pt; }
          a { color: inherit; text-decoration: none; }
        }

        """

    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
