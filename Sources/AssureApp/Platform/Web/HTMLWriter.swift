/// Writes HTML straight into one string, escaping text. For lists of thousands of rows (the
/// national organisation tree) where building a Plot node per element costs more than the page's
/// time budget; everything else uses Plot.
struct HTMLWriter {
    private(set) var html = ""

    init(capacity: Int) { html.reserveCapacity(capacity) }

    /// Markup we wrote ourselves; never pass user data here.
    mutating func raw(_ markup: String) { html += markup }

    /// Text content or an attribute value, escaped by the one escaping path.
    mutating func text(_ text: String) { html += HTMLEscaping.attribute(text) }
}
