import AssureCore
import Plot
import Vapor

/// `/help`: what each part of Assure shows and where its figures come from, and the reference
/// data Assure holds from outside (framework editions, submission deadlines) with its source and
/// whether it was confirmed. Open to everyone: it holds no organisation's data.
enum HelpPage {
    struct Section {
        var title: String
        var means: String
        var source: String
    }

    struct Model {
        var sections: [Section]
        var deadlines: [SubmissionDeadline]
        var frameworks: [(title: String, version: String, published: String, attribution: String, unverified: Bool)]
    }

    /// The parts of Assure in the order the navigation shows them.
    static let sections: [Section] = [
        Section(title: "Overview (dashboard)", means: "An organisation's key indicators against their targets with the last 30 days' trend, its top risks, the heat map, what falls short in its latest DSPT and CAF, its estate exposure and what falls due in the next 30 days. Every figure links to the page that explains it.",
                source: "Worked out from the live records when the page is opened; the trend comes from the daily snapshot Assure takes of every organisation."),
        Section(title: "Risk register", means: "Each risk with its cause, event and effect, scored for likelihood and consequence on the organisation's matrix (the NHS 5×5 unless changed), with its controls, actions and reviews. Above appetite means the current score is above the appetite set for the risk's category.",
                source: "Entered by the organisation's people, imported from a CSV (for example a Datix export), or raised by Assure itself when the estate passes the organisation's thresholds."),
        Section(title: "Board Assurance Framework", means: "The board's strategic objectives, the principal risks to each, the sources of assurance in three lines, and the assurance the board takes.",
                source: "Entered by the organisation; principal risks are linked from the register."),
        Section(title: "Compliance", means: "Self-assessments against the DSPT, the NCSC CAF, Cyber Essentials, DTAC, DCB0129/DCB0160 and the NHS Service Standard: a level and rationale for each item, reviewed by a second person, with the evidence for it.",
                source: "Recorded by the organisation; some items are answered by Assure's own checks from the risk register and the estate, marked as system evidence."),
        Section(title: "Estate", means: "Devices and the software on them, matched against known vulnerabilities, those known to be exploited, and end-of-life dates. Patch compliant means no known vulnerability older than 14 days is unpatched.",
                source: "Inventory exports (Intune, SCCM, Defender, CycloneDX or CSV) imported by the organisation; the CVE, NVD, CISA KEV and endoflife.date feeds imported by the administrator."),
        Section(title: "Cyber alerts", means: "High severity alerts to acknowledge within 48 hours and update within 3 days, and where each organisation stands on each.",
                source: "Alerts entered by the administrator; responses by each organisation."),
        Section(title: "Oversight", means: "For an ICB, region or NHS England: the key indicators of every organisation below, with the spread and who is furthest from target.",
                source: "The daily snapshot of each organisation below."),
        Section(title: "Board pack", means: "The board's IT governance paper for a period: summary, BAF, heat map, risk movement, DSPT and CAF, cyber posture and exceptions, printable as PDF.",
                source: "The live records and the snapshots within the period, as listed in the pack's appendix."),
        Section(title: "Audit trail", means: "Every change anyone made, with who, when and what changed, in a chain that shows if a record was altered afterwards.",
                source: "Written by Assure with each change, in the same transaction."),
        Section(title: "People", means: "Who holds which role in the organisation, and who reaches it from a role above (an ICB's oversight, say). Roles decide what each person may see and change.",
                source: "Granted by organisation and system administrators."),
    ]

    static func model(frameworks: FrameworkLibrary) -> Model {
        Model(sections: sections, deadlines: SubmissionDeadlines.all,
              frameworks: frameworks.catalogues.map { ($0.title, $0.version, $0.published, $0.attribution, $0.unverified) })
    }

    static func show(req: Request) async throws -> Response {
        Layout.response(PageShell(title: "Help"), view(model(frameworks: req.frameworks)))
    }

    static func view(_ model: Model) -> Node<HTML.BodyContext> {
        .group(
            .h1(.text("Help")),
            .p(.class("lede"), .text("What each part of Assure shows, and where its figures come from.")),
            .forEach(model.sections) { section in
                .section(.class("panel"),
                         .h2(.class("heading-m"), .text(section.title)),
                         .p(.text(section.means)),
                         .p(.class("caption"), .text("Where it comes from: \(section.source)")))
            },
            .h2(.text("Reference data from outside Assure")),
            .p(.text("Dates and editions that Assure uses but does not decide. Those marked not confirmed could not be checked against the publisher: check them before you rely on them.")),
            Components.scrollableTable(label: "Submission deadlines", .table(
                .class("table"),
                .caption(.text("Submission deadlines")),
                .thead(.tr(.th(.text("Return")), .th(.text("Period")), .th(.text("Interim")), .th(.text("Final")), .th(.text("Source")), .th(.text("Confirmed")))),
                .tbody(.forEach(model.deadlines) { deadline in
                    .tr(.td(.text(deadline.frameworks.contains("dspt-caf") ? "DSPT" : deadline.frameworks.joined(separator: ", "))),
                        .td(.span(.class("nowrap"), .text(deadline.period))),
                        .td(.span(.class("nowrap"), .text(deadline.interimDue?.nhsStyle ?? "—"))),
                        .td(.span(.class("nowrap"), .text(deadline.finalDue.nhsStyle))),
                        .td(.text(deadline.source)),
                        .td(confirmed(deadline.verified)))
                }))),
            Components.scrollableTable(label: "Framework editions", .table(
                .class("table"),
                .caption(.text("Framework editions")),
                .thead(.tr(.th(.text("Framework")), .th(.text("Edition")), .th(.text("Published")), .th(.text("Source")), .th(.text("Confirmed")))),
                .tbody(.forEach(model.frameworks) { framework in
                    .tr(.td(.text(framework.title)), .td(.text(framework.version)), .td(.text(framework.published)),
                        .td(.text(framework.attribution)), .td(confirmed(!framework.unverified)))
                }))),
            .p(.text("Administrators: "), .a(.href(SiteURL.about.path), .text("About this Assure")),
               .text(" shows the version, the database, the knowledge base and the API description."))
        )
    }

    static func confirmed(_ verified: Bool) -> Node<HTML.BodyContext> {
        verified ? .text("Yes") : .span(.class("tag"), .text("Not confirmed"))
    }
}
