import ArgumentParser
import AssureCore
import Fluent
import Vapor

/// Everything one domain adds to Assure, declared beside its code in `<Domain>/<Domain>Module.swift`
/// and listed once in `AssureModules.all`. Nothing outside a domain's folder names its routes,
/// migrations, commands or navigation; see docs/ARCHITECTURE.md for what a new domain adds.
struct AssureModule {
    /// Who may use a route: the authorisation matrix test sends every role to every route and
    /// holds it to this, so a new route cannot ship until someone has decided.
    enum Access: Sendable {
        case open                        // anyone, signed in or not
        case signedIn                    // anyone signed in (lists show only what they may read)
        case organisation(Actions)       // this action on the organisation in the address
        case system(Actions)             // a system administrator
        case signInFlow                  // sign-in, sign-out and password links themselves (tested in their own tests)
        case account                     // administer the account in the address (AccessPolicy.mayAdministerAccount)
        case national                    // read roll-up in every organisation at the top of the tree
    }

    /// A step the module takes on the running application (startup work, demo seeding); a seeding
    /// step says what it added ("12 risks"), or nil when it added nothing worth saying.
    typealias Step = @Sendable (Application) async throws -> Void
    typealias SeedingStep = @Sendable (Application) async throws -> String?

    let name: String
    /// Schema changes, oldest first. Append only: a released migration never changes or moves.
    var migrations: [any Migration] = []
    /// Pages and API routes. API routes are registered with `routes.api`, which describes them in the OpenAPI document.
    var routes: [any RouteCollection] = []
    /// `assure <command>` and `assure demo <command>` subcommands.
    var commands: [any ParsableCommand.Type] = []
    var demoCommands: [any ParsableCommand.Type] = []
    var navigation: [NavigationSection] = []
    /// Work before the server listens (sweeping abandoned files, loading libraries), in module order.
    var startUp: Step?
    /// For `serve --demo`: the module's part of the fictional Avalon region, after the modules before it.
    var demoRegion: SeedingStep?
    /// Background work once the server is ready to serve (after any demo data).
    var serving: Step?
    /// Who may use each route, keyed "METHOD /path/:parameter".
    var access: [String: Access] = [:]
    /// An example value for each route parameter the module introduces, which the authorisation
    /// matrix test seeds so an allowed request reaches the handler.
    var routeParameterExamples: [String: String] = [:]
    /// The OpenAPI tags the module's operations use, with what each covers.
    var apiTags: [String: String] = [:]
    /// How it measures the key indicators it owns, for snapshots, dashboards and board packs.
    var indicators: [IndicatorSource] = []
}

/// The modules that make up Assure, in dependency order: a module's migrations, start-up steps
/// and demo data come after those of the modules it builds on.
enum AssureModules {
    static var all: [AssureModule] {
        [.platform, .organisations, .audit, .identity, .help, .risk, .estate, .compliance, .performance]
    }

    static var migrations: [any Migration] { all.flatMap(\.migrations) }

    /// The main navigation, read on every page, so made once.
    static let navigation: [NavigationSection] = all.flatMap(\.navigation).sorted { $0.position < $1.position }

    static var access: [String: AssureModule.Access] {
        all.reduce(into: [:]) { table, module in table.merge(module.access) { first, _ in first } }
    }

    static var routeParameterExamples: [String: String] {
        all.reduce(into: [:]) { table, module in table.merge(module.routeParameterExamples) { first, _ in first } }
    }

    /// Every module's key indicator sources, in module order; each indicator has exactly one.
    static let indicatorSources: [IndicatorSource] = all.flatMap(\.indicators)

    static func registerRoutes(on app: Application) throws {
        for module in all {
            for collection in module.routes { try app.register(collection: collection) }
        }
        try OpenAPIDocument.write(for: app)
    }
}
