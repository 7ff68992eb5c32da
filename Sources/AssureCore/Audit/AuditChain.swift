/// Walks an audit trail in sequence order and finds the first entry that does not fit the chain.
public struct AuditChainVerifier: Sendable {
    public enum Break: Equatable, Sendable, CustomStringConvertible {
        /// An entry's own hash does not match its content: it was edited.
        case altered(sequence: Int64)
        /// An entry does not follow the one before it: something was deleted, inserted or reordered.
        case unlinked(sequence: Int64, expectedSequence: Int64)
        /// The chain ends before the recorded head: entries were removed from the end.
        case truncated(lastSequence: Int64, headSequence: Int64)

        public var description: String {
            switch self {
            case .altered(let sequence):
                "entry \(sequence) has been altered: its hash does not match its content"
            case .unlinked(let sequence, let expected):
                "entry \(sequence) does not follow the entry before it (expected entry \(expected) linked to the previous hash): an entry was deleted, inserted or reordered"
            case .truncated(let last, let head):
                "the trail ends at entry \(last) but the chain head records entry \(head): entries were removed from the end"
            }
        }
    }

    public private(set) var verified: Int64 = 0
    public private(set) var lastHash = AuditEntry.genesisHash
    public private(set) var firstBreak: Break?

    public init() {}

    /// Checks the next entry; after the first break, further entries are not checked.
    public mutating func check(_ entry: AuditEntry) {
        guard firstBreak == nil else { return }
        let expected = verified + 1
        guard entry.sequence == expected, entry.previousHash == lastHash else {
            firstBreak = .unlinked(sequence: entry.sequence, expectedSequence: expected)
            return
        }
        guard entry.computedHash() == entry.hash else {
            firstBreak = .altered(sequence: entry.sequence)
            return
        }
        verified = entry.sequence
        lastHash = entry.hash
    }

    /// Compares the end of the walk with the chain head kept beside the trail.
    public mutating func finish(headSequence: Int64, headHash: String) {
        guard firstBreak == nil else { return }
        if verified < headSequence {
            firstBreak = .truncated(lastSequence: verified, headSequence: headSequence)
        } else if verified == headSequence && headHash != lastHash {
            firstBreak = .altered(sequence: verified)
        }
    }
}
