import AssureCore
import Foundation
import Plot
import SQLKit
import Vapor

/// `/organisations/{code}/risks/heat-map`: live risks on the matrix, now and at target. Each cell
/// links to the register filtered to it; a table says the same for screen readers and print.
enum HeatMapPage {
    static func show(req: Request) async throws -> Response {
        let context = try await req.riskContext(.read)
        let sql = try req.db.sqlDatabase
        let map = try await RiskQuery.heatMap(organisation: context.organisation.id, matrix: context.matrix, on: sql)
        let code = context.organisation.odsCode
        let content: Node<HTML.BodyContext> = .group(
            .h1(.text("Risk heat map")),
            .p(.class("lede"), .text("\(Words.count(map.total, "live risk")) in \(context.organisation.name) on the \(context.matrix.name). Each cell shows how many risks sit there now, and how many aim to sit there at target. Select a cell to see its risks.")),
            map.total == 0
                ? Components.emptyState(title: "No live risks", message: "The heat map fills as risks are added to the register.",
                                        actions: context.may(.createRecord) ? [("Add a risk", .newRisk(code))] : [])
                : .group(
                    .raw(svg(map, code: code)),
                    legend(context.matrix),
                    .h2(.class("heading-m"), .text("The same as a table")),
                    Components.scrollableTable(label: "Risks by likelihood and consequence", table(map, code: code))
                ),
            .p(.a(.href(SiteURL.risks(code).path), .text("Back to the risk register")))
        )
        return Layout.response(context.shell("Risk heat map", crumbs: [.init(title: "Risk register", url: .risks(code))]), content)
    }

    static let fills = ["green": "#cce5d8", "yellow": "#fff4b3", "orange": "#ffd8b2", "red": "#f7d4d1"]

    /// Plain SVG: rectangles, text and links, no script or inline style (the page's CSP allows neither).
    static func svg(_ map: RiskHeatMap, code: String) -> String {
        let matrix = map.matrix
        let cell = 96, labelWidth = 150, labelHeight = 56
        let width = labelWidth + cell * matrix.consequence.count, height = labelHeight + cell * matrix.likelihood.count
        var out = """
            <svg class="heat-map" viewBox="0 0 \(width) \(height)" width="\(width)" height="\(height)" role="img" aria-labelledby="heat-map-title">\
            <title id="heat-map-title">Heat map: live risks by likelihood (rows) and consequence (columns); the table below gives the same counts</title>
            """
        for (row, ratings) in map.rows.enumerated() {
            let likelihood = matrix.likelihood[matrix.likelihood.count - 1 - row]
            out += ##"<text x="\##(labelWidth - 8)" y="\##(labelHeight + row * cell + cell / 2 + 5)" text-anchor="end" font-size="15">\##(HTMLEscaping.text("\(likelihood.score) \(likelihood.label)"))</text>"##
            for (column, rating) in ratings.enumerated() {
                let score = matrix.score(likelihood: rating.likelihood, consequence: rating.consequence) ?? 0
                let band = matrix.band(for: score)
                let now = map.current[rating] ?? 0, target = map.target[rating] ?? 0
                let x = labelWidth + column * cell, y = labelHeight + row * cell
                let link = SiteURL.risks(code).with(query: [("likelihood", String(rating.likelihood)), ("consequence", String(rating.consequence))])
                out += ##"<a href="\##(HTMLEscaping.attribute(link))" aria-label="\##(HTMLEscaping.attribute("Likelihood \(likelihood.label), consequence \(matrix.consequence[column].label), score \(score) \(band?.label ?? ""): \(now) now, \(target) at target"))">"##
                out += ##"<rect x="\##(x + 2)" y="\##(y + 2)" width="\##(cell - 4)" height="\##(cell - 4)" fill="\##(fills[band?.colour ?? ""] ?? "#f0f4f5")" stroke="#425563" stroke-width="1"/>"##
                out += ##"<text x="\##(x + cell / 2)" y="\##(y + 38)" text-anchor="middle" font-size="28" font-weight="700" fill="#212b32">\##(now)</text>"##
                out += ##"<text x="\##(x + cell / 2)" y="\##(y + 64)" text-anchor="middle" font-size="13" fill="#212b32">target \##(target)</text>"##
                out += ##"<text x="\##(x + cell - 10)" y="\##(y + 20)" text-anchor="end" font-size="12" fill="#425563">\##(score)</text></a>"##
            }
        }
        for (column, consequence) in matrix.consequence.enumerated() {
            out += ##"<text x="\##(labelWidth + column * cell + cell / 2)" y="\##(labelHeight - 30)" text-anchor="middle" font-size="15">\##(consequence.score)</text>"##
            out += ##"<text x="\##(labelWidth + column * cell + cell / 2)" y="\##(labelHeight - 10)" text-anchor="middle" font-size="13">\##(HTMLEscaping.text(consequence.label))</text>"##
        }
        return out + "</svg>"
    }

    private static func legend(_ matrix: RiskMatrix) -> Node<HTML.BodyContext> {
        .ul(.class("legend"), .forEach(matrix.bands) { band in
            .li(Components.riskScore(band.lower, matrix), .text(" \(band.lower)–\(band.upper), reviewed every \(band.reviewEveryDays) days"))
        })
    }

    private static func table(_ map: RiskHeatMap, code: String) -> Node<HTML.BodyContext> {
        let matrix = map.matrix
        return .table(
            .class("table"),
            .caption(.text("Risks now (and at target) by likelihood and consequence")),
            .thead(.tr(.th(.text("Likelihood \\ consequence")), .forEach(matrix.consequence) { .th(.attribute(named: "scope", value: "col"), .text("\($0.score) \($0.label)")) })),
            .tbody(.forEach(map.rows.enumerated().map { ($0, $1) }) { row, ratings in
                let likelihood = matrix.likelihood[matrix.likelihood.count - 1 - row]
                return .tr(
                    .th(.attribute(named: "scope", value: "row"), .text("\(likelihood.score) \(likelihood.label)")),
                    .forEach(ratings) { rating in
                        let now = map.current[rating] ?? 0, target = map.target[rating] ?? 0
                        return .td(now == 0 ? .text("0") : .a(.href(SiteURL.risks(code).with(query: [("likelihood", String(rating.likelihood)),
                                                                                                     ("consequence", String(rating.consequence))])),
                                                               .text(String(now))),
                                   .text(" (\(target))"))
                    }
                )
            })
        )
    }
}
