import Vapor

/// The organisation pages: tree, overview, create, edit and import.
struct OrganisationPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.organisations.pathComponents, use: OrganisationTreePage.handle)
        routes.get(SiteURL.newOrganisation.pathComponents, use: OrganisationFormPage.new)
        routes.post(SiteURL.newOrganisation.pathComponents, use: OrganisationFormPage.create)
        routes.get(SiteURL.importOrganisations.pathComponents, use: OrganisationImportPage.show)
        routes.on(.POST, SiteURL.importOrganisations.pathComponents, body: .stream, use: OrganisationImportPage.upload)
        routes.get(SiteURL.organisation(SiteURL.code).pathComponents, use: OrganisationOverviewPage.handle)
        routes.get(SiteURL.editOrganisation(SiteURL.code).pathComponents, use: OrganisationFormPage.edit)
        routes.post(SiteURL.editOrganisation(SiteURL.code).pathComponents, use: OrganisationFormPage.update)
    }
}
