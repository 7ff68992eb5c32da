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
}
