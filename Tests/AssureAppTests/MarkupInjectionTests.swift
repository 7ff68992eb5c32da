import AssureCore
import Fluent
import XCTVapor
@testable import AssureApp

/// Markup typed into any field, search box or query parameter stays text: every page is read
/// with libxml2's HTML parser and must hold no element or attribute the payload tried to add.
/// The pages and their forms come from the routes themselves, as the authorisation matrix does,
/// so a new page or field is covered without being listed here.
final class MarkupInjectionTests: XCTestCase {
    static let payload = #"Core "B" '<>& "><meta http-equiv="refresh" content="0;url=http://elsewhere.example/"><x data-assure-injected=""#

    /// What the payload would have added had it escaped its attribute or text.
    static func injected(_ page: ParsedPage) -> [String] {
        page.elements.flatMap { element -> [String] in
            var found: [String] = []
            if element.name == "x" { found.append("an <x> element") }
            if element.name == "meta", element.attributes["http-equiv"] != nil { found.append("a meta refresh") }
            if element.name == "script" { found.append("a script element") }
            if element.attributes["data-assure-injected"] != nil { found.append("an attribute on <\(element.name)>") }
            return found
        }
    }

    static func assertClean(_ html: String, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        let found = injected(ParsedPage(html))
        XCTAssertTrue(found.isEmpty, "\(what): the payload added \(found.joined(separator: ", "))", file: file, line: line)
    }

    func testSignInNextParameterCannotAddMarkupOrLeaveTheSite() async throws {
        try await withAssure { app in
            let next = #"/x"><meta http-equiv="refresh" content="0;url=http://elsewhere.example/"><x data-assure-injected=""#
            try await app.send(.GET, "/sign-in?next=\(Self.formEncoded(next))", as: .some(nil)) { res async throws in
                XCTAssertEqual(res.status, .ok)
                Self.assertClean(res.text, "sign-in page")
                let hidden = ParsedPage(res.text).elements(named: "input").first { $0.attributes["name"] == "next" }
                XCTAssertEqual(hidden?.attributes["value"], "/organisations", "a next holding a quote is not a path a browser would keep")
            }
            for bad in ["/%09/elsewhere.example", "/%0a/elsewhere.example", "/\\elsewhere.example", "//elsewhere.example", "/%5Celsewhere.example",
                        "https://elsewhere.example/", "/ /elsewhere.example"] {
                try await app.send(.GET, "/sign-in?next=\(bad.contains("%") ? bad : Self.formEncoded(bad))", as: .some(nil)) { res async throws in
                    let hidden = ParsedPage(res.text).elements(named: "input").first { $0.attributes["name"] == "next" }
                    XCTAssertEqual(hidden?.attributes["value"], "/organisations", bad)
                }
            }
            try await app.send(.GET, "/sign-in?next=\(Self.formEncoded("/organisations/T91/risks?status=open"))", as: .some(nil)) { res async throws in
                let hidden = ParsedPage(res.text).elements(named: "input").first { $0.attributes["name"] == "next" }
                XCTAssertEqual(hidden?.attributes["value"], "/organisations/T91/risks?status=open", "an ordinary path is kept")
            }
        }
    }

    func testAQuotedTitleSurvivesTheEditFormAndMarkupInADepartmentStaysText() async throws {
        try await withAssure(demo: true) { app in
            try await seedDemoTrust(app)
            let title = #"Core switch "B" failure & <failover>"#
            var created = ""
            let body = try JSONSerialization.data(withJSONObject: [
                "title": title, "cause": "c", "event": "e", "effect": "f", "category": "cyber-security", "owner": "risk.manager@avalon.example",
                "department": Self.payload, "opened": "2026-01-01", "initial_likelihood": 3, "initial_consequence": 3,
                "current_likelihood": 3, "current_consequence": 3, "target_likelihood": 1, "target_consequence": 3,
            ])
            try await app.send(.POST, "/api/v1/organisations/T91/risks", headers: jsonHeaders(), body: ByteBuffer(data: body)) { res async throws in
                XCTAssertEqual(res.status, .created, res.text)
                created = try res.json()["reference"] as? String ?? ""
            }
            var form: ParsedPage.Form?
            try await app.send(.GET, "/organisations/T91/risks/\(created)/edit") { res async throws in
                XCTAssertEqual(res.status, .ok)
                Self.assertClean(res.text, "edit form")
                let page = ParsedPage(res.text)
                XCTAssertEqual(page.elements(named: "input").first { $0.attributes["name"] == "title" }?.attributes["value"], title)
                XCTAssertEqual(page.elements(named: "input").first { $0.attributes["name"] == "department" }?.attributes["value"], Self.payload)
                form = page.forms.first { $0.action.hasSuffix("/edit") }
            }
            // Saving the form as the browser would send it keeps the title whole.
            let fields = Self.browserValues(try XCTUnwrap(form)).filter { $0.0 != "rationale" }
            try await app.send(.POST, "/organisations/T91/risks/\(created)/edit", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                               body: ByteBuffer(string: Self.formBody(fields + [("rationale", "re-saved")]))) { res async throws in
                XCTAssertEqual(res.status, .seeOther, res.text)
            }
            let stored = try await Risk.query(on: app.db).filter(\.$title == title).count()
            XCTAssertEqual(stored, 1, "the title is stored whole after the round trip")
            try await app.send(.GET, "/organisations/T91/risks") { res async throws in Self.assertClean(res.text, "register") }
        }
    }

    func testMarkupInEveryFormFieldAndQueryParameterStaysText() async throws {
        try await withAssure(demo: true) { app in
            try await seedDemoTrust(app)
            _ = try await DemoSeeder.seedEvidence(on: app)
            try await AuthorisationMatrixTests.seedMatrixEstate(app)
            // Stored where most pages show it: the organisation's name, and the first risk's words.
            let named = #"{"name":"Kingsmere \#(Self.jsonEscaped(Self.payload))","type":"foundation-trust","parent_ods_code":"Q9A","dspt_category":1}"#
            try await app.send(.PUT, "/api/v1/organisations/T91", headers: jsonHeaders(), body: ByteBuffer(string: named)) { res async throws in
                XCTAssertEqual(res.status, .ok, res.text)
            }
            var risk: [String: Any] = ["owner": "risk.manager@avalon.example", "category": "cyber-security", "opened": "2026-01-01",
                                       "initial_likelihood": 3, "initial_consequence": 3, "current_likelihood": 3, "current_consequence": 3,
                                       "target_likelihood": 1, "target_consequence": 3]
            for field in ["title", "cause", "event", "effect", "department", "objective", "rationale"] { risk[field] = Self.payload }
            try await app.send(.PUT, "/api/v1/organisations/T91/risks/R-0001", headers: jsonHeaders(),
                               body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: risk))) { res async throws in
                XCTAssertEqual(res.status, .ok, res.text)
            }
            let person = try await User.query(on: app.db).filter(\.$email == "risk.manager@avalon.example").first()?.requireID().uuidString ?? ""
            let pages = app.routes.all.filter { $0.method == .GET }.compactMap { Self.pagePath($0, person: person) }
            XCTAssertGreaterThan(pages.count, 30)
            var forms: [String: ParsedPage.Form] = [:]
            for path in pages {
                try await app.send(.GET, path, headers: ["Accept": "text/html"]) { res async throws in
                    XCTAssertLessThan(res.status.code, 500, path)
                    Self.assertClean(res.text, "GET \(path)")
                    for form in ParsedPage(res.text).forms { forms["\(form.method) \(form.action) \(form.fields.compactMap { $0.attributes["name"] }.sorted())"] = form }
                }
            }
            var submitted = 0
            for form in forms.values.sorted(by: { $0.action < $1.action }) where !Self.skipped(form) {
                for everyField in [true, false] {
                    let fields = Self.payloadValues(form, everyField: everyField)
                    try await submit(form, fields, on: app)
                    submitted += 1
                }
            }
            XCTAssertGreaterThan(submitted, 40, "forms were found and sent")
            // Whatever was stored is shown again, escaped, wherever it appears.
            for path in pages {
                try await app.send(.GET, path, headers: ["Accept": "text/html"]) { res async throws in
                    XCTAssertLessThan(res.status.code, 500, path)
                    Self.assertClean(res.text, "GET \(path) after the payload was stored")
                }
            }
        }
    }

    private func submit(_ form: ParsedPage.Form, _ fields: [(String, String)], on app: Application) async throws {
        let what = "\(form.method.uppercased()) \(form.action)"
        var location: String?
        if form.method == "get" {
            let path = form.action + "?" + Self.formBody(fields)
            try await app.send(.GET, path, headers: ["Accept": "text/html"]) { res async throws in
                XCTAssertLessThan(res.status.code, 500, what)
                Self.assertClean(res.text, what)
            }
            return
        }
        let multipart = form.enctype.hasPrefix("multipart")
        let headers: HTTPHeaders = multipart ? Multipart.headers : ["Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"]
        let files = form.fields.filter { $0.attributes["type"] == "file" }.compactMap { $0.attributes["name"] }
        let body = multipart ? Self.multipartBody(fields, files: files) : ByteBuffer(string: Self.formBody(fields))
        try await app.send(.POST, form.action, headers: headers, body: body) { res async throws in
            XCTAssertLessThan(res.status.code, 500, "\(what): \(res.text.prefix(300))")
            Self.assertClean(res.text, what)
            location = res.headers.first(name: .location)
        }
        if let location, location.hasPrefix("/") {
            try await app.send(.GET, location, headers: ["Accept": "text/html"]) { res async throws in
                XCTAssertLessThan(res.status.code, 500, "\(what) → \(location)")
                Self.assertClean(res.text, "\(what) → \(location)")
            }
        }
    }

    /// A page route's path with the demo's records in its parameters; nil for the API, downloads and sign-in.
    static func pagePath(_ route: Route, person: String) -> String? {
        let parts = route.path.map(\.description)
        guard parts.first != "api", !parts.contains(where: { $0.contains(".") || $0 == "file" || $0 == "sso" }),
              !["sign-in", "set-password", "healthz", "readyz", "metrics", "assets"].contains(parts.first ?? "") else { return nil }
        let values = ["code": "T91", "risk": "R-0001", "objective": "SO1", "assessment": "A1", "item": "A2.a", "evidence": "E1",
                      "device": "matrix-device", "cve": "CVE-2019-0708", "alert": "CC-MATRIX", "person": person]
        return "/" + route.path.map { component -> String in
            if case .parameter(let name) = component { return values[name] ?? name }
            return component.description
        }.joined(separator: "/")
    }

    /// Forms that would end the test's own session.
    static func skipped(_ form: ParsedPage.Form) -> Bool {
        form.action.hasPrefix("/sign-out") || form.action.isEmpty || form.action.hasPrefix("http")
    }

    /// The form as the browser sends it unchanged: hidden fields, the chosen options, the text shown.
    static func browserValues(_ form: ParsedPage.Form) -> [(String, String)] {
        values(form) { _ in nil }
    }

    /// The payload in free-text fields (or, with `everyField`, in every field but the form token);
    /// the rest as the browser would send them.
    static func payloadValues(_ form: ParsedPage.Form, everyField: Bool) -> [(String, String)] {
        values(form) { field in
            guard let name = field.attributes["name"], name != CSRFMiddleware.field else { return nil }
            let type = field.attributes["type"] ?? "text"
            if everyField { return ["hidden", "checkbox", "radio"].contains(type) && field.name == "input" ? nil : payload }
            let freeText = field.name == "textarea" || (field.name == "input" && ["text", "search"].contains(type))
            return freeText && !name.isEmpty ? payload : nil
        }
    }

    /// Walks the fields in order; `replacement` may give a field another value.
    private static func values(_ form: ParsedPage.Form, replacement: (ParsedPage.Element) -> String?) -> [(String, String)] {
        var values: [(String, String)] = []
        var select: (name: String, chosen: String?, first: String?, replaced: Bool)?
        // Where a select has no choice yet, the payload pass takes its first real option, so that
        // forms needing one (a risk's category) are stored and their words shown again.
        let choosing = replacement(ParsedPage.Element(name: "input", attributes: ["name": "probe", "type": "text"], text: "", form: nil)) != nil
        func closeSelect() {
            if let open = select, !open.replaced, let value = open.chosen ?? open.first { values.append((open.name, value)) }
            select = nil
        }
        for field in form.fields {
            if field.name == "option" {
                let value = field.attributes["value"] ?? field.text
                if select?.first == nil || (choosing && select?.first == "" ) { select?.first = value }
                if field.attributes["selected"] != nil { select?.chosen = value }
                continue
            }
            closeSelect()
            guard let name = field.attributes["name"], !name.isEmpty else { continue }
            let type = field.attributes["type"] ?? ""
            if let replaced = replacement(field) {
                values.append((name, replaced))
                if field.name == "select" { select = (name, nil, nil, true) }
                continue
            }
            switch (field.name, type) {
            case ("input", "submit"), ("input", "file"), ("button", _): continue
            case ("input", "checkbox"), ("input", "radio"):
                if field.attributes["checked"] != nil { values.append((name, field.attributes["value"] ?? "on")) }
            case ("textarea", _): values.append((name, field.text))
            case ("select", _): select = (name, nil, nil, false)
            default: values.append((name, field.attributes["value"] ?? ""))
            }
        }
        closeSelect()
        return values
    }

    static func jsonEscaped(_ value: String) -> String {
        String(decoding: try! JSONEncoder().encode(value), as: UTF8.self).dropFirst().dropLast().description
    }

    static func formEncoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    static func formBody(_ fields: [(String, String)]) -> String {
        fields.map { "\(formEncoded($0.0))=\(formEncoded($0.1))" }.joined(separator: "&")
    }

    static func multipartBody(_ fields: [(String, String)], files: [String]) -> ByteBuffer {
        var text = ""
        for (name, value) in fields {
            text += "--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        for name in files {
            text += "--\(Multipart.boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"; filename=\"payload.txt\"\r\nContent-Type: text/plain\r\n\r\n\(payload)\r\n"
        }
        return ByteBuffer(string: text + "--\(Multipart.boundary)--\r\n")
    }
}
