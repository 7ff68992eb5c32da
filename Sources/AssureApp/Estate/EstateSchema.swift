import AssureCore
import Fluent
import SQLKit

/// The estate's tables. Devices, software and findings are read and written in bulk with SQLKit
/// (an estate can hold millions of rows), so only the small tables have Fluent models.
///
/// - `estate_devices`: one row per organisation and device id.
/// - `estate_device_results`: the latest analysis's figures per device, replaced whole by each analysis.
/// - `estate_software`: what each device has installed, as software sets since `KeepSoftwareInSets`.
/// - `estate_findings`: per device, each CVE (`cve`) and each component past end of life (`eol`); since
///   `CreateEstateTitleFindings`, only the CVEs a device's combination of components has.
/// - `estate_snapshots`: each organisation's figures per day, for trends.
/// - `estate_title_rules`: the title → CPE mapping, seeded with the NHS desktop defaults.
/// - `kb_*`: the knowledge base, each row tagged with the import that brought it.
/// - `cyber_alerts`, `cyber_alert_responses`: NHS England's high severity alerts and each organisation's response.
struct CreateEstate: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("kb_imports")
            .id()
            .field("kind", .string, .required)
            .field("source", .string, .required)
            .field("records", .int, .required)
            .field("catalogue_date", .string)
            .field("imported_by", .string, .required)
            .field("imported_at", .datetime, .required)
            .create()
        // NVD and CVE JSON 5 records are kept apart (each replaced by its own imports) in one shape.
        for table in ["kb_nvd", "kb_cve5"] {
            try await database.schema(table)
                .field("cve_id", .string, .identifier(auto: false))
                .field("import_id", .uuid, .required)
                .field("published", .string)
                .field("description", .string)
                .field("score", .double)
                .field("cvss_version", .string)
                .field("severity", .string)
                .field("vector", .string)
                .field("exploited_since", .string)
                .field("configurations", .string, .required)
                .create()
        }
        try await database.schema("kb_kev")
            .field("cve_id", .string, .identifier(auto: false))
            .field("import_id", .uuid, .required)
            .field("vendor", .string)
            .field("product", .string)
            .field("name", .string)
            .field("date_added", .string, .required)
            .field("due_date", .string)
            .field("required_action", .string)
            .field("ransomware", .bool, .required)
            .create()
        try await database.schema("kb_eol_products")
            .field("product", .string, .identifier(auto: false))
            .field("import_id", .uuid, .required)
            .field("label", .string, .required)
            .field("cpe_keys", .string, .required)
            .create()
        try await database.schema("kb_eol_cycles")
            .field("product", .string, .required, .references("kb_eol_products", "product", onDelete: .cascade))
            .field("cycle", .string, .required)
            .field("label", .string, .required)
            .field("release_date", .string)
            .field("eol", .string, .required)
            .field("latest", .string)
            .field("lts", .bool, .required)
            .field("position", .int, .required)
            .unique(on: "product", "cycle")
            .create()

        try await database.schema("estate_devices")
            .id()
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .cascade))
            .field("device_key", .string, .required)
            .field("hostname", .string, .required)
            .field("device_type", .string, .required)
            .field("os_name", .string, .required)
            .field("os_build", .string, .required)
            .field("site", .string, .required)
            .field("owner", .string, .required)
            .field("criticality", .string, .required)
            .field("clinical", .bool, .required)
            .field("last_seen", .string)
            .field("source", .string, .required)
            .field("imported_at", .datetime, .required)
            .unique(on: "organisation_id", "device_key")
            .create()
        try await database.schema("estate_device_results")
            .field("device_id", .uuid, .identifier(auto: false), .references("estate_devices", "id", onDelete: .cascade))
            .field("organisation_id", .uuid, .required)
            .field("cve_count", .int, .required)
            .field("kev_count", .int, .required)
            .field("ransomware", .bool, .required)
            .field("highest_score", .double)
            .field("severity", .int, .required)
            .field("unsupported_count", .int, .required)
            .field("unsupported_os", .bool, .required)
            .field("patch_compliant", .bool, .required)
            .field("analysed_on", .string, .required)
            .create()
        try await database.schema("estate_software")
            .field("device_id", .uuid, .required, .references("estate_devices", "id", onDelete: .cascade))
            .field("organisation_id", .uuid, .required)
            .field("name", .string, .required)
            .field("vendor", .string, .required)
            .field("version", .string, .required)
            .field("cpe", .string)
            .field("purl", .string)
            .create()
        try await database.schema("estate_findings")
            .field("device_id", .uuid, .required, .references("estate_devices", "id", onDelete: .cascade))
            .field("organisation_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("reference", .string, .required)
            .field("component", .string, .required)
            .create()
        try await database.schema("estate_snapshots")
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .cascade))
            .field("day", .string, .required)
            .field("devices", .int, .required)
            .field("unsupported_os", .int, .required)
            .field("unsupported_software", .int, .required)
            .field("known_exploited", .int, .required)
            .field("ransomware", .int, .required)
            .field("vulnerable", .int, .required)
            .field("critical_or_high", .int, .required)
            .field("patch_compliant", .int, .required)
            .field("details", .string, .required)
            .unique(on: "organisation_id", "day")
            .create()
        try await database.schema("estate_settings")
            .field("organisation_id", .uuid, .identifier(auto: false), .references(Organisation.schema, "id", onDelete: .cascade))
            .field("known_exploited_percent", .double, .required)
            .field("unsupported_os_percent", .double, .required)
            .create()
        try await database.schema("estate_title_rules")
            .id()
            .field("name_pattern", .string, .required)
            .field("vendor_pattern", .string, .required)
            .field("part", .string, .required)
            .field("cpe_vendor", .string, .required)
            .field("cpe_product", .string, .required)
            .field("shipped", .bool, .required)
            .unique(on: "name_pattern", "vendor_pattern")
            .create()
        try await database.schema("cyber_alerts")
            .id()
            .field("reference", .string, .required)
            .field("title", .string, .required)
            .field("issued_at", .datetime, .required)
            .field("cves", .string, .required)
            .field("required_action", .string, .required)
            .field("created_by", .string, .required)
            .unique(on: "reference")
            .create()
        try await database.schema("cyber_alert_responses")
            .id()
            .field("alert_id", .uuid, .required, .references("cyber_alerts", "id", onDelete: .cascade))
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("acknowledged_at", .datetime)
            .field("acknowledged_by", .string)
            .field("updated_at", .datetime)
            .field("note", .string, .required)
            .unique(on: "alert_id", "organisation_id")
            .create()

        let sql = try database.sqlDatabase
        // Software by device (device pages, re-import) and by title (unmapped list); findings by
        // device and by CVE (vulnerability pages, alerts); devices by exposure (filtered lists).
        try await sql.raw("CREATE INDEX estate_software_by_device ON estate_software (device_id)").run()
        try await sql.raw("CREATE INDEX estate_software_by_title ON estate_software (organisation_id, name, vendor)").run()
        try await sql.raw("CREATE INDEX estate_findings_by_device ON estate_findings (device_id)").run()
        try await sql.raw("CREATE INDEX estate_findings_by_reference ON estate_findings (organisation_id, kind, reference)").run()
        try await sql.raw("CREATE INDEX estate_results_by_exposure ON estate_device_results (organisation_id, severity, kev_count)").run()
        try await sql.raw("CREATE INDEX kb_nvd_by_import ON kb_nvd (import_id)").run()
        try await sql.raw("CREATE INDEX kb_cve5_by_import ON kb_cve5 (import_id)").run()
        for rule in TitleMapping.nhsDefaults {
            try await sql.insert(into: "estate_title_rules")
                .columns("id", "name_pattern", "vendor_pattern", "part", "cpe_vendor", "cpe_product", "shipped")
                .values(SQLBind(UUID()), SQLBind(rule.namePattern), SQLBind(rule.vendorPattern), SQLBind(rule.part), SQLBind(rule.cpeVendor),
                        SQLBind(rule.cpeProduct), SQLBind(true))
                .run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["cyber_alert_responses", "cyber_alerts", "estate_title_rules", "estate_settings", "estate_snapshots", "estate_findings",
                      "estate_software", "estate_device_results", "estate_devices", "kb_eol_cycles", "kb_eol_products", "kb_kev", "kb_cve5", "kb_nvd", "kb_imports"] {
            try await database.schema(table).delete()
        }
    }
}

import Foundation

/// Findings kept per installed title instead of per device: a CVE on one Chrome build is one row
/// however many thousand devices run it, which took an analysis of 60,000 devices from 4.3
/// million rows to about a hundred thousand.
///
/// - `estate_title_findings`: each title's (software as the inventory names it, or an operating
///   system by name and build) CVEs (`cve`) and end of life (`eol`).
/// - `estate_findings` keeps what only a device's combination of components has (AND configurations).
struct CreateEstateTitleFindings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("estate_title_findings")
            .field("organisation_id", .uuid, .required, .references(Organisation.schema, "id", onDelete: .cascade))
            .field("source", .string, .required)
            .field("name", .string, .required)
            .field("vendor", .string, .required)
            .field("version", .string, .required)
            .field("cpe", .string, .required)
            .field("kind", .string, .required)
            .field("reference", .string, .required)
            .field("component", .string, .required)
            .create()
        let sql = try database.sqlDatabase
        // Titles by CVE (vulnerability pages, alerts); software and devices by title (the join back).
        try await sql.raw("CREATE INDEX estate_title_findings_by_reference ON estate_title_findings (organisation_id, kind, reference)").run()
        try await sql.raw("CREATE INDEX estate_title_findings_by_title ON estate_title_findings (organisation_id, source, name, version)").run()
        try await sql.raw("DROP INDEX estate_software_by_title").run()
        try await sql.raw("CREATE INDEX estate_software_by_title ON estate_software (organisation_id, name, vendor, version)").run()
        try await sql.raw("CREATE INDEX estate_devices_by_os ON estate_devices (organisation_id, os_name, os_build)").run()
        // The known-exploited device list, the one an incident starts from.
        try await sql.raw("CREATE INDEX estate_results_by_kev ON estate_device_results (organisation_id, kev_count)").run()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sqlDatabase
        try await sql.raw("DROP INDEX estate_results_by_kev").run()
        try await sql.raw("DROP INDEX estate_devices_by_os").run()
        try await sql.raw("DROP INDEX estate_software_by_title").run()
        try await sql.raw("CREATE INDEX estate_software_by_title ON estate_software (organisation_id, name, vendor)").run()
        try await database.schema("estate_title_findings").delete()
    }
}
