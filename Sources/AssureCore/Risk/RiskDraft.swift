import Foundation

/// What someone enters about a risk (a form, a CSV row, JSON), checked field by field against
/// the organisation's matrix. Owners are email addresses; whether they hold a role in the
/// organisation is checked where the people are (the app).
public struct RiskDraft: Equatable, Sendable {
    public var title: String
    public var cause: String
    public var event: String
    public var effect: String
    public var category: RiskCategory
    public var owner: EmailAddress
    public var handler: EmailAddress?
    public var department: String
    public var objective: String
    public var sourceReference: String
    public var opened: CalendarDay
    public var status: RiskStatus
    public var initial: RiskRating
    public var current: RiskRating
    public var target: RiskRating

    /// The raw text of each field, named as in forms, CSV headers and JSON.
    public struct Input: Codable, Equatable, Sendable {
        public var title: String?
        public var cause: String?
        public var event: String?
        public var effect: String?
        public var category: String?
        public var owner: String?
        public var handler: String?
        public var department: String?
        public var objective: String?
        public var source_reference: String?
        public var opened: String?
        public var status: String?
        public var initial_likelihood: String?
        public var initial_consequence: String?
        public var current_likelihood: String?
        public var current_consequence: String?
        public var target_likelihood: String?
        public var target_consequence: String?

        public init() {}

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        /// Takes each field as text or a number (JSON clients send scores as numbers); unknown keys are ignored.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            for field in Self.fields { self[field] = try Self.text(container, Key(stringValue: field)) }
        }

        /// One field as text or a whole number; nil when absent or null.
        public static func text<K: CodingKey>(_ container: KeyedDecodingContainer<K>, _ key: K) throws -> String? {
            guard container.contains(key), try !container.decodeNil(forKey: key) else { return nil }
            if let text = try? container.decode(String.self, forKey: key) { return text }
            if let number = try? container.decode(Int.self, forKey: key) { return String(number) }
            throw DecodingError.typeMismatch(String.self, .init(codingPath: [key], debugDescription: "\(key.stringValue) must be text or a whole number"))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            for field in Self.fields { if let value = self[field] { try container.encode(value, forKey: Key(stringValue: field)) } }
        }

        public static let fields = ["title", "cause", "event", "effect", "category", "owner", "handler", "department", "objective",
                                    "source_reference", "opened", "status", "initial_likelihood", "initial_consequence",
                                    "current_likelihood", "current_consequence", "target_likelihood", "target_consequence"]

        public subscript(field: String) -> String? {
            get {
                switch field {
                case "title": title
                case "cause": cause
                case "event": event
                case "effect": effect
                case "category": category
                case "owner": owner
                case "handler": handler
                case "department": department
                case "objective": objective
                case "source_reference": source_reference
                case "opened": opened
                case "status": status
                case "initial_likelihood": initial_likelihood
                case "initial_consequence": initial_consequence
                case "current_likelihood": current_likelihood
                case "current_consequence": current_consequence
                case "target_likelihood": target_likelihood
                case "target_consequence": target_consequence
                default: nil
                }
            }
            set {
                switch field {
                case "title": title = newValue
                case "cause": cause = newValue
                case "event": event = newValue
                case "effect": effect = newValue
                case "category": category = newValue
                case "owner": owner = newValue
                case "handler": handler = newValue
                case "department": department = newValue
                case "objective": objective = newValue
                case "source_reference": source_reference = newValue
                case "opened": opened = newValue
                case "status": status = newValue
                case "initial_likelihood": initial_likelihood = newValue
                case "initial_consequence": initial_consequence = newValue
                case "current_likelihood": current_likelihood = newValue
                case "current_consequence": current_consequence = newValue
                case "target_likelihood": target_likelihood = newValue
                case "target_consequence": target_consequence = newValue
                default: break
                }
            }
        }
    }

    public static func parse(_ input: Input, matrix: RiskMatrix, today: CalendarDay) -> Result<RiskDraft, RuleViolations<RuleError>> {
        var problems: [RuleError] = []
        func text(_ field: String, _ label: String, required: Bool, limit: Int) -> String {
            let value = (input[field] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if required && value.isEmpty { problems.append(RuleError(field: field, message: "\(label) is required")) }
            if value.count > limit { problems.append(RuleError(field: field, message: "\(label) must be \(limit) characters or fewer")) }
            if value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\r" && $0 != "\t" }) {
                problems.append(RuleError(field: field, message: "\(label) must not contain control characters"))
            }
            return value
        }
        let title = text("title", "Title", required: true, limit: 200)
        let cause = text("cause", "Cause", required: true, limit: 4000)
        let event = text("event", "Event", required: true, limit: 4000)
        let effect = text("effect", "Effect", required: true, limit: 4000)
        let department = text("department", "Directorate or department", required: false, limit: 200)
        let objective = text("objective", "Strategic objective", required: false, limit: 200)
        let source = text("source_reference", "Source reference", required: false, limit: 100)

        let rawCategory = (input.category ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let category = RiskCategory(rawValue: rawCategory) ?? RiskCategory.allCases.first { $0.displayName.lowercased() == rawCategory }
        if category == nil {
            problems.append(RuleError(field: "category", message: rawCategory.isEmpty ? "Choose a category"
                : "Category '\(input.category ?? "")' is not one of: \(RiskCategory.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        var owner: EmailAddress?
        do { owner = try EmailAddress(input.owner ?? "") } catch {
            problems.append(RuleError(field: "owner", message: (input.owner ?? "").isEmpty ? "Name the risk owner by their email address" : "The owner must be an email address"))
        }
        var handler: EmailAddress?
        if let raw = input.handler, !raw.trimmingCharacters(in: .whitespaces).isEmpty {
            do { handler = try EmailAddress(raw) } catch { problems.append(RuleError(field: "handler", message: "The handler must be an email address")) }
        }
        let opened = CalendarDay(input.opened ?? "")
        if opened == nil { problems.append(RuleError(field: "opened", message: CalendarDay.formatMessage)) }
        if let opened, opened > today { problems.append(RuleError(field: "opened", message: "The opened date cannot be in the future")) }
        let rawStatus = (input.status ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        let status = rawStatus.isEmpty ? RiskStatus.open : RiskStatus(rawValue: rawStatus)
        if status == nil { problems.append(RuleError(field: "status", message: "Status '\(input.status ?? "")' is not one of: open, closed, tolerated, transferred")) }

        func rating(_ stage: String) -> RiskRating? {
            let l = level(input["\(stage)_likelihood"], "\(stage)_likelihood", "\(stage) likelihood", matrix.likelihood, &problems)
            let c = level(input["\(stage)_consequence"], "\(stage)_consequence", "\(stage) consequence", matrix.consequence, &problems)
            guard let l, let c else { return nil }
            return RiskRating(likelihood: l, consequence: c)
        }
        let initial = rating("initial"), current = rating("current"), target = rating("target")
        if let initial, let target, let initialScore = matrix.score(likelihood: initial.likelihood, consequence: initial.consequence),
           let targetScore = matrix.score(likelihood: target.likelihood, consequence: target.consequence), targetScore > initialScore {
            problems.append(RuleError(field: "target_likelihood", message: "The target score (\(targetScore)) cannot be higher than the initial score (\(initialScore))"))
        }
        guard problems.isEmpty, let category, let owner, let opened, let status, let initial, let current, let target else {
            return .failure(RuleViolations(problems))
        }
        return .success(RiskDraft(title: title, cause: cause, event: event, effect: effect, category: category, owner: owner, handler: handler,
                                  department: department, objective: objective, sourceReference: source, opened: opened, status: status,
                                  initial: initial, current: current, target: target))
    }

    /// A level by its score (1…n) or its label ("Likely"), within the matrix.
    private static func level(_ raw: String?, _ field: String, _ what: String, _ levels: [RiskMatrix.Level], _ problems: inout [RuleError]) -> Int? {
        let text = (raw ?? "").trimmingCharacters(in: .whitespaces)
        if let number = Int(text), (1...levels.count).contains(number) { return number }
        if let match = levels.first(where: { $0.label.lowercased() == text.lowercased() }) { return match.score }
        problems.append(RuleError(field: field, message: text.isEmpty ? "Choose the \(what)"
            : "\(what.capitalisedFirst) '\(text)' is not on the matrix: use 1 to \(levels.count) or one of \(levels.map(\.label).joined(separator: ", "))"))
        return nil
    }

    public init(title: String, cause: String, event: String, effect: String, category: RiskCategory, owner: EmailAddress, handler: EmailAddress?,
                department: String, objective: String, sourceReference: String, opened: CalendarDay, status: RiskStatus,
                initial: RiskRating, current: RiskRating, target: RiskRating) {
        self.title = title
        self.cause = cause
        self.event = event
        self.effect = effect
        self.category = category
        self.owner = owner
        self.handler = handler
        self.department = department
        self.objective = objective
        self.sourceReference = sourceReference
        self.opened = opened
        self.status = status
        self.initial = initial
        self.current = current
        self.target = target
    }
}
