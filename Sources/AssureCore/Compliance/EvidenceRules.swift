import Foundation

/// Where a piece of evidence lives: an uploaded file, a link to a document held elsewhere
/// (SharePoint, the intranet), or a figure Assure produced itself from its own records.
public enum EvidenceKind: String, CaseIterable, Codable, Sendable {
    case file, link, system

    public var displayName: String {
        switch self {
        case .file: "File"
        case .link: "Link"
        case .system: "Produced by Assure"
        }
    }
}

/// Whether the evidence has been accepted by someone who may approve it.
public enum EvidenceApproval: String, CaseIterable, Codable, Sendable {
    case awaitingApproval = "awaiting-approval"
    case approved
    case rejected

    public var displayName: String {
        switch self {
        case .awaitingApproval: "Awaiting approval"
        case .approved: "Approved"
        case .rejected: "Rejected"
        }
    }
}

/// Whether evidence is still good on a given day: an expired policy or certificate no longer
/// supports the result it is attached to.
public enum EvidenceCurrency: String, Sendable {
    case current, expiringSoon = "expiring-soon", expired, noReviewDate = "no-review-date"

    /// How far ahead "expiring soon" looks: long enough to renew a certificate or re-approve a policy.
    public static let soonDays = 30

    public static func of(reviewBy: CalendarDay?, today: CalendarDay) -> EvidenceCurrency {
        guard let reviewBy else { return .noReviewDate }
        if reviewBy < today { return .expired }
        return reviewBy <= today.adding(days: soonDays) ? .expiringSoon : .current
    }

    public var displayName: String {
        switch self {
        case .current: "Current"
        case .expiringSoon: "Expiring soon"
        case .expired: "Expired"
        case .noReviewDate: "No review date"
        }
    }
}

/// What may be uploaded as evidence, and how an uploaded file's name is made safe to keep and show.
public enum EvidenceFileRules {
    /// The file types NHS evidence usually comes in, by extension, with the content type Assure
    /// serves them as. Executables, scripts and HTML are refused: evidence is downloaded by others.
    public static let allowedTypes: [String: String] = [
        "pdf": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "odt": "application/vnd.oasis.opendocument.text",
        "ods": "application/vnd.oasis.opendocument.spreadsheet",
        "csv": "text/csv",
        "txt": "text/plain",
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
    ]

    /// Leading bytes each binary type must start with, so a renamed executable is not accepted as a PDF.
    static let signatures: [String: [UInt8]] = [
        "pdf": Array("%PDF-".utf8),
        "png": [0x89, 0x50, 0x4E, 0x47],
        "jpg": [0xFF, 0xD8, 0xFF],
        "jpeg": [0xFF, 0xD8, 0xFF],
        "docx": [0x50, 0x4B, 0x03, 0x04], "xlsx": [0x50, 0x4B, 0x03, 0x04], "pptx": [0x50, 0x4B, 0x03, 0x04],
        "odt": [0x50, 0x4B, 0x03, 0x04], "ods": [0x50, 0x4B, 0x03, 0x04],
    ]

    public static var allowedList: String { allowedTypes.keys.sorted().joined(separator: ", ") }

    /// The name to keep: refuses names that try to leave the folder or hide (`../`, `/`, `\`, a
    /// leading dot, control characters) rather than quietly rewriting them, so the uploader knows.
    public static func checkedName(_ raw: String) -> Result<String, RuleError> {
        let name = raw.trimmingCharacters(in: .whitespaces)
        if name.isEmpty { return .failure(RuleError(field: "file", message: "The file has no name")) }
        if name.contains("/") || name.contains("\\") || name.contains("..") || name.hasPrefix(".") {
            return .failure(RuleError(field: "file", message: "The file name '\(name.prefix(80))' contains a path; rename the file and upload it again"))
        }
        if name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
            return .failure(RuleError(field: "file", message: "The file name contains control characters; rename the file and upload it again"))
        }
        if name.count > 200 { return .failure(RuleError(field: "file", message: "The file name is longer than 200 characters")) }
        return .success(name)
    }

    /// The content type to store and serve, after checking the extension is allowed and the bytes match it.
    public static func contentType(name: String, firstBytes: [UInt8]) -> Result<String, RuleError> {
        let ext = (name as NSString).pathExtension.lowercased()
        guard let type = allowedTypes[ext] else {
            return .failure(RuleError(field: "file", message: "'.\(ext.isEmpty ? "(none)" : ext)' files are not accepted as evidence. Upload one of: \(allowedList)"))
        }
        if let signature = signatures[ext], !firstBytes.starts(with: signature) {
            return .failure(RuleError(field: "file", message: "The file is named .\(ext) but its contents are not a \(ext.uppercased()) file"))
        }
        if signatures[ext] == nil, firstBytes.contains(0) {
            return .failure(RuleError(field: "file", message: "The file is named .\(ext) but its contents are not text"))
        }
        return .success(type)
    }

    public static func checkSize(_ bytes: Int, limit: Int) -> RuleError? {
        if bytes == 0 { return RuleError(field: "file", message: "The file is empty") }
        if bytes > limit {
            return RuleError(field: "file", message: "The file is \(megabytes(bytes)); evidence files may be up to \(megabytes(limit))")
        }
        return nil
    }

    public static func megabytes(_ bytes: Int) -> String {
        bytes >= 1_048_576 ? String(format: "%.1f MB", Double(bytes) / 1_048_576) : "\(max(1, bytes / 1024)) KB"
    }
}

/// A link given as evidence must be a web address people can open.
public enum EvidenceLinkRules {
    public static func check(_ raw: String) -> Result<String, RuleError> {
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), ["https", "http"].contains(scheme),
              let host = url.host, !host.isEmpty, text.count <= 2000 else {
            return .failure(RuleError(field: "url", message: "Enter a web address starting https://, for example https://intranet.example.nhs.uk/policy.pdf"))
        }
        return .success(text)
    }
}
