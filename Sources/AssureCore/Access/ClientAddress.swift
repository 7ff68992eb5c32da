import Foundation

/// A block of IP addresses in CIDR form (`10.0.0.0/8`, `2001:db8::/32`, or one address), for the
/// proxies Assure trusts to say who the client is. Addresses are read by the C library's
/// `inet_pton`, so only well-formed IPv4 and IPv6 text is accepted.
public struct IPNetwork: Equatable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = Self.parse(String(parts[0])) else { return nil }
        let bits = address.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...bits).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        bytes = address
    }

    public func contains(_ address: String) -> Bool {
        guard let candidate = Self.parse(address) else { return false }
        let other = Self.mappedIPv4(candidate) ?? candidate
        let own = Self.mappedIPv4(bytes).map { ($0, prefixLength - 96) } ?? (bytes, prefixLength)
        guard other.count == own.0.count else { return false }
        var remaining = own.1
        for (mine, theirs) in zip(own.0, other) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if mine & mask != theirs & mask { return false }
            remaining -= 8
        }
        return true
    }

    public var description: String {
        "\(bytes.count == 4 ? bytes.map(String.init).joined(separator: ".") : bytes.map { String(format: "%02x", $0) }.joined())/\(prefixLength)"
    }

    /// The address's bytes: 4 for IPv4, 16 for IPv6.
    public static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// `::ffff:192.0.2.1` is the IPv4 address 192.0.2.1 as a dual-stack socket reports it.
    private static func mappedIPv4(_ bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return nil }
        return Array(bytes[12..<16])
    }
}

/// Who the client is, behind proxies. `X-Forwarded-For` and `Forwarded` are believed only when
/// the connection itself comes from a trusted proxy; then the chain is read from the nearest hop
/// outwards and the first address that is not a trusted proxy is the client (anything further
/// left was written by the client and may be forged). Without trusted proxies, the headers are
/// ignored and the connection's own address is the client.
public enum ClientAddress {
    public static func resolve(peer: String?, forwardedFor: [String], forwarded: [String], trusted: [IPNetwork]) -> String? {
        guard let peer, trusted.contains(where: { $0.contains(peer) }) else { return peer }
        let chain = forwarded.isEmpty
            ? forwardedFor.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            : forwarded.flatMap(forwardedFor(_:))
        for hop in chain.reversed() {
            guard IPNetwork.parse(hop) != nil else { return peer }
            if !trusted.contains(where: { $0.contains(hop) }) { return hop }
        }
        return chain.first ?? peer
    }

    /// The `for=` addresses of an RFC 7239 `Forwarded` header, without quotes, brackets or port.
    static func forwardedFor(_ header: String) -> [String] {
        header.split(separator: ",").compactMap { element in
            for pair in element.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, parts[0].lowercased() == "for" else { continue }
                var value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                if value.hasPrefix("["), let end = value.firstIndex(of: "]") { value = String(value[value.index(after: value.startIndex)..<end]) }
                else if value.filter({ $0 == ":" }).count == 1, let colon = value.firstIndex(of: ":") { value = String(value[..<colon]) }
                return value
            }
            return nil
        }
    }
}
