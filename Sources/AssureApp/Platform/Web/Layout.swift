import AssureCore
import Plot
import Vapor

/// What the page shell needs to know about the page it wraps.
struct PageShell {
    struct Breadcrumb {
        var title: String
        var url: SiteURL
    }

    /// The main navigation's entries, each declared by its domain's module.
    typealias Section = NavigationSection

    var title: String
    var breadcrumbs: [Breadcrumb] = []
    /// The organisation the user is working in, shown in the header and used by the navigation.
    var organisation: (code: String, name: String)?
    var section: Section?
    /// The ODS codes above the organisation in view, where a link depends on roles that reach down.
    var ancestors: [String] = []
}

/// The one HTML frame around every page: header with organisation switcher and user menu,
/// capability navigation, breadcrumbs, main content and footer.
enum Layout {
    static func response(_ shell: PageShell, status: HTTPResponseStatus = .ok, _ content: Node<HTML.BodyContext>) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .html
        return Response(status: status, headers: headers, body: .init(string: render(shell, content)))
    }

    static func render(_ shell: PageShell, _ content: Node<HTML.BodyContext>) -> String {
        let html = HTML(
            .lang(.english),
            .head(
                .meta(.charset(.utf8)),
                .meta(.name("viewport"), .content("width=device-width, initial-scale=1")),
                .title("\(shell.title) – Assure"),
                .link(.rel(.stylesheet), .href(SiteURL.stylesheet.path))
            ),
            .body(
                .a(.class("skip-link"), .href("#main"), .text("Skip to main content")),
                header(shell),
                organisationContext(shell),
                navigation(shell),
                .div(
                    .class("width-container app-page"),
                    breadcrumbs(shell.breadcrumbs),
                    .main(.id("main"), .attribute(named: "tabindex", value: "-1"), content)
                ),
                footer()
            )
        )
        return html.render()
    }

    private static func header(_ shell: PageShell) -> Node<HTML.BodyContext> {
        .header(
            .class("app-header"),
            .div(
                .class("width-container app-header__inner"),
                .a(.class("app-header__logo"), .href(SiteURL.home.path),
                   .span(.class("app-header__name"), .text("Assure")),
                   .span(.class("app-header__tagline"), .text("NHS IT governance and assurance"))),
                .form(
                    .class("org-switcher"), .method(.get), .action(SiteURL.organisations.path),
                    .attribute(named: "role", value: "search"),
                    .label(.for("org-switcher-q"), .class("org-switcher__label"),
                           .text(shell.organisation == nil ? "Choose an organisation" : "Switch organisation")),
                    .div(
                        .class("org-switcher__row"),
                        .input(.type(.search), .id("org-switcher-q"), .name("q"), .placeholder("Name or ODS code")),
                        .button(.type(.submit), .class("button button--inverse"), .text("Switch"))
                    )
                ),
                userMenu()
            )
        )
    }

    /// Who is signed in, with sign-out; or a way to sign in. Help is always there.
    private static func userMenu() -> Node<HTML.BodyContext> {
        let help: Node<HTML.ListContext> = .group(
            .li(.a(.href(SiteURL.help.path), .text("Help: what each page shows"))),
            .li(.a(.href(SiteURL.about.path), .text("About this Assure (for administrators)")))
        )
        guard let identity = RequestContext.identity else {
            return .nav(
                .class("user-menu"), .ariaLabel("User menu"),
                .a(.class("button button--inverse"), .href(SiteURL.signIn.path), .text("Sign in")),
                .details(.summary(.text("Help")), .ul(help))
            )
        }
        return .nav(
            .class("user-menu"), .ariaLabel("User menu"),
            .details(
                .summary(.text(identity.displayName)),
                .ul(
                    .li(.class("user-menu__who"), .text("Signed in as \(identity.email)")),
                    .li(.a(.href(SiteURL.account.path), .text("Your account"))),
                    .li(.a(.href(SiteURL.accountTokens.path), .text("API tokens"))),
                    .if(AccessPolicy.allowsSystemWide(identity.memberships, .administerSystem),
                        .li(.a(.href(SiteURL.people.path), .text("All people (administration)")))),
                    .li(.form(.method(.post), .action(SiteURL.signOut.path), Components.csrfField(),
                              .button(.type(.submit), .class("link-button"), .text("Sign out")))),
                    .li(.form(.method(.post), .action(SiteURL.signOutEverywhere.path), Components.csrfField(),
                              .button(.type(.submit), .class("link-button"), .text("Sign out everywhere")))),
                    help
                )
            )
        )
    }

    /// Which organisation the page is about, always in view, so no one edits the wrong one.
    private static func organisationContext(_ shell: PageShell) -> Node<HTML.BodyContext> {
        guard let organisation = shell.organisation else { return .empty }
        return .div(
            .class("org-context"),
            .div(
                .class("width-container"),
                .span(.class("org-context__label"), .text("Organisation: ")),
                .a(.href(SiteURL.organisation(organisation.code).path), .class("org-context__name"), .text(organisation.name)),
                .span(.class("org-context__code"), .text(" ODS code \(organisation.code)"))
            )
        )
    }

    private static func navigation(_ shell: PageShell) -> Node<HTML.BodyContext> {
        let sections = NavigationSection.shown(AssureModules.navigation, organisation: shell.organisation?.code, ancestors: shell.ancestors,
                                               memberships: RequestContext.identity?.memberships ?? [])
        return .nav(
            .class("app-nav"), .ariaLabel("Main"),
            .ul(
                .class("width-container app-nav__list"),
                .forEach(sections) { section in
                    .li(.a(
                        .href(section.destination(shell.organisation?.code ?? "").path),
                        .if(section == shell.section, .attribute(named: "aria-current", value: "page")),
                        .text(section.title)
                    ))
                }
            )
        )
    }

    private static func breadcrumbs(_ crumbs: [PageShell.Breadcrumb]) -> Node<HTML.BodyContext> {
        guard !crumbs.isEmpty else { return .empty }
        return .nav(
            .class("breadcrumbs"), .ariaLabel("Breadcrumb"),
            .ol(.forEach(crumbs) { .li(.a(.href($0.url.path), .text($0.title))) })
        )
    }

    private static func footer() -> Node<HTML.BodyContext> {
        .footer(
            .class("app-footer"),
            .div(
                .class("width-container"),
                .p(.text("Assure \(AssureRelease.version) · open-source IT governance, risk and assurance for NHS organisations")),
                .p(.a(.href(SiteURL.help.path), .text("Help")), .text(" · "),
                   .a(.href(SiteURL.about.path), .text("About this Assure")))
            )
        )
    }
}
