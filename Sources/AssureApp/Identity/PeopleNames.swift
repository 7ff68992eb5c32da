import Fluent

/// People as others read them: the name on their account, where an email is all a record holds
/// (risk owners, action owners). An email with no account stays as it is.
enum PeopleNames {
    static func names(of emails: some Sequence<String>, on database: any Database) async throws -> [String: String] {
        let wanted = Array(Set(emails))
        guard !wanted.isEmpty else { return [:] }
        let users = try await User.query(on: database).filter(\.$email ~~ wanted).all()
        return Dictionary(users.map { ($0.email, $0.displayName) }, uniquingKeysWith: { first, _ in first })
    }
}
