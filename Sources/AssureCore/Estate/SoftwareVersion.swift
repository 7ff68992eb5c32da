/// Orders the version strings software vendors actually use: dotted numbers of any length
/// (10.0.19045.6332 < 10.0.19045.10000), Java's underscores (1.8.0_381 < 1.8.0_391), letter
/// suffixes (4.0e > 4.0) and zero-padded parts (24.001.20604 = 24.1.20604 < 24.1.20643).
///
/// A version is split at `.`, `_`, `-`, `+`, `:`, `~` and spaces into parts, and each part into
/// runs of digits and of letters. Runs compare numerically (digits) or case-insensitively
/// (letters); a number sorts after letters in the same place; a part with more runs is later
/// (4.0e > 4.0); a missing or empty part counts as zero, so 1.0 = 1.0.0 (comparing as if both were
/// padded with zero parts keeps the order total).
///
/// Matching compares the same bounds millions of times, so a version is split once into tokens:
/// one 64-bit word per run (a 2-bit kind above its value) and a zero word closing each part. Kinds
/// order as part-end < letters < number < very long number, which is the rule above, so tokens
/// compare as plain integers.
public enum SoftwareVersion {
    public typealias Tokens = [UInt64]

    static let separators: Set<Character> = [".", "_", "-", "+", ":", " ", "~"]
    static let partEnd: UInt64 = 0
    static let zeroPart: [UInt64] = [number(0), partEnd]

    static func word(_ letters: String) -> UInt64 {
        // The first seven letters, big-endian, so shorter and earlier words sort first.
        var value: UInt64 = 0
        var count = 0
        for byte in letters.lowercased().utf8.prefix(7) { value = value << 8 | UInt64(byte); count += 1 }
        value <<= UInt64(8 * (7 - count))
        return 1 << 62 | value
    }

    static func number(_ value: UInt64) -> UInt64 { 2 << 62 | value }

    /// More than 18 digits (build stamps, dates run together): ordered by length, then leading digits.
    static func longNumber(_ digits: Substring) -> UInt64 { 3 << 62 | UInt64(min(digits.count, 255)) << 54 | (UInt64(digits.prefix(15)) ?? 0) }

    public static func tokens(_ version: String) -> Tokens {
        var tokens: Tokens = []
        var digits = "", letters = ""
        var partHasRuns = false
        func flush() {
            if !digits.isEmpty {
                let trimmed = digits.drop { $0 == "0" }
                tokens.append(trimmed.count <= 18 ? number(UInt64(trimmed) ?? 0) : longNumber(trimmed))
                digits = ""
                partHasRuns = true
            }
            if !letters.isEmpty { tokens.append(word(letters)); letters = ""; partHasRuns = true }
        }
        func endPart() {
            flush()
            if !partHasRuns { tokens.append(number(0)) }
            tokens.append(partEnd)
            partHasRuns = false
        }
        for character in version {
            if separators.contains(character) {
                endPart()
            } else if character.isASCII, character.isNumber {
                if !letters.isEmpty { flush() }
                digits.append(character)
            } else {
                if !digits.isEmpty { flush() }
                letters.append(character)
            }
        }
        endPart()
        return tokens
    }

    /// -1, 0 or 1 as `a` is earlier than, the same as, or later than `b`.
    public static func compare(_ a: String, _ b: String) -> Int { compare(tokens(a), tokens(b)) }

    /// The same on versions split once. When one runs out, it goes on as zero parts.
    public static func compare(_ left: Tokens, _ right: Tokens) -> Int {
        var index = 0
        let shared = min(left.count, right.count)
        while index < shared {
            let x = left[index], y = right[index]
            if x != y { return x < y ? -1 : 1 }
            index += 1
        }
        guard left.count != right.count else { return 0 }
        // The longer continues at a part boundary (both streams end with a part end); compare its
        // remaining parts with zero parts.
        let rest = left.count > right.count ? left : right
        let sign = left.count > right.count ? 1 : -1
        var zero = 0
        while index < rest.count {
            let x = rest[index], y = zeroPart[zero]
            if x != y { return x < y ? -sign : sign }
            index += 1
            zero = (zero + 1) % 2
        }
        return 0
    }

    public static func isBefore(_ a: String, _ b: String) -> Bool { compare(a, b) < 0 }
}
