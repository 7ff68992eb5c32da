import Foundation

/// What a user asks to record about an organisation, checked field by field.
public struct OrganisationDraft: Equatable, Sendable {
    public var odsCode: ODSCode
    public var name: String
    public var type: OrganisationType
    public var parentCode: ODSCode?
    public var dsptCategory: DSPTCategory?

    public init(odsCode: ODSCode, name: String, type: OrganisationType, parentCode: ODSCode?, dsptCategory: DSPTCategory?) {
        self.odsCode = odsCode
        self.name = name
        self.type = type
        self.parentCode = parentCode
        self.dsptCategory = dsptCategory
    }

    public static let maximumNameLength = 200

    /// Builds a draft from text fields (a form, a CSV row, JSON), reporting every bad field at once.
    public static func parse(
        odsCode: String, name: String, type: String, parentCode: String, dsptCategory: String
    ) -> Result<OrganisationDraft, RuleViolations<RuleError>> {
        var problems: [RuleError] = []
        func attempt<T>(_ body: () throws(RuleError) -> T) -> T? {
            do { return try body() } catch { problems.append(error); return nil }
        }
        let code = attempt { () throws(RuleError) in try ODSCode(odsCode) }
        let checkedName = attempt { () throws(RuleError) in try checkName(name) }
        let parsedType = attempt { () throws(RuleError) in try OrganisationType(parsing: type) }
        let parent = attempt { () throws(RuleError) -> ODSCode? in
            let trimmed = parentCode.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return nil }
            return try parentODSCode(trimmed)
        } ?? nil
        let category = attempt { () throws(RuleError) in try DSPTCategory.parse(dsptCategory) } ?? nil
        if let code, let parsedType {
            attempt { () throws(RuleError) in try code.check(isShapedFor: parsedType) }
        }
        guard problems.isEmpty, let code, let checkedName, let parsedType else { return .failure(RuleViolations(problems)) }
        return .success(OrganisationDraft(odsCode: code, name: checkedName, type: parsedType, parentCode: parent, dsptCategory: category))
    }

    private static func parentODSCode(_ raw: String) throws(RuleError) -> ODSCode {
        do {
            return try ODSCode(raw)
        } catch {
            throw RuleError(field: "parent_ods_code", message: error.message.replacingOccurrences(of: "ODS code", with: "Parent ODS code"))
        }
    }

    private static func checkName(_ raw: String) throws(RuleError) -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw RuleError(field: "name", message: "Name is required") }
        guard name.count <= maximumNameLength else {
            throw RuleError(field: "name", message: "Name must be \(maximumNameLength) characters or fewer")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw RuleError(field: "name", message: "Name must not contain control characters")
        }
        return name
    }
}
