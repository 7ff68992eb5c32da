import AssureCore
import Foundation
import Plot

/// Small building blocks shared by every page, so forms and lists look and behave alike.
enum Components {
    struct Field {
        var id: String
        var label: String
        var hint: String?
        var value: String
        var error: String?
        var width: String = "field--wide"
    }

    /// The GOV.UK-style error summary: focused first by screen readers, each message links to its field.
    static func errorSummary(_ problems: [AssureError.FieldProblem], fieldIDs: Set<String> = []) -> Node<HTML.BodyContext> {
        guard !problems.isEmpty else { return .empty }
        return .div(
            .class("error-summary"), .attribute(named: "role", value: "alert"),
            .attribute(named: "aria-labelledby", value: "error-summary-title"),
            .h2(.id("error-summary-title"), .class("error-summary__title"), .text("There is a problem")),
            .ul(.forEach(problems) { problem in
                let text = problem.line.map { "Line \($0), \(problem.field): \(problem.message)" } ?? problem.message
                return .li(fieldIDs.contains(problem.field) ? .a(.href("#\(problem.field)"), .text(text)) : .text(text))
            })
        )
    }

    static func textField<C: HTML.BodyContext>(_ field: Field, name: String? = nil) -> Node<C> {
        fieldGroup(field, control: .input(
            .type(.text), .id(field.id), .name(name ?? field.id), .value(field.value), .class("input \(field.width)"),
            .attribute(named: "aria-describedby", value: describedBy(field.id, hint: field.hint, error: field.error))
        ))
    }

    /// A password box: never pre-filled, with the browser's password-manager hint.
    static func passwordField<C: HTML.BodyContext>(_ id: String, _ label: String, autocomplete: String, error: String?) -> Node<C> {
        let field = Field(id: id, label: label, value: "", error: error)
        return fieldGroup(field, control: .input(
            .type(.password), .id(id), .name(id), .class("input field--wide"), .attribute(named: "autocomplete", value: autocomplete),
            .attribute(named: "aria-describedby", value: describedBy(id, hint: nil, error: error))
        ))
    }

    static func textArea<C: HTML.BodyContext>(_ field: Field, rows: Int = 4, name: String? = nil) -> Node<C> {
        fieldGroup(field, control: .textarea(
            .id(field.id), .name(name ?? field.id), .class("textarea"), .attribute(named: "rows", value: String(rows)),
            .attribute(named: "aria-describedby", value: describedBy(field.id, hint: field.hint, error: field.error)),
            .text(field.value)
        ))
    }

    /// The signed-in session's CSRF token, for every form that changes something.
    static func csrfField<C: HTML.BodyContext>() -> Node<C> {
        guard let token = RequestContext.csrfToken else { return .empty }
        return .input(.type(.hidden), .name(CSRFMiddleware.field), .value(token))
    }

    /// The characters an address carries as they are (RFC 3986 "unreserved").
    private static let unreserved = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))

    /// Where a form with a file posts: its own address with the session's CSRF token, which the
    /// middleware checks without reading the file (see `CSRFMiddleware`).
    static func uploadAction(_ url: SiteURL) -> String {
        guard let token = RequestContext.csrfToken else { return url.path }
        return url.path + "?" + CSRFMiddleware.field + "=" + (token.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? token)
    }

    /// A native date picker; without JavaScript or support it is a text box taking YYYY-MM-DD.
    static func dateField<C: HTML.BodyContext>(_ field: Field, name: String? = nil) -> Node<C> {
        fieldGroup(field, control: .input(
            .type(.date), .id(field.id), .name(name ?? field.id), .value(field.value), .class("input \(field.width)"),
            .attribute(named: "aria-describedby", value: describedBy(field.id, hint: field.hint, error: field.error))
        ))
    }

    /// `name` defaults to the id; several selects with one name (a row each) need their own ids.
    static func selectField<C: HTML.BodyContext>(_ field: Field, options: [(value: String, label: String)], name: String? = nil) -> Node<C> {
        fieldGroup(field, control: .select(
            .id(field.id), .attribute(named: "name", value: name ?? field.id), .class("select"),
            .attribute(named: "aria-describedby", value: describedBy(field.id, hint: field.hint, error: field.error)),
            .forEach(options) { option in
                // Plot's option() has no text content; screen readers want the label as text.
                .element(named: "option", nodes: [
                    .attribute(named: "value", value: option.value, ignoreIfValueIsEmpty: false),
                    .if(option.value == field.value, .attribute(named: "selected")),
                    .text(option.label),
                ])
            }
        ))
    }

    /// Label, hint and error message around a control, marked up as the NHS design system does.
    private static func fieldGroup<C: HTML.BodyContext>(_ field: Field, control: Node<C>) -> Node<C> {
        .div(
            .class(field.error == nil ? "form-group" : "form-group form-group--error"),
            .label(.class("label"), .for(field.id), .text(field.label)),
            .unwrap(field.hint) { .div(.class("hint"), .id("\(field.id)-hint"), .text($0)) },
            .unwrap(field.error) { .p(.class("error-message"), .id("\(field.id)-error"), .span(.class("visually-hidden"), .text("Error: ")), .text($0)) },
            control
        )
    }

    /// A yes/no choice sent as `id=yes`, with a hint under it and its error above.
    static func checkbox<C: HTML.BodyContext>(id: String, label: String, hint: String, checked: Bool = false, error: String? = nil) -> Node<C> {
        .div(.class(error == nil ? "form-group" : "form-group form-group--error"),
             .unwrap(error) { .p(.class("error-message"), .id("\(id)-error"), .span(.class("visually-hidden"), .text("Error: ")), .text($0)) },
             .div(.class("checkbox"),
                  .input(.type(.checkbox), .id(id), .name(id), .value("yes"), .checked(checked),
                         .attribute(named: "aria-describedby", value: describedBy(id, hint: hint, error: error))),
                  .label(.for(id), .text(label))),
             .div(.class("hint"), .id("\(id)-hint"), .text(hint)))
    }

    /// A file chooser sent as `file`, with its label, hint and error.
    static func fileField<C: HTML.BodyContext>(_ field: Field, accept: String) -> Node<C> {
        fieldGroup(field, control: .input(
            .type(.file), .id(field.id), .name("file"), .class("file-upload"), .attribute(named: "accept", value: accept),
            .attribute(named: "aria-describedby", value: describedBy(field.id, hint: field.hint, error: field.error))
        ))
    }

    /// A part of a whole as a bar with its figure, e.g. outcomes achieved out of all outcomes.
    /// A native progress element: the security policy allows no inline styles.
    static func meter(part: Int, of whole: Int) -> Node<HTML.BodyContext> {
        let percent = whole == 0 ? 0 : Int((Double(part) / Double(whole) * 100).rounded())
        return .span(.class("meter"),
                     .element(named: "progress", nodes: [.class("meter__bar"), .attribute(named: "max", value: String(max(whole, 1))),
                                                         .attribute(named: "value", value: String(part)), .attribute(named: "aria-hidden", value: "true")]),
                     .span(.class("meter__text"), .text("\(part) of \(whole) (\(percent)%)")))
    }

    /// A key–value list for the facts about a record.
    static func summaryList(_ rows: [(key: String, value: Node<HTML.BodyContext>)]) -> Node<HTML.BodyContext> {
        .dl(.class("summary-list"), .forEach(rows) { row in
            .group(.dt(.text(row.key)), .dd(row.value))
        })
    }

    /// What to show where there is nothing yet: say so, and say what to do next.
    static func emptyState(title: String, message: String, actions: [(label: String, url: SiteURL)]) -> Node<HTML.BodyContext> {
        .div(
            .class("empty-state"),
            .h3(.text(title)),
            .p(.text(message)),
            .if(!actions.isEmpty, .p(.class("button-group"), .forEach(actions) { action in
                .a(.class("button button--secondary"), .href(action.url.path), .text(action.label))
            }))
        )
    }

    /// Wraps a wide table so a narrow screen scrolls it sideways instead of cutting it off;
    /// focusable and labelled so keyboard users can scroll it too.
    static func scrollableTable(label: String, _ table: Node<HTML.BodyContext>) -> Node<HTML.BodyContext> {
        .div(.class("table-wrap"), .attribute(named: "role", value: "region"), .ariaLabel(label),
             .attribute(named: "tabindex", value: "0"), table)
    }

    /// A confirmation or important message at the top of a page, announced to screen readers.
    static func notice(title: String, _ content: Node<HTML.BodyContext>...) -> Node<HTML.BodyContext> {
        .div(.class("notice"), .attribute(named: "role", value: "status"),
             .h2(.class("notice__title"), .text(title)), .group(content))
    }

    /// A secret shown once (an invitation link, an API token): easy to select whole, never wrapped mid-line.
    static func secret(_ value: String) -> Node<HTML.BodyContext> {
        .p(.code(.class("secret"), .text(value)))
    }

    /// Figures over time as an inline SVG line: no script or inline style (the CSP allows neither);
    /// days without a figure are skipped. `top` fixes the scale (a matrix's highest score, 100%).
    static func sparkline(_ values: [Double?], label: String, top fixedTop: Double? = nil, width: Double = 320, height: Double = 60,
                          modifier: String = "") -> Node<HTML.BodyContext> {
        let known = values.enumerated().compactMap { index, value in value.map { (index, $0) } }
        let top = max(fixedTop ?? known.map(\.1).max() ?? 1, 1)
        let step = values.count > 1 ? width / Double(values.count - 1) : 0
        let points = known.map { index, value in
            String(format: "%.1f,%.1f", Double(index) * step, height - (value / top) * (height - 6) - 3)
        }.joined(separator: " ")
        let classes = modifier.isEmpty ? "sparkline" : "sparkline \(modifier)"
        return .raw("""
            <svg class="\(classes)" viewBox="-4 -4 \(Int(width) + 8) \(Int(height) + 8)" width="\(Int(width) + 8)" height="\(Int(height) + 8)" role="img" \
            aria-label="\(HTMLEscaping.attribute(label))"><polyline fill="none" stroke="#005eb8" stroke-width="3" points="\(points)"/></svg>
            """)
    }

    private static func describedBy(_ id: String, hint: String?, error: String?) -> String? {
        let ids = [hint.map { _ in "\(id)-hint" }, error.map { _ in "\(id)-error" }].compactMap { $0 }
        return ids.isEmpty ? nil : ids.joined(separator: " ")
    }

    /// A risk score in its band's colour with the band's name, on the organisation's matrix.
    static func riskScore<C: HTML.BodyContext>(_ score: Int, _ matrix: RiskMatrix) -> Node<C> {
        let band = matrix.band(for: score)
        return .span(.class("score score--\(band?.colour ?? "grey")"), .text("\(score) \(band?.label ?? "")"))
    }

    /// Whether evidence is past its review date or soon will be; nothing when it is current.
    static func evidenceCurrency(_ currency: EvidenceCurrency) -> Node<HTML.BodyContext> {
        switch currency {
        case .expired: .span(.class("tag tag--red"), .text("Expired"))
        case .expiringSoon: .span(.class("tag"), .text("Expiring soon"))
        case .current, .noReviewDate: .empty
        }
    }
}
