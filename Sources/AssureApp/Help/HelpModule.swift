extension AssureModule {
    /// Help for users and the page about this installation for administrators.
    static var help: AssureModule {
        AssureModule(name: "Help", routes: [HelpRoutes()], access: ["GET /help": .open, "GET /about": .signedIn])
    }
}
