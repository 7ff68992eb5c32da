/// Writes HTML straight into one string, escaping text. For lists of thousands of rows (the
/// national organisation tree) where building a Plot node per element costs more than the page's
/// time budget; everything else uses Plot.
struct HTMLWriter {
    private(set) var html = ""

    init(capacity: Int) { html.reserveCapacity(capacity) }

    /// Markup we wrote ourselves; never pass user data here.
    mutating func raw(_ markup: String) { html += markup }

    /// Text content or an attribute value, escaped.
    mutating func text(_ text: String) {
        guard text.utf8.contains(where: { $0 == 38 || $0 == 60 || $0 == 62 || $0 == 34 || $0 == 39 }) else {
            html += text
            return
        }
        for character in text.unicodeScalars {
            switch character {
            case "&": html += "&amp;"
            case "<": html += "&lt;"
            case ">": html += "&gt;"
            case "\"": html += "&quot;"
            case "'": html += "&#39;"
            default: html.unicodeScalars.append(character)
            }
        }
    }
}
