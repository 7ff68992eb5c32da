import AssureDemo

extension AssureModule {
    /// The organisation tree (regions, ICBs, trusts, GP practices): the context of every other record.
    static var organisations: AssureModule {
        AssureModule(
            name: "Organisations",
            // Reference numbers (R-0001, E1) are counted per organisation, so their table is made here.
            migrations: [CreateOrganisation(), CreateReferenceCounters()],
            routes: [OrganisationAPI(), OrganisationPages()],
            commands: [OrganisationsCommand.self],
            demoCommands: [DemoRegionCommand.self],
            navigation: [.overview, .organisations],
            demoRegion: { app in
                let summary = try await DemoSeeder.seed(DemoOrganisations.region, on: app)
                return "\(summary.inserted) organisations"
            },
            access: [
                "GET /organisations": .signedIn,
                "GET /api/v1/organisations": .signedIn,
                "GET /organisations/new": .system(.administerSystem), "POST /organisations/new": .system(.administerSystem),
                "GET /organisations/import": .system(.administerSystem), "POST /organisations/import": .system(.administerSystem),
                "POST /api/v1/organisations": .system(.administerSystem), "POST /api/v1/organisations/import": .system(.administerSystem),
                "GET /organisations/:code": .organisation(.read),
                "GET /api/v1/organisations/:code": .organisation(.read),
                "GET /api/v1/organisations/:code/children": .organisation(.read),
                "GET /organisations/:code/edit": .organisation(.editOrganisation), "POST /organisations/:code/edit": .organisation(.editOrganisation),
                "PUT /api/v1/organisations/:code": .organisation(.editOrganisation),
            ],
            apiTags: ["organisations": "NHS organisations keyed by ODS code"]
        )
    }
}

extension NavigationSection {
    static let overview = NavigationSection(id: "overview", title: "Overview", position: 10) { .organisation($0) }
    static let organisations = NavigationSection(id: "organisations", title: "Organisations", position: 90, needsOrganisation: false) { _ in .organisations }
}
