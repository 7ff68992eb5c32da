import AssureCore
import Vapor

extension AssureModule {
    /// People, their roles in organisations, sign-in (password and single sign-on), sessions and API tokens.
    static var identity: AssureModule {
        AssureModule(
            name: "Identity",
            migrations: [CreateUsersAndMemberships(), CreateSessionsAndThrottles(), CreateAPITokens(), CreateSingleSignOn(), CreatePasswordLinks()],
            routes: [SignInRoutes(), PeoplePages(), AccountPages(), PeopleAPI()],
            commands: [UsersCommand.self, TokensCommand.self],
            navigation: [.people],
            demoRegion: { app in
                let added = try await DemoSeeder.seedPeople(on: app)
                return "\(added) accounts"
            },
            access: [
                "GET /sign-in": .signInFlow, "POST /sign-in": .signInFlow, "POST /sign-out": .signInFlow, "POST /sign-out-everywhere": .signInFlow,
                "GET /sign-in/sso": .signInFlow, "GET /sign-in/sso/callback": .signInFlow,
                "GET /set-password": .signInFlow, "POST /set-password": .signInFlow,
                "GET /account": .signedIn, "POST /account/password": .signedIn,
                "GET /account/tokens": .signedIn, "POST /account/tokens": .signedIn, "POST /account/tokens/revoke": .signedIn,
                "GET /people": .system(.administerSystem), "POST /people": .system(.administerSystem),
                "GET /api/v1/users": .system(.administerSystem), "POST /api/v1/users": .system(.administerSystem),
                "GET /people/:person": .account, "GET /api/v1/users/:person": .account,
                "POST /people/:person/disable": .account, "POST /people/:person/enable": .account,
                "POST /people/:person/reset-password": .account, "POST /people/:person/sign-out-everywhere": .account,
                "POST /api/v1/users/:person/disable": .account, "POST /api/v1/users/:person/enable": .account,
                "POST /api/v1/users/:person/reset-password": .account, "POST /api/v1/users/:person/sign-out-everywhere": .account,
                "GET /organisations/:code/people": .organisation(.manageMemberships), "POST /organisations/:code/people": .organisation(.manageMemberships),
                "POST /organisations/:code/people/remove": .organisation(.manageMemberships),
                "GET /api/v1/organisations/:code/members": .organisation(.manageMemberships),
                "POST /api/v1/organisations/:code/members": .organisation(.manageMemberships),
                "DELETE /api/v1/organisations/:code/members/:membership": .organisation(.manageMemberships),
            ],
            apiTags: ["people": "Accounts, organisation memberships and their roles"]
        )
    }
}

/// Signing in and out, with a password or through the organisation's identity provider.
struct SignInRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(SiteURL.signIn.pathComponents, use: SignInPage.show)
        routes.post(SiteURL.signIn.pathComponents, use: SignInPage.signIn)
        routes.post(SiteURL.signOut.pathComponents, use: SignInPage.signOut)
        routes.post(SiteURL.signOutEverywhere.pathComponents, use: SignInPage.signOutEverywhere)
        SingleSignOnRoutes.register(on: routes)
    }
}

extension NavigationSection {
    // Organisation administrators reach down the tree, so the page knows the ancestry.
    static let people = NavigationSection(id: "people", title: "People", position: 80,
                                          isShown: { memberships, code, ancestors in AccessPolicy.allows(memberships, .manageMemberships, on: code, ancestors: ancestors) }) {
        .organisationPeople($0)
    }
}
