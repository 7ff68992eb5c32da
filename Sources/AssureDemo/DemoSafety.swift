import AssureCore
import Foundation

/// Demo data comes with accounts whose password is published, so it is only ever added where it
/// can do no harm: to an empty database or one that holds nothing but demo data, and only when
/// Assure listens on this machine alone. Each refusal says why and what to do instead.
public enum DemoSafety {
    /// Whether an ODS code is from the ranges the demo draws on (see `DemoOrganisations`): regions
    /// Y91–Y99, ICBs and trusts Q or T followed by a digit, GP practices Z and five digits.
    public static func isDemoCode(_ code: String) -> Bool {
        let characters = Array(code.uppercased())
        func digit(_ c: Character) -> Bool { c.isASCII && c.isNumber }
        func alphanumeric(_ c: Character) -> Bool { c.isASCII && (c.isNumber || c.isUppercase) }
        switch characters.first {
        case "Y": return characters.count == 3 && characters[1] == "9" && digit(characters[2]) && characters[2] != "0"
        case "Q", "T": return characters.count == 3 && digit(characters[1]) && alphanumeric(characters[2])
        case "Z": return characters.count == 6 && characters.dropFirst().allSatisfy(digit)
        default: return false
        }
    }

    /// Demo accounts live at the reserved `avalon.example` domain.
    public static func isDemoAccount(_ email: String) -> Bool { email.lowercased().hasSuffix("@avalon.example") }

    public static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
        return bare == "localhost" || bare == "::1" || IPNetwork("127.0.0.0/8")!.contains(bare)
    }

    /// Why demo data must not be added here, or nil when it may. `host` is nil for commands that
    /// do not listen.
    public static func refusal(host: String?, organisationCodes: [String], accountEmails: [String]) -> String? {
        if let host, !isLoopback(host) {
            return "Demo data has a published password, so --demo is refused when serving on \(host). Serve the demo on 127.0.0.1 (the default), or serve without --demo."
        }
        let realOrganisations = organisationCodes.filter { !isDemoCode($0) }
        let realAccounts = accountEmails.filter { !isDemoAccount($0) }
        guard realOrganisations.isEmpty, realAccounts.isEmpty else {
            var found: [String] = []
            if !realOrganisations.isEmpty {
                found.append("\(Words.count(realOrganisations.count, "organisation")) that are not demo data (such as \(realOrganisations.sorted().prefix(3).joined(separator: ", ")))")
            }
            if !realAccounts.isEmpty { found.append("\(Words.count(realAccounts.count, "account")) outside the demo domain") }
            return "This database holds \(found.joined(separator: " and ")), so demo data with its published password will not be added to it. Use an empty data directory or database for the demo."
        }
        return nil
    }
}
