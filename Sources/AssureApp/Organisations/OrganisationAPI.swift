import AssureCore
import Vapor

/// `/api/v1/organisations`: list, read, create, replace, children and CSV import.
struct OrganisationAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.api(.GET, .api(.organisations), .listOrganisations, use: list)
        routes.api(.POST, .api(.organisations), .createOrganisation, use: create)
        routes.api(.POST, .api(.importOrganisations), .importOrganisations, body: .stream, use: importCSV)
        routes.api(.GET, .api(.organisation(SiteURL.code)), .getOrganisation, use: read)
        routes.api(.PUT, .api(.organisation(SiteURL.code)), .replaceOrganisation, use: replace)
        routes.api(.GET, .api(.children(SiteURL.code)), .listChildOrganisations, use: children)
    }

    func list(req: Request) async throws -> OrganisationList {
        let identity = try req.requireIdentity()
        var filter = try OrganisationListQuery.filter(from: req)
        let directory = OrganisationDirectory(database: req.db)
        filter.restrictTo = try await directory.readable(by: identity)
        let result = try await directory.search(filter)
        return OrganisationList(total: result.total, limit: filter.limit, offset: filter.offset, items: result.items.map(OrganisationDTO.init))
    }

    func read(req: Request) async throws -> OrganisationDTO {
        OrganisationDTO(try await req.organisationContext(.read).organisation)
    }

    func create(req: Request) async throws -> Created<OrganisationDTO> {
        _ = try req.authoriseSystem(.administerSystem)
        let input = try req.decodeJSON(OrganisationInput.self)
        let draft = try input.draft(odsCode: input.odsCode ?? "")
        let record = try await OrganisationChanges(database: req.db, audit: req.auditContext).create(draft)
        return Created(OrganisationDTO(record), at: .api(.organisation(record.odsCode)))
    }

    func replace(req: Request) async throws -> OrganisationDTO {
        let code = try req.organisationCode
        let current = try await req.organisationContext(.editOrganisation, code: code).organisation
        let input = try req.decodeJSON(OrganisationInput.self)
        if let bodyCode = input.odsCode, bodyCode.uppercased() != code {
            throw AssureError.invalid([RuleError(field: "ods_code", message: "The ODS code of an organisation cannot be changed (address says \(code), body says \(bodyCode))")])
        }
        let draft = try input.draft(odsCode: code)
        try await req.authoriseMove(from: current, to: draft)
        return OrganisationDTO(try await OrganisationChanges(database: req.db, audit: req.auditContext).update(code, to: draft))
    }

    func children(req: Request) async throws -> OrganisationList {
        let context = try await req.organisationContext(.read)
        let identity = try req.requireIdentity()
        let items = try await OrganisationDirectory(database: req.db)
            .children(of: context.organisation, readableBy: identity, parentAncestors: context.ancestors.reversed()).map(OrganisationDTO.init)
        return OrganisationList(total: items.count, limit: items.count, offset: 0, items: items)
    }

    /// Takes `text/csv`; answers with counts, or 422 listing every bad line and field (nothing written).
    func importCSV(req: Request) async throws -> Response {
        _ = try req.authoriseSystem(.administerSystem)
        guard req.headers.contentType?.type == "text", req.headers.contentType?.subType == "csv" else {
            throw Abort(.unsupportedMediaType, reason: "Send the organisations as text/csv with the header \(OrganisationImport.columns.joined(separator: ","))")
        }
        let text = try await req.utf8Body(max: 10 * 1_048_576)
        let summary = try await OrganisationChanges(database: req.db, audit: req.auditContext).importRows(try OrganisationCSV.rows(from: text))
        return try await summary.encodeResponse(status: .ok, for: req)
    }
}

struct OrganisationDTO: Content, Equatable {
    var odsCode: String
    var name: String
    var type: String
    var parentOdsCode: String?
    var dsptCategory: Int?
    var createdAt: Date?
    var updatedAt: Date?

    enum CodingKeys: String, CodingKey {
        case odsCode = "ods_code", name, type, parentOdsCode = "parent_ods_code", dsptCategory = "dspt_category"
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    init(_ record: OrganisationRecord) {
        odsCode = record.odsCode
        name = record.name
        type = record.type.rawValue
        parentOdsCode = record.parentCode
        dsptCategory = record.dsptCategory
        createdAt = record.createdAt
        updatedAt = record.updatedAt
    }

    /// Absent values are written as `null` so every response has the same fields.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(odsCode, forKey: .odsCode)
        try container.encode(name, forKey: .name)
        try container.encode(type, forKey: .type)
        try container.encode(parentOdsCode, forKey: .parentOdsCode)
        try container.encode(dsptCategory, forKey: .dsptCategory)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
    }
}

struct OrganisationList: Content {
    var total: Int
    var limit: Int
    var offset: Int
    var items: [OrganisationDTO]
}

struct OrganisationInput: Content {
    var odsCode: String?
    var name: String
    var type: String
    var parentOdsCode: String?
    var dsptCategory: Int?

    enum CodingKeys: String, CodingKey {
        case odsCode = "ods_code", name, type, parentOdsCode = "parent_ods_code", dsptCategory = "dspt_category"
    }

    func draft(odsCode: String) throws -> OrganisationDraft {
        switch OrganisationDraft.parse(
            odsCode: odsCode, name: name, type: type, parentCode: parentOdsCode ?? "", dsptCategory: dsptCategory.map(String.init) ?? ""
        ) {
        case .success(let draft): return draft
        case .failure(let errors): throw AssureError.invalid(errors.problems)
        }
    }
}

/// Reads and checks the list query: `q`, `type`, `parent`, `limit` (1–500), `offset`.
enum OrganisationListQuery {
    static func filter(from req: Request) throws -> OrganisationDirectory.Filter {
        var filter = OrganisationDirectory.Filter()
        filter.text = req.query[String.self, at: "q"]
        filter.parentCode = req.query[String.self, at: "parent"].flatMap { $0.isEmpty ? nil : $0 }
        if let type = req.query[String.self, at: "type"], !type.isEmpty {
            filter.type = try OrganisationType(parsing: type)
        }
        filter.limit = try integer("limit", in: req, range: 1...500) ?? 50
        filter.offset = try integer("offset", in: req, range: 0...Int(Int32.max)) ?? 0
        return filter
    }

    private static func integer(_ name: String, in req: Request, range: ClosedRange<Int>) throws -> Int? {
        guard let raw = req.query[String.self, at: name], !raw.isEmpty else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            throw AssureError(status: .badRequest, title: "Invalid query", detail: "\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)",
                              problems: [.init(field: name, message: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")])
        }
        return value
    }
}
