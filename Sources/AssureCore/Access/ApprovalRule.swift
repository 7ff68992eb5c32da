import Foundation

/// Separation of duties: the one rule for every approval in Assure (assessment results,
/// evidence, and each approval the later domains add). Four eyes means the approver is someone
/// other than the record's owner *as stored before this request* (so an owner cannot drop or
/// change the owner in the same request and approve) and other than whoever submitted the
/// change being approved (so no one approves their own work).
public enum ApprovalRule {
    public struct Parties: Sendable {
        /// Who is approving now.
        public var approver: String
        /// The owner as stored before the request, if the record had one.
        public var storedOwner: String?
        /// The owner the request asks for, if it changes it.
        public var requestedOwner: String?
        /// Who submitted the content being approved: the person who last changed it, or the
        /// approver when the same request changes it.
        public var submitter: String?

        public init(approver: String, storedOwner: String?, requestedOwner: String? = nil, submitter: String?) {
            self.approver = approver
            self.storedOwner = storedOwner
            self.requestedOwner = requestedOwner
            self.submitter = submitter
        }
    }

    /// Why the approval must be refused, or nil. `what` names the record in the message
    /// ("a result", "evidence"); `field` is the form field the message belongs beside.
    public static func refusal(_ parties: Parties, mayApprove: Bool, what: String, field: String) -> RuleError? {
        let approver = normalised(parties.approver)
        if !mayApprove {
            return RuleError(field: field, message: "Only a manager may approve \(what)")
        }
        if let owner = parties.storedOwner.map(normalised), owner == approver {
            return RuleError(field: field, message: "You own \(what), so someone else must approve it")
        }
        if let owner = parties.requestedOwner.map(normalised), owner == approver {
            return RuleError(field: field, message: "The owner of \(what) cannot also approve it")
        }
        if let submitter = parties.submitter.map(normalised), submitter == approver {
            return RuleError(field: field, message: "You made this change to \(what), so someone else must approve it")
        }
        return nil
    }

    private static func normalised(_ email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}
