/// Counts as people write them: "1 risk", "2 risks". One helper, so no page says "1 rows".
public enum Words {
    /// The count and its noun, plural unless the count is one.
    public static func count(_ count: Int, _ noun: String, plural: String? = nil) -> String {
        "\(count) \(Self.noun(count, noun, plural: plural))"
    }

    /// The noun alone, plural unless the count is one.
    public static func noun(_ count: Int, _ noun: String, plural: String? = nil) -> String {
        count == 1 ? noun : plural ?? noun + "s"
    }

    /// A whole number with thousands separated by commas, as the NHS writes them: "32,104".
    public static func number(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }
}
