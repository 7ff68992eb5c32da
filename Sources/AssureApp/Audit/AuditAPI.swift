import AssureCore
import Foundation
import SQLKit
import Vapor

/// The audit trail page and its CSV download.
struct AuditTrailRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.auditTrail(SiteURL.code).pathComponents, use: AuditTrailPage.handle)
        routes.get(SiteURL.auditCSV(SiteURL.code).pathComponents, use: AuditTrailPage.csv)
    }
}

/// `GET /api/v1/organisations/{code}/audit`: the organisation's audit trail, newest first, with the page's filters.
struct AuditAPI: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.api(.GET, .api(.audit(SiteURL.code)), .listAuditEntries, use: list)
    }

    struct EntryDTO: Content {
        var sequence: Int64
        var recordedAt: String
        var actor: String
        var organisationCode: String?
        var action: String
        var entityType: String
        var entityId: String
        /// The changed fields as stored (canonical JSON text), so a client can re-hash an entry.
        var changes: String
        var requestId: String?
        var clientAddress: String?
        var previousHash: String
        var hash: String

        enum CodingKeys: String, CodingKey {
            case sequence, actor, action, changes, hash
            case recordedAt = "recorded_at", organisationCode = "organisation_code", entityType = "entity_type", entityId = "entity_id"
            case requestId = "request_id", clientAddress = "client_address", previousHash = "previous_hash"
        }

        init(_ entry: AuditEntry) {
            sequence = entry.sequence
            recordedAt = entry.recordedAt
            actor = entry.actor
            organisationCode = entry.organisationCode
            action = entry.action
            entityType = entry.entityType
            entityId = entry.entityID
            changes = entry.changes
            requestId = entry.requestID
            clientAddress = entry.clientAddress
            previousHash = entry.previousHash
            hash = entry.hash
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(sequence, forKey: .sequence)
            try container.encode(recordedAt, forKey: .recordedAt)
            try container.encode(actor, forKey: .actor)
            try container.encode(organisationCode, forKey: .organisationCode)
            try container.encode(action, forKey: .action)
            try container.encode(entityType, forKey: .entityType)
            try container.encode(entityId, forKey: .entityId)
            try container.encode(changes, forKey: .changes)
            try container.encode(requestId, forKey: .requestId)
            try container.encode(clientAddress, forKey: .clientAddress)
            try container.encode(previousHash, forKey: .previousHash)
            try container.encode(hash, forKey: .hash)
        }
    }

    struct Page: Content {
        var total: Int
        var page: Int
        var pageSize: Int
        var items: [EntryDTO]

        enum CodingKeys: String, CodingKey {
            case total, page, items
            case pageSize = "page_size"
        }
    }

    func list(req: Request) async throws -> Page {
        let organisation = try await req.organisationContext(.readAuditTrail).organisation
        let sql = try req.db.sqlDatabase
        let filter = try AuditFilter.read(from: req)
        let result = try await AuditQuery.entries(for: organisation.odsCode, filter, limit: AuditFilter.pageSize, on: sql)
        return Page(total: result.total, page: filter.page, pageSize: AuditFilter.pageSize, items: result.entries.map(EntryDTO.init))
    }
}
