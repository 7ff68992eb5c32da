/// Walks an audit trail in sequence order and finds the first entry that does not fit the chain.
public struct AuditChainVerifier: Sendable {
    public enum Break: Equatable, Sendable, CustomStringConvertible {
        /// An entry's own hash does not match its content: it was edited.
        case altered(sequence: Int64)
        /// An entry does not follow the one before it: something was deleted, inserted or reordered.
        case unlinked(sequence: Int64, expectedSequence: Int64)
        /// The chain ends before the recorded head: entries were removed from the end.
        case truncated(lastSequence: Int64, headSequence: Int64)
        /// A signed checkpoint says entry N had another hash: the trail was rewritten after it was signed.
        case contradictsCheckpoint(sequence: Int64)
        /// A signed checkpoint names an entry the trail no longer reaches: entries were removed.
        case shorterThanCheckpoint(lastSequence: Int64, checkpointSequence: Int64)

        public var description: String {
            switch self {
            case .altered(let sequence):
                "entry \(sequence) has been altered: its hash does not match its content"
            case .unlinked(let sequence, let expected):
                "entry \(sequence) does not follow the entry before it (expected entry \(expected) linked to the previous hash): an entry was deleted, inserted or reordered"
            case .truncated(let last, let head):
                "the trail ends at entry \(last) but the chain head records entry \(head): entries were removed from the end"
            case .contradictsCheckpoint(let sequence):
                "entry \(sequence) does not have the hash a signed checkpoint recorded for it: the trail was rewritten after the checkpoint"
            case .shorterThanCheckpoint(let last, let checkpoint):
                "the trail ends at entry \(last) but a signed checkpoint records entry \(checkpoint): entries were removed"
            }
        }
    }

    public private(set) var verified: Int64 = 0
    public private(set) var lastHash = AuditEntry.genesisHash
    public private(set) var firstBreak: Break?

    /// Hashes signed checkpoints recorded, by sequence (their signatures checked by the caller).
    public var checkpoints: [Int64: String]

    public init(checkpoints: [Int64: String] = [:]) { self.checkpoints = checkpoints }

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
        if let signed = checkpoints[entry.sequence], signed != entry.hash {
            firstBreak = .contradictsCheckpoint(sequence: entry.sequence)
            return
        }
        verified = entry.sequence
        lastHash = entry.hash
    }

    /// Compares the end of the walk with the chain head kept beside the trail.
    public mutating func finish(headSequence: Int64, headHash: String) {
        guard firstBreak == nil else { return }
        if let furthest = checkpoints.keys.max(), furthest > verified {
            firstBreak = .shorterThanCheckpoint(lastSequence: verified, checkpointSequence: furthest)
            return
        }
        if verified < headSequence {
            firstBreak = .truncated(lastSequence: verified, headSequence: headSequence)
        } else if verified == headSequence && headHash != lastHash {
            firstBreak = .altered(sequence: verified)
        }
    }
}
