/// The one way a value reaches HTML. Plot 0.14 writes attribute values verbatim and keeps
/// entity-looking text (`AT&amp;T`) as it is, so Assure escapes every text node and every
/// attribute value itself, here, and `PlotAttributes.swift` routes Plot's builders through it.
enum HTMLEscaping {
    /// Text content: `&`, `<` and `>` are replaced (quotes cannot end text), everything else is kept.
    static func text(_ value: String) -> String { replacing(value, quotes: false) }

    /// A quoted attribute value: the quotes that could end it are replaced too.
    static func attribute(_ value: String) -> String { replacing(value, quotes: true) }

    private static func replacing(_ value: String, quotes: Bool) -> String {
        guard value.utf8.contains(where: { $0 == 38 || $0 == 60 || $0 == 62 || (quotes && ($0 == 34 || $0 == 39)) }) else { return value }
        var escaped = ""
        escaped.reserveCapacity(value.utf8.count + 16)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"" where quotes: escaped += "&quot;"
            case "'" where quotes: escaped += "&#39;"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }

    /// An attribute value that may be absent (Plot leaves out an empty or absent value).
    static func attributeValue(_ value: String?) -> String? { value.map(attribute) }
}
