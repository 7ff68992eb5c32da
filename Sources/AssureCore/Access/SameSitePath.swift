import Foundation

/// Where a person may be sent after signing in: a path on this site, as the browser itself will
/// read it. Browsers drop tabs and line breaks anywhere in a URL and read `\` as `/`, so
/// `/\t/evil.example` and `/\evil.example` both become `//evil.example`, another site. Anything
/// holding a control character, a backslash or a space, or that parses with a scheme or a host,
/// is refused rather than repaired.
public enum SameSitePath {
    public static func validated(_ raw: String?) -> String? {
        guard let raw, raw.hasPrefix("/"), raw.utf8.count <= 2048 else { return nil }
        let unsafe = raw.unicodeScalars.contains { scalar in
            scalar.value < 0x21 || scalar.value == 0x7F || scalar == "\\" || scalar.properties.generalCategory == .control
                || scalar.properties.generalCategory == .format || scalar.properties.isWhitespace
        }
        guard !unsafe, !raw.hasPrefix("//") else { return nil }
        guard let components = URLComponents(string: raw), components.scheme == nil, components.host == nil,
              components.path.hasPrefix("/"), !components.path.hasPrefix("//") else { return nil }
        // A percent-encoded slash or backslash at the start is decoded by some servers and proxies.
        let lowered = raw.lowercased()
        guard !lowered.hasPrefix("/%2f"), !lowered.hasPrefix("/%5c") else { return nil }
        return raw
    }
}
